"""The search entry point: one :class:`Archive` per process, and :meth:`Archive.search`.

The archive keeps Whoosh searchers open (one per thread) and reuses them for every request; it
reads the index directory's ``CURRENT`` pointer before each search and opens the new
generation when a reindex has switched it, so a reindex shows up without a restart.
"""

import bisect
import dataclasses
import datetime as dt
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from whoosh import query as wq
from whoosh.index import Index

from index import vocabulary
from index.analysis import fold, stop_words, terms
from index.lexicon import Lexicon
from index.places import Gazetteer, country_codes, country_name
from index.schema import SCHEMA_VERSION, stored_day, stored_title_lang
from index.store import IndexStore
from index.topics import Taxonomy
from index.whoosh_internals import UnsupportedIndex, check_readable

from . import highlight
from . import query as q
from .compile import MAX_QUERY_TERMS, Compiled, Compiler
from .docvalues import FACETS, BitmapSet, DocValues, bits_to_mask, docnums, mask_to_bits
from .glossary import Glossary
from .params import LANGUAGES, SearchParams
from .results import Brief, FacetValue, Hit, Label, ReleaseDetail, SearchResult, Suggestion, Translation
from .scoring import GenerationScorer, top
from .spelling import VocabularyCorrector, one_slip

LANGUAGE_LABELS = {"en": {"en": "English", "es": "inglés"}, "es": {"en": "Spanish", "es": "español"}}


RETIRED_GRACE = 30.0  # seconds a replaced generation stays open for requests still using it
RESULT_CACHE = 128  # search results kept per generation
MISSING_WORDS = 8  # the longest query whose unknown words the any-word notice names
MAX_CORRECTED_WORD = 30  # longer "words" are not misspellings of archive words
# Unknown words looked up in one query: a did-you-mean fixes a slip or two, and a lookup of a made-up
# word that shares many letter pairs with real ones is the dearest step of a search (see spelling.py).
MAX_CORRECTED_WORDS = 4
FEW_RESULTS = 3  # all the words find fewer releases than this: a correction is looked for
# All the words as typed find fewer releases than this (fewer than a page): the releases that
# contain some of them are listed after those, ranked by how many of the words they contain
# (search.coordinated).  On the bilingual benchmark the one or two releases that contain every
# word of a question often do not answer it (docs/relevance.md); 5, 10 and 20 measured the same.
FEW_ALL_WORDS = 10
# A word used by at most RARE_USE releases, next to a near word used FAR_MORE times as much, is read
# as a slip (of the visitor, or of the archive itself); a word used more is never replaced.
RARE_USE = 2
FAR_MORE = 20
TITLE_COMPLETIONS = 30  # title words, most used first, that a typed prefix may complete to
MAX_LABELS = 20_000  # facet value labels kept (values of the archive, and any selected)


class IndexUnavailable(RuntimeError):
    """There is no index to search yet (or it cannot be read)."""


class ReleaseNotFound(KeyError):
    pass


@dataclass
class Snapshot:
    """One open index generation, with what is computed once per generation.

    Whoosh searchers read their files through shared file objects and are not safe to use
    from several threads at once (gunicorn's threaded workers): each thread gets its own
    searcher on the generation, opened on first use and reused after; everything else
    (document values, vocabulary, caches) is shared.
    """

    name: str
    manifest: dict
    ix: Index
    docs: DocValues
    opened_at: float = field(default_factory=time.time)
    vocabulary: dict[str, int] = field(default_factory=dict)  # folded word -> releases using it
    words: list[str] = field(default_factory=list)  # the vocabulary, sorted
    forms: dict[str, str] = field(default_factory=dict)  # folded word -> its written form, when accented
    lexicon: Lexicon = field(default_factory=Lexicon)  # word translations, for searching across languages
    suggestions: OrderedDict = field(default_factory=OrderedDict)  # prefix -> suggestions, this generation
    completions: "_Completions | None" = (
        None  # what suggestions are drawn from (Archive.completions), made when first needed
    )
    results: OrderedDict = field(default_factory=OrderedDict)  # SearchParams -> SearchResult, this generation
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # guards the caches
    retired_at: float = 0.0
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _opened: list = field(default_factory=list, repr=False)

    @property
    def searcher(self):
        """This thread's searcher on the generation."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.ix.searcher()
            with self.lock:
                self._opened.append(searcher)
        return searcher

    def cached(self, cache: OrderedDict, key):
        with self.lock:
            value = cache.get(key)
            if value is not None:
                cache.move_to_end(key)
            return value

    def remember(self, cache: OrderedDict, key, value, size: int) -> None:
        with self.lock:
            cache[key] = value
            while len(cache) > size:
                cache.popitem(last=False)

    @property
    def folder(self) -> str | None:
        """The generation's directory (where the bulk writer leaves each segment's posting arrays)."""
        return getattr(getattr(self.ix, "storage", None), "folder", None)

    @cached_property
    def corrector(self) -> "VocabularyCorrector":
        return VocabularyCorrector(self.words, self.vocabulary)

    @cached_property
    def scorer(self) -> GenerationScorer:
        """Whole-posting-list matching and scoring for this generation."""
        return GenerationScorer(self.searcher, self.docs.live, folder=self.folder)

    @cached_property
    def date_order(self) -> np.ndarray:
        """Every document number, oldest first (then by id): date sorts take their page from it."""
        dates, ids = self.docs.dates, self.docs.ids
        return np.array(sorted(range(self.docs.size), key=lambda d: (dates[d], ids[d])), dtype=np.int64)

    @classmethod
    def open(cls, store: IndexStore, name: str) -> "Snapshot":
        """Open generation ``name``; :class:`UnsupportedIndex` when it is not in the format this
        version searches (written by another version of Whoosh or of the project)."""
        manifest = store.manifest(name)
        if manifest.get("schema_version") != SCHEMA_VERSION:
            raise UnsupportedIndex(
                f"{name} was written by another version (schema "
                f"{manifest.get('schema_version', 'unknown')}; this version reads schema "
                f"{SCHEMA_VERSION}); rebuild the index with a full reindex (scripts/reindex "
                "SOURCE..., without --incremental)"
            )
        ix = store.open(name)
        with ix.searcher() as searcher:
            try:
                check_readable(searcher)
            except UnsupportedIndex as error:
                raise UnsupportedIndex(
                    f"{name} is not in the format this version searches ({error}); "
                    "rebuild the index with a full reindex (scripts/reindex SOURCE..., "
                    "without --incremental)"
                ) from error
            docs = DocValues.load(searcher.reader())
        words, forms = vocabulary.load_both(store.path(name))
        return cls(
            name=name,
            manifest=manifest,
            ix=ix,
            docs=docs,
            vocabulary=words,
            words=sorted(words),
            forms=forms,
            lexicon=Lexicon.load(store.path(name)),
        )

    def warm(self) -> None:
        """Compute now what the first searches would: the scorer with every field's length
        norms and the year and date columns that ranges are read from, the date order, and the
        corrector's index of the vocabulary.  gunicorn's master does this before it forks its
        workers (``web/gunicorn.conf.py``), so each worker starts with them, and shares their
        memory."""
        if "scorer" not in self.__dict__:
            with self.ix.searcher() as searcher:  # not this thread's searcher: nothing is left open
                scorer = GenerationScorer(searcher, self.docs.live, folder=self.folder)
                for name in searcher.schema.scorable_names():
                    scorer.norm(searcher, name)
                scorer.columns(searcher)
                for leaf, _ in searcher.leaf_searchers():
                    scorer.segment_arrays(leaf.reader())
            self.__dict__["scorer"] = scorer
        _ = self.date_order, self.corrector  # cached properties: computed here, once

    def retire(self) -> None:
        """A newer generation is live: drop the caches (requests in flight still finish here)."""
        self.retired_at = time.monotonic()
        with self.lock:
            self.results.clear()
            self.suggestions.clear()

    def close(self) -> None:
        with self.lock:
            opened, self._opened = self._opened, []
        for searcher in opened:
            searcher.close()
        scorer = self.__dict__.get("scorer")
        if scorer is not None:  # made at the first search or by warm()
            scorer.close()


@dataclass
class _Reading:
    """One way of reading a search -- the words as typed or corrected, all of them or any --
    and what it finds after the filters."""

    text: str  # the query text
    compiled: Compiled  # its compiled form
    query: wq.Query | None  # what is matched: the all-words query, or the any-word one
    any_word: bool = False
    all_words: int = 0  # any-word results listed because few releases have all the words: how many have
    leading: int = 0  # ... and those releases (a bitmap), ranked first
    matched: int = 0  # bitmap of the matching releases
    scored: np.ndarray | None = None
    selected: int = 0  # ... that pass the filters
    bases: dict = field(default_factory=dict)  # per facet, those that pass the other facets' filters
    total: int = 0  # results (a translation pair counts once unless shown separately)
    # its any-word reading, once read: (reading or None,)
    loose: "tuple[_Reading | None] | None" = field(default=None, repr=False)


class Archive:
    """The searchable archive in one index directory."""

    def __init__(self, root, cache_size: int = RESULT_CACHE):
        self.store = IndexStore(root)
        self.cache_size = cache_size  # search results kept per generation (0: no cache)
        self._snapshot: Snapshot | None = None
        self._retired: list[Snapshot] = []
        self._lock = threading.Lock()
        self._label_cache: dict[tuple[str, str], dict[str, str]] = {}

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.load()

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy.load()

    @cached_property
    def compiler(self) -> Compiler:
        return Compiler(self.gazetteer, self.taxonomy, Glossary.load())

    # --- generations -------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The live generation, reopened when a reindex has switched ``CURRENT``."""
        name = self.store.current_name()
        current = self._snapshot
        if name is None:
            if current is not None:
                return current  # the pointer is being replaced or was removed: keep serving
            raise IndexUnavailable(f"no index has been built in {self.store.root}")
        if current is not None and current.name == name:
            if self._retired and time.monotonic() - self._retired[-1].retired_at > RETIRED_GRACE:
                self._close_retired()
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.name != name:
                try:
                    fresh = Snapshot.open(self.store, name)
                except Exception as error:  # noqa: BLE001 - any damage (EOFError on a cut segment, ...)
                    if current is not None:
                        return current
                    raise IndexUnavailable(f"the index in {self.store.root} cannot be read: {error}") from error
                if current is not None:
                    current.retire()
                    self._retired.append(current)
                    # Requests still using the generation before last have long finished.
                    while len(self._retired) > 1:
                        self._retired.pop(0).close()
                self._snapshot = current = fresh
        return current

    def _close_retired(self) -> None:
        """Close generations retired long enough ago that no request can still be using them."""
        with self._lock:
            now = time.monotonic()
            keep = [snap for snap in self._retired if now - snap.retired_at <= RETIRED_GRACE]
            for snap in self._retired:
                if snap not in keep:
                    snap.close()
            self._retired = keep

    def warm(self) -> bool:
        """Open the live generation and compute what its first searches would (see
        :meth:`Snapshot.warm`); False when there is no readable index yet."""
        try:
            snap = self.snapshot()
        except IndexUnavailable:
            return False
        snap.warm()
        self.completions(snap).warm(snap)
        return True

    def status(self) -> dict:
        """What /healthz reports: generation, number of releases, time of the last reindex,
        and when this process's copy of the generation was loaded."""
        snap = self.snapshot()
        return {
            "generation": snap.name,
            "releases": snap.docs.live.bit_count(),
            "built_at": snap.manifest.get("built_at"),
            "mode": snap.manifest.get("mode"),
            "loaded_at": dt.datetime.fromtimestamp(snap.opened_at, dt.UTC).isoformat(timespec="microseconds"),
        }

    # --- labels ------------------------------------------------------------------------------
    def country_label(self, code: str) -> dict[str, str]:
        return {lang: country_name(code, lang) for lang in LANGUAGES}

    def topic_label(self, topic_id: str) -> dict[str, str]:
        topic = self.taxonomy.topics.get(topic_id)
        return dict(topic.labels) if topic else {lang: topic_id for lang in LANGUAGES}

    def labels(self, facet: str, value: str) -> dict[str, str]:
        """A facet value's label in each interface language (made once: a page of facets shows
        hundreds). The dictionary is shared: callers read it and never change it."""
        key = (facet, value)
        found = self._label_cache.get(key)
        if found is None:
            if len(self._label_cache) > MAX_LABELS:
                self._label_cache.clear()
            found = self._label_cache[key] = self._make_labels(facet, value)
        return found

    def _make_labels(self, facet: str, value: str) -> dict[str, str]:
        if facet == "country":
            return self.country_label(value)
        if facet == "topic":
            return self.topic_label(value)
        if facet == "lang":
            return dict(LANGUAGE_LABELS.get(value, {"en": value, "es": value}))
        return {lang: str(value) for lang in LANGUAGES}

    def known_topics(self) -> frozenset:
        return frozenset(self.taxonomy.topics)

    @staticmethod
    def known_countries() -> frozenset:
        return country_codes()

    # --- searching ---------------------------------------------------------------------------
    def search(self, params: SearchParams) -> SearchResult:
        """Search the live generation.  Results are cached per generation (a result cannot
        change until the next reindex), so a repeated search costs a lookup.

        A result is shared with every caller asking the same: callers read it and never change it.
        """
        started = time.perf_counter()
        snap = self.snapshot()
        if self.cache_size:
            cached = snap.cached(snap.results, params)
            if cached is not None:
                return dataclasses.replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 2))
        result = self._search(snap, params, started)
        if self.cache_size:
            snap.remember(snap.results, params, result, self.cache_size)
        return result

    def _search(self, snap: Snapshot, params: SearchParams, started: float) -> SearchResult:
        """All the words; failing that, the corrected query's words; only then any of the words;
        and any of the words when all of them find a few (see :meth:`_chosen`)."""
        parsed = q.parse(params.q)
        notices: list[dict] = []
        if parsed.truncated:
            notices.append(
                {"code": "truncated", "message": f"the query was cut to its first {q.MAX_QUERY_CHARS} characters"}
            )
        typed = self._reading(snap, params, params.q, self.compiler.compile(parsed, snap.lexicon))
        shown, offered = self._chosen(snap, params, parsed, typed)
        compiled = dataclasses.replace(shown.compiled, query=shown.query)  # the all-words or the any-word query
        if compiled.cut:
            notices.append(
                {
                    "code": "too_many_terms",
                    "message": f"only the first {MAX_QUERY_TERMS} terms of the query were searched for",
                }
            )
        notices += [{"code": "common_words", "message": m} for m in compiled.notices]
        corrected = shown.text != params.q
        # The correction searched for is the result's suggestion too, as it was before it was searched.
        suggestion = shown.text if corrected else offered
        if corrected:
            notices.insert(
                0,
                {
                    "code": "corrected",
                    "message": f"showing results for {shown.text!r}; search instead for {params.q!r}",
                    "corrected": shown.text,
                },
            )
        if shown.all_words:
            notices.append(
                {
                    "code": "few_all_words",
                    "all_words": shown.all_words,
                    "message": f"only {shown.all_words} of the results contain all the words; the others "
                    "contain some of them, ranked by how many",
                }
            )
        elif shown.any_word:
            # The words that find nothing are named: no word of the query is dropped silently.
            missing = self._missing(snap, shown.text)
            notices.append(
                {
                    "code": "any_word",
                    "message": "no release contains all the words; showing "
                    "releases that contain any of them" + (f" (none contains {', '.join(missing)})" if missing else ""),
                    "missing": missing,
                }
            )
        docs = snap.docs
        facets = self._facets(docs, self._facet_counts(snap, params, parsed, typed, shown), params)
        hits = []
        if shown.selected and compiled.query is not None:
            # The words searched for are those highlighted: the corrected ones when corrected.
            hits = self._page(
                snap, compiled, shown.scored, shown.selected, params.with_(q=shown.text), leading=shown.leading
            )
        took = (time.perf_counter() - started) * 1000
        pages = max(1, -(-shown.total // params.per_page))
        if params.page > pages and shown.total:
            notices.append({"code": "page_out_of_range", "message": f"there are only {pages} pages of results"})
        return SearchResult(
            query=params.q,
            params=dict(params.to_query()),
            total=shown.total,
            page=params.page,
            per_page=params.per_page,
            pages=pages,
            sort=self._sort(params, compiled),
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            notices=notices,
            took_ms=round(took, 2),
            generation=snap.name,
            matched_any=shown.any_word,
            searched_for=shown.text,
            corrected=corrected,
        )

    def _chosen(self, snap: Snapshot, params: SearchParams, parsed, typed: "_Reading") -> tuple["_Reading", str | None]:
        """The reading whose results are shown, and a correction to offer beside them.

        All the words as typed; when they find nothing, all the words of the corrected query
        (misspelt words replaced, the others kept); only then any of the words (see
        :meth:`_any_words`).  When the words as typed find only a few releases, those and then
        the releases with any of the words (:meth:`_widened`).  When the typed words find a few releases but the corrected ones
        more, those few are shown and the correction offered.  ``spell=0`` (``params.spell``
        false) never searches a correction, only offers it.
        """
        fixed = self._fixed(snap, params, parsed, typed)
        searchable = fixed if params.spell else None
        if typed.total == 0 and searchable is not None and searchable.total:
            return searchable, None
        shown = typed
        if typed.total == 0:
            shown = self._any_words(snap, params, typed, searchable) or typed
        offer = (
            fixed is not None
            and fixed.total
            and shown.text != fixed.text
            and (shown.any_word or fixed.total > shown.total)
        )
        # Any of the words typed, a word among them unknown: its correction is offered even when
        # the corrected words are not all in one release ("Carribean diaspora").
        offer = offer or (fixed is not None and shown.any_word and shown.text != fixed.text)
        if shown is typed:
            shown = self._widened(snap, params, typed) or typed
        return shown, fixed.text if fixed is not None and offer else None

    def _widened(self, snap: Snapshot, params: SearchParams, typed: "_Reading") -> "_Reading | None":
        """Any of the words typed, when all of them find a few releases (fewer than
        FEW_ALL_WORDS) and any of them more: the few first, then the rest, ranked by how many of
        the words they contain (see :mod:`search.coordinated`).  None otherwise."""
        if not 0 < typed.total < FEW_ALL_WORDS:
            return None
        loose = self._loosened(snap, params, typed)
        if loose is None or loose.total <= typed.total:
            return None
        scored = loose.scored
        if typed.scored is not None and scored is not None:
            # The few rank among themselves as all the words rank them (a glossary phrase, a place
            # name: what the any-word query reads word by word).
            scored = np.where(bits_to_mask(typed.matched, snap.docs.size), typed.scored, scored)
        return dataclasses.replace(loose, all_words=typed.total, leading=typed.selected, scored=scored)

    def _any_words(
        self, snap: Snapshot, params: SearchParams, typed: "_Reading", fixed: "_Reading | None"
    ) -> "_Reading | None":
        """Any of the words, when no release has all of them, as typed or corrected (None when
        none has any).  Those of the corrected query when the typed ones find nothing, or only
        a few releases (fewer than FEW_RESULTS) and each corrected word is one slip from the
        word typed: a corrected word then ranks first the releases that have it, where the
        misspelt one matched nothing.  Else those of the query as typed: its unknown words are
        then more likely words the archive lacks than slips (the rare words of a long
        question), and the archive words nearest them would only add noise."""
        loose = self._loosened(snap, params, typed)
        found = loose.total if loose is not None else 0
        if fixed is not None and (found == 0 or (found < FEW_RESULTS and _slips(typed.text, fixed.text))):
            corrected = self._loosened(snap, params, fixed)
            if corrected is not None and corrected.total > found:
                return corrected
        return loose if found else None

    def _fixed(self, snap: Snapshot, params: SearchParams, parsed, typed: "_Reading") -> "_Reading | None":
        """The corrected query's all-words reading, when the typed words find fewer than
        FEW_RESULTS releases and a word of them seems misspelt; else None."""
        compiled = typed.compiled
        if typed.total >= FEW_RESULTS or compiled.query is None or compiled.browse:
            return None
        text = self.correct(parsed.text, snap)
        if text is None:
            return None
        return self._reading(snap, params, text, self.compiler.compile(q.parse(text), snap.lexicon))

    def _reading(self, snap: Snapshot, params: SearchParams, text: str, compiled) -> "_Reading":
        """What the query ``text`` (compiled) finds with all its words, after the filters."""
        return self._found(snap, params, _Reading(text, compiled, compiled.query))

    def _loosened(self, snap: Snapshot, params: SearchParams, reading: "_Reading") -> "_Reading | None":
        """The same query with any of its words (None for a query of one word)."""
        if reading.loose is None:  # read once: the results, the facet counts and _widened share it
            any_query = reading.compiled.any_query
            reading.loose = (
                None
                if any_query is None
                else self._found(snap, params, _Reading(reading.text, reading.compiled, any_query, any_word=True)),
            )
        return reading.loose[0]

    def _found(self, snap: Snapshot, params: SearchParams, reading: "_Reading") -> "_Reading":
        if reading.query is not None:
            reading.matched, reading.scored = self._matching(snap, reading.query)
        reading.selected, reading.bases = self._apply_filters(snap.docs, reading.matched, params)
        reading.total = snap.docs.count(reading.selected, params.separate)
        return reading

    @staticmethod
    def _matching(snap: Snapshot, query: wq.Query) -> tuple[int, np.ndarray | None]:
        """The documents matching a query, as a bitmap, and every document's score (0 if not matched).

        Exact BM25F over every match (no block-quality shortcuts): facets, filters and pages
        are then taken from it.  :mod:`search.scoring` evaluates whole posting lists at once.
        """
        if isinstance(query, wq.Every):
            return snap.docs.live, None
        found = snap.scorer.evaluate(snap.searcher, query)
        return mask_to_bits(found.mask), found.scores

    @staticmethod
    def _sort(params: SearchParams, compiled) -> str:
        if params.sort == "relevance" and compiled.browse:
            return "newest"
        return params.sort

    def _apply_filters(self, docs: DocValues, matched: int, params: SearchParams) -> tuple[int, dict[str, int]]:
        """The documents that pass every filter, and per facet those that pass all filters but its own."""
        base = matched
        if params.date_from or params.date_to:
            base &= self._date_range(docs, params.date_from, params.date_to)
        selections = {"year": params.years, "country": params.countries, "topic": params.topics, "lang": params.langs}
        masks = {f: docs.any_of(f, values) for f, values in selections.items() if values}
        selected = base
        for mask in masks.values():
            selected &= mask
        bases = {}
        for facet in FACETS:
            bits = base
            for other, mask in masks.items():
                if other != facet:
                    bits &= mask
            bases[facet] = bits
        return selected, bases

    @staticmethod
    def _date_range(docs: DocValues, start: dt.date | None, end: dt.date | None) -> int:
        """Documents dated within [start, end]: whole years by their bitmaps, the edge years one by one."""
        first = start.year if start else min(docs.years, default=0)
        last = end.year if end else max(docs.years, default=0)
        low = start.toordinal() if start else None
        high = end.toordinal() if end else None
        out = 0
        for value, bits in docs.values["year"].items():
            year = int(value)
            if first < year < last:
                out |= bits
            elif year in (first, last):
                keep = [
                    d
                    for d in docnums(bits)
                    if (low is None or docs.dates[d] >= low) and (high is None or docs.dates[d] <= high)
                ]
                out |= docs.of(keep)
        return out

    @staticmethod
    def _reading_counts(docs: DocValues, reading: "_Reading | None", params: SearchParams) -> dict[str, dict[str, int]]:
        """Per facet, what each value would give a reading with the value ticked alone (the
        other facets' filters kept): the groups, or documents, that pass its base and have it."""
        out: dict[str, dict[str, int]] = {}
        masks: dict[int, np.ndarray] = {}
        for facet in FACETS:
            base = reading.bases.get(facet, 0) if reading is not None else 0
            if not base:
                out[facet] = {}
                continue
            if base not in masks:  # facets without a selection of their own share one base
                masks[base] = bits_to_mask(base, docs.size)
            out[facet] = docs.facet_counts(facet, masks[base], params.separate)
        return out

    def _facet_counts(
        self, snap: Snapshot, params: SearchParams, parsed, typed: "_Reading", shown: "_Reading"
    ) -> dict[str, dict[str, int]]:
        """Per facet and value, the total of this search with that value ticked alone: so a count
        is always the number of results its checkbox gives.

        While the words as typed find something under the filters, that is the typed reading's
        count, or where it is below FEW_ALL_WORDS, that of any of the words (:meth:`_widened`).  When they find nothing (the results shown are then a correction's, or any-word
        results), ticking a value may bring the typed words' results back, or lead to another
        reading: each value's count follows the choice :meth:`_chosen` makes for it.  The values
        offered are those of the results shown, and any selected.
        """
        docs = snap.docs
        counts = self._widened_counts(snap, params, typed, self._reading_counts(docs, typed, params))
        if shown is typed:
            return counts
        # The typed words find nothing under these filters (see _chosen): the readings a ticked
        # value may lead to, each computed as _chosen would.
        fixed = self._fixed(snap, params, parsed, typed)
        searchable = fixed if params.spell else None
        loose = self._loosened(snap, params, typed)
        loose_fixed = self._loosened(snap, params, searchable) if searchable is not None else None
        slips = fixed is not None and _slips(typed.text, fixed.text)
        of = {
            name: self._reading_counts(docs, r, params)
            for name, r in (("fixed", searchable), ("loose", loose), ("loose_fixed", loose_fixed))
        }
        offered = self._reading_counts(docs, shown, params)
        out: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            values = set(offered[facet]) | _selected(params, facet)
            out[facet] = {}
            for value in values:
                count = counts[facet].get(value, 0)
                if not count:
                    count = of["fixed"][facet].get(value, 0)
                if not count:
                    count = of["loose"][facet].get(value, 0)
                    if searchable is not None and (count == 0 or (count < FEW_RESULTS and slips)):
                        count = max(count, of["loose_fixed"][facet].get(value, 0))
                if count:
                    out[facet][value] = count
        return out

    def _widened_counts(
        self, snap: Snapshot, params: SearchParams, typed: "_Reading", counts: dict[str, dict[str, int]]
    ) -> dict[str, dict[str, int]]:
        """The typed reading's counts, where a value's count is below FEW_ALL_WORDS that of any of
        the words (what ticking it lists, see :meth:`_widened`)."""
        if typed.compiled.any_query is None or not any(
            0 < c < FEW_ALL_WORDS for values in counts.values() for c in values.values()
        ):
            return counts
        loose = self._reading_counts(snap.docs, self._loosened(snap, params, typed), params)
        return {
            facet: {value: loose[facet].get(value, c) if c < FEW_ALL_WORDS else c for value, c in values.items()}
            for facet, values in counts.items()
        }

    def _facets(
        self, docs: DocValues, counts: dict[str, dict[str, int]], params: SearchParams
    ) -> dict[str, list[FacetValue]]:
        out = {}
        for facet in FACETS:
            selected = _selected(params, facet)
            values = []
            for value in set(counts[facet]) | selected:
                labels = self.labels(facet, value)
                values.append(
                    FacetValue(
                        value=value,
                        label=labels[params.ui],
                        labels=labels,
                        count=counts[facet].get(value, 0),
                        selected=value in selected,
                    )
                )
            if facet == "year":
                values.sort(key=lambda v: v.value, reverse=True)
            else:
                values.sort(key=lambda v: (-v.count, v.label))
            out[facet] = values
        return out

    def _page(
        self, snap: Snapshot, compiled, scored, selected: int, params: SearchParams, leading: int = 0
    ) -> list[Hit]:
        """The hits of the requested page: one per translation group unless asked otherwise.
        ``leading``: releases ranked before the others (those with all the words, when the
        results also list releases with some of them)."""
        docs = snap.docs
        allowed = selected if params.separate else docs.representatives(selected, params.ui)
        sort = self._sort(params, compiled)
        start, end = (params.page - 1) * params.per_page, params.page * params.per_page
        mask = bits_to_mask(allowed, docs.size)
        ranked: Sequence[tuple[int, float | None]]  # (document, its score: None for a search without scores)
        if sort == "relevance" and scored is not None:
            first = bits_to_mask(leading, docs.size) if leading else None
            if params.separate:
                ranked = top(mask, scored, start, end, first=first)
            else:
                # One rank per pair, the same in both interface languages: the better version's
                # score, ties broken by the pair, not by the version shown; a pair leads when
                # either version does.
                both = bits_to_mask(selected, docs.size)
                pairs = docs.pair_scores(scored, both)
                if first is not None:
                    first = docs.pair_scores(first.astype(float), both) > 0
                ranked = top(mask, pairs, start, end, ties=docs.group_first, first=first)
        else:
            order = snap.date_order[mask[snap.date_order]]
            if sort != "oldest":
                order = order[::-1]
            ranked = [(int(d), float(scored[d]) if scored is not None else None) for d in order[start:end]]
        # What the visitor typed is marked wherever it matched; glossary equivalents only as written.
        wanted = (
            highlight.wanted(compiled.query, q.words_of(q.parse(params.q).tree), self.compiler.glossary)
            if not compiled.browse
            else {}
        )
        matched = BitmapSet(selected, docs.size)
        return [self._hit(snap, d, score, wanted, params, matched) for d, score in ranked]

    def _hit(self, snap: Snapshot, docnum: int, score, wanted: dict, params: SearchParams, matched) -> Hit:
        fields = snap.searcher.stored_fields(docnum)
        lang = fields["lang"]
        body = wanted.get(f"body_{lang}", highlight.NOTHING)
        snippets = highlight.snippets(fields["body"], lang, body)
        title_html = highlight.release_title(fields, wanted)
        if not snippets:
            snippets = [_escape(fields.get("summary") or fields["body"][: highlight.SNIPPET_CHARS])]
        return Hit(
            id=fields["id"],
            lang=lang,
            date=stored_day(fields["date"]).isoformat(),
            title=fields["title"],
            title_lang=stored_title_lang(fields),
            url=fields.get("url") or "",
            title_html=title_html,
            snippets=snippets,
            summary=fields.get("summary") or "",
            countries=self._labels("country", fields.get("countries"), params.ui),
            topics=self._labels("topic", fields.get("topics"), params.ui),
            translation=self._translation(snap, fields.get("pair"), matched),
            score=round(score, 4) if score is not None else None,
        )

    def _labels(self, facet: str, joined: str | None, ui: str) -> list[Label]:
        out = []
        for value in (joined or "").split(","):
            if value:
                labels = self.labels(facet, value)
                out.append(Label(value=value, label=labels[ui], labels=labels))
        return out

    def _translation(self, snap: Snapshot, pair_id: str | None, matched: set) -> Translation | None:
        if not pair_id:
            return None
        docnum = snap.docs.docnum_by_id.get(pair_id)
        if docnum is None:
            return None
        fields = snap.searcher.stored_fields(docnum)
        return Translation(
            id=pair_id,
            lang=fields["lang"],
            title=fields["title"],
            title_lang=stored_title_lang(fields),
            url=fields.get("url") or "",
            matched=docnum in matched,
        )

    # --- releases -----------------------------------------------------------------------------
    def release(self, release_id: str, ui: str = "en", related: int = 5) -> ReleaseDetail:
        """One release with its translation and related releases; raises :class:`ReleaseNotFound`."""
        snap = self.snapshot()
        docnum = snap.docs.docnum_by_id.get(release_id)
        if docnum is None:
            raise ReleaseNotFound(release_id)
        fields = snap.searcher.stored_fields(docnum)
        pair = fields.get("pair") or ""
        translation = None
        if pair and pair in snap.docs.docnum_by_id:
            translation = self._brief(snap, snap.docs.docnum_by_id[pair])
        return ReleaseDetail(
            id=fields["id"],
            lang=fields["lang"],
            date=stored_day(fields["date"]).isoformat(),
            title=fields["title"],
            title_lang=stored_title_lang(fields),
            paragraphs=[p for p in fields["body"].split("\n\n") if p],
            summary=fields.get("summary") or "",
            url=fields.get("url") or "",
            countries=self._labels("country", fields.get("countries"), ui),
            topics=self._labels("topic", fields.get("topics"), ui),
            translation=translation,
            related=self.related(release_id, limit=related, snap=snap, ui=ui),
            generation=snap.name,
        )

    def related(
        self, release_id: str, limit: int = 5, snap: Snapshot | None = None, ui: str | None = None
    ) -> list[Brief]:
        """Releases most like this one (Whoosh's more-like-this), without the release's own
        translation, one per translation pair: in ``ui``'s language where the pair has a version
        in it (the release's own language when ``ui`` is not given)."""
        snap = snap or self.snapshot()
        docs = snap.docs
        docnum = docs.docnum_by_id.get(release_id)
        if docnum is None:
            raise ReleaseNotFound(release_id)
        if limit <= 0:
            return []  # asked only whether the release exists (If-None-Match: *)
        fields = snap.searcher.stored_fields(docnum)
        text = f"{fields['title']}\n{fields['title']}\n{fields['body']}"
        field_name = f"body_{fields['lang']}"
        wanted = 2 * limit + 2  # both versions of a pair may come, and the release's own translation
        # Whoosh's more-like-this query (its key terms, weighted), scored over whole posting lists.
        key_terms = snap.searcher.key_terms_from_text(field_name, text, numterms=15)
        query = wq.Or([wq.Term(field_name, word, boost=weight) for word, weight in key_terms])
        found = snap.scorer.evaluate(snap.searcher, query)
        found.mask[docnum] = False
        docnums = [d for d, _ in top(found.mask, found.scores, 0, wanted)]
        seen = {docs.groups[docnum]}
        out = []
        for d in docnums:
            if docs.groups[d] in seen:
                continue
            seen.add(docs.groups[d])
            out.append(self._brief(snap, docs.version(d, ui or fields["lang"])))
        return out[:limit]

    @staticmethod
    def _brief(snap: Snapshot, docnum: int) -> Brief:
        fields = snap.searcher.stored_fields(docnum)
        return Brief(
            id=fields["id"],
            lang=fields["lang"],
            date=stored_day(fields["date"]).isoformat(),
            title=fields["title"],
            title_lang=stored_title_lang(fields),
        )

    # --- autocomplete ---------------------------------------------------------------------------
    def suggest(self, prefix: str, ui: str = "en", limit: int = 8) -> list[Suggestion]:
        """Completions for what a visitor has typed so far: phrases the archive holds (glossary
        terms, places, topics, title phrases), its words (one form per stem), then titles.
        Each says which part of it was typed (``Suggestion.parts``)."""
        prefix = (prefix or "")[:100]
        typed = _Typed.read(prefix)
        if typed is None:
            return []
        snap = self.snapshot()
        key = (typed.cache_key, ui, limit)
        cached = snap.cached(snap.suggestions, key)
        if cached is not None:
            return cached
        result = self._suggest(snap, typed, ui, limit)
        snap.remember(snap.suggestions, key, result, 1024)
        return result

    def completions(self, snap: Snapshot | None = None) -> "_Completions":
        """What suggestions are drawn from, made once per generation (and by ``warm``)."""
        snap = snap or self.snapshot()
        found = snap.completions
        if found is None:
            # Made outside the lock: two threads may both make it, and either result is the same.
            found = snap.completions = _Completions.make(snap, self.compiler.glossary, self.taxonomy)
        return found

    def _suggest(self, snap: Snapshot, typed: "_Typed", ui: str, limit: int) -> list[Suggestion]:
        table = self.completions(snap)
        titles = self._title_suggestions(snap, table, typed, ui, limit)
        candidates = table.phrases_from(typed, snap)
        if typed.head:
            candidates += _title_phrases(typed, titles)
        else:
            candidates += table.words_from(typed.last, snap)
        terms_wanted = limit - min(len(titles), TITLES_KEPT)
        chosen = _merged(candidates, ui)
        if typed.head and len(typed.last) >= 3 and not chosen:
            # No phrase the archive holds continues the words typed: the last word's completions
            # that releases use with the words before it.
            chosen = _merged(candidates + self._with_words(snap, table, typed), ui)
        out = [Suggestion(text=c.text, kind="term", parts=_parts(c.text, typed.text)) for c in chosen[:terms_wanted]]
        for _docnum, title, lang, release_id in titles:
            if len(out) >= limit:
                break
            out.append(Suggestion(text=title, kind="title", id=release_id, lang=lang, parts=_title_parts(title, typed)))
        return out

    def _title_suggestions(
        self, snap: Snapshot, table: "_Completions", typed: "_Typed", ui: str, limit: int
    ) -> list[tuple[int, str, str, str]]:
        """Releases whose title has the words typed, one per translation pair and per title:
        (document, title, lang, id), best first.  Only from three letters of the last word on,
        or after other words: a shorter prefix alone starts too many words to say anything."""
        if not (len(typed.last) >= 3 or typed.head):
            return []
        # A last word of one or two letters starts too many title words to look up each: the
        # titles with the other words are read instead, and kept when a word starts so.
        short = 0 < len(typed.last) < 3
        query = self._title_query(snap, table, typed.head, "" if short else typed.last)
        if query is None:
            return []
        docnums = self._best(snap, query, limit * (4 if short else 2))
        if short:
            docnums = [
                d
                for d in docnums
                if any(fold(w).startswith(typed.last) for w in _WORD.findall(snap.searcher.stored_fields(d)["title"]))
            ]
        picked = BitmapSet(snap.docs.representatives(snap.docs.of(docnums), ui), snap.docs.size)
        out, seen = [], set()
        for docnum in docnums:
            if docnum in picked:
                fields = snap.searcher.stored_fields(docnum)
                title = fields["title"]
                if _key(title) not in seen:  # the same title twice says nothing more
                    seen.add(_key(title))
                    out.append((docnum, title, fields["lang"], fields["id"]))
        return out

    def _with_words(self, snap: Snapshot, table: "_Completions", typed: "_Typed") -> list["_Candidate"]:
        """The commonest completions of the last word typed that follow the words before it in a
        release, as written there ("returned mig" -> "returned migrants", not "returned
        migrantes", which the stems alone would allow).  At most CHECKED_COMBINATIONS words are
        looked up, each as a phrase in each language, then in the text of a few releases found."""
        out = []
        for candidate in table.words_from(typed.last, snap)[:CHECKED_COMBINATIONS]:
            text = f"{typed.head_text} {candidate.text}"
            key = _key(text)
            for lang in LANGUAGES:
                words = terms(key, lang)
                if len(words) < 2:
                    continue
                found, _ = self._matching(snap, wq.Phrase(f"body_{lang}", words))
                if found and any(
                    key in _key(snap.searcher.stored_fields(d)["body"]) for d in docnums(found)[:CHECKED_TEXTS]
                ):
                    out.append(_Candidate(key, text, snap.docs.count(found, False), {}))
                    break
        return out

    @staticmethod
    def _best(snap: Snapshot, query: wq.Query, limit: int) -> list[int]:
        """The ``limit`` best-scoring documents for a query."""
        found = snap.scorer.evaluate(snap.searcher, query)
        return [d for d, _ in top(found.mask, found.scores, 0, limit)]

    @staticmethod
    def _title_query(snap: Snapshot, table: "_Completions", head: list[str], last: str) -> wq.Query | None:
        """Releases whose title has every word typed, the last one as a prefix (of the title
        words most used that start with it: a short prefix can start hundreds of words)."""
        clauses = []
        for lang in LANGUAGES:
            field_name = f"title_{lang}"
            parts = [wq.Term(field_name, t) for w in head for t in terms(w, lang)]
            if last:
                stems = terms(last, lang)
                stem = stems[0] if stems and len(stems[0]) < len(last) else last
                words = table.title_words(snap, field_name, stem)
                if not words:
                    continue  # no title in this language has a word starting so
                completions = [wq.Term(field_name, w) for w in words]
                parts.append(wq.Or(completions) if len(completions) > 1 else completions[0])
            if parts:
                clauses.append(wq.And(parts) if len(parts) > 1 else parts[0])
        return wq.Or(clauses) if clauses else None

    # --- corrections -------------------------------------------------------------------------
    def correct(self, text: str, snap: Snapshot | None = None) -> str | None:
        """The query with each misspelt word replaced by a word the archive uses, the other words
        kept as typed; None when no word seems misspelt."""
        snap = snap or self.snapshot()
        if not snap.words:
            return None  # a generation without a vocabulary offers no corrections
        seen = _Corrections()
        changed = False
        out = []
        for token in text[: q.MAX_QUERY_CHARS].split():
            bare = token.strip('"()-')
            word = self._corrected_word(snap, bare, seen) if _correctable(bare) else None
            if word is not None:
                token = token.replace(bare, _cased(word, bare))
                changed = True
            out.append(token)
        return " ".join(out) if changed else None

    def _corrected_word(self, snap: Snapshot, bare: str, seen: "_Corrections") -> str | None:
        """The archive word (as written, accents kept) to search for instead of ``bare``, or None."""
        folded = fold(bare)
        if folded not in seen.words:
            seen.words[folded] = self._correction(snap, bare, folded, seen)
        found = seen.words[folded]
        return snap.forms.get(found, found) if found else None

    def _correction(self, snap: Snapshot, bare: str, folded: str, seen: "_Corrections") -> str | None:
        """For a word the archive does not know, the nearest word it uses; for a word it uses in
        a trace only (at most RARE_USE releases), a near word it uses FAR_MORE times as much.
        None for any other word (a word of either language that the archive knows is never
        replaced), for one with no word near it, and once MAX_CORRECTED_WORDS words have been
        looked up."""
        if snap.vocabulary.get(folded, 0) > RARE_USE:
            return None  # known: the commonest case, decided without analysing the word
        use = self._use(snap, bare)
        if use is None or use > RARE_USE or seen.lookups >= MAX_CORRECTED_WORDS:
            return None
        seen.lookups += 1
        found = snap.corrector.best(folded, maxdist=2 if len(folded) > 4 else 1, other=True)
        if found is None or use == 0:
            return found
        # A trace of a word beside a near word used far more is the archive's own slip (the typo
        # of a release or two); a rare but correct word has no such neighbour and stays.
        return found if (self._use(snap, found) or 0) >= FAR_MORE * use else None

    def _missing(self, snap: Snapshot, text: str) -> list[str]:
        """The words of ``text`` that no release uses in any form or translation, as typed; none
        named for a query of more than MISSING_WORDS words (a pasted text: each word looked up
        would cost a search's time, and a list of its unknown words would not help)."""
        out = []
        tokens = text[: q.MAX_QUERY_CHARS].split()
        if len(tokens) > MISSING_WORDS:
            return []
        for token in tokens:
            bare = token.strip('"()-')
            if _correctable(bare) and bare not in out and self._use(snap, bare) == 0:
                out.append(bare)
        return out

    def _use(self, snap: Snapshot, word: str) -> int | None:
        """How many releases a word finds as typed: those that use it, or more through its
        analysis in either language (so "climático" is known where only "climáticos" is
        written).  None for a stop word or a glossary term of either language, and for a word the
        lexicon translates into words of the archive ("drought" where releases say "sequía"):
        words of their language, whatever the archive's use of them."""
        analysed = {lang: tuple(terms(word, lang)) for lang in LANGUAGES}
        if not all(analysed.values()) or self.compiler.glossary.expand(analysed):
            return None
        if any(
            len(found) == 1 and snap.lexicon.translate(lang, other, found[0])
            for (lang, other), found in ((("en", "es"), analysed["en"]), (("es", "en"), analysed["es"]))
        ):
            return None
        reader = snap.searcher.reader()
        found = [reader.doc_frequency(f"body_{lang}", term) for lang, words in analysed.items() for term in words]
        return max([snap.vocabulary.get(fold(word), 0)] + found)


@dataclass
class _Corrections:
    """The words of one query decided so far: a word met twice is decided once."""

    words: dict[str, str | None] = field(default_factory=dict)  # folded word -> its correction (None: kept)
    lookups: int = 0  # words looked up in the corrector (at most MAX_CORRECTED_WORDS: each is dear)


def _slips(typed: str, corrected: str) -> bool:
    """Whether each word the correction replaced is one slip from the word typed (accents and
    capitals aside)."""
    before, after = typed.split(), corrected.split()
    return len(before) == len(after) and all(
        one_slip(fold(a), fold(b)) for a, b in zip(before, after, strict=True) if a != b
    )


def _cased(word: str, typed: str) -> str:
    """``word`` with the capitals of the word typed (Tapachulla -> Tapachula)."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _selected(params: SearchParams, facet: str) -> set[str]:
    """The values of a facet ticked in ``params``, as strings."""
    values = {"year": params.years, "country": params.countries, "topic": params.topics, "lang": params.langs}[facet]
    return {str(v) for v in values}


def _correctable(bare: str) -> bool:
    """Whether a query token may be a misspelling of an archive word (not a field, an operator,
    a number, or a string too long to be one)."""
    return (
        bool(bare)
        and ":" not in bare
        and bare.isalpha()
        and 3 <= len(bare) <= MAX_CORRECTED_WORD
        and bare not in ("OR", "AND", "NOT")
    )


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


# --- autocomplete -----------------------------------------------------------------------------------

SUGGEST_CANDIDATES = 40  # commonest words starting with the last word typed, before forms are merged
CHECKED_COMBINATIONS = 4  # completions of a last word looked up with the words before it
CHECKED_TEXTS = 3  # releases whose text is read to see a completion written as suggested
TITLES_KEPT = 3  # release titles a list of suggestions keeps room for
MAX_PHRASES_SCANNED = 200  # phrases of the archive's lists starting with what was typed, looked at
MAX_TITLE_STEMS = 20_000  # stems whose title words are kept per generation
_WORD = re.compile(r"\w+")
_PLAIN = re.compile(r"[\w\s'’.,\-]*")  # typed text without query syntax (quotes, fields, brackets)
_OPERATORS = frozenset({"OR", "AND", "NOT"})


def _key(text: str) -> str:
    """Text compared as the search compares it: folded, its words separated by one space."""
    return " ".join(_WORD.findall(fold(text)))


@dataclass(frozen=True)
class _Typed:
    """What a visitor has typed so far, read for completing it."""

    text: str  # as typed, spaces at the ends removed
    key: str  # folded words, separated by one space
    head: list[str]  # the folded words before the one being typed
    head_text: str  # the same as typed
    last: str  # the folded word being typed ("" after a space: the next word is to come)
    plain: bool  # words only: no query syntax

    @property
    def cache_key(self) -> tuple:
        return (" ".join(self.text.split()), not self.last)

    @classmethod
    def read(cls, prefix: str) -> "_Typed | None":
        words = list(_WORD.finditer(prefix))
        if not words:
            return None
        last_word = words[-1]
        after = prefix[last_word.end() :]
        if after.strip():
            return None  # a closing quote or bracket, an operator: no word is being typed
        plain = bool(_PLAIN.fullmatch(prefix)) and not any(t in _OPERATORS or t.startswith("-") for t in prefix.split())
        folded = [fold(w.group()) for w in words]
        if after:  # a space after the last word: the next word is to come
            return cls(prefix.strip(), " ".join(folded), folded, prefix.strip(), "", plain)
        return cls(
            prefix.strip(), " ".join(folded), folded[:-1], prefix[: last_word.start()].strip(), folded[-1], plain
        )


@dataclass
class _Candidate:
    """A completion of what was typed, before forms of one word are merged."""

    key: str
    text: str  # as written
    weight: int  # releases holding it (a translation pair once)
    texts: dict[str, str]  # language -> as written in it, for names written differently (Panamá, Panama)
    rank: int = 1  # 0: a phrase of the archive's lists (glossary, places, topics), which wins a tie


@dataclass
class _Phrase:
    """A glossary term, place name or topic label, and what tells how many releases hold it."""

    key: str
    texts: dict[str, str]
    sources: list  # release counts, or queries to count (glossary terms, counted when first needed)
    weight: int | None = None

    def count(self, snap: Snapshot) -> int:
        if self.weight is None:
            counts = [
                s if isinstance(s, int) else snap.docs.count(Archive._matching(snap, s)[0], False) for s in self.sources
            ]
            self.weight = max(counts, default=0)
        return self.weight


@dataclass
class _Completions:
    """What suggestions are drawn from, made once per generation: the vocabulary with its counts
    as an array, the phrases of the archive's lists sorted by key, and the title words each stem
    typed starts (looked up when first typed)."""

    words: list[str]
    counts: np.ndarray
    phrases: list[_Phrase]
    keys: list[str]
    titles: dict = field(default_factory=dict)  # (title field, stem) -> the title words it starts (title_words)

    @classmethod
    def make(cls, snap: Snapshot, glossary: Glossary, taxonomy: Taxonomy) -> "_Completions":
        docs = snap.docs
        entries: dict[str, _Phrase] = {}

        def add(text: str, lang: str, source) -> None:
            key = _key(text)
            if key:
                entry = entries.setdefault(key, _Phrase(key, {}, []))
                entry.texts.setdefault(lang, text)
                entry.sources.append(source)

        for code, bits in docs.values["country"].items():
            for lang in LANGUAGES:
                add(country_name(code, lang), lang, docs.count(bits, False))
        for topic_id, bits in docs.values["topic"].items():
            topic = taxonomy.topics.get(topic_id)
            if topic is None:
                continue
            for lang in LANGUAGES:
                add(topic.labels[lang], lang, docs.count(bits, False))
        for group in glossary.entries:
            for term in group:
                name = f"body_{term.lang}"
                add(
                    term.text,
                    term.lang,
                    wq.Term(name, term.key[0]) if len(term.key) == 1 else wq.Phrase(name, list(term.key)),
                )
        phrases = sorted(entries.values(), key=lambda p: p.key)
        return cls(
            words=snap.words,
            counts=np.array([snap.vocabulary[w] for w in snap.words], dtype=np.int64),
            phrases=phrases,
            keys=[p.key for p in phrases],
        )

    def warm(self, snap: Snapshot) -> None:
        """Count every phrase now (gunicorn's master, before forking)."""
        for phrase in self.phrases:
            phrase.count(snap)

    def phrases_from(self, typed: _Typed, snap: Snapshot) -> list[_Candidate]:
        """The phrases starting with what was typed (with a further word, after a space) that
        releases hold."""
        if not typed.plain:
            return []
        start = typed.key + ("" if typed.last else " ")
        out = []
        at = bisect.bisect_left(self.keys, start)
        for phrase in self.phrases[at : at + MAX_PHRASES_SCANNED]:
            if not phrase.key.startswith(start):
                break
            weight = phrase.count(snap)
            if weight:
                text = next(iter(phrase.texts.values()))
                out.append(_Candidate(phrase.key, text, weight, phrase.texts, rank=0))
        return out

    def words_from(self, last: str, snap: Snapshot) -> list[_Candidate]:
        """The commonest archive words starting with ``last`` (stop words of either language left
        out: alone they find nothing)."""
        if not last:
            return []
        low = bisect.bisect_left(self.words, last)
        high = bisect.bisect_left(self.words, last[:-1] + chr(ord(last[-1]) + 1), low)
        counts = self.counts[low:high]
        if len(counts) > SUGGEST_CANDIDATES:
            best = np.argpartition(-counts, SUGGEST_CANDIDATES)[:SUGGEST_CANDIDATES]
        else:
            best = np.arange(len(counts))
        best = best[np.lexsort((best, -counts[best]))]  # commonest first, then alphabetical
        stops = stop_words("en") | stop_words("es")
        out = []
        for i in best:
            word, count = self.words[low + i], int(counts[i])
            if word in stops or (word == last and count <= 1):
                continue
            out.append(_Candidate(word, snap.forms.get(word, word), count, {}))
        return out

    def title_words(self, snap: Snapshot, field_name: str, stem: str) -> list[str]:
        """The title words starting with ``stem`` that most titles use (at most TITLE_COMPLETIONS),
        looked up once per generation and stem."""
        found = self.titles.get((field_name, stem))
        if found is None:
            reader = snap.searcher.reader()
            words = sorted(
                ((reader.doc_frequency(field_name, w), w) for w in reader.expand_prefix(field_name, stem)), reverse=True
            )
            found = [w.decode("utf-8") if isinstance(w, bytes) else w for _, w in words[:TITLE_COMPLETIONS]]
            if len(self.titles) >= MAX_TITLE_STEMS:
                self.titles.clear()
            self.titles[(field_name, stem)] = found
        return found


def _signature(key: str) -> set[tuple[str, tuple[str, ...]]]:
    """The stems of a completion in each language: completions sharing them are forms of one
    word (or phrase), shown once."""
    return {(lang, found) for lang in LANGUAGES if (found := tuple(terms(key, lang)))}


def _merged(candidates: list[_Candidate], ui: str) -> list[_Candidate]:
    """One completion per key and per stem, the commonest form, in ``ui``'s language where a name
    is written differently in each; commonest first."""
    by_key: dict[str, _Candidate] = {}
    for c in candidates:
        have = by_key.get(c.key)
        if have is None:
            by_key[c.key] = c
        else:
            better = have if (have.rank, -have.weight) <= (c.rank, -c.weight) else c
            by_key[c.key] = _Candidate(
                c.key, better.text, max(have.weight, c.weight), {**c.texts, **have.texts}, min(have.rank, c.rank)
            )
    out: list[_Candidate] = []
    taken: set = set()
    for c in sorted(by_key.values(), key=lambda c: (-c.weight, c.rank, c.key)):
        nodes = _signature(c.key)
        if not nodes or nodes & taken:
            taken |= nodes
            continue  # nothing but stop words, or a less common form of one shown
        taken |= nodes
        out.append(dataclasses.replace(c, text=c.texts.get(ui, c.text)))
    return out


def _title_phrases(typed: _Typed, titles: list[tuple]) -> list[_Candidate]:
    """What follows the words typed in the titles found, to the next word that is not a stop word
    ("trata de" -> "trata de personas"): phrases the archive's titles hold, by how many do."""
    found: dict[str, _Candidate] = {}
    size = len(typed.head)
    for _, title, lang, _ in titles:
        tokens = list(_WORD.finditer(title))
        folded = [fold(t.group()) for t in tokens]
        stops = stop_words(lang)
        lower = _title_cased(folded, tokens, stops)
        for i in range(len(folded) - size):
            if folded[i : i + size] != typed.head:
                continue
            end = i + size
            if typed.last and not folded[end].startswith(typed.last):
                continue
            while (
                end + 1 < len(folded)
                and folded[end] in stops
                and not title[tokens[end].end() : tokens[end + 1].start()].strip()
            ):
                end += 1
            if folded[end] in stops or any(
                title[tokens[k - 1].end() : tokens[k].start()].strip() for k in range(i + size, end + 1)
            ):
                continue  # it ends in a stop word, or crosses punctuation
            added = [t.group() for t in tokens[i + size : end + 1]]
            written = [w.lower() if lower and not (w.isupper() and len(w) > 1) else w for w in added]
            text = f"{typed.head_text} {' '.join(written)}"
            key = _key(text)
            if key in found:
                found[key].weight += 1
            else:
                found[key] = _Candidate(key, text, 1, {})
    return list(found.values())


def _title_cased(folded: list[str], tokens: list, stops: frozenset) -> bool:
    """Whether a title capitalises its words (Title Case): its words are then lower-cased in a
    phrase taken from it, acronyms aside."""
    content = [t.group() for t, f in zip(tokens, folded, strict=True) if f not in stops and t.group()[:1].isalpha()]
    return len(content) >= 3 and sum(w[:1].isupper() for w in content) > 0.6 * len(content)


def _typed_length(text: str, typed: str) -> int | None:
    """How much of ``text`` is ``typed``, case, accents, spaces and punctuation aside: the length
    of the start of ``text`` it covers, or None when ``text`` does not start with it."""
    wanted = [c for c in fold(typed) if c.isalnum()]
    if not wanted:
        return 0
    j = 0
    for i, character in enumerate(text):
        for c in fold(character):
            if not c.isalnum():
                continue
            if c != wanted[j]:
                return None
            j += 1
            if j == len(wanted):
                return i + 1
    return None


def _parts(text: str, typed: str) -> list[tuple[str, bool]]:
    """A completion cut into what was typed and what completes it: [(text, typed?), ...]."""
    n = _typed_length(text, typed)
    if not n:
        return [(text, False)]
    return [(text[:n], True)] + ([(text[n:], False)] if text[n:] else [])


def _title_parts(title: str, typed: _Typed) -> list[tuple[str, bool]]:
    """A title cut into the starts of its words that begin with a word typed, and the rest."""
    stops = stop_words("en") | stop_words("es")
    wanted = {w for w in typed.head if w not in stops and len(w) > 1}
    if typed.last:
        wanted.add(typed.last)
    spans = []
    for token in _WORD.finditer(title):
        folded = fold(token.group())
        for word in wanted:
            if folded.startswith(word):
                n = _typed_length(token.group(), word)
                if n:
                    spans.append((token.start(), token.start() + n))
                    break
    out, at = [], 0
    for start, end in spans:
        if start > at:
            out.append((title[at:start], False))
        out.append((title[start:end], True))
        at = end
    if at < len(title):
        out.append((title[at:], False))
    return out
