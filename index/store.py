"""Index generations on disk: build beside the live one, switch atomically, keep one for rollback.

Layout of the index directory::

    CURRENT          the name of the live generation (replaced atomically)
    gen-000007/      a complete Whoosh index plus manifest.json and known.bin
    gen-000006/      the previous generation, kept for --rollback
    gen-000008.partial/   a build in progress (never read by the site)
    reindex.lock     held (flock) by the running reindex, with its pid

A process that opened an older generation keeps reading it: generations are never
modified once published (but for ``known.bin``, which only reindexing reads: an incremental
reindex that changes nothing may replace the live one's, atomically), and files that a
pruned generation loses stay readable to processes that already have them open.
"""

import datetime as dt
import errno
import fcntl
import json
import os
import pickle
import re
import shutil
import struct
import time
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"  # the generation that was live before the live one: the one pruning keeps
LOCK = "reindex.lock"
MANIFEST = "manifest.json"
_GENERATION = re.compile(r"^gen-(\d{6,})$")
KEEP_PREVIOUS = 1


class StoreError(RuntimeError):
    """The index directory cannot be used as asked (no index yet, nothing to roll back to...)."""


class LockHeld(StoreError):
    """Another reindex is running."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class IndexStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._current = os.path.join(self.root, CURRENT)
        self._seen: tuple[tuple, str] | None = None  # CURRENT's identity when last read, and its name

    # --- reading -------------------------------------------------------------------------
    def current_name(self) -> str | None:
        """The live generation; None when ``CURRENT`` is missing, unreadable or names no generation.

        Every search asks, so the file is read again only when it is another file or was
        written since (it is replaced by a rename: a new inode): a stat of it and of the
        generation's directory, not an open and a read."""
        try:
            stat = os.stat(self._current)
        except OSError:
            return None
        identity = (stat.st_ino, stat.st_dev, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        seen = self._seen
        if seen is not None and seen[0] == identity:
            return seen[1] if os.path.isdir(os.path.join(self.root, seen[1])) else None
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not (_GENERATION.match(name) and (self.root / name).is_dir()):
            return None
        self._seen = (identity, name)
        return name

    def generations(self) -> list[str]:
        """Published generations, oldest first."""
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir() if p.is_dir() and _GENERATION.match(p.name)]
        return sorted(names, key=_number)

    def path(self, name: str) -> Path:
        return self.root / name

    def open(self, name: str | None = None):
        """Open a generation (the live one by default) as a Whoosh index, for reading.

        Files are read, not memory-mapped: with a map, Whoosh copies each part of a compound
        segment (postings, columns...) into memory for every searcher that opens it, which
        made each thread of a web worker hold its own copy of the index.
        """
        name = name or self.current_name()
        if name is None:
            raise StoreError(f"no index in {self.root}: run scripts/reindex first")
        try:
            return FileStorage(str(self.path(name)), supports_mmap=False, readonly=True).open_index()
        except (whoosh_index.IndexError, EOFError, struct.error, pickle.UnpicklingError) as error:
            # Whoosh's own errors for a missing or damaged table of contents.
            raise StoreError(f"{name} in {self.root} cannot be opened ({error})") from error

    def manifest(self, name: str | None = None) -> dict:
        name = name or self.current_name()
        if name is None:
            raise StoreError(f"no index in {self.root}")
        return json.loads((self.path(name) / MANIFEST).read_text(encoding="utf-8"))

    # --- writing (only while holding the lock) -------------------------------------------
    def next_name(self) -> str:
        numbers = [_number(n) for n in self.generations()]
        for partial in self.root.glob("gen-*.partial"):
            match = _GENERATION.match(partial.name[: -len(".partial")])
            if match:
                numbers.append(int(match.group(1)))
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def start(self, base: str | None = None) -> tuple[str, Path]:
        """A fresh partial directory for the next generation; a copy of ``base`` when given.

        Whoosh never rewrites a segment file once written, so the copy is made of
        hard links: cheap, and the base generation stays untouched.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        name = self.next_name()
        partial = self.root / f"{name}.partial"
        if base is None:
            partial.mkdir()
        else:
            shutil.copytree(
                self.path(base), partial, copy_function=_link_or_copy, ignore=shutil.ignore_patterns("*LOCK*", ".*.tmp")
            )
            for stale in (MANIFEST, "vocabulary.bin", "known.bin"):
                (partial / stale).unlink(missing_ok=True)
        return name, partial

    def publish(self, name: str, partial: Path, manifest: dict) -> None:
        """Seal a finished build and make it the live generation, atomically."""
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        for file in partial.iterdir():
            # A file linked from the generation it was copied from was synced when that one
            # was published; only what this build wrote needs syncing.
            if file.stat().st_nlink > 1:
                continue
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        final = self.path(name)
        os.rename(partial, final)
        _fsync_dir(self.root)
        self.switch(name)

    def replace_file(self, name: str, filename: str, data: bytes) -> None:
        """Replace one file of a published generation, atomically and synced: only for a file
        the site never reads (``known.bin``, see the module's docstring)."""
        _write_atomically(self.path(name) / filename, data)

    def switch(self, name: str) -> None:
        current = self.current_name()
        if current and current != name:
            _write_atomically(self.root / PREVIOUS, current + "\n")
        _write_atomically(self.root / CURRENT, name + "\n")

    def previous_name(self) -> str | None:
        """The generation that was live before the live one, if it is still on disk."""
        try:
            name = (self.root / PREVIOUS).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if _GENERATION.match(name) and (self.root / name).is_dir() else None

    def rollback(self) -> tuple[str, str]:
        """Make the newest generation older than the live one live again."""
        current = self.current_name()
        if current is None:
            raise StoreError("there is no live index to roll back from")
        older = [n for n in self.generations() if _number(n) < _number(current)]
        if not older:
            raise StoreError(f"no generation older than {current} is kept; nothing to roll back to")
        self.switch(older[-1])
        return current, older[-1]

    def prune(self) -> list[str]:
        """Delete the generations older than the live one, except the one that was live before
        it (``--rollback``'s target). After a rollback, the next build's previous generation
        is the one rolled back *to*, not the newer one rolled back from, which is deleted."""
        current = self.current_name()
        if current is None:
            return []
        names = self.generations()
        older = [n for n in names if _number(n) < _number(current)]
        previous = self.previous_name()
        kept = [previous] if previous in older else older[-KEEP_PREVIOUS:]
        keep = {current, *kept} if KEEP_PREVIOUS else {current}
        removed = [n for n in names if n not in keep and _number(n) < _number(current)]
        for name in removed:
            shutil.rmtree(self.path(name), ignore_errors=True)
        return removed

    def clear_partials(self) -> list[str]:
        """Remove what killed or failed builds left behind."""
        removed = []
        for partial in self.root.glob("*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(partial.name)
        for tmp in self.root.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        return removed

    @contextmanager
    def lock(self):
        """Hold the reindex lock, or raise :class:`LockHeld` at once.

        The lock is an ``flock`` on ``reindex.lock``, which the kernel releases when the
        holder dies, so a killed reindex never blocks the next one.  The file records the
        holder's pid; a record left by a dead process is reported as a stale lock.
        Yields a list of messages for the caller to show.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                holder = handle.read().strip()
                for _ in range(20):  # the holder may not have written its record yet
                    if holder:
                        break
                    time.sleep(0.01)
                    handle.seek(0)
                    holder = handle.read().strip()
                raise LockHeld(
                    f"another reindex is running ({holder or 'unknown'}); try again when it has finished"
                ) from None
            messages = []
            previous = handle.read().strip()
            if previous:
                pid = _pid_from(previous)
                if pid is None or not _pid_alive(pid) or pid == os.getpid():
                    messages.append(f"cleared a stale lock left by a reindex that did not finish ({previous})")
            handle.seek(0)
            handle.truncate()
            started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()} started {started}")
            handle.flush()
            try:
                yield messages
            finally:
                handle.seek(0)
                handle.truncate()
                handle.flush()
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()


def _pid_from(record: str) -> int | None:
    match = re.match(r"pid (\d+)", record)
    return int(match.group(1)) if match else None


def _number(name: str) -> int:
    """The number of a generation's name (``gen-000012`` -> 12)."""
    match = _GENERATION.match(name)
    if match is None:
        raise ValueError(f"not a generation's name: {name}")
    return int(match.group(1))


def _link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst
