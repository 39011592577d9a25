"""The search entry point: one :class:`Archive` per process, and :meth:`Archive.search`.

The archive reads the index directory's ``CURRENT`` pointer before each search and opens the
new generation (:class:`~search.generation.Snapshot`) when a reindex has switched it, so a
reindex shows up without a restart.  A search is read several ways here (all the words as
typed, the corrected words, any of the words) and one reading chosen; the rest is done by the
modules named after their job: :mod:`search.facets` (filters and facet counts),
:mod:`search.hits` (a result page), :mod:`search.labels`, :mod:`search.releases` (a release's
page and related releases), :mod:`search.autocomplete` and :mod:`search.correction`.
"""

import dataclasses
import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from whoosh import query as wq

from index import language
from index.places import Gazetteer, longest_world_phrase, world_names
from index.store import IndexStore
from index.topics import Taxonomy

from . import facets, hits, releases
from . import query as q
from .autocomplete import Autocomplete, Completions
from .compile import MAX_QUERY_TERMS, Compiled, Compiler
from .correction import Corrections, one_slip_each
from .docvalues import FACETS, DocValues, bits_to_mask
from .generation import Snapshot
from .glossary import Glossary
from .labels import Labels, known_countries
from .params import SearchParams, typed_prefix
from .results import Brief, ReleaseDetail, SearchResult, Suggestion

RETIRED_GRACE = 30.0  # seconds a replaced generation stays open for requests still using it
RESULT_CACHE = 128  # search results kept per generation
FEW_RESULTS = 3  # all the words find fewer releases than this: a correction is looked for
# All the words as typed find fewer releases than this (fewer than a page): the releases that
# contain some of them are listed after those, ranked by how many of the words they contain
# (search.coordinated).  On the bilingual benchmark the one or two releases that contain every
# word of a question often do not answer it (docs/relevance.md); 5, 10 and 20 measured the same.
FEW_ALL_WORDS = 10


class IndexUnavailable(RuntimeError):
    """There is no index to search yet (or it cannot be read)."""


class ReleaseNotFound(KeyError):
    pass


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
        self.autocomplete = Autocomplete(self)
        self.corrections = Corrections(self)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.load()

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy.load()

    @cached_property
    def compiler(self) -> Compiler:
        return Compiler(self.gazetteer, self.taxonomy, Glossary.load())

    @cached_property
    def labelling(self) -> Labels:
        """The labels of facet values and of a release's countries and topics (:mod:`search.labels`)."""
        return Labels(self.taxonomy)

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
        language.ready()  # the query language is told by it
        world_names()  # what corrections leave as names: a quarter of a second to read
        longest_world_phrase()  # and the names of several words
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
    def labels(self, facet: str, value: str) -> dict[str, str]:
        """A facet value's label in each interface language (made once). The dictionary is
        shared: callers read it and never change it."""
        return self.labelling.of(facet, value)

    def known_topics(self) -> frozenset:
        return self.labelling.known_topics()

    @staticmethod
    def known_countries() -> frozenset:
        return known_countries()

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
        typed = self._reading(snap, params, params.q, self.compiler.compile(parsed, snap.lexicon, snap.begun))
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
        unread = q.unread_dates(params.q)
        if unread:
            # read as words, which find nothing: the visitor meant a filter, and is told why
            notices.append(
                {
                    "code": "not_a_date",
                    "message": f"{', '.join(unread)}: no such year or day, so searched as words",
                    "filters": unread,
                }
            )
        unknown = [
            typed
            for typed, field, value in q.tag_filters(params.q)
            if not (self.compiler.resolve_countries if field == "country" else self.compiler.resolve_topics)(value)
        ]
        if unknown:
            # read as words, which rarely find anything: the visitor meant a filter, and is told why
            notices.append(
                {
                    "code": "unknown_value",
                    "message": f"{', '.join(unknown)}: no such country or topic, so searched as words",
                    "filters": unknown,
                }
            )
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
                    "message": f"only {shown.all_words} of the results "
                    f"{'contains' if shown.all_words == 1 else 'contain'} all the words; the others "
                    "contain some of them, ranked by how many",
                }
            )
        elif shown.any_word:
            # The words that find nothing are named: no word of the query is dropped silently.
            missing = self._missing(snap, params, shown.text)
            # The words left out with "-": a release may have all the others, and one of these.
            excluded = _left_out(shown.text)
            notices.append(
                {
                    "code": "any_word",
                    "message": "no release contains all the words"
                    + (f" without {', '.join(excluded)}" if excluded else "")
                    + "; showing releases that contain any of them"
                    + (f" (none contains {', '.join(missing)})" if missing else ""),
                    "missing": missing,
                    "excluded": excluded,
                }
            )
        elif not shown.total and not compiled.browse and compiled.query is not None:
            # Nothing found, even with a correction or any of the words: the words no release
            # has are what to change (the filters, if any, aside).
            missing = self._missing(snap, params, params.q)
            if missing:
                notices.append(
                    {
                        "code": "missing_words",
                        "message": f"no release contains {'any of ' if len(missing) > 1 else ''}{', '.join(missing)}",
                        "missing": missing,
                    }
                )
        values = facets.values(self._facet_counts(snap, params, parsed, typed, shown), params, self.labelling)
        shown_hits = []
        if shown.selected and compiled.query is not None:
            # The words searched for are those highlighted: the corrected ones when corrected.
            shown_hits = hits.page(
                snap,
                compiled,
                shown.scored,
                shown.selected,
                params.with_(q=shown.text),
                self.labelling,
                self.compiler.glossary,
                leading=shown.leading,
                country_names=self.compiler.gazetteer.names_of,
            )
        took = (time.perf_counter() - started) * 1000
        pages = max(1, -(-shown.total // params.per_page))
        if params.page > pages and shown.total:
            notices.append(
                {
                    "code": "page_out_of_range",
                    "message": f"there is only {pages} page of results"
                    if pages == 1
                    else f"there are only {pages} pages of results",
                }
            )
        return SearchResult(
            query=params.q,
            params=params.to_dict(),
            total=shown.total,
            page=params.page,
            per_page=params.per_page,
            pages=pages,
            sort=hits.sort_order(params, compiled),
            hits=shown_hits,
            facets=values,
            suggestion=suggestion,
            notices=notices,
            took_ms=round(took, 2),
            generation=snap.name,
            matched_any=shown.any_word,
            searched_for=shown.text,
            corrected=corrected,
        )

    def _missing(self, snap: Snapshot, params: SearchParams, text: str) -> list[str]:
        """The words of ``text`` that find nothing searched alone, in any form, translation,
        glossary equivalent or likely cognate ("direction" finds "dirección"); never a word left
        out with "-", which is not why a search found nothing."""
        left_out = {word.casefold() for written in _left_out(text) for word in written.split()}
        out = []
        for word in self.corrections.missing(snap, text):
            if word.casefold() in left_out:
                continue
            alone = self.compiler.compile(q.parse(word), snap.lexicon, snap.begun).searched(False, params.separate)
            if alone is not None and not snap.matched(alone):
                out.append(word)
        return out

    def _chosen(self, snap: Snapshot, params: SearchParams, parsed, typed: "_Reading") -> tuple["_Reading", str | None]:
        """The reading whose results are shown, and a correction to offer beside them.

        All the words as typed; when they find nothing, all the words of the corrected query
        (misspelt words replaced, the others kept); only then any of the words (see
        :meth:`_any_words`).  When the words as typed find only a few releases, those and then
        the releases with any of the words (:meth:`_widened`).  When the typed words find a few
        releases but the corrected ones more, those few are shown and the correction offered.
        ``spell=0`` (``params.spell`` false) never searches a correction, only offers it.
        """
        fixed = self._fixed(snap, params, parsed, typed)
        searchable = fixed if params.spell else None
        if typed.total == 0 and searchable is not None and searchable.total:
            # The corrected query lists what typing it would: a few all-words releases widened too.
            return self._widened(snap, params, searchable) or searchable, None
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
        if not offer and shown.total == 0:
            # Nothing found at all: a word of a dictionary no release uses may be a slip all the
            # same ("Mathew" for the archive's "Matthew"), offered, never searched in its stead.
            known = self._fixed(snap, params, parsed, typed, dictionary_words=True)
            return shown, known.text if known is not None and known.total else None
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
        if fixed is not None and (found == 0 or (found < FEW_RESULTS and one_slip_each(typed.text, fixed.text))):
            corrected = self._loosened(snap, params, fixed)
            if corrected is not None and corrected.total > found:
                return corrected
        return loose if found else None

    def _fixed(
        self,
        snap: Snapshot,
        params: SearchParams,
        parsed,
        typed: "_Reading",
        few_only: bool = True,
        dictionary_words: bool = False,
    ) -> "_Reading | None":
        """The corrected query's all-words reading, when the typed words find fewer than
        FEW_RESULTS releases (or whatever they find, without ``few_only``) and a word of them
        seems misspelt; else None. ``dictionary_words``: see ``search.correction``."""
        compiled = typed.compiled
        if (few_only and typed.total >= FEW_RESULTS) or compiled.query is None or compiled.browse:
            return None
        text = self.corrections.correct(snap, parsed.text, dictionary_words)
        if text is None:
            return None
        return self._reading(snap, params, text, self.compiler.compile(q.parse(text), snap.lexicon, snap.begun))

    def _reading(self, snap: Snapshot, params: SearchParams, text: str, compiled) -> "_Reading":
        """What the query ``text`` (compiled) finds with all its words, after the filters."""
        return self._found(snap, params, _Reading(text, compiled, compiled.searched(False, params.separate)))

    def _loosened(self, snap: Snapshot, params: SearchParams, reading: "_Reading") -> "_Reading | None":
        """The same query with any of its words (None for a query of one word)."""
        if reading.loose is None:  # read once: the results, the facet counts and _widened share it
            any_query = reading.compiled.searched(True, params.separate)
            reading.loose = (
                None
                if any_query is None
                else self._found(snap, params, _Reading(reading.text, reading.compiled, any_query, any_word=True)),
            )
        return reading.loose[0]

    def _found(self, snap: Snapshot, params: SearchParams, reading: "_Reading") -> "_Reading":
        if reading.query is not None:
            reading.matched, reading.scored = snap.matching(reading.query)
            reading.matched = _as_pairs(snap, reading.compiled, reading.matched, params)
        reading.selected, reading.bases = facets.apply_filters(snap.docs, reading.matched, params)
        reading.total = snap.docs.count(reading.selected, params.separate)
        return reading

    def _facet_counts(
        self, snap: Snapshot, params: SearchParams, parsed, typed: "_Reading", shown: "_Reading"
    ) -> facets.Counts:
        """Per facet and value, the total of this search with that value ticked alone: so a count
        is always the number of results its checkbox gives.

        While the words as typed find something under the filters, that is the typed reading's
        count, or where it is below FEW_ALL_WORDS, that of any of the words (:meth:`_widened`).
        When they find nothing (the results shown are then a correction's, or any-word results),
        ticking a value may bring the typed words' results back, or lead to another reading:
        each value's count follows the choice :meth:`_chosen` makes for it.  The values offered
        are those of the results shown, and any selected.  (This restates the choice of a reading
        per value, so it lives beside :meth:`_chosen`; :mod:`search.facets` does the counting.)
        """
        docs = snap.docs
        counts = self._widened_counts(snap, params, typed, self._counts(docs, typed, params))
        if shown is typed:
            return counts
        # The typed words find nothing under these filters (see _chosen): the readings a ticked
        # value may lead to, each computed as _chosen would. A value under which the typed words
        # find nothing leads to the correction, however many they find without it.
        fixed = self._fixed(snap, params, parsed, typed, few_only=False)
        searchable = fixed if params.spell else None
        loose = self._loosened(snap, params, typed)
        loose_fixed = self._loosened(snap, params, searchable) if searchable is not None else None
        slips = fixed is not None and one_slip_each(typed.text, fixed.text)
        of = {
            name: self._counts(docs, r, params)
            for name, r in (("fixed", searchable), ("loose", loose), ("loose_fixed", loose_fixed))
        }
        if searchable is not None:
            of["fixed"] = self._widened_counts(snap, params, searchable, of["fixed"])
        offered = self._counts(docs, shown, params)
        out: facets.Counts = {}
        for facet in FACETS:
            values = set(offered[facet]) | facets.selected(params, facet)
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
        self, snap: Snapshot, params: SearchParams, typed: "_Reading", counts: facets.Counts
    ) -> facets.Counts:
        """The typed reading's counts, where a value's count is below FEW_ALL_WORDS that of any of
        the words (what ticking it lists, see :meth:`_widened`).

        Only the facets with such a value are counted again, and from which documents have any
        of the words alone, unless the any-word reading has been read in full already (the
        results shown are widened): no scores are needed for a count."""
        low = [f for f in FACETS if any(0 < c < FEW_ALL_WORDS for c in counts.get(f, {}).values())]
        any_query = typed.compiled.searched(True, params.separate)
        if any_query is None or not low:
            return counts
        if typed.loose is not None:
            loose_reading = typed.loose[0]
            bases = loose_reading.bases if loose_reading is not None else None
        else:
            matched = _as_pairs(snap, typed.compiled, snap.matched(any_query), params)
            _, bases = facets.apply_filters(snap.docs, matched, params)
        loose = facets.counts(snap.docs, bases, params, only=low)
        return {
            facet: (
                {value: loose[facet].get(value, c) if c < FEW_ALL_WORDS else c for value, c in values.items()}
                if facet in loose
                else values
            )
            for facet, values in counts.items()
        }

    @staticmethod
    def _counts(docs: DocValues, reading: "_Reading | None", params: SearchParams) -> facets.Counts:
        """What each facet value would give ``reading`` ticked alone (none for no reading)."""
        return facets.counts(docs, reading.bases if reading is not None else None, params)

    # --- releases -----------------------------------------------------------------------------
    def release(self, release_id: str, ui: str = "en", related: int = 5) -> ReleaseDetail:
        """One release with its translation and related releases (:mod:`search.releases`);
        raises :class:`ReleaseNotFound`."""
        snap = self.snapshot()
        return releases.detail(snap, _docnum(snap, release_id), self.labelling, ui, related)

    def related(
        self, release_id: str, limit: int = 5, snap: Snapshot | None = None, ui: str | None = None
    ) -> list[Brief]:
        """Releases most like this one, one per translation pair, in ``ui``'s language where the
        pair has a version in it (:func:`search.releases.related`); raises
        :class:`ReleaseNotFound`, and with ``limit`` 0 only that (If-None-Match: *)."""
        snap = snap or self.snapshot()
        return releases.related(snap, _docnum(snap, release_id), limit, ui)

    # --- autocomplete ---------------------------------------------------------------------------
    def suggest(self, prefix: str, ui: str = "en", limit: int = 8) -> list[Suggestion]:
        """Completions for what a visitor has typed so far (:mod:`search.autocomplete`), read as a
        query is (:func:`search.params.typed_prefix`)."""
        return self.autocomplete.suggest(typed_prefix(prefix), ui, limit)

    def completions(self, snap: Snapshot | None = None) -> Completions:
        """What suggestions are drawn from, made once per generation (and by ``warm``)."""
        return self.autocomplete.completions(snap)

    # --- corrections -------------------------------------------------------------------------
    def correct(self, text: str, snap: Snapshot | None = None) -> str | None:
        """The query with each misspelt word replaced by a word the archive uses, the other words
        kept as typed; None when no word seems misspelt (:mod:`search.correction`)."""
        return self.corrections.correct(snap or self.snapshot(), text)


def _docnum(snap: Snapshot, release_id: str) -> int:
    docnum = snap.docs.docnum_by_id.get(release_id)
    if docnum is None:
        raise ReleaseNotFound(release_id)
    return docnum


def _left_out(text: str) -> list[str]:
    """The words and phrases a query leaves out with "-" (or NOT), as typed: at the top, or in a
    group AND-ed with the rest, which is read as at the top ("hurricane (Haiti -cholera)")."""

    def spliced(nodes):
        for node in nodes:
            if type(node) is q.AllOf:
                yield from spliced(node.nodes)
            else:
                yield node

    return [w for n in spliced(q.parse(text).tree.nodes) if isinstance(n, q.Not) for w in q.words_of(n.node)]


def _as_pairs(snap: Snapshot, compiled, matched: int, params: SearchParams) -> int:
    """``matched`` with pairs merged, where a pair is one release: without the pairs one of whose
    versions has an excluded word, and within the pairs either of whose versions has each typed
    tag (``Compiled.pair_filters``). Shown separately, each version answers for itself."""
    if params.separate or not (compiled.pair_filters or compiled.excluded is not None):
        return matched
    kept = compiled.pair_kept.get(snap.name)
    if kept is None:
        kept = snap.docs.live
        for tags in compiled.pair_filters:
            kept &= snap.docs.whole_groups(snap.matched(tags))
        if compiled.excluded is not None:
            kept &= ~snap.docs.whole_groups(snap.matched(compiled.excluded))
        compiled.pair_kept[snap.name] = kept
    return matched & kept
