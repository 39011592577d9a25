"""A release whose record is now rejected keeps its live version: a typo does not take it off the site."""

import json

import pytest

from index.build import reindex
from index.reindex import main as reindex_main
from search.engine import Archive
from search.params import parse_params

from .helpers import release, run_reindex, stored, write_jsonl

MODES = ["--full", "--incremental"]


def records() -> list[dict]:
    return [
        release(id="tap", date="2021-05-02", title="Migrants reach Tapachula", body="Migrants walked to Tapachula."),
        release(
            id="rem-en",
            date="2021-06-01",
            title="Remittances to Guatemala grow",
            body="Remittances sent to Guatemala grew by a fifth this year, families say.",
            translation_key="remesas-2021",
        ),
        release(
            id="rem-es",
            lang="es",
            date="2021-06-01",
            title="Crecen las remesas a Guatemala",
            body="Las remesas enviadas a Guatemala crecieron una quinta parte este año, dicen las familias.",
            translation_key="remesas-2021",
        ),
    ]


def built(tmp_path):
    source = write_jsonl(tmp_path / "releases.jsonl", records())
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    return source, root


def found(root, q: str) -> list[str]:
    result = Archive(root).search(parse_params({"q": q}))
    return [hit.id for hit in result.hits]


@pytest.mark.parametrize("mode", MODES)
def test_a_record_broken_by_a_typo_keeps_its_live_release(tmp_path, mode, capsys):
    source, root = built(tmp_path)
    before = stored(root)["tap"]
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"2021-05-02"', '"2021-05-0"').replace("walked", "rode")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert reindex_main([str(source), "--index", str(root), mode, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"rejected: {source}:1: '2021-05-0' is not a real date" in err
    assert "the live version of tap stays as it was" in err
    after = stored(root)["tap"]
    assert {k: after[k] for k in ("title", "body", "date", "content_hash")} == {
        k: before[k] for k in ("title", "body", "date", "content_hash")
    }
    assert found(root, "Tapachula") == ["tap"] and found(root, "rode") == []

    # Mended, the record replaces the kept version.
    source.write_text("\n".join([lines[0].replace('"2021-05-0"', '"2021-05-02"'), *lines[1:]]) + "\n", encoding="utf-8")
    assert reindex_main([str(source), "--index", str(root), mode, "--quiet"]) == 0
    assert "stays as it was" not in capsys.readouterr().err
    assert found(root, "rode") == ["tap"]


def test_a_line_that_is_no_longer_json_keeps_the_release_it_names(tmp_path):
    source, root = built(tmp_path)
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"lang": "en",', '"lang": "en"')  # a comma lost
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_reindex(source, "--index", root, "--incremental", "--quiet")
    assert run.returncode == 1
    assert "invalid JSON" in run.stderr and "the live version of tap stays as it was" in run.stderr
    assert found(root, "Tapachula") == ["tap"]


def test_a_kept_release_keeps_its_translation(tmp_path):
    source, root = built(tmp_path)
    assert stored(root)["rem-en"]["pair"] == "rem-es"
    broken = records()
    broken[2]["countries"] = ["XX"]  # an unknown country code: rejected when checked
    write_jsonl(source, broken)
    run = run_reindex(source, "--index", root, "--incremental", "--quiet")
    assert run.returncode == 1
    assert "unknown country code: XX" in run.stderr and "the live version of rem-es stays" in run.stderr
    fields = stored(root)
    assert fields["rem-en"]["pair"] == "rem-es" and fields["rem-es"]["pair"] == "rem-en"
    hits = Archive(root).search(parse_params({"q": "remesas", "ui": "es"})).hits
    assert [hit.id for hit in hits] == ["rem-es"]


def test_a_new_record_rejected_or_a_record_removed_is_not_kept(tmp_path):
    source, root = built(tmp_path)
    changed = records()[1:]  # "tap" removed from the file
    bad_new = release(id="new", date="2021-13-01", title="Flooding in Honduras", body="Floods hit Honduras.")
    write_jsonl(source, [*changed, bad_new])
    run = run_reindex(source, "--index", root, "--incremental", "--quiet")
    assert run.returncode == 1
    assert "stays as it was" not in run.stderr
    assert set(stored(root)) == {"rem-en", "rem-es"}


def test_a_check_counts_only_valid_records(tmp_path):
    source, root = built(tmp_path)
    broken = records()
    broken[0]["date"] = "2021-05-0"
    write_jsonl(source, broken)
    run = run_reindex(source, "--index", root, "--check")
    assert run.returncode == 1
    assert "checked 2 valid, rejected 1" in run.stdout
    assert "stays as it was" not in run.stderr


def test_a_rejected_line_naming_two_ids_keeps_neither(tmp_path):
    source, root = built(tmp_path)
    lines = source.read_text(encoding="utf-8").splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    lines[0] = json.dumps(first)[:-1] + ", " + json.dumps(second)[1:]  # two records run together
    lines[0] = lines[0].replace('"id": "rem-en"', '"id": "rem-en" "x"')
    source.write_text("\n".join([lines[0], *lines[2:]]) + "\n", encoding="utf-8")
    run = run_reindex(source, "--index", root, "--incremental", "--quiet")
    assert run.returncode == 1 and "stays as it was" not in run.stderr
    assert set(stored(root)) == {"rem-es"}


def test_a_damaged_live_index_does_not_stop_a_full_rebuild(tmp_path):
    source, root = built(tmp_path)
    live = root / (root / "CURRENT").read_text().strip()
    for segment in live.glob("*.seg"):
        segment.write_bytes(segment.read_bytes()[:200])
    broken = records()
    broken[0]["date"] = "2021-05-0"
    write_jsonl(source, broken)
    run = run_reindex(source, "--index", root, "--full", "--quiet")
    assert run.returncode == 1, run.stderr  # the rejection alone
    assert "Traceback" not in run.stderr
    assert "the live versions of rejected records could not be read" in run.stderr
    assert set(stored(root)) == {"rem-en", "rem-es"}  # rebuilt, and searchable again
    assert found(root, "Tapachula") == [] and len(found(root, "remesas")) == 1


def test_a_kept_release_loses_a_topic_the_topics_file_no_longer_has(tmp_path):
    source, root = built(tmp_path)
    topics = stored(root)["rem-en"]["topics"].split(",")
    assert topics != [""]
    from index.config import DATA_DIR

    text = (DATA_DIR / "topics.toml").read_text(encoding="utf-8")
    gone = topics[0]
    start = text.index(f"[{gone}]")
    end = text.find("\n[", start + 1)
    smaller = tmp_path / "topics.toml"
    smaller.write_text(text[:start] + (text[end + 1 :] if end >= 0 else ""), encoding="utf-8")
    broken = records()
    broken[1]["date"] = "2021-06-0"
    write_jsonl(source, broken)
    run = run_reindex(source, "--index", root, "--full", "--quiet", env={"TOPICS_FILE": str(smaller)})
    assert run.returncode == 1 and "the live version of rem-en stays" in run.stderr
    assert [t for t in stored(root)["rem-en"]["topics"].split(",") if t] == [t for t in topics if t != gone]


def test_an_incremental_run_with_a_kept_release_and_nothing_else_writes_nothing(tmp_path):
    source, root = built(tmp_path)
    broken = records()
    broken[2]["date"] = "2021-06-0"  # the Spanish half of the pair
    write_jsonl(source, broken)
    for _ in range(2):
        run = run_reindex(source, "--index", root, "--incremental")
        assert run.returncode == 1
        assert "note: nothing changed: gen-000001 stays live\n" in run.stderr, run.stderr


PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Migrants reach Tapachula | IOM</title>'
    '<link rel="canonical" href="https://example.org/news/migrants-reach-tapachula">'
    '<meta property="article:published_time" content="{date}"></head>'
    "<body><article><h1>Migrants reach Tapachula</h1><p>Migrants walked to Tapachula this week.</p>"
    "<p>IOM gave them water and information.</p></article></body></html>"
)


@pytest.mark.parametrize("mode", MODES)
def test_a_page_broken_by_a_typo_keeps_its_live_release_by_its_address(tmp_path, mode):
    """A saved page whose date is mistyped names no release id (the id comes from the date):
    its address does, and the release it gave stays on the site, as a JSON Lines record's does,
    where it was deleted."""
    folder = tmp_path / "pages"
    folder.mkdir()
    page = folder / "tapachula.html"
    page.write_text(PAGE.format(date="2021-05-02"), encoding="utf-8")
    root = tmp_path / "ix"
    reindex([folder], root, progress=False)
    (live_id,) = stored(root)
    page.write_text(PAGE.format(date="2021-02-30"), encoding="utf-8")
    run = run_reindex(folder, "--index", root, mode, "--quiet")
    assert run.returncode == 1
    assert "is not a real date" in run.stderr and f"the live version of {live_id} stays as it was" in run.stderr
    assert found(root, "Tapachula") == [live_id]
