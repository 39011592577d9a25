"""The any-word search ranks a release by how many of the query's words it contains, not only by
the words' summed scores (search.coordinated)."""

import pytest
from whoosh import query as wq

from index.build import reindex
from search import query as q
from search.coordinated import Coordinated
from search.engine import Archive
from search.params import SearchParams

from .helpers import release, write_jsonl
from .test_contract_scoring import assert_as_whoosh

FILLER = "Officials met community leaders to review the plans of the year. "
RELEASES = [
    # One rare word of the query, many times over.
    release(
        id="rare-only",
        date="2021-01-04",
        title="Annual review of the plans",
        body=FILLER + "The stevedores met. Stevedores were heard. Stevedores, stevedores and stevedores again.",
    ),
    # Two of the query's three words, each once; no release has all three.
    release(
        id="two-words",
        date="2021-01-05",
        title="Annual review of the plans",
        body=FILLER + "New cranes arrived at the harbour.",
    ),
] + [
    release(
        id=f"other-{k}",
        date=f"2021-02-{k + 1:02d}",
        title="Notes on the port",
        body=FILLER + ("The harbour cranes were repaired." if k == 1 else "Work on the quays continues."),
    )
    for k in range(8)
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("coordinated")
    reindex([write_jsonl(tmp / "releases.jsonl", RELEASES)], tmp / "ix", progress=False)
    return Archive(tmp / "ix", cache_size=0)


def test_more_of_the_words_outranks_one_rare_word_repeated(archive):
    result = archive.search(SearchParams(q="stevedores harbour cranes", per_page=20))
    assert result.matched_any
    ranked = [h.id for h in result.hits]
    assert ranked.index("two-words") < ranked.index("rare-only")
    # Summed alone, the rare word's scores would rank it first.
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse("stevedores harbour cranes"), snap.lexicon)
    summed = snap.scorer.evaluate(snap.searcher, wq.Or(compiled.any_query.subqueries)).scores
    docnum = {snap.searcher.stored_fields(d)["id"]: d for d in range(snap.docs.size)}
    assert summed[docnum["rare-only"]] > summed[docnum["two-words"]]


def test_a_word_in_most_releases_counts_less_in_the_share_than_a_rare_one(archive):
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse("stevedores quays"), snap.lexicon)
    rare, common = compiled.any_query.weights(snap.searcher)
    assert rare > common > 0


def test_the_fast_scorer_scores_as_the_reference_matcher(archive):
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse("stevedores harbour cranes"), snap.lexicon)
    assert isinstance(compiled.any_query, Coordinated)
    assert_as_whoosh(snap, compiled.any_query, snap.scorer.evaluate(snap.searcher, compiled.any_query))


def test_the_weights_of_a_stream_of_new_words_are_not_kept(archive):
    """Each new any-word search weighs its words by their IDF without leaving them in the
    searcher, which lives as long as the generation: a site answering new words all day would
    otherwise grow by every word it was ever asked."""
    archive = Archive(archive.store.root, cache_size=0)  # its own searchers, not the reference tests'
    snap = archive.snapshot()
    for k in range(40):
        found = archive.search(SearchParams(q=f"stevedores cranes word{k} other{k}"))
        assert found.matched_any  # any of the words: the share weighs them
    searchers = [snap.searcher, *snap._opened]
    assert all(not getattr(s, "_idf_cache", {}) for s in searchers)
