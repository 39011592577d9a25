"""Matching and BM25F scoring of a compiled query over whole posting lists at once.

Whoosh's matchers walk a query's posting lists one document at a time in Python, which
costs about as much per posting as reading it.  Here each term's posting list is read in
whole blocks from the index (Whoosh's own codec, its blocks unpacked directly by
``index.whoosh_internals``, or the bulk writer's ``index.posting_arrays``) into arrays
of document numbers and term frequencies, and the query tree is evaluated over arrays the
size of the archive: ``And`` is a logical and, ``Or`` an or, scores add up (a term or phrase
is added into its ``Or``'s arrays from its postings, so that a query of many terms costs
their postings rather than an archive-sized pair of arrays each).  The scores are
Whoosh's BM25F, computed the same way (same IDF, same lossy field lengths, same boosts),
so rankings do not change; ``tests/test_contract_scoring.py`` compares both on every query type.

Year and date ranges (``NumericRange`` on a plain ``NUMERIC`` field) are read from the field's
column of per-document values, one comparison over the archive: Whoosh would expand each range
into its tiered terms, looking each up in the term index of every segment, and walk their
postings in Python (about a millisecond a range on the sample archive, more than an ordinary
search).  ``Every`` (the documents a nested ``-word`` is taken from) is the live documents.

Query types without a fast path here (prefixes, wildcards...) are matched by Whoosh's own
matcher, so every query still works.  Decoded posting lists and phrase matches cannot
change within an index generation: they are kept in a cache bounded in bytes.
"""

import os
import threading
from functools import lru_cache
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.fields import NUMERIC
from whoosh.scoring import BM25F

from index.posting_arrays import PostingArrays
from index.whoosh_internals import (
    UnsupportedIndex,
    bm25f_b,
    byte_to_length,
    check_readable,
    decode_positions,
    length_bytes,
    posting_gaps,
    posting_values,
    preload_columns,
    segment_of,
    tiered_ranges,
)

from .coordinated import Coordinated
from .docvalues import bits_to_mask
from .lru import ByteCache
from .translated import Translated

_LENGTH_OF_BYTE = np.array([1.0] + [float(byte_to_length(b)) for b in range(1, 256)])
CACHE_MB = float(os.environ.get("POSTING_CACHE_MB", "16"))


class Matches:
    """Documents matched by a query node: a boolean mask and scores (0 where not matched)."""

    __slots__ = ("mask", "scores")

    def __init__(self, mask: np.ndarray, scores: np.ndarray):
        self.mask, self.scores = mask, scores


class Few:
    """Documents matched by a term or phrase, as a list: their numbers (distinct) and scores.

    An ``Or`` adds these into one pair of arrays the size of the archive, instead of each
    term making its own: a query of many terms costs its postings, not its terms times the
    archive.
    """

    __slots__ = ("ids", "scores")

    def __init__(self, ids: np.ndarray, scores: np.ndarray):
        self.ids, self.scores = ids, scores


class Postings:
    """One term's postings in one generation: global document numbers and term frequencies."""

    __slots__ = ("ids", "weights")

    def __init__(self, ids: np.ndarray, weights: np.ndarray):
        self.ids, self.weights = ids, weights

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.weights.nbytes + 64


# Document numbers and term frequencies fit 32 bits (exactly: frequencies are whole numbers),
# which halves what the posting cache holds per posting; scores are computed in 64 bits.
ID_TYPE, WEIGHT_TYPE = np.int32, np.float32
_EMPTY = Postings(np.empty(0, ID_TYPE), np.empty(0, WEIGHT_TYPE))
_NONE = Few(_EMPTY.ids, np.empty(0))  # no document: shared, never written to


class GenerationScorer:
    """Per index generation: field-length normalisers and the posting cache.

    Searchers are per thread (Whoosh's are not thread-safe); each call takes the calling
    thread's searcher.  Everything kept here is read-only once built.
    """

    def __init__(self, searcher, live: int, cache_mb: float = CACHE_MB, folder=None):
        weighting = searcher.weighting
        if type(weighting) is not BM25F:
            raise UnsupportedIndex(f"the searcher's weighting is {type(weighting).__name__}, not BM25F")
        check_readable(searcher)
        self.weighting = weighting
        self.size = searcher.reader().doc_count_all()
        self.live = bits_to_mask(live, self.size)
        self.cache = ByteCache(int(cache_mb * 1024 * 1024))
        self._norms: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray | None] = {}
        self._lock = threading.Lock()
        self.folder = folder  # the generation's directory, where segments may have their PostingArrays
        self._arrays: dict[str, PostingArrays | None] = {}

    # --- per field ----------------------------------------------------------------------
    def norm(self, searcher, fieldname: str) -> np.ndarray:
        """``K1 * ((1 - B) + B * length / average length)`` for every document, as Whoosh's BM25F."""
        norm = self._norms.get(fieldname)
        if norm is not None:
            return norm
        lengths = np.ones(self.size)
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            count = reader.doc_count_all()
            codes = length_bytes(reader, fieldname) if count else None
            if codes is not None:
                lengths[offset : offset + count] = _LENGTH_OF_BYTE[np.frombuffer(codes, np.uint8)]
        B = bm25f_b(self.weighting, fieldname)
        K1 = self.weighting.K1
        avgfl = searcher.avg_field_length(fieldname) or 1
        norm = K1 * ((1 - B) + B * lengths / avgfl)
        with self._lock:
            self._norms[fieldname] = norm
        return norm

    def column(self, searcher, fieldname: str) -> "np.ndarray | None":
        """Every document's value of a plain ``NUMERIC`` integer field, in Whoosh's sortable form
        (the order its range terms follow), or None when a range over the field must be left to
        Whoosh: another kind of field (a ``DATETIME``, a float), no column, or a document without
        a value (its column holds the default, and no term of the field matches it).  A column
        holds one value a document: the fields ranges are read from have one (a release's year,
        its day)."""
        if fieldname in self._columns:
            return self._columns[fieldname]
        field = searcher.schema[fieldname] if fieldname in searcher.schema else None
        values = None
        if (
            field is not None
            and type(field) is NUMERIC
            and field.numtype is int
            and field.bits <= 32
            and not field.decimal_places
        ):
            values = np.empty(self.size, np.int64)
            for leaf, offset in searcher.leaf_searchers():
                reader = leaf.reader()
                count = reader.doc_count_all()
                if not count:
                    continue  # an index without documents has no columns
                preload_columns(reader, (fieldname,))
                if not reader.has_column(fieldname):
                    values = None
                    break
                column = reader.column_reader(fieldname, translate=False)  # the sortable values
                values[offset : offset + count] = np.fromiter(column, np.int64, count)
            if values is not None and (values == field.default).any():
                values = None
        with self._lock:
            self._columns[fieldname] = values
        return values

    def columns(self, searcher) -> None:
        """Read the column of every field whose ranges are evaluated from it (see :meth:`column`)."""
        for name in searcher.schema.names():
            if type(searcher.schema[name]) is NUMERIC:
                self.column(searcher, name)

    # --- postings -----------------------------------------------------------------------
    def postings(self, searcher, fieldname: str, text: str) -> Postings:
        key = ("t", fieldname, text)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        ids, weights = self._read(searcher, fieldname, text)
        found = Postings(ids, weights)
        self.cache.put(key, found, found.nbytes)
        return found

    def _read(self, searcher, fieldname: str, text: str):
        """Every posting of a term: from the bulk writer's arrays where a segment has them, else
        block by block from Whoosh's W3 posting blocks."""
        field = searcher.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return _EMPTY.ids, _EMPTY.weights
        id_parts, weight_parts = [], []
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            arrays = self.segment_arrays(reader)
            found = arrays.get(fieldname, text) if arrays is not None else None
            if found is not None:
                id_parts.append(found[0] + ID_TYPE(offset) if offset else found[0])
                weight_parts.append(found[1])
                continue
            if arrays is not None and arrays.lacks(fieldname, text):
                continue
            if (fieldname, btext) not in reader:
                continue
            gaps, weights, _ = posting_gaps(reader, fieldname, btext)
            ids = (np.cumsum(np.array(gaps, dtype=np.int64)) + offset).astype(ID_TYPE)
            id_parts.append(ids)
            weight_parts.append(np.array(weights, dtype=WEIGHT_TYPE))
        if not id_parts:
            return _EMPTY.ids, _EMPTY.weights
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    def _positions(self, searcher, fieldname: str, text: str, within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A term's positions in the documents ``within`` (sorted, each holding the term): which
        of them each position is of (its index in ``within``) and the position, in order of
        document, then of position.  From a segment's posting arrays where they hold the term's
        positions, else from Whoosh's posting blocks, reading only those that hold ``within``."""
        owners, positions = [], []
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            start, end = np.searchsorted(within, [offset, offset + reader.doc_count_all()])
            if start == end:
                continue
            local = within[start:end].astype(np.int64) - offset
            arrays = self.segment_arrays(reader)
            found = arrays.positions(fieldname, text, local) if arrays is not None else None
            if found is None:
                btext = searcher.schema[fieldname].to_bytes(text)
                values = posting_values(reader, fieldname, btext, local.tolist())
                found = decode_positions([values[docnum] for docnum in local.tolist()])
            owners.append(found[0] + start)
            positions.append(found[1])
        if not owners:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(owners), np.concatenate(positions)

    def segment_arrays(self, reader) -> "PostingArrays | None":
        """The raw posting arrays the bulk writer left beside a segment, if any."""
        segment = segment_of(reader)
        if self.folder is None or segment is None:
            return None
        key = segment.segment_id()
        if key not in self._arrays:
            with self._lock:
                if key not in self._arrays:
                    self._arrays[key] = PostingArrays.open(self.folder, segment)
        return self._arrays[key]

    def close(self) -> None:
        with self._lock:
            arrays, self._arrays = self._arrays, {}
        for found in arrays.values():
            if found is not None:
                found.close()

    # --- evaluation ---------------------------------------------------------------------
    def evaluate(self, searcher, query: wq.Query) -> Matches:
        """The documents matching ``query`` (deleted ones left out) and their scores."""
        found = self._dense(self._node(searcher, query))
        found.mask &= self.live
        return _zeroed(found)

    def matching(self, searcher, query: wq.Query) -> np.ndarray:
        """The documents matching ``query`` (deleted ones left out), without scoring them: the
        mask :meth:`evaluate` gives, for less (no BM25, no score arrays). Facet counts need no
        more than which documents match."""
        return self._mask(searcher, query) & self.live

    def _mask(self, searcher, node) -> np.ndarray:
        """A node's matching documents, as :meth:`_node` matches them."""
        if isinstance(node, wq.Term):
            return self._ids_mask(self.postings(searcher, node.fieldname, node.text).ids)
        if isinstance(node, wq.Phrase) and node.slop == 1:
            return self._ids_mask(self._phrase(searcher, node).ids)
        if isinstance(node, Translated):
            out = np.zeros(self.size, bool)
            for text, _ in node.alternatives:
                out[self.postings(searcher, node.fieldname, text).ids] = True
            return out
        if isinstance(node, wq.And):
            out = self._mask(searcher, node.subqueries[0])  # a new array, as every _mask gives
            for child in node.subqueries[1:]:
                out &= self._mask(searcher, child)
            return out
        if isinstance(node, Coordinated) or _union(node):
            out = np.zeros(self.size, bool)
            for child in node.subqueries:
                out |= self._mask(searcher, child)
            return out
        if isinstance(node, wq.AndNot):
            return self._mask(searcher, node.a) & ~self._mask(searcher, node.b)
        if isinstance(node, wq.AndMaybe):
            return self._mask(searcher, node.a)
        if isinstance(node, wq.ConstantScoreQuery):
            return self._mask(searcher, node.child)
        if node is wq.NullQuery:
            return np.zeros(self.size, bool)
        found = self._filter(searcher, node)
        return (found if found is not None else self._whoosh(searcher, node)).mask

    def _ids_mask(self, ids: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size, bool)
        out[ids] = True
        return out

    def _empty(self) -> Matches:
        return Matches(np.zeros(self.size, bool), np.zeros(self.size))

    def _dense(self, found: "Matches | Few") -> Matches:
        """A node's matches as arrays the size of the archive."""
        if isinstance(found, Matches):
            return found
        out = self._empty()
        out.mask[found.ids] = True
        out.scores[found.ids] = found.scores
        return out

    def _node(self, searcher, node) -> "Matches | Few":
        if isinstance(node, wq.Term):
            return self._term(searcher, node)
        if isinstance(node, wq.Phrase) and node.slop == 1:
            return self._phrase(searcher, node)
        if isinstance(node, Translated):
            return self._translated(searcher, node)
        if isinstance(node, wq.And):
            parts = [self._dense(self._node(searcher, child)) for child in node.subqueries]
            out = parts[0]  # every node's Matches are new arrays of its own: summed into in place
            for part in parts[1:]:
                out.mask &= part.mask
                out.scores += part.scores
            return self._boosted(_zeroed(out), node)
        if isinstance(node, Coordinated):
            return self._boosted(self._coordinated(searcher, node.subqueries, node.weights(searcher)), node)
        if _union(node):
            return self._boosted(self._union(searcher, node.subqueries), node)
        if isinstance(node, wq.Require):  # both must match; only the first scores
            scored, required = self._dense(self._node(searcher, node.a)), self._dense(self._node(searcher, node.b))
            scored.mask &= required.mask
            return self._boosted(_zeroed(scored), node)
        if isinstance(node, wq.AndNot):
            positive, negative = self._dense(self._node(searcher, node.a)), self._dense(self._node(searcher, node.b))
            positive.mask &= ~negative.mask
            return self._boosted(_zeroed(positive), node)
        if isinstance(node, wq.AndMaybe):
            required = self._dense(self._node(searcher, node.a))
            optional = self._dense(self._node(searcher, node.b))
            required.scores += optional.scores
            return self._boosted(_zeroed(required), node)
        if isinstance(node, wq.ConstantScoreQuery):
            child = self._node(searcher, node.child)
            if isinstance(child, Few):
                return Few(child.ids, np.full(len(child.ids), float(node.score)))
            return Matches(child.mask, _constant(child.mask, node.score))
        if node is wq.NullQuery:
            return self._empty()
        found = self._filter(searcher, node)
        return found if found is not None else self._whoosh(searcher, node)

    def _filter(self, searcher, node) -> "Matches | None":
        """A node that matches by document values, each match scoring the same (a year or date
        range, every document), without Whoosh's matcher; None for any other node."""
        if isinstance(node, wq.NumericRange):
            return self._range(searcher, node)
        if type(node) is wq.Every and node.fieldname is None:  # Whoosh's list matcher scores a zero boost as 1
            return Matches(self.live.copy(), _constant(self.live, node.boost or 1.0))
        return None

    def _range(self, searcher, node: wq.NumericRange) -> "Matches | None":
        """A year or date range, from the field's column; None: Whoosh's matcher is needed.

        Whoosh splits a range into tiered term ranges (fine at the ends, coarse in the middle)
        and matches the documents having a term in any of them, each scoring the range's boost
        (``constantscore``, the default).  The same term ranges are taken here as intervals of
        the field's sortable values: one comparison over the column, two or more only where
        Whoosh's split does not cover one interval (a start past the end covers none).  Under a
        boost of 0 or less Whoosh's union of the terms keeps no document, unless the range is
        one term: such ranges are left to it, as are those without a column.
        """
        if not node.constantscore or not node.boost > 0:
            return None
        values = self.column(searcher, node.fieldname)
        if values is None:
            return None
        spans = _intervals(searcher.schema[node.fieldname], node)
        if spans is None:
            return None
        mask = np.zeros(self.size, bool)
        for low, high in spans:
            within = values >= low
            within &= values <= high
            mask |= within
        return Matches(mask, _constant(mask, node.boost))

    def _union(self, searcher, children) -> Matches:
        """An ``Or``: every child's documents, their scores added up in the children's order.

        An unboosted ``Or`` as the first child (the compiler nests a word's stem, exact form
        and other-language forms so) adds into the same arrays, without arrays of its own: the
        same sums, bit for bit (see :func:`_flat_or`)."""
        out = self._empty()
        for child in _flat_or(children):
            found = self._node(searcher, child)
            if isinstance(found, Few):
                out.mask[found.ids] = True
                out.scores[found.ids] += found.scores
            else:
                out.mask |= found.mask
                out.scores += found.scores
        return out

    def _coordinated(self, searcher, children, weights) -> Matches:
        """A ``Coordinated``: an ``Or`` whose scores are scaled by the share of the children's
        weights each document matches (see ``search.coordinated``)."""
        out = self._empty()
        matched = np.zeros(self.size)
        for child, weight in zip(children, weights, strict=True):
            found = self._node(searcher, child)
            if isinstance(found, Few):
                out.mask[found.ids] = True
                out.scores[found.ids] += found.scores
                matched[found.ids] += weight
            else:
                out.mask |= found.mask
                out.scores += found.scores
                matched += _constant(found.mask, weight)
        out.scores *= matched / (sum(weights) or 1.0)
        return out

    @staticmethod
    def _boosted(found: Matches, node) -> Matches:
        boost = getattr(node, "boost", 1.0)
        if boost != 1.0:
            found.scores *= boost
        return found

    def _term(self, searcher, node: wq.Term) -> Few:
        postings = self.postings(searcher, node.fieldname, node.text)
        if not len(postings.ids):
            return _NONE
        field = searcher.schema[node.fieldname]
        if field.scorable:
            scores = self._bm25(searcher, node.fieldname, postings, len(postings.ids)) * node.boost
        else:  # Whoosh scores an unscorable field by the posting's weight
            scores = postings.weights.astype(np.float64) * node.boost
        return Few(postings.ids, scores)

    def _translated(self, searcher, node: Translated) -> Few:
        """A word's translations as one term: their weighted frequencies summed per document and
        over the archive, then BM25F (see ``search.translated``)."""
        found = [(self.postings(searcher, node.fieldname, text), weight) for text, weight in node.alternatives]
        found = [(postings, weight) for postings, weight in found if len(postings.ids)]
        if not found:
            return _NONE
        if len(found) == 1:
            ids, tf = found[0][0].ids, found[0][0].weights.astype(np.float64) * found[0][1]
        else:
            ids, where = np.unique(np.concatenate([p.ids for p, _ in found]), return_inverse=True)
            weighted = np.concatenate([p.weights.astype(np.float64) * w for p, w in found])
            # with weights, bincount counts in float64: numpy's stubs say intp
            tf = np.bincount(where, weights=weighted, minlength=len(ids))  # type: ignore[assignment]
        frequency = sum(weight * len(postings.ids) for postings, weight in found)
        scores = self._bm25(searcher, node.fieldname, Postings(ids, tf), frequency) * node.boost
        return Few(ids, scores)

    def _bm25(self, searcher, fieldname: str, postings: Postings, frequency: float) -> np.ndarray:
        """Whoosh's BM25F for each posting; ``frequency``: the documents with the term, deleted
        ones included (the term statistics Whoosh's IDF reads: each posting is a document)."""
        idf = log(self.size / (frequency + 1)) + 1
        tf = postings.weights.astype(np.float64)
        K1 = self.weighting.K1
        # idf * ((tf * (K1 + 1)) / (tf + norm)), in two new arrays instead of five: the same
        # operations on the same operands (a sum and a product are the same either way round)
        out = tf * (K1 + 1)
        lengths = self.norm(searcher, fieldname)[postings.ids]
        lengths += tf
        out /= lengths
        out *= idf
        return out

    def _phrase(self, searcher, node: wq.Phrase) -> Few:
        """Documents where the words follow each other; scored, as Whoosh does, by the words' BM25F."""
        key = ("p", node.fieldname, tuple(node.words))
        cached = self.cache.get(key)
        if cached is None:
            cached = self._phrase_postings(searcher, node)
            self.cache.put(key, cached, cached.nbytes)
        if not len(cached.ids):
            return _NONE
        return Few(cached.ids, cached.weights * node.boost)

    def _phrase_postings(self, searcher, node: wq.Phrase) -> Postings:
        words = list(node.words)
        if not words:
            return _EMPTY
        lists = [self.postings(searcher, node.fieldname, word) for word in words]
        if any(not len(found.ids) for found in lists):
            return _EMPTY
        common = lists[0].ids
        for found in lists[1:]:
            common = np.intersect1d(common, found.ids, assume_unique=True)
        if not len(common):
            return _EMPTY
        where = [np.searchsorted(found.ids, common) for found in lists]
        # Positions are read only for the documents holding every word (a phrase of two
        # common words is in far fewer documents than either word).
        # A phrase starts at (document, position) when word k is at (document, position + k)
        # for every k: (document index << 32 | position) keys, sorted, compared at once.
        owner, positions = self._positions(searcher, node.fieldname, words[0], common)
        starts = owner << 32 | positions
        for step, word in enumerate(words[1:], 1):
            owner, positions = self._positions(searcher, node.fieldname, word, common)
            keys = owner << 32 | positions
            wanted = starts + step
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            starts = starts[keys[at] == wanted]
            if not len(starts):
                break
        keep = np.zeros(len(common), bool)
        keep[starts >> 32] = True
        ids = common[keep]
        scores = np.zeros(len(ids))
        for found, index in zip(lists, where, strict=True):
            chosen = index[keep]
            scores += self._bm25(
                searcher, node.fieldname, Postings(found.ids[chosen], found.weights[chosen]), len(found.ids)
            )
        return Postings(ids, scores)

    def _whoosh(self, searcher, node) -> Matches:
        """Any other query type, matched and scored by Whoosh's own matcher."""
        out = self._empty()
        context = searcher.context()
        for leaf, offset in searcher.leaf_searchers():
            matcher = node.matcher(leaf, context)
            ids, scores = [], []
            while matcher.is_active():
                ids.append(matcher.id() + offset)
                scores.append(matcher.score())
                matcher.next()
            if ids:
                out.mask[ids] = True
                out.scores[ids] = scores
        return out


def _zeroed(found: Matches) -> Matches:
    """``found`` with the scores of the documents outside its mask set to 0, in place.

    Multiplied by the mask rather than ``np.where(mask, scores, 0.0)``: a third of its time at
    100,000 releases, and the same scores (x times 1.0 is x; a score is a finite number of at
    least 0, and times 0.0 it is 0.0)."""
    np.multiply(found.scores, found.mask, out=found.scores)
    return found


def _constant(mask: np.ndarray, score) -> np.ndarray:
    """``score`` where ``mask`` is set, 0 elsewhere (as ``np.where(mask, score, 0.0)``)."""
    return np.multiply(mask, float(score), dtype=np.float64)


def _union(node) -> bool:
    """An ``Or`` evaluated as the union of its children (any other is left to Whoosh), unless it
    is a ``Coordinated``, which is tested first."""
    return isinstance(node, wq.Or) and not node.minmatch and node.scale is None


def _plain_or(node) -> bool:
    """An unboosted ``Or`` that :meth:`GenerationScorer._node` evaluates as a plain union."""
    return _union(node) and not isinstance(node, Coordinated) and getattr(node, "boost", 1.0) == 1.0


def _flat_or(children):
    """``children``, a first child that is an unboosted plain ``Or`` replaced by its own
    children, and so on down: ``((a OR b) OR c) OR d``, as the compiler nests a word's forms,
    becomes ``a, b, c, d``.  Only a first child: the parent's sum is still zero when it comes,
    so adding its children one by one gives the same floating-point sum as adding their sum; a
    later child is added as one sum, as before."""
    children = list(children)
    if children and _plain_or(children[0]):
        yield from _flat_or(children[0].subqueries)
        yield from children[1:]
    else:
        yield from children


def _intervals(field, node: wq.NumericRange) -> "tuple[tuple[int, int], ...] | None":
    """The sortable values whose terms Whoosh's ``NumericRange`` matches, as intervals (ends
    included, merged, in order), from the term ranges it builds (``_compile_query``); None where
    Whoosh refuses the range (an end out of the field's bounds, not a number)."""
    try:
        start, end = (None if x is None else int(field.prepare_number(x)) for x in (node.start, node.end))
    except (ValueError, TypeError, ArithmeticError):
        return None
    return _spans(field.bits, field.signed, field.shift_step, start, end, bool(node.startexcl), bool(node.endexcl))


@lru_cache(maxsize=4096)  # the same ranges come back (a query's many copies of one, the next page)
def _spans(bits: int, signed: bool, shift_step: int, start, end, startexcl: bool, endexcl: bool):
    spans = []
    for first, last, shift in tiered_ranges(int, bits, signed, start, end, shift_step, startexcl, endexcl):
        # The terms of this shift from ``first >> shift`` to ``last >> shift``: each document's
        # value is indexed at every shift as ``value >> shift``.
        low, high = first >> shift, last >> shift
        if not (0 <= low < 2**bits and 0 <= high < 2**bits):
            return None  # Whoosh cannot write the term: its matcher raises
        if low <= high:
            spans.append((low << shift, ((high + 1) << shift) - 1))
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def top(
    mask: np.ndarray,
    scores: np.ndarray,
    start: int,
    end: int,
    ties: np.ndarray | None = None,
    first: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Documents ``start:end`` of those in ``mask`` by score, best first, ties by document number
    (or by ``ties[document]``, then document number); with ``first``, the documents it marks
    before the others, each part by score."""
    candidates = np.flatnonzero(mask)
    if not len(candidates) or start >= len(candidates):
        return []
    values = scores[candidates]
    if end < len(candidates) and first is None:
        threshold = -np.partition(-values, end - 1)[end - 1]
        keep = values >= threshold  # every document tied at the cut stays, for a stable order
        candidates, values = candidates[keep], values[keep]
    keys: tuple[np.ndarray, ...] = (candidates, -values) if ties is None else (candidates, ties[candidates], -values)
    if first is not None:
        keys += (~first[candidates],)
    order = np.lexsort(keys)[start:end]
    return [(int(candidates[i]), float(values[i])) for i in order]
