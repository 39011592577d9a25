"""Whole-posting-list scoring (search.scoring) gives exactly what Whoosh's own matchers give."""

import json
import random

import numpy as np
import pytest
from whoosh import collectors

from index.build import reindex
from index.config import SAMPLES_DIR
from search import query as q
from search.engine import Archive
from search.params import SearchParams
from search.docvalues import bits_to_mask, mask_to_bits
from search.scoring import top

from .helpers import write_jsonl

QUERIES = [
    "migrants", "migrantes", "hurricane shelters jamaica", "border management", '"border management"',
    '"gestión de fronteras"', "title:hurricane", "country:panama", "country:mx migrants", "topic:health",
    "topic:trafficking children", "lang:es salud", "-hurricane migrants", "hurricane OR earthquake",
    "year:2020..2023 migrants", "date:2023-01-01..2024-12-31 children", "venezolanos", "trata de personas",
    "human trafficking", "cambio climático", "climate change", '"climate change" -hurricane',
    "returnees honduras", "(haiti OR cuba) migrants", "remittances", "zzzqqq", "the", "panamá darién",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The sample archive, then an incremental reindex: several segments and deleted documents."""
    tmp = tmp_path_factory.mktemp("scoring")
    records = [json.loads(line) for line in (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    source = write_jsonl(tmp / "releases.jsonl", records)
    reindex([source], tmp / "ix", progress=False)
    changed = [dict(r, body=r["body"] + "\n\nMigrants and returnees were helped at the border.")
               for r in records[:4]] + records[6:]
    write_jsonl(source, changed)
    summary = reindex([source], tmp / "ix", mode="incremental", progress=False)
    assert summary.deleted == 2 and summary.updated >= 4  # a deleted release's partner changes too
    return Archive(tmp / "ix", cache_size=0)


def whoosh_scores(snap, query) -> dict[int, float]:
    collector = collectors.UnlimitedCollector()
    snap.searcher.search_with_collector(query, collector)
    return {docnum: score for score, docnum in collector.items}


def test_the_index_has_segments_and_deletions(archive):
    snap = archive.snapshot()
    reader = snap.searcher.reader()
    assert len(list(snap.searcher.leaf_searchers())) >= 2
    assert reader.doc_count() < reader.doc_count_all()


@pytest.mark.parametrize("text", QUERIES)
def test_same_matches_and_scores_as_whoosh(archive, text):
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse(text))
    for query in (compiled.query, compiled.any_query):
        if query is None:
            continue
        expected = whoosh_scores(snap, query)
        found = snap.scorer.evaluate(snap.searcher, query)
        got = {int(d): float(found.scores[d]) for d in np.flatnonzero(found.mask)}
        assert set(got) == set(expected)
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("text", QUERIES[:12])
def test_pages_and_facets_equal_the_whoosh_path(archive, text):
    fast = Archive(archive.store.root, cache_size=0)
    slow = Archive(archive.store.root, cache_size=0)
    slow.snapshot().__dict__["scorer"] = None  # Whoosh's collector only
    for params in (SearchParams(q=text, per_page=5), SearchParams(q=text, per_page=5, page=2, separate=True),
                   SearchParams(q=text, per_page=5, sort="newest", ui="es")):
        a, b = fast.search(params), slow.search(params)
        assert [h.id for h in a.hits] == [h.id for h in b.hits]
        assert [h.score for h in a.hits] == [h.score for h in b.hits]
        assert a.total == b.total and a.facets == b.facets


def test_top_keeps_the_order_of_a_full_sort_with_ties():
    rng = random.Random(5)
    size = 500
    scores = np.array([rng.choice([0.5, 1.0, 1.5, 2.0, rng.random()]) for _ in range(size)])
    mask = np.array([rng.random() < 0.6 for _ in range(size)])
    expected = sorted((-scores[d], d) for d in range(size) if mask[d])
    for start, end in ((0, 10), (10, 20), (0, 1), (95, 105), (290, 400), (0, size)):
        got = top(mask, scores, start, end)
        assert [d for d, _ in got] == [d for _, d in expected[start:end]]


def test_bitmaps_and_masks_convert_both_ways():
    rng = random.Random(9)
    for size in (1, 7, 8, 9, 1000):
        docs = [d for d in range(size) if rng.random() < 0.3]
        bits = sum(1 << d for d in docs)
        mask = bits_to_mask(bits, size)
        assert list(np.flatnonzero(mask)) == docs
        assert mask_to_bits(mask) == bits


def test_related_releases_equal_whoosh_more_like_this(archive):
    fast = Archive(archive.store.root)
    slow = Archive(archive.store.root)
    slow.snapshot().__dict__["scorer"] = None  # Whoosh's more_like
    for release_id in list(fast.snapshot().docs.docnum_by_id)[:12]:
        assert [b.id for b in fast.related(release_id)] == [b.id for b in slow.related(release_id)]
