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


class PostingArrays:
    """Each frequent term's documents and weights in a segment, as raw arrays beside the segment.

    Search reads a term's whole posting list at once (``search.scoring``); from Whoosh's
    blocks that means unpickling every block, positions included, about a microsecond a
    posting.  For the text fields' terms in at least ``index.segments.ARRAYS_FROM`` documents
    the bulk writer also writes the document numbers (uint32) and weights (float32) as they
    are, little-endian, in ``<segment>.arrays``, with a table of where each term's arrays start
    (marshal) at the end.  Reading a term is then one read.  A segment without the file (one
    written by Whoosh's writer in an incremental build, or a merge) is read from its blocks.
    """

    MAGIC = b"ARRAYS01"
    _TAIL = struct.Struct("<Q8s")

    def __init__(self, fd: int, table: dict):
        # Kept as field -> term -> offset << 32 | count: the file's (field, term) -> (offset,
        # count) costs a site process twice the memory (two tuples an entry), some 6 MB at
        # 100,000 releases.
        self._fd = fd
        self._table: dict[str, dict[str, int]] = {}
        for (fieldname, text), (offset, count) in table.items():
            self._table.setdefault(fieldname, {})[text] = offset << 32 | count

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
            if magic != cls.MAGIC:
                raise ValueError("not a postings arrays file")
            table = marshal.loads(os.pread(fd, size - cls._TAIL.size - start, start))
        except (OSError, ValueError, EOFError, struct.error):
            os.close(fd)
            return None
        return cls(fd, table)

    def get(self, fieldname: str, text: str):
        """``(document numbers, weights)`` as numpy arrays (int32, float32), or None when the
        term is not here."""
        import numpy as np

        found = self._table.get(fieldname, {}).get(text)
        if found is None:
            return None
        offset, count = found >> 32, found & 0xFFFFFFFF
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
        self._at = 0

    def add(self, fieldname: str, text: str, docs: array, weights: array) -> None:
        if sys.byteorder != "little":
            docs, weights = array(docs.typecode, docs), array(weights.typecode, weights)
            docs.byteswap()
            weights.byteswap()
        self._table[(fieldname, text)] = (self._at, len(docs))
        self._at += self._handle.write(docs.tobytes()) + self._handle.write(weights.tobytes())

    def close(self) -> Path:
        self._handle.write(marshal.dumps(self._table))
        self._handle.write(PostingArrays._TAIL.pack(self._at, PostingArrays.MAGIC))
        self._handle.close()
        return self.path
