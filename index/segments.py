"""Writing a full build's Whoosh segments quickly: postings gathered per term, slices in parallel.

Whoosh's ``SegmentWriter`` turns every posting into a tuple in a sorting pool (spilled to disk
and merged back when it grows), then, writing the segment, looks each posting's field length up
in the column file it has just written and hands postings one by one to the posting writer.
For a full build all of that can be done in bulk, and :class:`BulkSegmentWriter` does:

- a release's text fields go through the index's own analyser once, their terms kept as
  numbers; every thousand or so documents numpy groups them by term, and each term's
  documents, frequencies and positions are appended to arrays kept per term (documents come
  in order, so nothing needs sorting but the terms themselves);
- the other indexed fields' values repeat (dates, years, countries): each value is analysed
  once per segment;
- field lengths are kept in memory as they are counted;
- each posting list is written in Whoosh's W3 block format, a block of up to 128 postings at
  a time, with the block statistics (lengths, weights) from those arrays; blocks too small
  for compression to pay (zlib costs more to start than it saves on a few dozen bytes) are
  left uncompressed, as Whoosh's block format allows for each block; the posting values of
  frequent terms are encoded with numpy, and a block's data is pickled with a protocol that
  has a type for bytes (``BLOCK_PICKLE``).

What is written is what Whoosh's writer writes for the same documents (the same terms,
postings, positions, lengths, stored fields and columns: ``tests/test_segments.py``
compares the two), in the same files, readable by any Whoosh reader (the blocks' pickles
are of a newer protocol than Whoosh's writer uses; its reader loads any).

:func:`write_full` writes a list of releases as contiguous slices, one forked process per
slice, each slice as one or more segments, and commits them in order, so document numbers
follow the order of the list.
"""

import multiprocessing
import os
import zlib
from array import array
from collections import defaultdict
from functools import partial
from itertools import chain, count
from operator import sub
from pathlib import Path
from pickle import dumps, loads

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter
from whoosh.formats import Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import FoldingStemTokenizer, words_and_folded
from . import forked, vocabulary
from .posting_arrays import PostingArrays

ARRAYS_FROM = 16  # documents: a text term in this many or more also gets raw arrays (PostingArrays)
# Postings gathered in memory before a segment is written (about 140 MB): each of the two
# processes of a 100,000-release build writes one segment (searches look terms up per segment).
SEGMENT_POSTINGS = 8_000_000
COMPRESS_FROM = 2500  # bytes: smaller posting blocks are stored uncompressed
# Whoosh pickles a block's data with protocol 2, which has no bytes type: each posting's value
# becomes a call to codecs.encode on a string.  Its reader loads any protocol; with protocol 5
# a block is 40 % smaller and seven times faster to write and to read.
BLOCK_PICKLE = 5
MEMO_VALUES = 50_000  # distinct values of a field whose postings a writer remembers


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for adding many documents at once: one segment, postings in memory.

    Documents can only be added (no deletions, no other segments merged in): it is meant for
    the segments of a new index.  Fields must not use boosts, vectors or separate spelling.
    """

    def __init__(self, ix, vocabulary_fields=(), **kwargs):
        super().__init__(ix, **kwargs)
        # The archive's vocabulary (index.vocabulary), from the words of these fields as they are analysed.
        self.vocabulary_fields = frozenset(vocabulary_fields)
        self.tally = vocabulary.Tally()
        self._terms: dict[str, dict] = {}  # field -> term -> [documents, weights, values]
        self._gathering: dict[str, _Gathering] = {}  # the same, for the text fields analysed here
        self._lengths: dict[str, array] = {}  # field -> length byte per document
        self._fast: dict[str, FoldingStemTokenizer] = {}  # text fields analysed here directly
        # field -> value -> its postings, for fields whose values repeat (dates, years, countries...):
        # Whoosh's field.index() costs more than all the rest of such a field's work.
        self._memo: dict[str, dict] = {}
        self.postings = 0
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and separate spelling are not supported")
            items = getattr(getattr(field, "analyzer", None), "items", None)
            if (field.indexed and type(field.format) is Positions and field.format.field_boost == 1.0
                    and items and len(items) == 1 and isinstance(items[0], FoldingStemTokenizer)):
                self._fast[name] = items[0]
        if self.vocabulary_fields - set(self._fast):
            raise ValueError("the vocabulary is counted from text fields with the project's analysers only")

    def add_document(self, **fields):
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(n for n in fields if not n.startswith("_"))
        if any(n.startswith("_") and not n.startswith("_stored_") for n in fields):
            raise ValueError("boosts are not supported by the bulk writer")
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                length = self._index(name, field, value, docnum)
                if length:
                    lengths = self._lengths.get(name)
                    if lengths is None:
                        lengths = self._lengths[name] = array("B")
                    if len(lengths) < docnum:
                        lengths.extend(bytes(docnum - len(lengths)))
                    lengths.append(length_to_byte(length))
            stored = fields.get(f"_stored_{name}", value)
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _index(self, name: str, field, value, docnum: int) -> int:
        """Gather the postings of one field of one document; its length (0 if not scored)."""
        tokenizer = self._fast.get(name)
        if tokenizer is not None:
            # As Whoosh's Positions format: position = index among the words kept, weight = frequency.
            words, folded = words_and_folded(value)
            if name in self.vocabulary_fields:
                self.tally.add(words, folded, value.isascii())
            kept = tokenizer.terms_of_folded(folded)
            if kept:
                gathering = self._gathering.get(name)
                if gathering is None:
                    gathering = self._gathering[name] = _Gathering()
                self.postings += gathering.add(docnum, kept)
            return len(kept)
        terms = self._terms.get(name)
        if terms is None:
            terms = self._terms[name] = {}
        postings = None
        memo = None if field.unique else self._memo.setdefault(name, {})
        if memo is not None:
            try:
                postings = memo.get(value)
            except TypeError:  # a value that cannot be a key (a list of keywords)
                memo = None
        if postings is None:
            postings = tuple(field.index(value))
            if memo is not None and len(memo) < MEMO_VALUES:
                memo[value] = postings
        length = 0
        for btext, frequency, weight, vbytes in postings:
            if field.scorable:
                length += frequency
            entry = terms.get(btext)
            if entry is None:
                entry = terms[btext] = ([], [], [])
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
            self.postings += 1
        return length

    def _flush_segment(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        arrays = PostingArrays.writer(self.storage.folder, self.newsegment)
        for name in sorted({*self._terms, *self._gathering}):
            field = self.schema[name]
            fieldwriter.start_field(name, field)
            fieldwriter._postwriter = postings = _BlockWriter(fieldwriter._postfile)
            lengths = self._lengths.get(name, array("B"))
            lengths.extend(bytes(self.docnum - len(lengths)))
            fast = name in self._fast
            terms = self._gathering.pop(name).postings() if fast else self._terms.pop(name)
            for key in sorted(terms):  # code point order is UTF-8 byte order
                docs, weights, values = terms.pop(key)
                fieldwriter.start_term(key.encode("utf-8") if fast else key)
                if fast:
                    values = _positions_values(weights, values)
                    weights = array("f", weights)
                    if len(docs) >= ARRAYS_FROM:
                        arrays.add(name, key, docs, weights)
                postings.add_all(docs, weights, values, lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self._arrays = arrays.close()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        # Named like the segment's files once the segment is assembled (a compound segment takes
        # in every file of its name): Whoosh then deletes it with the segment, after a merge.
        os.replace(self._arrays, PostingArrays.path(self.storage.folder, segment))
        return segment


class _Gathering:
    """A text field's postings in the segment being written, gathered a batch of documents at a time.

    Each document's terms are added as numbers (one per distinct term, in the order first seen);
    every ``BATCH`` documents numpy sorts the batch's terms by number, then position, and each
    term's documents, frequencies and positions are appended to its arrays once per batch instead
    of once per document.
    """

    BATCH = 1024  # documents

    def __init__(self):
        self.numbers: defaultdict = defaultdict(count().__next__)  # term -> its number
        self.entries: list[tuple[array, array, array]] = []  # by number: documents, frequencies, positions
        self._terms, self._docs, self._lengths = array("I"), array("I"), array("I")

    def add(self, docnum: int, terms: list[str]) -> int:
        """Add one document's terms in order; its number of postings (distinct terms)."""
        self._terms.extend(map(self.numbers.__getitem__, terms))
        self._docs.append(docnum)
        self._lengths.append(len(terms))
        if len(self._docs) >= self.BATCH:
            self.gather()
        return len(set(terms))

    def gather(self) -> None:
        """Move the pending batch into the terms' arrays."""
        import numpy as np
        n = len(self._terms)
        if not n:
            return
        lengths = np.frombuffer(self._lengths, np.uint32).astype(np.int64)
        # Each term occurrence as (term number, index in the batch): sorted, a term's postings
        # come together, in document order, each document's positions in order.
        keys = np.frombuffer(self._terms, np.uint32).astype(np.uint64) << np.uint64(32)
        keys |= np.arange(n, dtype=np.uint64)
        keys.sort()
        term = (keys >> np.uint64(32)).astype(np.int64)
        at = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
        del keys
        doc_index = np.repeat(np.arange(len(lengths)), lengths)[at]
        starts = np.cumsum(lengths) - lengths
        positions = (at - starts[doc_index]).astype(np.uint32)
        new_posting = np.ones(n, bool)
        new_posting[1:] = (term[1:] != term[:-1]) | (doc_index[1:] != doc_index[:-1])
        first = np.flatnonzero(new_posting)  # each posting's first occurrence
        frequencies = np.diff(np.append(first, n)).astype(np.uint32)
        docs = np.frombuffer(self._docs, np.uint32)[doc_index[first]]
        posting_term = term[first]
        term_first = np.flatnonzero(np.r_[True, posting_term[1:] != posting_term[:-1]])
        term_end = np.append(term_first[1:], len(first))
        occurrence_first = first[term_first]
        occurrence_end = np.append(occurrence_first[1:], n)
        docs, frequencies, positions = (array("I", a.tobytes()) for a in (docs, frequencies, positions))
        entries = self.entries
        while len(entries) < len(self.numbers):
            entries.append((array("I"), array("I"), array("I")))
        for number, a, b, c, d in zip(posting_term[term_first].tolist(), term_first.tolist(), term_end.tolist(),
                                      occurrence_first.tolist(), occurrence_end.tolist()):
            entry = entries[number]
            entry[0].extend(docs[a:b])
            entry[1].extend(frequencies[a:b])
            entry[2].extend(positions[c:d])
        self._terms, self._docs, self._lengths = array("I"), array("I"), array("I")

    def postings(self) -> dict[str, tuple[array, array, array]]:
        """Every term's documents, frequencies and positions (the pending batch gathered first)."""
        self.gather()
        entries, self.entries = self.entries, []
        out = {term: entries[number] for term, number in self.numbers.items()}
        self.numbers.clear()
        return out


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


def _positions_values(frequencies: array, positions: array) -> list[bytes]:
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
        found = positions[at:at + frequency].tolist()
        at += frequency
        for i in range(frequency - 1, 0, -1):
            found[i] -= found[i - 1]
        out.append(pack_uint(frequency) + dumps(found, 2))
    return out


def _positions_values_at_once(frequencies: array, positions: array) -> list[bytes]:
    """``_positions_values`` for a term of many postings: the pickles of the postings with several
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
    size = 4 + len(_LIST_START) + np.bincount(owner, weights=width, minlength=len(counts)).astype(np.int64) \
        + len(_LIST_END)
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
    multiple = iter([blob[a:b] for a, b in zip(start.tolist(), end.tolist())])
    take = (singles.__next__, multiple.__next__)
    return [take[s]() for s in several.tolist()]


class _BlockWriter(W3PostingsWriter):
    """Whoosh's W3 posting writer, given a term's postings a block at a time."""

    def __init__(self, postfile):
        super().__init__(postfile, blocklimit=128, compression=3, inlinelimit=1)

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
        compression = self._compression if len(databytes) >= COMPRESS_FROM else 0
        if compression:
            databytes = zlib.compress(databytes, compression)
        ids = self._ids
        infobytes = dumps((len(ids), ids[-1], self._maxweight, compression, length_to_byte(self._minlength),
                           length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class Spool:
    """Documents pickled one after another into a file, read back by number in any process.

    A large build writes its documents here and lets go of the texts before it forks the
    processes that index them: a forked process that read the parent's objects would copy
    every page it touched (reference counts are writes), doubling the build's memory.
    Reading uses ``os.pread``, so processes forked with the file open share no position in it.
    """

    def __init__(self, path: Path, fd: int, offsets: array):
        self.path, self._fd, self._offsets = path, fd, offsets

    @classmethod
    def write(cls, path: Path, documents) -> "Spool":
        offsets = array("Q", [0])
        with open(path, "wb") as handle:
            for document in documents:
                offsets.append(offsets[-1] + handle.write(dumps(document, 5)))
        return cls(path, os.open(path, os.O_RDONLY), offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, n: int) -> dict:
        start, end = self._offsets[n], self._offsets[n + 1]
        return loads(os.pread(self._fd, end - start, start))

    def close(self) -> None:
        os.close(self._fd)
        self.path.unlink(missing_ok=True)


def write_full(ix, documents, procs: int = 1, min_slice: int = 1, progress=None,
               vocabulary_fields=()) -> vocabulary.Tally:
    """Write ``documents`` (a sequence of ``add_document`` arguments: a list, a :class:`Spool`)
    into the new index ``ix``; the vocabulary of the ``vocabulary_fields``.

    With ``procs`` > 1 the documents are split into up to that many contiguous slices of at
    least ``min_slice`` documents, each written by a forked process; a slice whose postings
    outgrow ``SEGMENT_POSTINGS`` becomes several segments.  The segments are committed in
    order; on any failure nothing is committed.
    ``progress`` (an ``index.progress.Progress``) is moved on as documents are added.
    """
    count = len(documents)
    slice_writer = partial(_write_slice, ix, documents, frozenset(vocabulary_fields))
    writer = ix.writer()  # holds the index's lock; the slices' writers do not take it
    try:
        if procs > 1 and count >= 2 * min_slice:
            done = multiprocessing.get_context("fork").Value("q", 0)

            def report(added: int) -> None:
                with done.get_lock():
                    done.value += added

            on_tick = progress.to if progress is not None else None
            results = forked.map_slices(partial(slice_writer, report), count, procs, min_slice,
                                        counter=done, on_tick=on_tick)
        else:
            results = [slice_writer(progress.update if progress is not None else None, 0, count)]
        tally = vocabulary.Tally()
        for _, part in results:
            tally.merge(part)
        writer._close_segment()  # the lock holder wrote nothing itself
        writer._commit_toc([segment for segments, _ in results for segment in segments])
        writer._finish()
    except BaseException:
        writer.cancel()
        raise
    return tally


def _write_slice(ix, documents, vocabulary_fields, report, start: int, end: int) -> tuple[list, vocabulary.Tally]:
    """The segments holding documents ``start`` to ``end - 1``, in order, and their vocabulary."""
    segments = []
    tally = vocabulary.Tally()
    writer = BulkSegmentWriter(ix, vocabulary_fields, _lk=False)
    added = 0
    # On an error the writer is left as it is: cancelling it would remove the temporary folder
    # the other slices' writers share; the caller's writer cleans up once they are all done.
    for n in range(start, end):
        writer.add_document(**documents[n])
        if writer.postings >= SEGMENT_POSTINGS and n + 1 < end:
            segments.append(writer._finalize_segment())
            tally.merge(writer.tally)
            writer = BulkSegmentWriter(ix, vocabulary_fields, _lk=False)
        added += 1
        if report is not None and (added == 100 or n + 1 == end):
            report(added)
            added = 0
    if writer.docnum:
        segments.append(writer._finalize_segment())
        tally.merge(writer.tally)
    else:
        writer._close_segment()
    return segments, tally

