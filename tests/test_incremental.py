"""An incremental reindex gives exactly what a full rebuild from the same sources gives.

Incremental builds leave records whose raw source is unchanged unread (``index.known``);
these tests change the sample archive in every way staff can -- edits, additions,
deletions, a record moved to another line, an id changed, a duplicate, a bad line, a
translation pair formed or broken by a new or deleted release, an edited listing and an
edited page -- and compare the index after each incremental step with a full rebuild:
every stored field, every indexed term, the vocabulary, the manifest, the summary.
"""

import json
import marshal
import shutil

import pytest

from index import known as known_module
from index import vocabulary
from index.build import reindex
from index.config import SAMPLES_DIR
from index.records import Unread
from index.reindex import main as reindex_main
from index.store import IndexStore

from .helpers import release, write_jsonl


def index_content(root) -> dict:
    """Everything a search can see: stored fields by id, and each indexed term's releases."""
    with IndexStore(root).open().searcher() as searcher:
        reader = searcher.reader()
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        docs = {fields["id"]: fields for _, fields in reader.iter_docs()}
        terms = {}
        for field, text in reader.all_terms():
            if field == "id" or reader.schema[field].format is None:
                continue
            postings = reader.postings(field, text)
            found = frozenset(ids[n] for n in postings.all_ids() if n in ids)
            if found:
                terms[field, text] = found
    return {"docs": docs, "terms": terms}


def generation_files(root) -> dict:
    store = IndexStore(root)
    path = store.path(store.current_name())
    manifest = store.manifest()
    for volatile in ("generation", "built_at", "mode"):
        manifest.pop(volatile)
    # The word counts are exact; the written forms of accented words are kept from earlier
    # generations by incremental builds (a form, not a count), so they are not compared.
    words = vocabulary.load(path)
    known = marshal.loads((path / known_module.FILE).read_bytes())  # every column, row by row
    return {"manifest": manifest, "vocabulary": words, "known": known}


def summary_view(summary) -> dict:
    return {
        "rejected": sorted(map(str, summary.rejected)),
        "warnings": sorted(map(str, summary.warnings)),
        "pairs": (summary.pairs.explicit, summary.pairs.automatic),
        "releases": summary.releases,
        "read": summary.read,
        "files": summary.files,
    }


def assert_same_as_full(tmp_path, sources, incremental_root, summary):
    full_root = tmp_path / "full"
    shutil.rmtree(full_root, ignore_errors=True)
    full = reindex(sources, full_root, progress=False)
    assert summary_view(summary) == summary_view(full)
    assert index_content(incremental_root) == index_content(full_root)
    assert generation_files(incremental_root) == generation_files(full_root)


def parsed_ids(monkeypatch) -> list:
    """The ids of the JSON Lines records parsed from now on, in order (unread ones are not)."""
    from index.readers import jsonl

    parsed = []
    real = jsonl.release_from
    monkeypatch.setattr(jsonl, "release_from", lambda record, *a: parsed.append(record["id"]) or real(record, *a))
    return parsed


def jsonl_lines(path):
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("block", [64, 3])
def test_incremental_steps_match_full_rebuilds(tmp_path, monkeypatch, block):
    """Also with blocks of three lines, so that the sample's file is many blocks."""
    from index.readers import jsonl as jsonl_reader

    monkeypatch.setattr(jsonl_reader, "BLOCK", block)
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLES_DIR, archive)
    jsonl = archive / "releases.jsonl"
    root = tmp_path / "ix"
    sources = [archive]
    reindex(sources, root, progress=False)

    # Step 1: edits, additions, deletions, a moved line, a changed id, a bad line, a duplicate,
    # a translation pair formed by a new release and one broken by a deletion, a key shared by
    # three releases, an edited listing and an edited page.
    lines = jsonl_lines(jsonl)
    records = [json.loads(line) for line in lines]
    by_id = {r["id"]: n for n, r in enumerate(records)}
    records[by_id["2017-05-24-jamaica-diaspora-mapping-en"]]["body"] += "\n\nA paragraph added later."
    records[by_id["2024-11-20-trinidad-tobago-cohesion-social-venezolanos-es"]]["id"] = "2024-11-20-trinidad-es"
    deleted = by_id["2018-03-15-belice-guatemala-capacitacion-trata-es"]  # was paired automatically
    moved = records[by_id["2024-07-17-jamaica-hurricane-beryl-shelters-en"]]
    out = [
        json.dumps(r, ensure_ascii=False)
        for n, r in enumerate(records)
        if n not in (deleted, by_id["2024-07-17-jamaica-hurricane-beryl-shelters-en"])
    ]
    out.insert(1, json.dumps(moved, ensure_ascii=False))
    # A Spanish version of an unpaired English release: pairs by date, countries and topics.
    out.append(
        json.dumps(
            release(
                id="2023-08-30-guyana-region-uno-dtm-es",
                lang="es",
                date="2023-08-30",
                title="La DTM registra a personas venezolanas en la Región Uno de Guyana",
                body="Personas venezolanas en Guyana. La OIM aplica la Matriz de Seguimiento del Desplazamiento.",
                countries=["VE", "GY"],
                topics=["displacement-data", "integration"],
            ),
            ensure_ascii=False,
        )
    )
    # A third release with a key that already pairs two: none of them pairs any more.
    out.append(
        json.dumps(
            release(
                id="2021-09-23-haiti-copia-es",
                lang="es",
                date="2021-09-23",
                translation_key="2021-haiti-earthquake-response",
                title="Copia",
                body="Haití. Respuesta al terremoto.",
            ),
            ensure_ascii=False,
        )
    )
    out.append('{"id": "broken", "lang": "en"')
    # A new line before an unchanged one with the same id: the unchanged one becomes the duplicate.
    out.insert(
        0,
        json.dumps(
            release(
                id="2019-06-11-caribbean-climate-human-mobility-port-of-spain-en",
                title="An earlier line with the same id",
                body="Text about Jamaica.",
            ),
            ensure_ascii=False,
        ),
    )
    jsonl.write_text("\n".join(out) + "\n", encoding="utf-8")
    listing = archive / "listing-es.txt"
    listing.write_text(listing.read_text(encoding="utf-8").replace("Puebla", "Tlaxcala"), encoding="utf-8")
    page = archive / "pages" / "2023-05-17-salud-mental-vacunacion-darien-es.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</article>", "<p>Un párrafo nuevo.</p></article>"), encoding="utf-8"
    )

    summary = reindex(sources, root, mode="incremental", progress=False)
    assert summary.written and summary.mode == "incremental"
    assert summary.deleted >= 3 and summary.added >= 4 and summary.updated >= 2
    assert_same_as_full(tmp_path, sources, root, summary)
    docs = index_content(root)["docs"]
    assert docs["2023-08-30-guyana-region-one-dtm-en"]["pair"] == "2023-08-30-guyana-region-uno-dtm-es"
    assert docs["2018-03-15-belize-guatemala-trafficking-training-en"]["pair"] == ""
    assert docs["2021-09-23-haiti-earthquake-response-en"]["pair"] == ""

    # Step 2: the new release's translation is deleted again and the shared key resolved; the
    # duplicate goes; the bad line stays (and is reported again).
    out = [
        line
        for line in jsonl_lines(jsonl)
        if "guyana-region-uno" not in line and "haiti-copia" not in line and "An earlier line" not in line
    ]
    jsonl.write_text("\n".join(out) + "\n", encoding="utf-8")
    summary = reindex(sources, root, mode="incremental", progress=False)
    assert summary.written
    (rejected,) = summary.rejected
    assert rejected.source == str(jsonl) and "invalid JSON" in rejected.reason
    assert_same_as_full(tmp_path, sources, root, summary)
    docs = index_content(root)["docs"]
    assert docs["2023-08-30-guyana-region-one-dtm-en"]["pair"] == ""
    assert docs["2021-09-23-haiti-earthquake-response-en"]["pair"] == "2021-09-23-haiti-terremoto-respuesta-es"

    # Step 3: only lines moved around (and a blank line added): nothing is rewritten.
    lines = jsonl_lines(jsonl)
    jsonl.write_text("\n".join(lines[::-1]) + "\n\n", encoding="utf-8")
    summary = reindex(sources, root, mode="incremental", progress=False)
    assert (summary.added, summary.updated, summary.deleted) == (0, 0, 0) and not summary.written
    full = reindex(sources, tmp_path / "full-moved", progress=False)
    assert summary_view(summary) == summary_view(full)


def test_unchanged_records_are_not_parsed_again(tmp_path, monkeypatch):
    records = [release(id=f"r{n}", date=f"2020-01-{1 + n:02d}", body=f"Text {n} about Honduras.") for n in range(20)]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    records[3]["body"] = "Changed text about Panama."
    write_jsonl(source, records)

    parsed = parsed_ids(monkeypatch)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert parsed == ["r3"]
    assert (summary.updated, summary.unchanged) == (1, 19)
    with IndexStore(root).open().searcher() as s:
        assert s.document(id="r3")["countries"] == "PA"


def test_a_rejected_line_is_reported_on_every_run(tmp_path, capsys):
    source = tmp_path / "a.jsonl"
    good = json.dumps(release(id="a"))
    source.write_text(f"{good}\n{{not json\n", encoding="utf-8")
    root = tmp_path / "ix"
    for mode in ("--full", "--incremental", "--incremental"):
        assert reindex_main([str(source), "--index", str(root), mode, "--quiet"]) == 1
        err = capsys.readouterr().err
        assert f"rejected: {source}:2: invalid JSON" in err


def test_places_file_change_or_unknown_cache_reads_everything_again(tmp_path, monkeypatch):
    records = [release(id="a", body="Migrants arriving in Villa Nueva del Sur.")]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    store = IndexStore(root)
    assert (store.path(store.current_name()) / known_module.FILE).exists()
    places = tmp_path / "places.toml"
    places.write_text('[PA]\ncities = ["Villa Nueva del Sur"]\n', encoding="utf-8")
    monkeypatch.setenv("PLACES_FILE", str(places))
    summary = reindex([source], root, mode="incremental", progress=False)
    assert summary.updated == 1
    assert IndexStore(root).open().searcher().document(id="a")["countries"] == "PA"
    # A damaged file of known records is no cache at all: everything is read and, without the
    # live index's content hashes, rebuilt in full; nothing breaks.
    (store.path(store.current_name()) / known_module.FILE).write_bytes(b"\x00garbage")
    records.append(release(id="b"))
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert summary.mode == "full" and summary.written
    assert any("written by another version" in m and "damaged" in m for m in summary.messages)
    assert_same_as_full(tmp_path, [source], root, summary)


def test_non_utf8_and_listing_and_html_sources_stay_exact(tmp_path):
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes((json.dumps(release(id="l1", title="Migración"), ensure_ascii=False) + "\n").encode("latin-1"))
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLES_DIR, archive)
    sources = [archive, latin]
    root = tmp_path / "ix"
    reindex(sources, root, progress=False)
    summary = reindex(sources, root, mode="incremental", progress=False)
    assert not summary.written and summary.unchanged == summary.releases
    assert any("Windows-1252" in str(w) for w in summary.warnings)
    # Unread releases come back for every clean source, whatever its format.
    live = IndexStore(root)
    from index.build import prepare

    releases, _ = prepare(sources, previous=live.path(live.current_name()), reuse=True)
    unread = {r.source.rsplit("/", 1)[-1] for r in releases if type(r) is Unread}
    assert {
        "releases.jsonl",
        "listing-en.txt",
        "listing-es.txt",
        "2021-03-04-dajabon-migrant-information-centre-en.html",
    } <= unread
    assert "latin.jsonl" not in unread


def test_json_lines_read_in_chunks_as_parsed_whole(tmp_path, monkeypatch):
    import random

    from index.readers import jsonl

    rng = random.Random(3)
    records = [release(id=f"r{n}", body="x" * rng.randint(1, 300)) for n in range(60)]
    text = "".join(json.dumps(r) + ("\n" if n % 7 else "\n\n") for n, r in enumerate(records)) + "{bad\n"
    path = tmp_path / "a.jsonl"
    for variant in (text, text.rstrip("\n"), "\ufeff" + text, ""):
        path.write_text(variant, encoding="utf-8")
        whole = jsonl.parse(variant.lstrip("\ufeff"), str(path))
        for chunk in (1, 7, 64, 1 << 20):
            monkeypatch.setattr(jsonl, "CHUNK", chunk)
            read = jsonl.read(path)
            assert [(r.id, r.line, r.body) for r in read.releases] == [(r.id, r.line, r.body) for r in whole.releases]
            assert list(map(str, read.rejected)) == list(map(str, whole.rejected))


def test_a_source_changed_while_read_fails_cleanly(tmp_path, monkeypatch, capsys):
    records = [release(id=f"r{n}", date=f"2020-01-{1 + n:02d}", body=f"Text {n} about Honduras.") for n in range(5)]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    records.append(
        release(
            id="r-new", lang="es", date="2020-01-01", title="Trabajadores migrantes", body="Texto 0 sobre Honduras."
        )
    )  # may pair with r0: r0 is read again
    write_jsonl(source, records)
    from index import known_pairs

    real = known_pairs.settle

    def settle_after_an_edit(known, releases):
        write_jsonl(source, [dict(r, body=r["body"] + " Edited.") for r in records])
        return real(known, releases)

    monkeypatch.setattr(known_pairs, "settle", settle_after_an_edit)
    assert reindex_main([str(source), "--index", str(root), "--incremental", "--quiet"]) == 3
    assert (
        "changed while it was being read; run the reindex again; the live index is unchanged" in capsys.readouterr().err
    )
    assert IndexStore(root).current_name() == "gen-000001" and not list(root.glob("*.partial"))


def test_unread_lines_come_back_in_file_order_whatever_the_chunks(tmp_path, monkeypatch):
    """Lines hashed a chunk at a time: the known ones become unread releases, the others are
    parsed, all in the order and with the line numbers a whole parse gives."""
    import random

    from index.build import prepare
    from index.readers import jsonl

    rng = random.Random(5)
    records = [
        release(id=f"r{n}", date=f"2020-{1 + n // 28:02d}-{1 + n % 28:02d}", body="word " * rng.randint(1, 80))
        for n in range(50)
    ]
    path = tmp_path / "a.jsonl"
    path.write_text(
        "".join(json.dumps(r) + ("\n" if n % 6 else "\n\n") for n, r in enumerate(records)), encoding="utf-8"
    )
    root = tmp_path / "ix"
    reindex([path], root, progress=False)
    for n in (0, 17, 18, 49):
        records[n]["body"] += " Edited."
    text = "".join(json.dumps(r) + ("\n" if n % 6 else "\n\n") for n, r in enumerate(records)) + "{bad"
    path.write_text(text, encoding="utf-8")
    whole = jsonl.parse(text, str(path))
    store = IndexStore(root)
    for chunk in (1, 5, 300, 1 << 20):
        monkeypatch.setattr(jsonl, "CHUNK", chunk)
        releases, summary = prepare([path], previous=store.path(store.current_name()), reuse=True)
        assert [(r.id, r.line) for r in releases] == [(r.id, r.line) for r in whole.releases]
        assert {r.id for r in releases if type(r) is not Unread} == {"r0", "r17", "r18", "r49"}
        assert [str(r) for r in summary.rejected] == [str(r) for r in whole.rejected]
        again = {r.id: r.read() for r in releases if type(r) is Unread}
        assert {i: r.body for i, r in again.items()} == {r.id: r.body for r in whole.releases if r.id in again}


def built_in_full(tmp_path, records) -> tuple:
    """``records`` in one JSON Lines file, built in full: the records, the file, the index root,
    the path of the live generation's known.bin and its columns."""
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    store = IndexStore(root)
    table_path = store.path(store.current_name()) / known_module.FILE
    return records, source, root, table_path, marshal.loads(table_path.read_bytes())


def six_releases_built(tmp_path):
    """Six releases on six dates, built in full (see ``built_in_full``)."""
    return built_in_full(
        tmp_path, [release(id=f"r{n}", date=f"2020-03-{1 + n:02d}", body=f"Text {n}.") for n in range(6)]
    )


def test_a_table_keyed_by_an_older_hash_is_read_again_once(tmp_path, monkeypatch):
    """A generation whose raw keys were made by another hash (SHA-256, before XXH3) still gives
    its content hashes: the next incremental reindex reads every record, writes only what
    changed, and the one after it recognises the records again."""
    import hashlib

    records, source, root, table_path, table = six_releases_built(tmp_path)
    del table["raw_hash"]
    table["raw"] = [hashlib.sha256(line.encode()).digest() for line in jsonl_lines(source)]
    table_path.write_bytes(marshal.dumps(table))

    parsed = parsed_ids(monkeypatch)
    records[2]["body"] = "Changed."
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert (summary.mode, summary.updated, summary.unchanged) == ("incremental", 1, 5)
    assert len(parsed) == 6
    assert_same_as_full(tmp_path, [source], root, summary)
    parsed.clear()
    records[4]["body"] = "Changed too."
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert (summary.updated, parsed) == (1, ["r4"])


def test_a_table_of_another_version_makes_the_build_full_and_says_so(tmp_path, monkeypatch):
    """A generation whose known.bin was written by another version of the indexer (the layout,
    a reader or the enrichment changed: ``known.VERSION``) is no guide: the next incremental
    reindex reads every record, builds in full, says why, and gives what a full build gives."""
    records, source, root, table_path, table = six_releases_built(tmp_path)
    table["version"] = known_module.VERSION - 1
    table_path.write_bytes(marshal.dumps(table))

    parsed = parsed_ids(monkeypatch)
    records[3]["body"] = "Changed."
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert summary.mode == "full" and sorted(parsed) == [f"r{n}" for n in range(6)]
    assert any("written by another version" in m and "in full" in m for m in summary.messages)
    assert_same_as_full(tmp_path, [source], root, summary)
    store = IndexStore(root)
    assert (
        marshal.loads((store.path(store.current_name()) / known_module.FILE).read_bytes())["version"]
        == known_module.VERSION
    )


def test_a_date_of_one_language_is_not_read_again_for_one_change(tmp_path, monkeypatch):
    """Releases without a translation key pair by date; a date whose releases are all English
    pairs nothing, so a change to one of them reads that one only. A date that also has a
    Spanish release, or whose English release lost its partner, is paired again."""
    english = [
        release(
            id=f"en{n}",
            date="2020-06-01",
            body=f"Migrants in Panama, report {n}.",
            countries=["PA"],
            topics=["labour-migration"],
        )
        for n in range(8)
    ]
    pair = [
        release(
            id="p-en", date="2020-07-01", body="Training in Honduras.", countries=["HN"], topics=["labour-migration"]
        ),
        release(
            id="p-es",
            lang="es",
            date="2020-07-01",
            title="Capacitación en Honduras",
            body="Capacitación de trabajadores en Honduras.",
            countries=["HN"],
            topics=["labour-migration"],
        ),
    ]
    records = english + pair
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    with IndexStore(root).open().searcher() as s:
        assert s.document(id="p-en")["pair"] == "p-es"
    parsed = parsed_ids(monkeypatch)

    records[3]["body"] = "Migrants in Panama, report three, revised."
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert parsed == ["en3"] and summary.updated == 1
    assert_same_as_full(tmp_path, [source], root, summary)

    # A Spanish release on the English date: that date is paired again, its releases read.
    parsed.clear()
    records.append(
        release(
            id="es-new",
            lang="es",
            date="2020-06-01",
            title="Migrantes en Panamá",
            body="Informe sobre migrantes en Panamá.",
            countries=["PA"],
            topics=["labour-migration"],
        )
    )
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert set(parsed) >= {"es-new", "en0", "en7"}
    assert_same_as_full(tmp_path, [source], root, summary)

    # The Spanish partner deleted: its English release is alone on its date, and loses its pair.
    parsed.clear()
    records = [r for r in records if r["id"] != "p-es"]
    write_jsonl(source, records)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert "p-en" in parsed and summary.deleted == 1
    with IndexStore(root).open().searcher() as s:
        assert not s.document(id="p-en").get("pair")
    assert_same_as_full(tmp_path, [source], root, summary)


def counting_hashes(monkeypatch) -> list:
    """One entry per hash the JSON Lines reader computes from now on (a line's, or a block's)."""
    from index.readers import jsonl

    calls = []
    real = jsonl.raw_key
    monkeypatch.setattr(jsonl, "raw_key", lambda data: calls.append(len(data)) or real(data))
    return calls


def numbered_records(count: int) -> list[dict]:
    return [
        release(
            id=f"r{n}",
            date=f"20{10 + n // 300:02d}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}",
            body=f"Text {n} about Honduras. " * (1 + n % 5),
        )
        for n in range(count)
    ]


def built_in_blocks(tmp_path, monkeypatch, block: int, count: int):
    """``count`` numbered releases read in blocks of ``block`` lines, built in full (see
    ``built_in_full``)."""
    from index.readers import jsonl

    monkeypatch.setattr(jsonl, "BLOCK", block)
    return built_in_full(tmp_path, numbered_records(count))


def test_unchanged_blocks_of_lines_are_recognised_by_one_hash(tmp_path, monkeypatch):
    """A JSON Lines file is known by blocks of lines as well: after edits, an insertion, a
    deletion, a line moved to the top and one appended, the next build hashes far fewer
    pieces than the file has lines, parses only what changed, and gives what a full rebuild
    gives (the table of blocks included)."""
    records, source, root, _, table = built_in_blocks(tmp_path, monkeypatch, 8, 400)
    store = IndexStore(root)
    assert [(row, lines) for row, lines, _, _ in table["blocks"]] == [(row, 8) for row in range(0, 400, 8)]

    records[5]["body"] = "Changed text about Panama."
    records.insert(41, release(id="r-inserted", date="2011-02-02", body="New text about Belize."))
    del records[78]
    records.insert(0, records.pop(300))  # moved: its text is the same
    records.append(release(id="r-appended", date="2012-03-03", body="New text about Haiti."))
    write_jsonl(source, records)
    hashes, parsed = counting_hashes(monkeypatch), parsed_ids(monkeypatch)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert sorted(parsed) == ["r-appended", "r-inserted", "r5"]
    assert (summary.added, summary.updated, summary.deleted) == (2, 1, 1)
    assert len(hashes) < len(records) // 3
    assert_same_as_full(tmp_path, [source], root, summary)

    # The same change with the blocks forgotten: every line is hashed on its own.
    table = marshal.loads((store.path(store.current_name()) / known_module.FILE).read_bytes())
    table["blocks"] = []
    (store.path(store.current_name()) / known_module.FILE).write_bytes(marshal.dumps(table))
    records[60]["body"] = "Changed again."
    write_jsonl(source, records)
    hashes.clear()
    parsed.clear()
    summary = reindex([source], root, mode="incremental", progress=False)
    assert parsed == [records[60]["id"]] and summary.updated == 1
    assert len(hashes) >= len(records)


def test_blocks_hashed_across_chunks_are_the_blocks_of_the_whole_file(tmp_path, monkeypatch):
    """Whatever the chunks the file is read in, each block's hash is that of its lines and the
    line breaks between them, on the release of its first line; a file's last block may be
    shorter, and the empty line after a final line break is none of its lines."""
    from xxhash import xxh3_128_digest

    from index.readers import jsonl

    monkeypatch.setattr(jsonl, "BLOCK", 5)
    lines = [json.dumps(r) for r in numbered_records(23)]
    path = tmp_path / "a.jsonl"
    expected = {
        1 + at: (
            len(lines[at : at + 5]),
            len("\n".join(lines[at : at + 5]).encode()),
            xxh3_128_digest("\n".join(lines[at : at + 5]).encode()),
        )
        for at in range(0, 23, 5)
    }
    for ending in ("\n", ""):
        path.write_text("\n".join(lines) + ending, encoding="utf-8")
        for chunk in (1, 7, 300, 4096, 1 << 20):
            monkeypatch.setattr(jsonl, "CHUNK", chunk)
            read = jsonl.read(path)
            assert {r.line: r.block for r in read.releases if r.block} == expected, (chunk, ending)


def test_blocks_are_recognised_in_chunks_of_any_size(tmp_path, monkeypatch):
    """Unread lines found by blocks, in any chunks: in file order, with their line numbers, and
    each found again where it is when it must be read after all."""
    from index.build import prepare
    from index.readers import jsonl

    monkeypatch.setattr(jsonl, "BLOCK", 4)
    records = numbered_records(40)
    path = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([path], root, progress=False)
    for n in (0, 9, 10, 39):
        records[n]["body"] += " Edited."
    records.insert(20, release(id="r-new", date="2015-05-05", body="Inserted."))
    write_jsonl(path, records)
    whole = jsonl.parse(path.read_text(encoding="utf-8"), str(path))
    store = IndexStore(root)
    for chunk in (1, 5, 300, 1 << 20):
        monkeypatch.setattr(jsonl, "CHUNK", chunk)
        releases, _ = prepare([path], previous=store.path(store.current_name()), reuse=True)
        assert [(r.id, r.line) for r in releases] == [(r.id, r.line) for r in whole.releases]
        assert {r.id for r in releases if type(r) is not Unread} == {"r0", "r9", "r10", "r39", "r-new"}
        again = {r.id: r.read() for r in releases if type(r) is Unread}
        assert {i: r.body for i, r in again.items()} == {r.id: r.body for r in whole.releases if r.id in again}


@pytest.mark.parametrize("damage", ["span", "digest", "row"])
def test_a_damaged_block_in_the_table_is_not_trusted(tmp_path, monkeypatch, damage):
    records, path, root, table_path, table = built_in_blocks(tmp_path, monkeypatch, 4, 16)
    row, lines, span, digest = table["blocks"][1]
    table["blocks"][1] = {
        "span": (row, lines, span + 1, digest),
        "digest": (row, lines, span, bytes(16)),
        "row": (row + 100, lines, span, digest),
    }[damage]
    table_path.write_bytes(marshal.dumps(table))
    records[2]["body"] = "Changed."
    write_jsonl(path, records)
    parsed = parsed_ids(monkeypatch)
    summary = reindex([path], root, mode="incremental", progress=False)
    assert parsed == ["r2"] and (summary.updated, summary.unchanged) == (1, 15)
    assert_same_as_full(tmp_path, [path], root, summary)


def test_random_edits_in_blocks_and_chunks_match_full_rebuilds(tmp_path, monkeypatch):
    """Seeded random files (blank lines, CRLF line ends, a byte order mark, bad lines, with and
    without a final line break) and random edits (changed, inserted, deleted, moved, blank,
    bad and repeated lines), read in small blocks and small chunks: every incremental build
    gives what a full rebuild gives, and parses only lines it has not seen as they are (or
    that were repeated, which are never known)."""
    import random

    from index.readers import jsonl

    rng = random.Random(11)
    parsed = parsed_ids(monkeypatch)

    def ids_of(lines):
        return [json.loads(line)["id"] for line in map(str.strip, lines) if line.startswith("{") and line.endswith("}")]

    def raw_lines():  # as the reader hashes them: a line's bytes, a carriage return included
        return path.read_bytes().removeprefix("\ufeff".encode()).decode().split("\n")

    for round_ in range(6):
        monkeypatch.setattr(jsonl, "BLOCK", rng.choice([2, 3, 5]))
        monkeypatch.setattr(jsonl, "CHUNK", rng.choice([64, 700, 1 << 20]))
        lines = [json.dumps(r) for r in numbered_records(rng.randint(20, 60))]
        work = tmp_path / f"round{round_}"
        work.mkdir()
        path, root = work / "a.jsonl", work / "ix"

        def write(lines, round_=round_, path=path):  # this round's file
            ending = "\r\n" if round_ % 3 == 1 else "\n"
            text = ending.join(lines) + (ending if round_ % 2 else "")
            path.write_bytes(("\ufeff" if round_ == 4 else "").encode() + text.encode())

        write(lines)
        reindex([path], root, progress=False)
        for step in range(3):
            before = raw_lines()
            for _ in range(rng.randint(1, 5)):
                at = rng.randrange(len(lines))
                kind = rng.choice(["edit", "insert", "delete", "move", "blank", "bad", "repeat"])
                if kind == "edit" and lines[at].endswith("}"):
                    record = json.loads(lines[at])
                    record["body"] += f" Edited {step}."
                    lines[at] = json.dumps(record)
                elif kind == "insert":
                    lines.insert(
                        at,
                        json.dumps(
                            release(
                                id=f"new-{round_}-{step}-{at}", date="2016-06-06", body=f"New text {at} about Cuba."
                            )
                        ),
                    )
                elif kind == "delete" and len(lines) > 5:
                    del lines[at]
                elif kind == "move":
                    lines.insert(rng.randrange(len(lines)), lines.pop(at))
                elif kind == "blank":
                    lines.insert(at, "")
                elif kind == "bad":
                    lines.insert(at, '{"id": "broken"')
                elif kind == "repeat":
                    lines.insert(rng.randrange(len(lines)), lines[at])
            write(lines)
            parsed.clear()
            summary = reindex([path], root, mode="incremental", progress=False)
            now = raw_lines()
            repeated = {
                i for i in ids_of(before) + ids_of(now) if ids_of(before).count(i) > 1 or ids_of(now).count(i) > 1
            }
            assert set(parsed) - repeated <= set(ids_of(set(now) - set(before))), (round_, step)
            if summary.written or any("known.bin updated" in m for m in summary.messages):
                assert_same_as_full(tmp_path, [path], root, summary)
            else:  # only blank or bad lines came or went: the live generation stays, as it is
                full = reindex([path], tmp_path / "full", progress=False)
                assert summary_view(summary) == summary_view(full)
                assert index_content(root) == index_content(tmp_path / "full")


def test_a_reformatted_source_is_parsed_once_then_known(tmp_path, monkeypatch):
    """The same releases written differently (another key order): nothing changes in the
    index and no generation is made (the previous one stays the rollback target), but the
    live generation's known.bin learns the new lines, so the next reindex parses none."""
    records = numbered_records(30)
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    records[0]["body"] = "Changed once."
    write_jsonl(source, records)
    reindex([source], root, mode="incremental", progress=False)  # gen-000002, gen-000001 kept
    store = IndexStore(root)
    write_jsonl(source, [dict(reversed(list(r.items()))) for r in records])
    parsed = parsed_ids(monkeypatch)
    summary = reindex([source], root, mode="incremental", progress=False)
    assert len(parsed) == 30 and not summary.written
    assert (
        "nothing changed: gen-000002 stays live (its known.bin updated for 30 releases read in full)"
        in summary.messages
    )
    assert store.current_name() == "gen-000002" and store.generations() == ["gen-000001", "gen-000002"]
    assert_same_as_full(tmp_path, [source], root, summary)
    parsed.clear()
    summary = reindex([source], root, mode="incremental", progress=False)
    assert parsed == [] and summary.messages == ["nothing changed: gen-000002 stays live"]
    # What a replacement killed half-way would leave in the live generation is not copied on.
    (store.path("gen-000002") / ".known.bin.4242.tmp").write_bytes(b"half")
    records[1]["body"] = "Changed again."
    write_jsonl(source, [dict(reversed(list(r.items()))) for r in records])
    summary = reindex([source], root, mode="incremental", progress=False)
    assert summary.written and not list(store.path(store.current_name()).glob(".*.tmp"))


def test_a_record_warned_of_on_every_run_does_not_rewrite_the_known_table(tmp_path):
    """A record read again by every build to be warned of again (a "javascript:" url) was
    counted as learnt: each run rewrote known.bin and said so, and never settled."""
    records = numbered_records(5)
    records[0]["url"] = "javascript:alert(1)"
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    known = IndexStore(root).path("gen-000001") / "known.bin"
    before = known.stat().st_mtime_ns
    for _ in range(2):
        summary = reindex([source], root, mode="incremental", progress=False)
        assert summary.messages == ["nothing changed: gen-000001 stays live"]
        assert any("javascript" in str(w) for w in summary.warnings)  # still warned of
    assert known.stat().st_mtime_ns == before


def test_the_body_terms_kept_beside_a_generation_are_its_index_s_terms(tmp_path):
    """An incremental build reads the live generation's list of body terms (which the lexicon is
    pruned to) and adds those of the segments it writes, instead of listing every term of the
    index again: the list is the index's, then as now."""
    from whoosh import index as whoosh_index

    from index.body_terms import FILE, body_terms

    def listed(directory):
        with whoosh_index.open_dir(str(directory)).reader() as reader:
            return {lang: {t.decode() for t in reader.lexicon(f"body_{lang}")} for lang in ("en", "es")}

    records = numbered_records(20)
    source = write_jsonl(tmp_path / "a.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    store = IndexStore(root)
    assert body_terms(store.path("gen-000001")) == listed(store.path("gen-000001"))
    assert (store.path("gen-000001") / FILE).exists()
    records[3]["body"] += " Volcanic ash reached Montserrat."
    records.append({**records[0], "id": "new-es", "lang": "es", "body": "Ceniza volcánica en Montserrat."})
    write_jsonl(source, records)
    reindex([source], root, mode="incremental", progress=False)
    live = store.path(store.current_name())
    kept = body_terms(live, None)  # listed again from the index
    assert kept == listed(live) and {"volcan", "ash"} <= kept["en"] and "ceniz" in kept["es"]
    import marshal

    saved = marshal.loads((live / FILE).read_bytes())
    assert {lang: set(terms) for lang, terms in saved.items()} == kept
