"""A spool of documents: pickled one after another into a file, read back by number in any
process (the documents a full build hands to the processes that index them)."""

import os
from array import array
from pathlib import Path
from pickle import dumps, loads


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
