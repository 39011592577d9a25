"""Contract tests: the fast scorer (``search.scoring``) gives exactly what Whoosh's own matchers give.

The archive searches only through the fast scorer, which reads Whoosh's posting blocks, field
lengths and columns itself (``index/whoosh_internals.py``) and evaluates a query over whole
posting lists. These tests are the proof that it ranks as Whoosh would: on an index with several
segments and deleted documents, for every query type the compiler makes, every document matched
and every score equal those of Whoosh's collector (``assert_as_whoosh``); pages, totals and
facets equal those of the same archive searched by Whoosh's matchers alone (``whoosh_only``);
ranges read from columns match Whoosh's expansion into terms; translated terms match their
reference matcher (``search.translated``), and so do the any-word queries' coordinated words
(``search.coordinated``, through the compiled any-word queries). A change to the scorer, or to Whoosh, that moves one
score fails here.
"""

import json
import random

import numpy as np
import pytest
from whoosh import collectors
from whoosh import query as wq

from index.build import reindex
from index.config import SAMPLES_DIR
from index.schema import exact_field
from search import query as q
from search.docvalues import bits_to_mask, mask_to_bits
from search.engine import Archive
from search.params import SearchParams
from search.scoring import Matches, top
from search.translated import Translated

from .helpers import write_jsonl

QUERIES = [
    "migrants",
    "migrantes",
    "hurricane shelters jamaica",
    "border management",
    '"border management"',
    '"gestión de fronteras"',
    "title:hurricane",
    "country:panama",
    "country:mx migrants",
    "topic:health",
    "topic:trafficking children",
    "lang:es salud",
    "-hurricane migrants",
    "hurricane OR earthquake",
    "year:2020..2023 migrants",
    "date:2023-01-01..2024-12-31 children",
    "venezolanos",
    "trata de personas",
    "human trafficking",
    "cambio climático",
    "climate change",
    '"climate change" -hurricane',
    "returnees honduras",
    "(haiti OR cuba) migrants",
    "remittances",
    "zzzqqq",
    "the",
    "panamá darién",
    # words with translations into the other language (search.translated), whatever the lexicon holds
    "migration of children",
    "niñas y niños migrantes",
    "hurricane shelters",
    "frontera",
    "vulnerability",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The sample archive, then an incremental reindex: several segments and deleted documents."""
    tmp = tmp_path_factory.mktemp("scoring")
    records = [
        json.loads(line)
        for line in (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    source = write_jsonl(tmp / "releases.jsonl", records)
    reindex([source], tmp / "ix", progress=False)
    changed = [
        dict(r, body=r["body"] + "\n\nMigrants and returnees were helped at the border.") for r in records[:4]
    ] + records[6:]
    write_jsonl(source, changed)
    summary = reindex([source], tmp / "ix", mode="incremental", progress=False)
    assert summary.deleted == 2 and summary.updated >= 4  # a deleted release's partner changes too
    return Archive(tmp / "ix", cache_size=0)


def whoosh_scores(snap, query) -> dict[int, float]:
    return searcher_scores(snap.searcher, query)


def searcher_scores(searcher, query) -> dict[int, float]:
    """Every document Whoosh's own matchers match for ``query``, with its score (its collector)."""
    collector = collectors.UnlimitedCollector()
    searcher.search_with_collector(query, collector)
    return {docnum: score for score, docnum in collector.items}


class WhooshReference:
    """Put in an archive's generation in place of the fast scorer: each query matched and scored by
    Whoosh's own matchers through its collector, so that the archive answers as Whoosh alone would."""

    def __init__(self, size: int):
        self.size = size

    def evaluate(self, searcher, query) -> Matches:
        mask, scores = np.zeros(self.size, bool), np.zeros(self.size)
        for docnum, score in searcher_scores(searcher, query).items():
            mask[docnum], scores[docnum] = True, score
        return Matches(mask, scores)

    def matching(self, searcher, query) -> np.ndarray:
        return self.evaluate(searcher, query).mask

    def close(self) -> None:
        pass


def whoosh_only(archive: Archive) -> Archive:
    """``archive`` with Whoosh's matchers in place of the fast scorer for its live generation."""
    snap = archive.snapshot()
    snap.__dict__["scorer"] = WhooshReference(snap.docs.size)
    return archive


def assert_as_whoosh(snap, query, found) -> None:
    """The fast scorer's matches ``found`` are the documents Whoosh's collector finds for
    ``query``, with the same scores."""
    expected = whoosh_scores(snap, query)
    got = {int(d): float(found.scores[d]) for d in np.flatnonzero(found.mask)}
    assert set(got) == set(expected)
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12)


def test_the_index_has_segments_and_deletions(archive):
    snap = archive.snapshot()
    reader = snap.searcher.reader()
    assert len(list(snap.searcher.leaf_searchers())) >= 2
    assert reader.doc_count() < reader.doc_count_all()


@pytest.mark.parametrize("text", QUERIES)
def test_same_matches_and_scores_as_whoosh(archive, text):
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse(text), snap.lexicon)
    for query in (compiled.query, compiled.any_query):
        if query is None:
            continue
        assert_as_whoosh(snap, query, snap.scorer.evaluate(snap.searcher, query))
        # matched without scores (what facet counts read): the same documents
        unscored = snap.scorer.matching(snap.searcher, query)
        assert set(np.flatnonzero(unscored).tolist()) == set(whoosh_scores(snap, query))


@pytest.mark.parametrize("text", QUERIES[:12])
def test_pages_and_facets_equal_the_whoosh_path(archive, text):
    fast = Archive(archive.store.root, cache_size=0)
    slow = whoosh_only(Archive(archive.store.root, cache_size=0))
    for params in (
        SearchParams(q=text, per_page=5),
        SearchParams(q=text, per_page=5, page=2, separate=True),
        SearchParams(q=text, per_page=5, sort="newest", ui="es"),
    ):
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
    """Related releases are Whoosh's more-like-this query (``Searcher.more_like``: a release's key
    terms, weighted); the same releases come when Whoosh's collector scores it."""
    fast = Archive(archive.store.root)
    slow = whoosh_only(Archive(archive.store.root))
    for release_id in list(fast.snapshot().docs.docnum_by_id)[:12]:
        assert [b.id for b in fast.related(release_id)] == [b.id for b in slow.related(release_id)]


# --- year and date ranges, from the document values -------------------------------------------

RANGES = [
    "year:2019",
    "year:2017..2019 migrants",
    "year:..2018",
    "year:2020..",
    "2017..2019",
    "..2018 hurricane",
    "date:2019-01-01..2019-06-30",
    "date:..2019-12-31 children",
    "date:2021-03-01..",
    "date:2019-05-04",
    "fecha:2018-01-01..2020-12-31 migrantes",
    "año:2021 Haití",
    # inside OR, NOT and groups, and with words
    "year:2017 | year:2019",
    "migrants OR year:2018",
    "hurricane OR date:2019-01-01..2019-06-30",
    "migrants -year:2019",
    "-year:2019",
    "-date:..2019-12-31 children",
    "(migrants -year:2019) OR hurricane",
    "(haiti OR cuba) -2017..2018",
    "(year:2017 year:2019)",
    "(migrants year:2019..2020) OR (hurricane 2017..2018)",
    "(-year:2019 -year:2020) OR migrants",
    "migrants (year:2018 OR -date:2019-01-01..2022-12-31)",
    # ends reversed, the same range many times, overlapping ranges
    "year:2020..0000",
    "0000..0005 migrants",
    "date:2020-01-01..2019-01-01 migrants",
    "year:2019 year:2019 year:2019",
    "year:2018..|year:..2019|year:2018..2019|2019",
    "|".join(f"year:{1900 + i}.." for i in range(60))[:500],
    "|".join(f"date:..20{i:02d}-12-31" for i in range(40))[:500],
    " ".join(f"{1900 + i}..{2099 - i}" for i in range(45))[:500],
]


def fixed_and_not(monkeypatch):
    """Whoosh's ``AndNotMatcher`` keeps a segment's first document of the positive side when the
    negative side starts before it and also has it (``_find_first`` only compares the first ids
    for equality): "(haiti OR cuba) -2017..2018" keeps a release of 2017.  The reference here
    skips the negative side to the first document, as ``_find_next`` does for the next ones."""
    from whoosh.matching.binary import AndNotMatcher

    def find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    monkeypatch.setattr(AndNotMatcher, "_find_first", find_first)


def whoosh_filters(monkeypatch):
    """Ranges and ``Every`` matched by Whoosh's matchers, as the scorer did before reading them
    from the document values."""
    from search.scoring import GenerationScorer

    monkeypatch.setattr(GenerationScorer, "_filter", lambda self, searcher, node: None)


@pytest.mark.parametrize("text", RANGES)
def test_ranges_match_and_score_as_whoosh_does(archive, text, monkeypatch):
    """The same documents and scores as Whoosh's collector (its ``AndNot`` fixed), and exactly
    (bit for bit) what the scorer gave when Whoosh's matchers walked each range's terms."""
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse(text))
    queries = [query for query in (compiled.query, compiled.any_query) if query is not None]
    assert queries
    fast = [snap.scorer.evaluate(snap.searcher, query) for query in queries]
    fixed_and_not(monkeypatch)
    for query, found in zip(queries, fast, strict=True):
        assert_as_whoosh(snap, query, found)
    whoosh_filters(monkeypatch)
    for query, found in zip(queries, fast, strict=True):
        before = snap.scorer.evaluate(snap.searcher, query)
        assert np.array_equal(found.mask, before.mask) and np.array_equal(found.scores, before.scores)


@pytest.mark.parametrize("text", RANGES)
def test_ranges_give_the_same_pages_and_facets_as_before(archive, text, monkeypatch):
    fast = Archive(archive.store.root, cache_size=0)
    before = Archive(archive.store.root, cache_size=0)
    searches = (
        SearchParams(q=text, per_page=5),
        SearchParams(q=text, per_page=5, page=2, separate=True),
        SearchParams(q=text, per_page=5, sort="oldest", ui="es"),
    )
    new = [fast.search(params) for params in searches]
    whoosh_filters(monkeypatch)
    for params, a in zip(searches, new, strict=True):
        b = before.search(params)
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits]
        assert a.total == b.total and a.facets == b.facets and a.notices == b.notices


def test_any_numeric_range_matches_as_whooshs_matcher(archive):
    """Ranges as Whoosh's query objects may be written (open ends, excluded ends, ends reversed,
    the field's extremes, any boost), in both fields, against its own matcher walking their terms;
    those of a positive boost are read from the document values."""
    import datetime as dt

    from whoosh import query as wq

    from search.compile import DayRange

    snap = archive.snapshot()
    searcher = snap.searcher
    years = sorted(set(snap.docs.years))
    days = sorted(set(snap.docs.dates))
    lowest, highest = searcher.schema["year"].min_value, searcher.schema["year"].max_value
    rng = random.Random(3)

    def ends(values, spread):
        return rng.choice(
            [None, rng.choice(values), rng.choice(values) + rng.randint(-spread, spread), lowest, highest]
        )

    cases = []
    for _ in range(200):
        field, values, spread = rng.choice([("year", years, 2), ("date", days, 40)])
        cases.append(
            wq.NumericRange(
                field,
                ends(values, spread),
                ends(values, spread),
                startexcl=rng.random() < 0.3,
                endexcl=rng.random() < 0.3,
                boost=rng.choice([1.0, 1.0, 2.5, 0.0, -1.0]),
            )
        )
    for _ in range(30):
        a, b = (dt.date.fromordinal(rng.choice(days) + rng.randint(-20, 20)) for _ in range(2))
        cases.append(DayRange(rng.choice([a, None]), rng.choice([b, None])))
    matched = refused = 0
    for query in cases:
        expected = {}
        try:
            for leaf, offset in searcher.leaf_searchers():
                matcher = query.matcher(leaf, searcher.context())
                while matcher.is_active():
                    expected[matcher.id() + offset] = matcher.score()
                    matcher.next()
        except Exception as error:  # an end Whoosh cannot write as a term (just past the field's bounds)
            with pytest.raises(type(error)):
                snap.scorer.evaluate(searcher, query)
            refused += 1
            continue
        expected = {d: score for d, score in expected.items() if snap.scorer.live[d]}
        found = snap.scorer.evaluate(searcher, query)
        assert {int(d): float(found.scores[d]) for d in np.flatnonzero(found.mask)} == expected, query
        assert (snap.scorer._filter(searcher, query) is not None) == (query.boost > 0), query
        matched += bool(expected)
    assert matched > 50 and refused < 20


def test_day_ranges_give_what_whoosh_gives(tmp_path):
    """Day ranges over the day-number ``date`` field: the fast scorer matches the releases
    Whoosh's own matcher matches, both ends kept, an empty range matching nothing."""
    import datetime as dt

    from whoosh import index as whoosh_index
    from whoosh.fields import ID, NUMERIC, Schema

    from search.compile import DayRange
    from search.scoring import GenerationScorer

    days = [dt.date(2019, 5, 31), dt.date(2019, 6, 1), dt.date(2019, 6, 30), dt.date(2019, 7, 1), dt.date(2020, 6, 15)]
    ranges = [
        DayRange(dt.date(2019, 6, 1), dt.date(2019, 6, 30)),
        DayRange(dt.date(2019, 7, 1), None),
        DayRange(None, dt.date(2019, 5, 31)),
        DayRange(dt.date(2020, 1, 1), dt.date(2019, 1, 1)),
    ]
    ix = whoosh_index.create_in(
        str(tmp_path), Schema(id=ID(stored=True), date=NUMERIC(int, bits=32, shift_step=8, stored=True, sortable=True))
    )
    with ix.writer() as writer:
        for day in days:
            writer.add_document(id=day.isoformat(), date=day.toordinal())
    with ix.searcher() as searcher:
        scorer = GenerationScorer(searcher, (1 << len(days)) - 1)
        fast = [np.flatnonzero(scorer.evaluate(searcher, r).mask).tolist() for r in ranges]
        whoosh = [sorted(r.matcher(searcher).all_ids()) for r in ranges]
    assert fast == whoosh == [[1, 2], [3, 4], [0], []]


# A word's translations searched as one term (search.translated): the fast scorer's sums over
# whole posting lists against the reference matcher's, document by document, on an index with
# several segments and deleted documents.
TRANSLATED = [
    ("body_es", [("migr", 1.0)]),
    ("body_es", [("fronter", 0.5), ("bord", 0.5)]),
    ("body_es", [("nin", 0.7), ("menor", 0.2), ("zzzqqq", 0.1)]),
    ("body_en", [("children", 0.6), ("child", 0.4)]),
    ("body_en", [("hurrican", 1.0), ("storm", 1.0), ("shelter", 0.3)]),
    ("body_en", [("zzzqqq", 1.0)]),
]


@pytest.mark.parametrize("field,alternatives", TRANSLATED)
@pytest.mark.parametrize("boost", [1.0, 0.6])
def test_translated_terms_score_as_the_reference_matcher(archive, field, alternatives, boost):
    snap = archive.snapshot()
    node = Translated(field, alternatives, boost=boost)
    assert_as_whoosh(snap, node, snap.scorer.evaluate(snap.searcher, node))


def test_translations_count_as_one_term(archive):
    """A release naming two translations of a word scores as for one term of their summed
    frequency, not as for two terms: less than the two searched as separate words."""

    snap = archive.snapshot()
    pair = Translated("body_es", [("migr", 1.0), ("migrant", 1.0)])
    alone = wq.Or([wq.Term("body_es", "migr"), wq.Term("body_es", "migrant")])
    one, two = whoosh_scores(snap, pair), whoosh_scores(snap, alone)
    both = [d for d in one if d in two]
    assert both
    assert all(one[d] < two[d] for d in both if two[d] > max(one[d], 0))


def test_a_word_its_stemming_changes_shares_its_score_with_its_exact_form_as_whoosh(archive):
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse("albergues retornados data"), snap.lexicon)
    exact = {(t.fieldname, t.text) for t in compiled.query.leaves() if getattr(t, "fieldname", "").startswith("exact_")}
    # "data" is its own stem in English, not in Spanish.
    assert exact == {(exact_field(lang), word) for lang in ("en", "es") for word in ("albergues", "retornados")} | {
        (exact_field("es"), "data")
    }
    for query in (compiled.query, compiled.any_query):
        assert_as_whoosh(snap, query, snap.scorer.evaluate(snap.searcher, query))
        # matched without scores (what facet counts read): the same documents
        unscored = snap.scorer.matching(snap.searcher, query)
        assert set(np.flatnonzero(unscored).tolist()) == set(whoosh_scores(snap, query))


@pytest.fixture(scope="module")
def one_segment(tmp_path_factory):
    """The sample archive as one full build (its scores differ from the archive above's)."""
    tmp = tmp_path_factory.mktemp("one-segment")
    reindex([SAMPLES_DIR], tmp / "ix", progress=False)
    return Archive(tmp / "ix", cache_size=0)


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("built", ["archive", "one_segment"])
def test_flattened_unions_give_the_same_scores_bit_for_bit(request, built, text, monkeypatch):
    """The scorer adds a leading nested Or's children straight into its parent's arrays
    (``scoring._flat_or``): the scores are those of evaluating every Or on its own, to the last
    bit (an order of equal-looking scores depends on it)."""
    from search import scoring

    archive = request.getfixturevalue(built)
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse(text), snap.lexicon)
    for query in (compiled.query, compiled.any_query):
        if query is None:
            continue
        flat = snap.scorer.evaluate(snap.searcher, query)
        with monkeypatch.context() as m:
            m.setattr(scoring, "_flat_or", iter)
            nested = snap.scorer.evaluate(snap.searcher, query)
        assert (flat.mask == nested.mask).all() and (flat.scores == nested.scores).all()
