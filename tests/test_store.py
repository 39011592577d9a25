"""Generations on disk: the atomic switch, rollback, pruning, incremental updates and the lock."""

import multiprocessing

import pytest
from whoosh.query import Term

from index.build import reindex
from index.store import IndexStore, LockHeld

from .helpers import release, write_jsonl


def ids_in(searcher):
    return sorted(f["id"] for f in searcher.documents())


def build(tmp_path, records, mode="full", name="src.jsonl"):
    source = write_jsonl(tmp_path / name, records)
    return reindex([source], tmp_path / "ix", mode=mode, progress=False)


def test_searcher_opened_before_switch_keeps_answering(tmp_path):
    build(tmp_path, [release(id="a"), release(id="b")])
    store = IndexStore(tmp_path / "ix")
    old = store.open().searcher()
    summary = build(tmp_path, [release(id="c", title="Something new about returnees")])
    assert summary.generation == "gen-000002"
    # The old searcher still answers from the generation it opened...
    assert ids_in(old) == ["a", "b"]
    assert old.search(Term("id", "a")).scored_length() == 1
    # ...and a new one sees the new generation.
    with store.open().searcher() as new:
        assert ids_in(new) == ["c"]
    assert store.current_name() == "gen-000002"
    old.close()


def test_previous_generation_kept_older_pruned_and_rollback(tmp_path):
    for n in range(3):
        build(tmp_path, [release(id=f"r{n}")])
    store = IndexStore(tmp_path / "ix")
    assert store.generations() == ["gen-000002", "gen-000003"]
    assert store.current_name() == "gen-000003"
    assert store.rollback() == ("gen-000003", "gen-000002")
    with store.open().searcher() as s:
        assert ids_in(s) == ["r1"]


def test_a_build_after_a_rollback_keeps_the_generation_rolled_back_to(tmp_path):
    for n in range(3):
        build(tmp_path, [release(id=f"r{n}")])
    store = IndexStore(tmp_path / "ix")
    assert store.rollback() == ("gen-000003", "gen-000002")  # gen-3 was bad
    summary = build(tmp_path, [release(id="r3")])
    assert summary.previous == "gen-000002"
    # the generation that was live before the build is the one kept, and --rollback returns to it
    assert store.generations() == ["gen-000002", "gen-000004"]
    assert store.rollback() == ("gen-000004", "gen-000002")
    with store.open().searcher() as s:
        assert ids_in(s) == ["r1"]


def test_incremental_touches_only_what_changed(tmp_path):
    build(tmp_path, [release(id="a"), release(id="b"), release(id="c")])
    store = IndexStore(tmp_path / "ix")
    first = store.current_name()
    summary = build(
        tmp_path,
        [
            release(id="a"),
            release(id="b", body="Updated text about migrant workers in Honduras."),
            release(id="d", body="New release about climate change and disasters."),
        ],
        mode="incremental",
    )
    assert (summary.added, summary.updated, summary.deleted, summary.unchanged) == (1, 1, 1, 1)
    with store.open().searcher() as s:
        assert ids_in(s) == ["a", "b", "d"]
        assert s.doc_count() == 3
        (doc,) = [f for f in s.documents() if f["id"] == "b"]
        assert doc["body"].startswith("Updated text")
        assert doc["countries"] == "HN"
    # The generation it started from is untouched, for rollback.
    with store.open(first).searcher() as s:
        assert ids_in(s) == ["a", "b", "c"]


def test_incremental_with_nothing_changed_keeps_the_live_generation(tmp_path):
    build(tmp_path, [release(id="a")])
    summary = build(tmp_path, [release(id="a")], mode="incremental")
    assert summary.generation == "gen-000001" and not summary.written
    assert summary.unchanged == 1


def _hold_lock(root, ready, release_event):
    with IndexStore(root).lock():
        ready.set()
        release_event.wait(10)


def test_second_reindex_refuses_while_one_holds_the_lock(tmp_path):
    root = tmp_path / "ix"
    ready, done = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(root, ready, done))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(LockHeld, match="another reindex is running"):
            build(tmp_path, [release(id="a")])
        # refused while the other holds the lock, not after waiting for it (the holder keeps it 10 s)
        assert holder.is_alive()
    finally:
        done.set()
        holder.join(10)
    assert build(tmp_path, [release(id="a")]).written


def _die_holding_lock(root):
    import os

    held = IndexStore(root).lock()
    held.__enter__()
    os._exit(9)  # dies without releasing: the kernel drops the flock, the pid record stays


def test_lock_of_a_dead_process_is_cleared_with_a_message(tmp_path):
    root = tmp_path / "ix"
    dead = multiprocessing.Process(target=_die_holding_lock, args=(root,))
    dead.start()
    dead.join(10)
    summary = build(tmp_path, [release(id="a")])
    assert summary.written
    assert any("stale lock" in m for m in summary.messages)


def test_incremental_reuses_enrichment_until_the_places_file_changes(tmp_path, monkeypatch):
    records = [release(id="a", body="Migrants arriving in Villa Nueva del Sur and in Honduras.")]
    build(tmp_path, records)
    again = build(tmp_path, records, mode="incremental")
    assert again.unchanged == 1 and not again.written
    places = tmp_path / "places.toml"
    places.write_text('[PA]\ncities = ["Villa Nueva del Sur"]\n', encoding="utf-8")
    monkeypatch.setenv("PLACES_FILE", str(places))
    changed = build(tmp_path, records, mode="incremental")
    assert changed.updated == 1
    with IndexStore(tmp_path / "ix").open().searcher() as s:
        assert s.document(id="a")["countries"] == "PA,HN"


def test_incremental_vocabulary_follows_the_changes(tmp_path):
    from index import vocabulary

    build(tmp_path, [release(id="a", body="Zanzibarian words here."), release(id="b", body="Other text.")])
    build(
        tmp_path,
        [release(id="a", body="Quetzaltenangan words now."), release(id="b", body="Other text.")],
        mode="incremental",
    )
    store = IndexStore(tmp_path / "ix")
    words = vocabulary.load(store.path(store.current_name()))
    assert "quetzaltenangan" in words and "zanzibarian" not in words
    assert words["other"] == 1 and words["words"] == 1


def test_a_generation_without_its_vocabulary_offers_no_suggestions_and_still_searches(tmp_path):
    """vocabulary.bin missing (a generation written by an earlier version) or damaged: no
    suggestions rather than no search."""
    from index import vocabulary
    from search.engine import Archive
    from search.params import SearchParams

    build(tmp_path, [release(id="a", body="Zanzibarian words here."), release(id="b", body="Other text.")])
    store = IndexStore(tmp_path / "ix")
    live = store.path(store.current_name())
    assert vocabulary.load(live)["zanzibarian"] == 1
    (live / vocabulary.FILE).write_bytes(b"\x00damaged")
    assert vocabulary.load(live) == {}
    (live / vocabulary.FILE).unlink()
    assert vocabulary.load(live) == {}
    assert [h.id for h in Archive(tmp_path / "ix").search(SearchParams(q="zanzibarian")).hits] == ["a"]
