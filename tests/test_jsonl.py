import datetime as dt
import json

from index.readers import jsonl, read_sources

from .helpers import release, write_jsonl


def test_valid_record_with_optional_fields(tmp_path):
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            release(
                lang="ES",
                date="2021-03-04T10:00:00-06:00",
                title="  Título   con  espacios ",
                summary="Resumen.",
                url="https://example.org/a",
                translation_key="k1",
                countries=["pa", "CR"],
                topics=["labour-migration"],
            )
        ],
    )
    result = read_sources([path])
    assert not result.rejected
    (r,) = result.releases
    assert (r.lang, r.date, r.title) == ("es", dt.date(2021, 3, 4), "Título con espacios")
    assert (r.summary, r.url, r.translation_key) == ("Resumen.", "https://example.org/a", "k1")
    assert (r.countries, r.topics) == (["PA", "CR"], ["labour-migration"])
    assert (r.source, r.line) == (str(path), 1)


def test_summary_defaults_to_first_paragraph():
    (r,) = jsonl.parse(
        '{"id":"a","lang":"en","date":"2020-01-02","title":"T","body":"First para.\\n\\nSecond."}', "x"
    ).releases
    assert r.summary == "First para."
    assert r.countries is None and r.topics is None


def test_each_bad_line_is_rejected_with_its_line_and_reason(tmp_path):
    lines = [
        '{"id": "ok1", "lang": "en", "date": "2020-01-02", "title": "Fine", "body": "Fine body."}',
        '{"id": "broken", "lang": "en", "date": ',
        "",
        '{"id": "nolang", "date": "2020-01-02", "title": "T", "body": "B"}',
        '{"id": "fr", "lang": "fr", "date": "2020-01-02", "title": "T", "body": "B"}',
        '{"id": "baddate", "lang": "en", "date": "2019-02-30", "title": "T", "body": "B"}',
        '{"id": "../../etc/passwd", "lang": "en", "date": "2020-01-02", "title": "T", "body": "B"}',
        '["not", "an", "object"]',
        '{"id": "types", "lang": "en", "date": "2020-01-02", "title": 5, "body": "B"}',
        '{"id": "ok2", "lang": "es", "date": "2020-01-03", "title": "Bien", "body": "Cuerpo."}',
        '{"id": "empty", "lang": null, "date": "2020-01-02", "title": "T", "body": ""}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_sources([path])
    assert [r.id for r in result.releases] == ["ok1", "ok2"]
    reasons = {r.line: r.reason for r in result.rejected}
    assert set(reasons) == {2, 4, 5, 6, 7, 8, 9, 11}
    assert "invalid JSON" in reasons[2]
    assert "missing required field: lang" in reasons[4]
    assert "'fr'" in reasons[5]
    assert "not a real date" in reasons[6]
    assert "id" in reasons[7]
    assert "object" in reasons[8]
    assert "'title' must be a string" in reasons[9]
    assert reasons[11] == "required fields empty: lang, body"  # present, but null or "": not "missing"
    assert all(r.source == str(path) for r in result.rejected)


def test_utf8_bom_and_latin1_files_are_read(tmp_path):
    record = (
        '{"id": "a", "lang": "es", "date": "2020-01-02", "title": "Migración en Panamá", "body": "Niñas y niños."}\n'
    )
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + record.encode("utf-8"))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(record.replace('"a"', '"b"').encode("latin-1"))
    result = read_sources([bom, latin])
    assert not result.rejected
    assert [r.title for r in result.releases] == ["Migración en Panamá"] * 2
    assert any("Windows-1252" in str(w) for w in result.warnings)


def test_truncated_last_line_is_rejected(tmp_path):
    path = tmp_path / "cut.jsonl"
    full = write_jsonl(tmp_path / "full.jsonl", [release(id="a"), release(id="b")]).read_text()
    path.write_text(full[:-25], encoding="utf-8")
    result = read_sources([path])
    assert [r.id for r in result.releases] == ["a"]
    assert [r.line for r in result.rejected] == [2]


def test_explicit_countries_and_topics_replace_enrichment(tmp_path):
    from index.build import prepare

    source = write_jsonl(
        tmp_path / "a.jsonl",
        [
            release(
                id="explicit", body="Migrant workers in Honduras and Mexico.", countries=["PA"], topics=["children"]
            ),
            release(id="found", body="Migrant workers in Honduras and Mexico."),
        ],
    )
    releases, _ = prepare([source])
    by_id = {r.id: r for r in releases}
    assert (by_id["explicit"].countries, by_id["explicit"].topics) == (["PA"], ["children"])
    assert by_id["found"].countries == ["HN", "MX"]


def test_a_json_array_or_pretty_printed_objects_are_one_rejection_saying_so(tmp_path):
    records = [release(id=f"r{i}") for i in range(3)]
    array = tmp_path / "export.json"
    array.write_text(json.dumps(records, indent=2), encoding="utf-8")
    pretty = tmp_path / "pretty.jsonl"
    pretty.write_text("\n".join(json.dumps(r, indent=2) for r in records), encoding="utf-8")
    result = read_sources([array, pretty])
    assert not result.releases
    assert [(r.source, r.line) for r in result.rejected] == [(str(array), 1), (str(pretty), 1)]
    assert "one JSON array, not JSON Lines" in result.rejected[0].reason
    assert "JSON objects written over several lines" in result.rejected[1].reason
    # an array written on one line is said to be one too (it was "a line must hold one JSON object")
    one_line = tmp_path / "one-line.json"
    one_line.write_text(json.dumps(records) + "\n", encoding="utf-8")
    (rejected,) = read_sources([one_line]).rejected
    assert "one JSON array, not JSON Lines" in rejected.reason and "(1 line could not be read)" in rejected.reason


def test_bad_lines_among_good_ones_are_still_named_one_by_one(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text("{not json\n" + json.dumps(release(id="ok")) + "\n[1, 2]\n", encoding="utf-8")
    result = read_sources([path])
    assert [r.id for r in result.releases] == ["ok"]
    assert [r.line for r in result.rejected] == [1, 3]


def test_a_file_of_broken_one_line_records_names_each(tmp_path):
    path = tmp_path / "broken.jsonl"
    good = json.dumps(release(id="a"))
    path.write_text(good[:-1] + "\n" + good.replace('"a"', '"b\\x"') + "\n", encoding="utf-8")
    result = read_sources([path])
    assert [r.line for r in result.rejected] == [1, 2]
    assert all("invalid JSON" in r.reason for r in result.rejected)
