"""Everything the project does below Whoosh's public API, in one module, for one Whoosh version.

The fast scorer (``search.scoring``) and the bulk segment writer (``index.segments``) read and
write Whoosh's files directly, and a few classes hook into Whoosh's query, writer and corrector
classes where Whoosh offers no public way in.  Every such use -- a private attribute, a
private method overridden or called, a module below the documented API (the W3 codec, the
structured files, the automata) -- is here, behind a named function or class; the rest of the
project calls these and uses Whoosh's public API only (``tests/test_whoosh_fence.py`` fails
when another module reaches past it).

These names change between Whoosh versions without notice, so the module refuses to load
under any Whoosh but the one it was written for (``WRITTEN_FOR``; ``pyproject.toml`` pins the
same).  To move to another version: install it, check each function here against its source,
run the contract tests (``tests/test_contract_*.py``: the fast engine against Whoosh's own
matchers and writer), then change ``WRITTEN_FOR`` and the pin together.

What this module knows of Whoosh 2.7.5's W3 codec:

- a segment reader (``SegmentReader``) keeps its terms reader in ``_terms``, its per-document
  reader in ``_perdoc`` and its segment in ``_segment``;
- a term's postings are blocks of up to 128; the block matcher (``W3LeafMatcher``) decodes one
  into ``_data`` (document numbers as gaps, the first from 0; weights as None when all are 1,
  one float when all are equal, else one each; encoded values) with ``_read_data``, and moves
  on with ``_next_block``; a short list is inlined in the term info (a list matcher);
- field lengths are a column per field named ``_lenfield(field)``, one byte per document, the
  length coded by ``length_to_byte``;
- a per-document reader keeps each column's file in ``_colfiles``;
- ``Positions`` values are a 4-byte frequency, then a protocol-2 pickle of the position gaps;
- a segment writer finishes its segment in ``_flush_segment`` and ``_finalize_segment``, and a
  writer commits a list of segments with ``_close_segment``, ``_commit_toc`` and ``_finish``.
"""

import zlib
from array import array
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain
from operator import sub
from pickle import dumps, loads

import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, _lenfield
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import EmptyReader, SegmentReader
from whoosh.spelling import ListCorrector
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte, tiered_ranges
from whoosh.writing import SegmentWriter

__all__ = [
    "WRITTEN_FOR",
    "WhooshVersionError",
    "check_version",
    "UnsupportedIndex",
    "check_readable",
    "segment_of",
    "length_bytes",
    "bm25f_b",
    "posting_gaps",
    "posting_values",
    "preload_columns",
    "stored_fields_reader",
    "decode_positions",
    "positions_values",
    "frequency_values",
    "byte_to_length",
    "length_to_byte",
    "tiered_ranges",
    "BulkWriterBase",
    "BlockPostingsWriter",
    "block_writer",
    "commit_segments",
    "RankedListCorrector",
    "levenshtein_matches",
]

WRITTEN_FOR = (2, 7, 5)  # whoosh-reloaded, as pinned in pyproject.toml


class WhooshVersionError(ImportError):
    """The installed Whoosh is not the version this module was written for."""


def check_version(found=None) -> None:
    """Refuse any Whoosh but ``WRITTEN_FOR`` (``found``: the installed one's ``__version__``)."""
    found = tuple(whoosh.__version__ if found is None else found)
    if found != WRITTEN_FOR:
        wanted, have = (".".join(map(str, v)) for v in (WRITTEN_FOR, found))
        raise WhooshVersionError(
            f"Whoosh {have} is installed, but index/whoosh_internals.py reads and writes Whoosh's files "
            f"below its public API as Whoosh {wanted} does: install whoosh-reloaded=={wanted} (make setup), "
            f"or check that module against Whoosh {have}, run the contract tests (tests/test_contract_*.py) "
            "and change WRITTEN_FOR and the pin in pyproject.toml together"
        )


check_version()


# --- reading: what the fast scorer reads ------------------------------------------------------


class UnsupportedIndex(Exception):
    """An index this version does not read: not in Whoosh's W3 format as the project writes it."""


def check_readable(searcher) -> None:
    """Raise :class:`UnsupportedIndex` unless every segment under ``searcher`` is one the fast
    scorer reads: a W3 segment (what Whoosh 2.7 and the bulk writer write), or no segment at all."""
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        if type(reader) is EmptyReader:
            continue  # an index without documents: nothing to read
        if not isinstance(reader, SegmentReader):
            raise UnsupportedIndex(f"a {type(reader).__name__} is not a Whoosh segment reader")
        codec = reader._segment.codec()
        if type(codec) is not W3Codec:
            raise UnsupportedIndex(
                f"segment {reader._segment.segment_id()} is written with {type(codec).__name__}, not Whoosh's W3 codec"
            )


def segment_of(reader):
    """The ``Segment`` a segment reader reads (None for another reader)."""
    return getattr(reader, "_segment", None)


def length_bytes(reader, fieldname: str) -> bytes | None:
    """Each document's field length in a segment as Whoosh stores it, one byte a document
    (``byte_to_length`` decodes it; 0: no length); None when the segment has no lengths for the field."""
    perdoc = reader._perdoc
    lenfield = _lenfield(fieldname)
    preload_columns(reader, (lenfield,))
    if not perdoc.has_column(lenfield):
        return None
    column = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
    return bytes(map(column.__getitem__, range(reader.doc_count_all())))


def bm25f_b(weighting, fieldname: str) -> float:
    """The ``B`` Whoosh's ``BM25F`` uses for a field (its per-field setting, else its own ``B``)."""
    return weighting._field_B.get(fieldname, weighting.B)


def posting_gaps(reader, fieldname: str, btext: bytes, values: bool = False) -> tuple[list, list, list]:
    """A term's postings in one segment, read whole: the gaps between their document numbers (the
    first from 0), their weights, and with ``values`` each posting's encoded value (else [])."""
    field = reader.schema[fieldname]
    matcher = reader._terms.matcher(fieldname, btext, field.format)
    gaps: list[int] = []
    weights: list[float] = []
    found_values: list[bytes] = []
    if hasattr(matcher, "_read_data"):  # W3LeafMatcher: the postings in blocks
        previous = 0
        while not matcher._atend:
            matcher._read_data()
            block_ids, block_weights, block_values = matcher._data
            count = matcher._blocklength
            start = len(gaps)
            gaps.extend(block_ids)
            gaps[start] -= previous  # each block's first gap is from 0, not from the last block
            previous = matcher._maxid
            if block_weights is None:
                weights.extend([1.0] * count)
            elif isinstance(block_weights, float):
                weights.extend([block_weights] * count)
            else:
                weights.extend(block_weights)
            if values:
                found_values.extend(block_values)
            matcher._next_block()
    else:  # a short posting list inlined in the term info
        previous = 0
        for docnum in matcher.all_ids():
            gaps.append(docnum - previous)
            previous = docnum
        matcher.reset()
        while matcher.is_active():
            weights.append(matcher.weight())
            if values:
                found_values.append(matcher.value())
            matcher.next()
    return gaps, weights, found_values


def posting_values(reader, fieldname: str, btext: bytes, within) -> dict[int, bytes]:
    """A term's encoded posting values in the documents ``within`` (segment document numbers,
    sorted), by document number; a posting block that holds none of them is not read."""
    field = reader.schema[fieldname]
    matcher = reader._terms.matcher(fieldname, btext, field.format)
    wanted = set(within)
    found: dict[int, bytes] = {}
    if hasattr(matcher, "_read_data"):  # W3LeafMatcher: the postings in blocks
        first = 0  # the lowest document number the current block can hold
        while not matcher._atend:
            last = matcher._maxid
            at = bisect_left(within, first)
            if at < len(within) and within[at] <= last:
                matcher._read_data()
                block_ids, _, block_values = matcher._data
                for docnum, value in zip(accumulate(block_ids), block_values, strict=True):
                    if docnum in wanted:
                        found[docnum] = value
            first = last + 1
            matcher._next_block()
    else:  # a short posting list inlined in the term info
        while matcher.is_active():
            if matcher.id() in wanted:
                found[matcher.id()] = matcher.value()
            matcher.next()
    return found


def stored_fields_reader(searcher):
    """A function giving a document's stored fields (by its number in ``searcher``), as
    ``searcher.stored_fields`` does, from its segment's per-document reader.

    Whoosh's segment reader copies each document's fields into a new dictionary to leave out
    fields no longer in the schema; a generation's schema never changes, and the copy was a
    fifth of the time of reading a hit's fields."""
    leaves = searcher.leaf_searchers()
    offsets = [offset for _, offset in leaves]
    perdocs = [leaf.reader()._perdoc for leaf, _ in leaves]

    def stored_fields(docnum: int) -> dict:
        at = bisect_right(offsets, docnum) - 1
        if docnum < 0 or at < 0:
            raise IndexError(docnum)
        return perdocs[at].stored_fields(docnum - offsets[at])

    return stored_fields


def preload_columns(reader, names) -> None:
    """Read whole columns into memory in one read per segment, for ``reader`` only.

    The index is read from files, not mapped (see ``IndexStore.open``): reading a column
    value by value would cost a seek and a read per document, seconds per column at
    100,000 releases. Whoosh's per-document reader keeps the file of each column it has
    opened; this hands it the column's bytes instead.
    """
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    for leaf, _ in leaves:
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_get_column_file"):
            continue  # not Whoosh's W3 codec: columns are read the ordinary way
        for name in names:
            if name in perdoc._colfiles or not perdoc.has_column(name):
                continue
            colfile, offset, length = perdoc._get_column_file(name)
            data = colfile.get(offset, length)
            colfile.close()
            perdoc._colfiles[name] = (BufferFile(data, name=name), 0, length)


_INT_SIZE = 4  # Whoosh's Positions format: a 4-byte frequency, then the pickled position deltas
_PROTOCOL_2 = b"\x80\x02"  # the PROTO opcode a pickle of protocol 2 starts with


def decode_positions(values: list[bytes]):
    """The positions of many ``Positions`` posting values at once, as two numpy arrays of the
    same length: which value each position is of (its index in ``values``), and the position;
    in order of value, then of position."""
    import numpy as np  # only searching needs it (an incremental build starts sooner without)

    if {(v[_INT_SIZE : _INT_SIZE + 2], v[-1:]) for v in values} <= {(_PROTOCOL_2, b".")}:
        # Each value's pickle is a list of protocol 2 (Whoosh's ``Positions.encode``, the bulk
        # writer's ``positions_values``): their bodies, joined between a mark and a LIST
        # opcode, are one pickle of the list of them, unpickled in one call.
        bodies = b"".join([v[_INT_SIZE + 2 : -1] for v in values])
        deltas = loads(b"".join((_PROTOCOL_2, b"(", bodies, b"l.")))
    else:
        deltas = [loads(v[_INT_SIZE:] if v.endswith(b".") else v[_INT_SIZE:] + b".") for v in values]
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    running = np.cumsum(flat)
    # Each value's deltas start from 0: take away the running sum before its first.
    before = np.concatenate(([0], running))[np.cumsum(counts) - counts]
    return np.repeat(np.arange(len(values)), counts), running - np.repeat(before, counts)


# --- writing: what the bulk writer writes -------------------------------------------------------

# Posting blocks are compressed when full (BLOCK_POSTINGS postings) or of COMPRESS_FROM bytes or more,
# others stored uncompressed: zlib costs about as much on a small block as on a full one
# (docs/benchmarks-history.md). A full block without positions (Whoosh's Frequency format) is
# under 2,000 bytes, and a third of that compressed.
COMPRESS_FROM = 2500  # bytes
BLOCK_POSTINGS = 128
# Whoosh pickles a block's data with protocol 2, which has no bytes type: each posting's value
# becomes a call to codecs.encode on a string.  Its reader loads any protocol; with protocol 5
# a block is smaller and several times faster to write and to read (docs/benchmarks.md).
BLOCK_PICKLE = 5


class BulkWriterBase(SegmentWriter):
    """Whoosh's ``SegmentWriter`` with its private hooks given names, for a writer that adds
    documents its own way (``index.segments.BulkSegmentWriter``).

    A subclass checks each document with :meth:`check_document` and reports it added with
    :meth:`document_added`; writes the segment's postings (and closes the per-document writer)
    in :meth:`write_postings`, through :func:`block_writer`; and may act on the finished
    segment in :meth:`segment_written`.  ``locked=False``: the writer does not take the index's
    lock (another writer holds it and commits the segments, :func:`commit_segments`).
    """

    def __init__(self, ix, locked: bool = True, **kwargs):
        super().__init__(ix, _lk=locked, **kwargs)

    def check_document(self, names) -> None:
        """Raise as Whoosh's ``add_document`` does for a closed writer or an unknown field."""
        self._check_state()
        self._check_fields(self.schema, names)

    def document_added(self) -> None:
        self._added = True

    def write_postings(self) -> None:
        raise NotImplementedError

    def segment_written(self, segment) -> None:
        """Called with the segment once its files are assembled (a compound file, if so)."""

    def finish_segment(self):
        """Write the segment and give it, not yet in the index's table of contents."""
        return self._finalize_segment()

    def discard(self) -> None:
        """Close the writer without writing a segment."""
        self._close_segment()

    def _flush_segment(self):
        self.write_postings()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        self.segment_written(segment)
        return segment


def commit_segments(writer, segments) -> None:
    """Make ``segments`` (written by other writers, in order) the index's segments, through
    ``writer``: the writer from ``ix.writer()`` that holds the index's lock and wrote nothing."""
    writer._close_segment()
    writer._commit_toc(list(segments))
    writer._finish()


class BlockPostingsWriter(W3PostingsWriter):
    """Whoosh's W3 posting writer, given a term's postings a block at a time (:meth:`add_all`)."""

    def __init__(self, postfile):
        super().__init__(postfile, blocklimit=BLOCK_POSTINGS, compression=3, inlinelimit=1)

    def add_all(self, docs, weights, values, lengths: array) -> None:
        """Every posting of the term being written; ``lengths`` holds each document's length byte."""
        limit = self._blocklimit
        count = len(docs)
        for start in range(0, count, limit):
            end = min(start + limit, count)
            self._ids = docs[start:end] if type(docs) is array else array("I", docs[start:end])
            self._weights = weights[start:end] if type(weights) is array else array("f", weights[start:end])
            self._values = values[start:end]
            self._maxweight = max(self._weights)
            # As Whoosh: a document whose length byte is 0 has no length in the block statistics.
            found = bytes(map(lengths.__getitem__, self._ids))
            longest = max(found)
            self._minlength = byte_to_length(min(found.replace(b"\0", b""))) if longest else None
            self._maxlength = byte_to_length(longest) if longest else 0
            if end < count:  # the last block is left for finish_postings(), as Whoosh does
                self._write_block()

    def _mini_ids(self):
        """Whoosh's: the document numbers as differences, made in C."""
        ids = self._ids
        return tuple(map(sub, ids, chain((0,), ids)))

    def _mini_weights(self):
        """Whoosh's: None when every weight is 1, the one weight when all are equal, else all."""
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)

    def _write_block(self, last=False):
        """Whoosh's ``W3PostingsWriter._write_block``, leaving small blocks uncompressed (Whoosh's
        own code means to, under 20 bytes, but then compresses every block), the block's data
        pickled with ``BLOCK_PICKLE``."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PICKLE)
        full = len(self._ids) >= BLOCK_POSTINGS
        compression = self._compression if full or len(databytes) >= COMPRESS_FROM else 0
        if compression:
            databytes = zlib.compress(databytes, compression)
        ids = self._ids
        infobytes = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                compression,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


def block_writer(fieldwriter) -> BlockPostingsWriter:
    """Make a :class:`BlockPostingsWriter` the posting writer of a W3 field writer (the field's
    terms are then started and finished through the field writer as usual)."""
    postings = fieldwriter._postwriter = BlockPostingsWriter(fieldwriter._postfile)
    return postings


class _Singles(dict):
    """Position -> the value of a posting with that one position (most postings), made once."""

    def __missing__(self, position: int) -> bytes:
        value = self[position] = pack_uint(1) + dumps([position], 2)
        return value


_SINGLE = _Singles()
MANY_POSTINGS = 64  # a term with this many postings has its values encoded with numpy
# The pickle (protocol 2) of a list of several small numbers: a new list, memoised, a mark, the
# numbers (K: one byte, M: two, J: four, little-endian), append the marked items, stop.
_LIST_START, _LIST_END = b"\x80\x02]q\x00(", b"e."
_PICKLE_BATCH = 1000  # pickle appends a list's items a thousand at a time


def positions_values(frequencies: array, positions: array) -> list[bytes]:
    """Whoosh's Positions encoding of each posting: the frequency, then the pickled position deltas."""
    if len(frequencies) >= MANY_POSTINGS and max(frequencies) <= _PICKLE_BATCH:
        return _positions_values_at_once(frequencies, positions)
    single = _SINGLE
    out = []
    at = 0
    for frequency in frequencies:
        if frequency == 1:  # most postings: made once per position
            position = positions[at]
            value = single.get(position)
            if value is None:
                value = single[position] = pack_uint(1) + dumps([position], 2)
            out.append(value)
            at += 1
            continue
        found = positions[at : at + frequency].tolist()
        at += frequency
        for i in range(frequency - 1, 0, -1):
            found[i] -= found[i - 1]
        out.append(pack_uint(frequency) + dumps(found, 2))
    return out


def frequency_values(frequencies: array) -> list[bytes]:
    """Whoosh's Frequency encoding of each posting: its frequency as a 4-byte unsigned int."""
    return list(map(pack_uint, frequencies))


def _positions_values_at_once(frequencies: array, positions: array) -> list[bytes]:
    """``positions_values`` for a term of many postings: the pickles of the postings with several
    positions written byte by byte into one buffer by numpy, then cut apart."""
    import numpy as np

    freq = np.frombuffer(frequencies, np.uint32).astype(np.int64)
    pos = np.frombuffer(positions, np.uint32).astype(np.int64)
    first = np.cumsum(freq) - freq  # each posting's first position
    several = freq > 1
    singles = map(_SINGLE.__getitem__, pos[first[~several]].tolist())
    if not several.any():
        return list(singles)
    deltas = pos.copy()
    deltas[1:] -= pos[:-1]
    deltas[first] = pos[first]
    items = deltas[np.repeat(several, freq)]  # the positions of the postings with several
    counts = freq[several]
    width = np.where(items < 256, 2, np.where(items < 65536, 3, 5))
    owner = np.repeat(np.arange(len(counts)), counts)
    size = (
        4
        + len(_LIST_START)
        + np.bincount(owner, weights=width, minlength=len(counts)).astype(np.int64)
        + len(_LIST_END)
    )
    end = np.cumsum(size)
    start = end - size
    buffer = np.zeros(int(end[-1]), np.uint8)
    for k in range(4):  # the frequency, a big-endian unsigned int (whoosh.system.pack_uint)
        buffer[start + k] = (counts >> (8 * (3 - k))) & 0xFF
    for k, byte in enumerate(_LIST_START):
        buffer[start + 4 + k] = byte
    buffer[end - 2], buffer[end - 1] = _LIST_END
    before = np.cumsum(width) - width
    at = start[owner] + 4 + len(_LIST_START) + before - before[(np.cumsum(counts) - counts)][owner]
    buffer[at] = np.where(width == 2, ord("K"), np.where(width == 3, ord("M"), ord("J")))
    buffer[at + 1] = items & 0xFF
    wide = width >= 3
    buffer[at[wide] + 2] = (items[wide] >> 8) & 0xFF
    widest = width == 5
    buffer[at[widest] + 3] = (items[widest] >> 16) & 0xFF
    buffer[at[widest] + 4] = (items[widest] >> 24) & 0xFF
    blob = buffer.tobytes()
    multiple = iter([blob[a:b] for a, b in zip(start.tolist(), end.tolist(), strict=True)])
    take = (singles.__next__, multiple.__next__)
    return [take[s]() for s in several.tolist()]


# --- hooks into Whoosh's query and corrector classes ------------------------------------------


class RankedListCorrector(ListCorrector):
    """Whoosh's list corrector with its ranking of suggestions given a name: :meth:`rank` turns
    the score Whoosh gives a word (minus its edit distance) into the one suggestions sort by."""

    def rank(self, score, text: str, word: str):  # noqa: ARG002 - the default keeps Whoosh's
        return score

    def _suggestions(self, text, maxdist, prefix):
        for score, word in super()._suggestions(text, maxdist, prefix):
            yield self.rank(score, text, word), word


def levenshtein_matches(text: str, distance: int, first_from) -> list[str]:
    """The words at most ``distance`` edits from ``text`` among those ``first_from(key)`` walks
    (the first word at or after ``key``, in sorted order, or None), by Whoosh's automaton."""
    from whoosh.automata.fsa import find_all_matches
    from whoosh.automata.lev import levenshtein_automaton

    automaton = levenshtein_automaton(text, distance, 0).to_dfa()
    return list(find_all_matches(automaton, first_from))
