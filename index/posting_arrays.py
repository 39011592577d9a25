"""The raw posting arrays beside a segment (``<segment>.arrays``): written by the bulk writer
(``index.segments``), read by the fast scorer (``search.scoring``).

A format of the project's own, not Whoosh's: Whoosh neither writes nor reads these files, but
deletes them with their segment after a merge (a segment's files are those named after it).
``PostingArrays.MAGIC`` is its version; a file of another version is ignored and the segment is
read from Whoosh's blocks.
"""

import marshal
import os
import struct
import sys
from array import array
from pathlib import Path

import xxhash


def term_hash(text: str) -> int:
    """A term's 64-bit hash in the list of a segment's other terms (XXH3: stable between
    processes and versions, unlike Python's own)."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8"))


class PostingArrays:
    """Each frequent term's documents and weights in a segment, as raw arrays beside the segment.

    Search reads a term's whole posting list at once (``search.scoring``); from Whoosh's
    blocks that means unpickling every block, positions included, about a microsecond a
    posting.  For the text fields' terms in at least ``index.segments.ARRAYS_FROM`` documents
    the bulk writer also writes the document numbers (uint32) and weights (float32) as they
    are, little-endian, in ``<segment>.arrays``, with a table of where each term's arrays start
    (marshal) at the end.  Reading a term is then one read.  A segment without the file (one
    written by Whoosh's writer in an incremental build, or a merge) is read from its blocks.

    For a field with positions, each such term's positions follow its weights: every
    position of its first document in order, then of the next (as many as the document's
    frequency, its weight), as uint16 when all are below 65,536, else uint32.  A phrase of
    common words then reads them in one read instead of unpickling them from every block
    (``search.scoring``'s phrases); a file of the first version (``ARRAYS01``) has none, and
    phrases read them from Whoosh's blocks.

    Since ``ARRAYS03`` the file also lists, per field, a 64-bit hash (XXH3) of each of the
    segment's other terms, those without arrays: a term in neither is not in the segment
    (:meth:`lacks`), which search then need not look up in Whoosh's term table, a dozen file
    reads for each word a segment lacks (a translation, an exact form, the other language).
    """

    MAGIC = b"ARRAYS03"
    MAGICS = (b"ARRAYS01", b"ARRAYS02", MAGIC)  # the versions read
    _TAIL = struct.Struct("<Q8s")
    _POSITION_TYPES = {2: "<u2", 4: "<u4"}  # bytes a position -> numpy type

    def __init__(self, fd: int, table: dict, positions: dict | None = None, others: dict | None = None):
        # Kept as field -> term -> offset << 32 | count: the file's (field, term) -> (offset,
        # count) costs a site process twice the memory (two tuples an entry), some 6 MB at
        # 100,000 releases.  A term's positions, when written, start right after its weights:
        # only their width is kept (``positions``: field -> term -> bytes a position).
        self._fd = fd
        self._table: dict[str, dict[str, int]] = {}
        for (fieldname, text), (offset, count) in table.items():
            self._table.setdefault(fieldname, {})[text] = offset << 32 | count
        self._widths: dict[str, dict[str, int]] = positions or {}
        # field -> the sorted hashes of its other terms, for the fields listed (bytes from the file)
        self._others: dict = {}
        if others:
            import numpy as np

            self._others = {name: np.frombuffer(data, "<u8") for name, data in others.items()}

    @staticmethod
    def path(folder, segment) -> Path:
        return Path(folder) / f"{segment.segment_id()}.arrays"

    @classmethod
    def writer(cls, folder, segment) -> "_ArraysWriter":
        return _ArraysWriter(Path(folder) / f".{segment.segment_id()}.arrays.partial")

    @classmethod
    def open(cls, folder, segment) -> "PostingArrays | None":
        """The arrays of ``segment``, or None when it has none (or they cannot be read)."""
        try:
            fd = os.open(cls.path(folder, segment), os.O_RDONLY)
        except OSError:
            return None
        try:
            size = os.fstat(fd).st_size
            start, magic = cls._TAIL.unpack(os.pread(fd, cls._TAIL.size, size - cls._TAIL.size))
            if magic not in cls.MAGICS:
                raise ValueError("not a postings arrays file")
            tables = marshal.loads(os.pread(fd, size - cls._TAIL.size - start, start))
            if magic == b"ARRAYS01":
                tables = (tables, None, None)
            elif magic == b"ARRAYS02":
                tables = (*tables, None)
            table, positions, others = tables
        except (OSError, ValueError, EOFError, TypeError, struct.error):
            os.close(fd)
            return None
        return cls(fd, table, positions, others)

    def get(self, fieldname: str, text: str):
        """``(document numbers, weights)`` as numpy arrays (int32, float32), or None when the
        term is not here."""
        found = self._entry(fieldname, text)
        return None if found is None else self._postings(*found)

    def positions(self, fieldname: str, text: str, docs):
        """A term's positions in the documents ``docs`` (segment document numbers, a sorted numpy
        array, each holding the term), as two numpy arrays of the same length: which of ``docs``
        each position is of (its index) and the position, in order of document, then of
        position.  None when the term's positions are not here."""
        import numpy as np

        width = self._widths.get(fieldname, {}).get(text)
        found = self._entry(fieldname, text)
        if width is None or found is None:
            return None
        offset, count = found
        ids, weights = self._postings(offset, count)
        frequencies = weights.astype(np.int64)
        ends = np.cumsum(frequencies)
        positions = np.frombuffer(
            os.pread(self._fd, width * int(ends[-1]), offset + 8 * count), self._POSITION_TYPES[width]
        )
        index = np.searchsorted(ids, docs)
        lengths = frequencies[index]
        firsts = ends[index] - lengths
        owner = np.repeat(np.arange(len(docs)), lengths)
        # each document's run of positions, one after the other
        at = np.repeat(firsts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        return owner, positions[at].astype(np.int64)

    def lacks(self, fieldname: str, text: str) -> bool:
        """Whether the segment surely has no such term: True only for a field whose terms the
        file lists (text fields, since ``ARRAYS03``) when the term is neither among its arrays
        nor among the hashes of its others. False: it may have it (Whoosh's table says)."""
        others = self._others.get(fieldname)
        if others is None or text in self._table.get(fieldname, ()):
            return False
        wanted = term_hash(text)
        at = int(others.searchsorted(wanted))
        return at == len(others) or int(others[at]) != wanted

    def _entry(self, fieldname: str, text: str) -> tuple[int, int] | None:
        """Where a term's arrays start in the file, and its number of documents."""
        found = self._table.get(fieldname, {}).get(text)
        return None if found is None else (found >> 32, found & 0xFFFFFFFF)

    def _postings(self, offset: int, count: int):
        """The document numbers and weights of the term whose arrays start at ``offset``."""
        import numpy as np

        data = os.pread(self._fd, 8 * count, offset)
        # Read-only views of the bytes read (copies only where the machine is big-endian).
        return (
            np.frombuffer(data, "<i4", count).astype(np.int32, copy=False),
            np.frombuffer(data, "<f4", count, 4 * count).astype(np.float32, copy=False),
        )

    def close(self) -> None:
        os.close(self._fd)


class _ArraysWriter:
    def __init__(self, path: Path):
        self.path = path
        self._handle = open(path, "wb")
        self._table: dict[tuple[str, str], tuple[int, int]] = {}
        self._widths: dict[str, dict[str, int]] = {}
        self._others: dict[str, array] = {}
        self._at = 0

    def other(self, fieldname: str, text: str) -> None:
        """A term of the segment in a field whose terms are listed, given no arrays (too rare)."""
        found = self._others.get(fieldname)
        if found is None:
            found = self._others[fieldname] = array("Q")
        found.append(term_hash(text))

    def listed(self, fieldname: str) -> None:
        """A field whose terms are all listed (with arrays, or by :meth:`other`): a term of it
        in neither is not in the segment, a segment without the field lacking them all."""
        self._others.setdefault(fieldname, array("Q"))

    def add(self, fieldname: str, text: str, docs: array, weights: array, positions: array | None = None) -> None:
        """A term's documents and weights, and for a field with positions each document's
        positions in order (as many as its weight, its frequency)."""
        if sys.byteorder != "little":
            docs, weights = array(docs.typecode, docs), array(weights.typecode, weights)
            docs.byteswap()
            weights.byteswap()
        self._table[(fieldname, text)] = (self._at, len(docs))
        self._at += self._handle.write(docs.tobytes()) + self._handle.write(weights.tobytes())
        if positions is not None:
            import numpy as np

            found = np.asarray(positions, dtype=np.uint32)
            width = 2 if not len(found) or int(found.max()) < 2**16 else 4
            self._widths.setdefault(fieldname, {})[text] = width
            self._at += self._handle.write(found.astype(PostingArrays._POSITION_TYPES[width]).tobytes())

    def close(self) -> Path:
        import numpy as np

        others = {
            name: np.unique(np.asarray(found, np.uint64)).astype("<u8").tobytes()
            for name, found in self._others.items()
        }
        self._handle.write(marshal.dumps((self._table, self._widths, others)))
        self._handle.write(PostingArrays._TAIL.pack(self._at, PostingArrays.MAGIC))
        self._handle.close()
        return self.path
