"""Writing a full build's Whoosh segments quickly: postings gathered per term, slices in parallel.

Whoosh's ``SegmentWriter`` turns every posting into a tuple in a sorting pool (spilled to disk
and merged back when it grows), then, writing the segment, looks each posting's field length up
in the column file it has just written and hands postings one by one to the posting writer.
For a full build all of that can be done in bulk, and :class:`BulkSegmentWriter` does:

- a release's text fields go through the index's own analyser once, their terms kept as
  numbers; every thousand or so documents numpy groups them by term, and each term's
  documents, frequencies and positions are appended to arrays kept per term (documents come
  in order, so nothing needs sorting but the terms themselves), and for a field without
  positions (Whoosh's Frequency format) only documents and frequencies;
- the other indexed fields' values repeat (dates, years, countries): each value is analysed
  once per segment;
- field lengths are kept in memory as they are counted;
- each posting list is written in Whoosh's W3 block format, a block of up to 128 postings at
  a time, with the block statistics (lengths, weights) from those arrays; blocks neither full
  nor large (zlib costs as much to start on a small block as on a full one) are left
  uncompressed, as Whoosh's block format allows for each block; the posting values of
  frequent terms are encoded with numpy, and a block's data is pickled with a protocol that
  has a type for bytes.  That block writer, the encoding of a posting's positions and the
  writer's hooks are Whoosh's private API: they are in ``index.whoosh_internals``.

What is written is what Whoosh's writer writes for the same documents (the same terms,
postings, positions, lengths, stored fields and columns: ``tests/test_contract_segments.py``
compares the two), in the same files, readable by any Whoosh reader (the blocks' pickles
are of a newer protocol than Whoosh's writer uses; its reader loads any).

:func:`write_full` writes a list of releases as contiguous slices, one forked process per
slice, each slice as one or more segments, and commits them in order, so document numbers
follow the order of the list.
"""

import multiprocessing
import os
from array import array
from collections import defaultdict
from functools import partial
from itertools import count

from whoosh.formats import Frequency, Positions

from . import forked, vocabulary
from .analysis import FoldingStemTokenizer, words_and_folded
from .posting_arrays import PostingArrays
from .whoosh_internals import (
    BulkWriterBase,
    block_writer,
    commit_segments,
    frequency_values,
    length_to_byte,
    positions_values,
)

ARRAYS_FROM = 16  # documents: a text term in this many or more also gets raw arrays (PostingArrays)
# Postings gathered in memory before a segment is written (its memory is in docs/benchmarks.md):
# each of the two processes of a 100,000-release build writes one segment (searches look terms up
# per segment).
SEGMENT_POSTINGS = 8_000_000
MEMO_VALUES = 50_000  # distinct values of a field whose postings a writer remembers


class BulkSegmentWriter(BulkWriterBase):
    """A ``SegmentWriter`` for adding many documents at once: one segment, postings in memory.

    Documents can only be added (no deletions, no other segments merged in): it is meant for
    the segments of a new index.  Fields must not use boosts, vectors or separate spelling.
    It reaches Whoosh's writer through ``index.whoosh_internals.BulkWriterBase``; its own
    attributes have public names, so that none can clash with the private state of Whoosh's.
    """

    def __init__(self, ix, vocabulary_fields=(), **kwargs):
        super().__init__(ix, **kwargs)
        # The archive's vocabulary (index.vocabulary), from the words of these fields as they are analysed.
        self.vocabulary_fields = frozenset(vocabulary_fields)
        self.tally = vocabulary.Tally()
        # field -> term -> (documents, weights, values)
        self.gathered_terms: dict[str, dict[bytes, tuple[list, list, list]]] = {}
        self.gathering: dict[str, _Gathering] = {}  # the same, for the text fields analysed here
        self.length_bytes: dict[str, array] = {}  # field -> length byte per document
        self.fast_fields: dict[str, FoldingStemTokenizer] = {}  # text fields analysed here directly
        self.positional: set[str] = set()  # those of them with positions (the others: frequencies only)
        # field -> value -> its postings, for fields whose values repeat (dates, years, countries...):
        # Whoosh's field.index() costs more than all the rest of such a field's work.
        self.memo: dict[str, dict] = {}
        self.postings = 0
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and separate spelling are not supported")
            items = getattr(getattr(field, "analyzer", None), "items", None)
            if (
                field.indexed
                and type(field.format) in (Positions, Frequency)
                and field.format.field_boost == 1.0
                and items
                and len(items) == 1
                and isinstance(items[0], FoldingStemTokenizer)
            ):
                self.fast_fields[name] = items[0]
                if type(field.format) is Positions:
                    self.positional.add(name)
        if self.vocabulary_fields - set(self.fast_fields):
            raise ValueError("the vocabulary is counted from text fields with the project's analysers only")

    def add_document(self, **fields):
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(n for n in fields if not n.startswith("_"))
        if any(n.startswith("_") and not n.startswith("_stored_") for n in fields):
            raise ValueError("boosts are not supported by the bulk writer")
        self.check_document(names)
        # A text indexed in two fields (a body and its exact forms) is split into words once.
        self.split = {}
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                length = self.index_field(name, field, value, docnum)
                if length:
                    lengths = self.length_bytes.get(name)
                    if lengths is None:
                        lengths = self.length_bytes[name] = array("B")
                    if len(lengths) < docnum:
                        lengths.extend(bytes(docnum - len(lengths)))
                    lengths.append(length_to_byte(length))
            stored = fields.get(f"_stored_{name}", value)
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self.document_added()
        self.docnum += 1

    def index_field(self, name: str, field, value, docnum: int) -> int:
        """Gather the postings of one field of one document; its length (0 if not scored)."""
        tokenizer = self.fast_fields.get(name)
        if tokenizer is not None:
            # As Whoosh's Positions and Frequency formats: position = index among the words kept,
            # weight = frequency.
            split = self.split.get(value)
            if split is None:
                split = self.split[value] = words_and_folded(value)
            words, folded = split
            if name in self.vocabulary_fields:
                self.tally.add(words, folded, value.isascii())
            kept = tokenizer.terms_of_folded(folded)
            if kept:
                gathering = self.gathering.get(name)
                if gathering is None:
                    gathering = self.gathering[name] = _Gathering(positions=name in self.positional)
                self.postings += gathering.add(docnum, kept)
            return len(kept)
        terms = self.gathered_terms.get(name)
        if terms is None:
            terms = self.gathered_terms[name] = {}
        postings = None
        memo = None if field.unique else self.memo.setdefault(name, {})
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

    def write_postings(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        arrays = PostingArrays.writer(self.storage.folder, self.newsegment)
        for name in self.fast_fields:  # every term of these is listed, a field with none too
            arrays.listed(name)
        for name in sorted({*self.gathered_terms, *self.gathering}):
            field = self.schema[name]
            fieldwriter.start_field(name, field)
            postings = block_writer(fieldwriter)
            lengths = self.length_bytes.get(name, array("B"))
            lengths.extend(bytes(self.docnum - len(lengths)))
            fast = name in self.fast_fields
            # term -> postings: the term a str when the field is analysed here, Whoosh's bytes otherwise
            terms: dict = self.gathering.pop(name).postings() if fast else self.gathered_terms.pop(name)
            for key in sorted(terms):  # code point order is UTF-8 byte order
                docs, weights, values = terms.pop(key)
                fieldwriter.start_term(key.encode("utf-8") if fast else key)
                if fast:
                    positions = values if name in self.positional else None
                    values = positions_values(weights, values) if positions is not None else frequency_values(weights)
                    weights = array("f", weights)
                    if len(docs) >= ARRAYS_FROM:
                        arrays.add(name, key, docs, weights, positions)
                    else:
                        arrays.other(name, key)
                postings.add_all(docs, weights, values, lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self.arrays_file = arrays.close()

    def segment_written(self, segment):
        # Named like the segment's files once the segment is assembled (a compound segment takes
        # in every file of its name): Whoosh then deletes it with the segment, after a merge.
        os.replace(self.arrays_file, PostingArrays.path(self.storage.folder, segment))


class _Gathering:
    """A text field's postings in the segment being written, gathered a batch of documents at a time.

    Each document's terms are added as numbers (one per distinct term, in the order first seen);
    every ``BATCH`` documents numpy sorts the batch's terms by number, then position, and each
    term's documents, frequencies and positions are appended to its arrays once per batch instead
    of once per document; a field without positions (``positions=False``) keeps none.
    """

    BATCH = 1024  # documents

    def __init__(self, positions: bool = True):
        self.keep_positions = positions
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
        # as arrays of the standard library: extending one by a slice of another is a copy in C
        doc_ids, counts, offsets = (array("I", a.tobytes()) for a in (docs, frequencies, positions))
        entries = self.entries
        while len(entries) < len(self.numbers):
            entries.append((array("I"), array("I"), array("I")))
        for number, a, b, c, d in zip(
            posting_term[term_first].tolist(),
            term_first.tolist(),
            term_end.tolist(),
            occurrence_first.tolist(),
            occurrence_end.tolist(),
            strict=True,
        ):
            entry = entries[number]
            entry[0].extend(doc_ids[a:b])
            entry[1].extend(counts[a:b])
            if self.keep_positions:
                entry[2].extend(offsets[c:d])
        self._terms, self._docs, self._lengths = array("I"), array("I"), array("I")

    def postings(self) -> dict[str, tuple[array, array, array]]:
        """Every term's documents, frequencies and positions (the pending batch gathered first)."""
        self.gather()
        entries, self.entries = self.entries, []
        out = {term: entries[number] for term, number in self.numbers.items()}
        self.numbers.clear()
        return out


def write_full(
    ix, documents, procs: int = 1, min_slice: int = 1, progress=None, vocabulary_fields=()
) -> vocabulary.Tally:
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
            results = forked.map_slices(
                partial(slice_writer, report), count, procs, min_slice, counter=done, on_tick=on_tick
            )
        else:
            results = [slice_writer(progress.update if progress is not None else None, 0, count)]
        tally = vocabulary.Tally()
        for _, part in results:
            tally.merge(part)
        commit_segments(writer, [segment for segments, _ in results for segment in segments])
    except BaseException:
        writer.cancel()
        raise
    return tally


def _write_slice(ix, documents, vocabulary_fields, report, start: int, end: int) -> tuple[list, vocabulary.Tally]:
    """The segments holding documents ``start`` to ``end - 1``, in order, and their vocabulary."""
    segments = []
    tally = vocabulary.Tally()
    writer = BulkSegmentWriter(ix, vocabulary_fields, locked=False)
    added = 0
    # On an error the writer is left as it is: cancelling it would remove the temporary folder
    # the other slices' writers share; the caller's writer cleans up once they are all done.
    for n in range(start, end):
        writer.add_document(**documents[n])
        if writer.postings >= SEGMENT_POSTINGS and n + 1 < end:
            segments.append(writer.finish_segment())
            tally.merge(writer.tally)
            writer = BulkSegmentWriter(ix, vocabulary_fields, locked=False)
        added += 1
        if report is not None and (added == 100 or n + 1 == end):
            report(added)
            added = 0
    if writer.docnum:
        segments.append(writer.finish_segment())
        tally.merge(writer.tally)
    else:
        writer.discard()
    return segments, tally
