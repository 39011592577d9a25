"""Automatic pairs through incremental reindexes: the same pairs and the same report as a full
rebuild, reading in full only the releases a change can pair differently."""

import datetime as dt

import pytest

from index.build import reindex
from index.pairing import WINDOW

from .helpers import stored, write_jsonl
from .test_pairing_labelled import labelled


def pairs_of(root) -> dict[str, str]:
    return {release_id: fields.get("pair", "") for release_id, fields in stored(root).items()}


def report_of(summary) -> tuple:
    return (summary.pairs.explicit, summary.pairs.automatic, sorted(map(str, summary.warnings)))


def assert_as_full_rebuild(tmp_path, source, root, summary):
    full = reindex([source], tmp_path / "full", progress=False)
    assert pairs_of(root) == pairs_of(tmp_path / "full")
    assert report_of(summary) == report_of(full)


@pytest.fixture
def parsed(monkeypatch) -> list:
    """The ids of the JSON Lines records parsed from now on (unread ones are not)."""
    from index.readers import jsonl

    ids = []
    real = jsonl.release_from
    monkeypatch.setattr(jsonl, "release_from", lambda record, *a: ids.append(record["id"]) or real(record, *a))
    return ids


def by_id(records):
    return {r["id"]: r for r in records}


def test_a_translation_deleted_added_later_and_edited(tmp_path, parsed):
    records, _ = labelled()
    source = write_jsonl(tmp_path / "releases.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    assert pairs_of(root)["gt-first-aid-en"] == "gt-first-aid-es"

    # The Spanish version deleted: its English release is alone (and nothing else pairs with it).
    spanish = by_id(records)["gt-first-aid-es"]
    records.remove(spanish)
    summary = reindex([write_jsonl(source, records)], root, mode="incremental", progress=False)
    assert summary.mode == "incremental" and pairs_of(root)["gt-first-aid-en"] == ""
    assert "gt-first-aid-en" in parsed
    assert_as_full_rebuild(tmp_path, source, root, summary)

    # Back two days later: the two versions pair again.
    spanish["date"] = (dt.date.fromisoformat(spanish["date"]) + dt.timedelta(days=2)).isoformat()
    records.append(spanish)
    summary = reindex([write_jsonl(source, records)], root, mode="incremental", progress=False)
    assert pairs_of(root)["gt-first-aid-en"] == "gt-first-aid-es"
    assert_as_full_rebuild(tmp_path, source, root, summary)

    # The English version edited: still a pair.
    by_id(records)["gt-first-aid-en"]["body"] += "\n\nThe training will be repeated in Coatepeque in October."
    summary = reindex([write_jsonl(source, records)], root, mode="incremental", progress=False)
    assert summary.updated == 1 and pairs_of(root)["gt-first-aid-en"] == "gt-first-aid-es"
    assert_as_full_rebuild(tmp_path, source, root, summary)


def test_a_change_reads_only_the_releases_it_can_pair_with(tmp_path, parsed):
    records, _ = labelled()
    source = write_jsonl(tmp_path / "releases.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    edited = by_id(records)["bz-amnesty-en"]
    edited["body"] = edited["body"].replace("5,600", "5,650")
    parsed.clear()
    summary = reindex([write_jsonl(source, records)], root, mode="incremental", progress=False)
    assert summary.updated == 1
    day = dt.date.fromisoformat(edited["date"])
    near = {r["id"] for r in records if abs((dt.date.fromisoformat(r["date"]) - day).days) <= WINDOW}
    assert "bz-amnesty-es" in parsed and set(parsed) <= near
    assert_as_full_rebuild(tmp_path, source, root, summary)


def test_an_uncertain_pair_is_reported_by_every_build(tmp_path):
    records, _ = labelled()
    # A short Spanish note in its place, too vague to pair for certain with the English release
    # on the meals in Danlí (whose Spanish version is taken away).
    records = [r for r in records if r["id"] != "hn-danli-transit-es"]
    records.append(
        {
            "id": "hn-danli-note-es",
            "lang": "es",
            "date": "2024-11-12",
            "title": "Honduras: apoyo a personas en tránsito",
            "body": "La OIM apoya a personas migrantes en el oriente del país.",
        }
    )
    source = write_jsonl(tmp_path / "releases.jsonl", records)
    root = tmp_path / "ix"
    first = reindex([source], root, progress=False)
    (uncertain,) = first.pairs.uncertain
    assert (uncertain.english, uncertain.spanish) == ("hn-danli-transit-en", "hn-danli-note-es")
    assert pairs_of(root)["hn-danli-transit-en"] == ""
    # Nothing changed: nothing is written, and the uncertain pair is reported again.
    again = reindex([source], root, mode="incremental", progress=False)
    assert not again.written and report_of(again) == report_of(first)
