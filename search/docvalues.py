"""Per-document facet values of one index generation, read once from Whoosh columns, as bitmaps.

A set of documents is a Python integer used as a bitmap (bit ``d`` set for document
number ``d``): intersections, unions and counts (``int.bit_count``) then run in C over
the whole archive at once, instead of a Python loop over every matching document.
Translation pairs count once: the second member of a pair (the higher document number)
is mapped onto the first before counting.  A full build writes pair members next to each
other, so that mapping is one shift; pairs placed apart by incremental builds are
mapped one by one.

A facet value counts a pair when either version has the value (its language, a topic only
one version was tagged with), and the filter on that value keeps the pair through that
version: so a count is always what ticking the value gives (see ``facet_counts``).
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np
from whoosh.idsets import DocIdSet

from index.whoosh_internals import preload_columns

FACETS = ("year", "country", "topic", "lang")


class BitmapSet(DocIdSet):
    """A read-only set of document numbers backed by a bitmap, for Whoosh's filter collectors."""

    def __init__(self, bits: int, size: int):
        self.bits = bits
        self.bytes = bits.to_bytes((size + 8) // 8, "little")

    def __contains__(self, docnum):
        return docnum >> 3 < len(self.bytes) and bool(self.bytes[docnum >> 3] >> (docnum & 7) & 1)

    def __len__(self):
        return self.bits.bit_count()

    def __iter__(self):
        return iter(docnums(self.bits))


def _shared(column, convert=None) -> list:
    """A column's values, one per document, equal values being one object: a column read from
    Whoosh gives each document its own copy (of a year, a language, a list of countries), some
    15 MB a site process keeps at 100,000 releases."""
    seen: dict = {}
    out = []
    for raw in column:
        value = seen.get(raw)
        if value is None:
            value = seen[raw] = convert(raw) if convert else raw
        out.append(value)
    return out


def bitmap(numbers, size: int) -> int:
    buffer = bytearray((size + 8) // 8)
    for d in numbers:
        buffer[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buffer, "little")


def docnums(bits: int) -> list[int]:
    """The document numbers in a bitmap, in order."""
    out = []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for index, byte in enumerate(data):
        while byte:
            low = byte & -byte
            out.append(index * 8 + low.bit_length() - 1)
            byte ^= low
    return out


def bits_to_mask(bits: int, size: int) -> np.ndarray:
    """A bitmap (Python int, bit d = document d) as a boolean array of ``size``."""
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8 + 1, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].astype(bool)


def mask_to_bits(mask: np.ndarray) -> int:
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


@dataclass
class DocValues:
    size: int  # document numbers run from 0 to size - 1 (deleted ones included)
    live: int  # bitmap of documents that are not deleted
    ids: list[str]
    langs: list[str]
    years: list[int]
    dates: list  # day ordinals
    countries: list[tuple[str, ...]]
    topics: list[tuple[str, ...]]
    docnum_by_id: dict[str, int]
    values: dict[str, dict[str, int]]  # facet -> value -> bitmap
    second: int = 0  # bitmap: the second member of each pair whose first member is live
    adjacent: int = 0  # bitmap: second members whose first member is the document just before
    partners: dict[int, int] = field(default_factory=dict)  # second member -> first member, when apart
    # The group number of each document (a pair shares one).
    groups: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    versions: dict[int, tuple[int, ...]] = field(default_factory=dict)  # a paired document -> its group's documents
    # The pairs as arrays, for scoring a pair by its best version: first and second members.
    pair_firsts: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    pair_seconds: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    # Per document, the first member of its group: ties between pairs broken the same way
    # whichever version of each is shown.
    group_first: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    # Per facet, for counting (facet_counts): its values and their live documents as arrays.
    coded: dict[str, "CodedFacet"] = field(default_factory=dict)

    @classmethod
    def load(cls, reader) -> "DocValues":
        size = reader.doc_count_all()
        if size == 0:  # an empty generation: Whoosh's empty reader has no columns
            return cls(
                size=0,
                live=0,
                ids=[],
                langs=[],
                years=[],
                dates=[],
                countries=[],
                topics=[],
                docnum_by_id={},
                values={f: {} for f in FACETS},
            )
        preload_columns(reader, ("id", "lang", "year", "date", "countries", "topics", "group"))
        live_numbers = list(reader.all_doc_ids())
        ids = list(reader.column_reader("id"))
        langs = _shared(reader.column_reader("lang"))
        years = _shared(reader.column_reader("year"))
        dates = _shared(reader.column_reader("date"))
        countries = _shared(reader.column_reader("countries"), lambda v: tuple(v.split(",")) if v else ())
        topics = _shared(reader.column_reader("topics"), lambda v: tuple(v.split(",")) if v else ())
        group_keys = list(reader.column_reader("group"))
        live_set = set(live_numbers)
        members: dict[str, list[int]] = {}
        for d in live_numbers:
            members.setdefault(group_keys[d], []).append(d)
        groups = np.zeros(size, dtype=np.int64)
        group_first = np.arange(size, dtype=np.int64)
        second_numbers, adjacent_numbers, partners, versions = [], [], {}, {}
        pair_firsts, pair_seconds = [], []
        for number, (_, docs) in enumerate(sorted(members.items())):
            docs.sort()
            for d in docs:
                groups[d] = number
                group_first[d] = docs[0]
                if len(docs) > 1:
                    versions[d] = tuple(docs)
            for d in docs[1:]:
                pair_firsts.append(docs[0])
                pair_seconds.append(d)
                second_numbers.append(d)
                if d - 1 == docs[0]:
                    adjacent_numbers.append(d)
                else:
                    partners[d] = docs[0]
        values: dict[str, dict[str, list[int]]] = {f: {} for f in FACETS}
        for d in live_numbers:
            values["year"].setdefault(str(years[d]), []).append(d)
            values["lang"].setdefault(langs[d], []).append(d)
            for c in countries[d]:
                values["country"].setdefault(c, []).append(d)
            for t in topics[d]:
                values["topic"].setdefault(t, []).append(d)
        firsts, seconds = np.array(pair_firsts, dtype=np.int64), np.array(pair_seconds, dtype=np.int64)
        pairs = (firsts, seconds, len(set(pair_firsts)) == len(pair_firsts))
        coded = {facet: _coded(documents, groups, size, pairs) for facet, documents in values.items() if documents}
        return cls(
            size=size,
            live=bitmap(live_numbers, size),
            ids=ids,
            langs=langs,
            years=years,
            dates=dates,
            countries=countries,
            topics=topics,
            docnum_by_id={ids[d]: d for d in live_set},
            values={f: {v: bitmap(ds, size) for v, ds in vs.items()} for f, vs in values.items()},
            second=bitmap(second_numbers, size),
            adjacent=bitmap(adjacent_numbers, size),
            partners=partners,
            groups=groups,
            versions=versions,
            coded=coded,
            pair_firsts=firsts,
            pair_seconds=seconds,
            group_first=group_first,
        )

    # --- sets -------------------------------------------------------------------------------
    def of(self, numbers) -> int:
        return bitmap(numbers, self.size)

    def any_of(self, facet: str, selected) -> int:
        """Documents with any of the selected values of a facet (OR within a facet)."""
        out = 0
        for value in selected:
            out |= self.values[facet].get(str(value), 0)
        return out

    @cached_property
    def _apart(self) -> tuple[int, np.ndarray]:
        """Every member of the groups whose members are not side by side (after incremental
        builds there may be thousands), as a bitmap and as a boolean array."""
        seconds = self.second & ~self.adjacent
        bits = bitmap([v for d in docnums(seconds) for v in self.versions[d]], self.size) if seconds else 0
        return bits, bits_to_mask(bits, self.size)

    def whole_groups(self, bits: int) -> int:
        """``bits`` with the other versions of every translation group that has one in it."""
        adjacent = self.adjacent
        out = bits | ((bits & adjacent) >> 1) | ((bits << 1) & adjacent)
        apart_bits, apart_mask = self._apart
        apart = bits & apart_bits
        if apart:  # by group number, in numpy: a loop over the members took most of a search
            hit = np.zeros(int(self.groups.max()) + 1, dtype=bool)
            hit[self.groups[bits_to_mask(apart, self.size)]] = True
            out |= mask_to_bits(hit[self.groups] & apart_mask)
        return out

    def merged(self, bits: int) -> int:
        """The set with each pair's second member replaced by its first: one bit per translation group."""
        seconds = bits & self.second
        if not seconds:
            return bits
        out = (bits & ~self.second) | ((seconds & self.adjacent) >> 1)
        apart = seconds & ~self.adjacent
        if apart:
            extra = [self.partners[d] for d in docnums(apart)]
            out |= bitmap(extra, self.size)
        return out

    def count(self, bits: int, separate: bool) -> int:
        return (bits if separate else self.merged(bits)).bit_count()

    def facet_counts(
        self, facet: str, mask: np.ndarray, separate: bool = False, matched: np.ndarray | None = None
    ) -> dict[str, int]:
        """For each value of ``facet``, how many translation groups (documents if ``separate``)
        have a document in ``mask`` (a boolean array) with that value; values none has are
        left out.

        A group counts under a value when any of its documents in ``mask`` has it: exactly the
        groups that filtering ``mask`` by the value keeps, which :meth:`count` then counts.
        One gather, then an OR per group and a sum per value (no run is empty).
        ``matched``: ``np.flatnonzero(mask)``, when the caller has it (facets share a mask).
        """
        coded = self.coded.get(facet)
        if coded is None or not coded.names:
            return {}
        if matched is None:
            matched = np.flatnonzero(mask)
        if len(matched) * SPARSE_FROM < len(mask):
            counts = coded.counts_of_few(mask, matched, separate)
        else:
            present = mask[coded.documents]
            if separate:
                counts = np.add.reduceat(present, coded.starts, dtype=np.int64)
            else:
                counts = np.add.reduceat(
                    np.logical_or.reduceat(present, coded.group_starts), coded.value_groups, dtype=np.int64
                )
        names = coded.names
        return {names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def pair_scores(self, scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Scores where both versions of a pair are in ``mask`` give each the better of the two:
        a pair ranks by the version that matched best, whichever version is shown."""
        firsts, seconds = self.pair_firsts, self.pair_seconds
        both = mask[firsts] & mask[seconds]
        if not both.any():
            return scores
        firsts, seconds = firsts[both], seconds[both]
        best = np.maximum(scores[firsts], scores[seconds])
        out = scores.copy()
        out[firsts] = best
        out[seconds] = best
        return out

    def version(self, docnum: int, lang: str) -> int:
        """The version of a release in ``lang``: its translation's document when it is not in
        ``lang`` and its translation is; else the release itself."""
        if self.langs[docnum] == lang:
            return docnum
        return next((d for d in self.versions.get(docnum, ()) if self.langs[d] == lang), docnum)

    def representatives(self, bits: int, ui: str) -> int:
        """One document per translation group: the one in the interface language when both are in the set."""
        seconds = bits & self.second
        if not seconds:
            return bits
        in_ui = self.values["lang"].get(ui, 0)
        drop = 0
        both_adjacent = seconds & self.adjacent & (bits << 1)
        drop |= both_adjacent & ~in_ui  # the second member is not in the interface language
        drop |= (both_adjacent & in_ui) >> 1  # it is: drop the first member instead
        for d in docnums(seconds & ~self.adjacent):
            first = self.partners[d]
            if bits >> first & 1:
                drop |= (1 << d) if self.langs[d] != ui else (1 << first)
        return bits & ~drop


# A mask with fewer than one document in SPARSE_FROM is counted from its documents' values
# (``CodedFacet.counts_of_few``), a larger one from every value's documents at once: at
# 100,000 releases the first is 3 to 7 times as fast up to a tenth of the archive, and
# still faster up to a half (docs/benchmarks.md).
SPARSE_FROM = 2
# Among those, a facet whose documents may have several values is counted from every value's
# documents once the matched documents pass one in DENSE_SHARE of its value entries: at 100,000
# releases a country count costs 310 us that way whatever the number matched, from the matched
# documents' values 160 us at a tenth of the archive and 480 us at three tenths.
DENSE_SHARE = 6


class CodedFacet(NamedTuple):
    """One facet's values and their live documents, as arrays for :meth:`DocValues.facet_counts`.

    By value: each value's documents one value after the other, sorted by translation group
    (``documents``), where each value's documents start (``starts``), where each group's run
    starts (``group_starts``: one document unless both versions of a pair have the value) and
    where each value's groups start among those (``value_groups``).  By document: each
    document's values (indexes into ``names``) one document after the other (``doc_values``),
    where each document's start (``doc_starts``, one more than the documents), each
    document's translation group (``groups``), and the groups' members after their first, with
    their first (``pair_seconds``, ``pair_firsts``: ``DocValues``'s).
    """

    names: list[str]
    documents: np.ndarray
    starts: np.ndarray
    group_starts: np.ndarray
    value_groups: np.ndarray
    doc_values: np.ndarray
    doc_starts: np.ndarray
    groups: np.ndarray
    pair_firsts: np.ndarray
    pair_seconds: np.ndarray
    pairs_only: bool  # no group has more than two documents
    # Where no document has more than one value (a language, a year): each document's value,
    # -1 for none, so that the values of many documents are one gather.
    sole: np.ndarray | None = None

    def counts_of_few(self, mask: np.ndarray, matched: np.ndarray, separate: bool) -> np.ndarray:
        """Per value, the groups (documents if ``separate``) among the documents of ``mask``
        that have it; ``matched``: those documents' numbers, in order.

        First per value the documents that have it: from the matched documents' values, or,
        where a document may have several values and the matched are many (over one in
        DENSE_SHARE of the value entries), from every value's documents at once (one gather
        and a sum per value, whatever the number matched)."""
        if self.sole is None and len(matched) * DENSE_SHARE > len(self.documents):
            counts = np.add.reduceat(mask[self.documents], self.starts, dtype=np.int64)
        else:
            counts = np.bincount(self._values_of(matched)[1], minlength=len(self.names))
        if separate or not len(self.pair_seconds):
            return counts
        if not self.pairs_only:  # a group counts once under a value, however many have it
            lengths, values = self._values_of(matched)
            keys = self._keys(self.groups[matched], lengths, values)
            return np.bincount(np.unique(keys) % len(self.names), minlength=len(self.names))
        # A pair with both versions among the results, both having a value, counts once under it.
        both = np.flatnonzero(mask[self.pair_seconds] & mask[self.pair_firsts])
        if len(both):
            firsts, seconds = self.pair_firsts[both], self.pair_seconds[both]
            shared = np.intersect1d(
                self._keys(both, *self._values_of(firsts)), self._keys(both, *self._values_of(seconds))
            )
            counts -= np.bincount(shared % len(self.names), minlength=len(self.names))
        return counts

    def _values_of(self, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many values each of ``documents`` has, and those values one document after the other."""
        if self.sole is not None:
            own = self.sole[documents]
            has = own >= 0
            return has.astype(np.int64), own[has].astype(np.int64)
        firsts = self.doc_starts[documents]
        lengths = self.doc_starts[documents + 1] - firsts
        at = np.repeat(firsts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        return lengths, self.doc_values[at]

    def _keys(self, labels: np.ndarray, lengths: np.ndarray, values: np.ndarray) -> np.ndarray:
        """(label, value) as one number, for each value of documents labelled ``labels``."""
        return np.repeat(labels, lengths) * len(self.names) + values


def _coded(documents: dict[str, list[int]], groups: np.ndarray, size: int, pairs: tuple) -> CodedFacet:
    """One facet's values and their documents as arrays (``CodedFacet``); ``groups``: each
    document's translation group; ``size``: the documents in the generation; ``pairs``: the
    groups' first members, their other members, and whether no group has more than two."""
    names = sorted(documents)
    sizes = np.array([len(documents[v]) for v in names], dtype=np.int64)
    value = np.repeat(np.arange(len(names), dtype=np.int64), sizes)
    flat = np.array([d for v in names for d in documents[v]], dtype=np.int64)
    by_document = np.lexsort((value, flat))
    doc_starts = np.searchsorted(flat[by_document], np.arange(size + 1))
    doc_values = value[by_document]
    group = groups[flat]
    order = np.lexsort((flat, group, value))  # by value, then group, then document
    flat, group, value = flat[order], group[order], value[order]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    new_group = np.ones(len(flat), dtype=bool)
    new_group[1:] = (group[1:] != group[:-1]) | (value[1:] != value[:-1])
    group_starts = np.flatnonzero(new_group)
    # the first group of each value: where the value's first document's group starts
    value_groups = np.searchsorted(group_starts, starts)
    lengths = np.diff(doc_starts)
    sole = None
    if not len(lengths) or lengths.max() <= 1:
        sole = np.full(size, -1, dtype=np.int16 if len(names) < 2**15 else np.int32)
        sole[lengths == 1] = doc_values
    pair_firsts, pair_seconds, pairs_only = pairs
    return CodedFacet(
        names,
        flat.astype(np.int32),
        starts,
        group_starts,
        value_groups,
        doc_values,
        doc_starts,
        groups,
        pair_firsts,
        pair_seconds,
        pairs_only,
        sole,
    )
