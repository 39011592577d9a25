"""One open index generation (:class:`Snapshot`), with what is computed once for it: the
searchers, document values, vocabulary, lexicon, scorer and caches that every search of that
generation shares."""

import bisect
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq
from whoosh.index import Index

from index import vocabulary
from index.analysis import fold
from index.lexicon import Lexicon
from index.schema import SCHEMA_VERSION
from index.store import IndexStore
from index.whoosh_internals import UnsupportedIndex, check_readable, stored_fields_reader

from .docvalues import DocValues, bits_to_mask, mask_to_bits
from .scoring import GenerationScorer
from .spelling import VocabularyCorrector

if TYPE_CHECKING:
    from .autocomplete import Completions


@dataclass(frozen=True)
class PairDating:
    """Date sorts with pairs merged (``Snapshot.pair_dating``): ``order``, every document by
    ``key``, its group's first date, then group; ``earliest``, the version that date is of;
    ``dates``, each document's own."""

    order: np.ndarray
    key: np.ndarray
    earliest: np.ndarray
    dates: np.ndarray

    def listed(self, shown: np.ndarray, results: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """The documents of the mask ``shown`` (a version a pair) oldest first, a pair by its
        first version's date among ``results`` (mask): one a filter leaves out (a year, a
        language) does not place it."""
        order = self.order[shown[self.order]]
        moved = ~results[self.earliest[order]]
        if not moved.any():
            return order
        key = self.key[order]
        key[moved] = self.dates[order[moved]]  # a pair of two: the version shown is the one left
        return order[np.lexsort((groups[order], key))]


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
    completions: "Completions | None" = None  # what suggestions are drawn from, made when first needed
    results: OrderedDict = field(default_factory=OrderedDict)  # SearchParams -> SearchResult, this generation
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # guards the caches
    retired_at: float = 0.0
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _opened: list = field(default_factory=list, repr=False)

    def begun(self, prefix: str, most: int = 5000) -> list[str]:
        """The archive's words ``prefix`` begins (folded), most used first; the first ``most`` of
        them in the alphabet's order are looked at (a prefix of three letters begins a few hundred)."""
        start, at = self._first_begun(prefix)
        found = []
        for word in self.words[at : at + most]:
            if not word.startswith(start):
                break
            found.append(word)
        return sorted(found, key=lambda word: -self.vocabulary.get(word, 0))

    def begins(self, prefix: str) -> bool:
        """Whether ``prefix`` begins a word of the archive (what ``begun`` would list, unlisted)."""
        start, at = self._first_begun(prefix)
        return at < len(self.words) and self.words[at].startswith(start)

    def _first_begun(self, prefix: str) -> tuple[str, int]:
        """``prefix`` folded, and where the sorted words it may begin start."""
        start = fold(prefix).strip()
        return start, bisect.bisect_left(self.words, start)

    @property
    def searcher(self):
        """This thread's searcher on the generation."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.ix.searcher()
            with self.lock:
                self._opened.append(searcher)
        return searcher

    def stored(self, docnum: int) -> dict:
        """A document's stored fields (read with this thread's searcher)."""
        reader = getattr(self._local, "stored", None)
        if reader is None:  # made once a thread, as its searcher
            reader = self._local.stored = stored_fields_reader(self.searcher)
        return reader(docnum)

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
        # Stop words stay: a misspelt one ("ofr", "teh") is best corrected to itself, which the
        # search then leaves out, not to a content word that changes what is found.
        return VocabularyCorrector(self.words, self.vocabulary)

    @cached_property
    def scorer(self) -> GenerationScorer:
        """Whole-posting-list matching and scoring for this generation."""
        return GenerationScorer(self.searcher, self.docs.live, folder=self.folder)

    @cached_property
    def date_order(self) -> np.ndarray:
        """Every document number, oldest first, then by translation group and id: date sorts
        take their page from it.  Ties go by the group, not by the version's own id, so that
        pairs of one day come in one order whichever version each shows (``ui``)."""
        dates, groups, ids = self.docs.dates, self.docs.groups, self.docs.ids
        return np.array(sorted(range(self.docs.size), key=lambda d: (dates[d], groups[d], ids[d])), dtype=np.int64)

    @cached_property
    def pair_dating(self) -> "PairDating":
        """Every document number by the date of its translation group, the earliest of its
        versions', then by group: with pairs merged, date sorts take their page from it, so a
        pair whose versions are dated apart (a translation published a day later) has one place
        in the list whichever version each interface shows."""
        docs = self.docs
        dates = np.asarray(docs.dates, dtype=np.int64)
        live = bits_to_mask(docs.live, docs.size)
        numbers = np.arange(docs.size)
        # each group's earliest live version: the first of the group once sorted by group, date
        by_group = np.lexsort((numbers, np.where(live, dates, np.iinfo(np.int64).max), docs.groups))
        starts = np.ones(docs.size, dtype=bool)
        starts[1:] = docs.groups[by_group][1:] != docs.groups[by_group][:-1]
        earliest_of_group = np.zeros(int(docs.groups.max(initial=0)) + 1, dtype=np.int64)
        earliest_of_group[docs.groups[by_group][starts]] = by_group[starts]
        earliest = np.where(live, earliest_of_group[docs.groups], numbers)
        key = dates[earliest]
        return PairDating(np.lexsort((numbers, docs.groups, key)), key, earliest, dates)

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
        _ = self.date_order, self.pair_dating, self.corrector  # cached properties: computed here, once

    def matching(self, query: wq.Query) -> tuple[int, np.ndarray | None]:
        """The documents matching a query, as a bitmap, and every document's score (0 if not matched).

        Exact BM25F over every match (no block-quality shortcuts): facets, filters and pages
        are then taken from it.  :mod:`search.scoring` evaluates whole posting lists at once.
        """
        if isinstance(query, wq.Every):
            return self.docs.live, None
        found = self.scorer.evaluate(self.searcher, query)
        return mask_to_bits(found.mask), found.scores

    def matched(self, query: wq.Query) -> int:
        """The documents matching a query, as a bitmap, unscored: :meth:`matching`'s first half,
        for less (what facet counts need)."""
        if isinstance(query, wq.Every):
            return self.docs.live
        return mask_to_bits(self.scorer.matching(self.searcher, query))

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
