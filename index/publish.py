"""Index generations shipped from the indexing node to the replicas that serve them.

The indexing node runs ``scripts/reindex`` and then ``scripts/publish``, which writes the live
generation's checksums (``SHA256SUMS`` in the generation, in ``sha256sum``'s own format, so
``sha256sum -c`` checks a copy by hand) and names it in ``PUBLISHED``: the generation every
replica is to serve.  ``scripts/publish --rollback`` makes the generation before it live on the
indexing node and publishes that one.

Each replica has its own index directory and pulls (``scripts/publish --pull SOURCE``, or
``--follow SOURCE`` to keep pulling): it reads the source's ``PUBLISHED``, keeps a copy of it
(what ``/readyz`` compares its live generation with), copies a generation it lacks whole with
rsync into ``gen-N.partial`` (files with the same checksum in its live generation are hard links
to them), checks every file against ``SHA256SUMS``, and only then renames the copy to
``gen-N`` and switches ``CURRENT`` to it, atomically, as a reindex does.  So no replica ever
serves a partial or damaged copy; a copy that fails its checks is deleted and the replica keeps
serving its generation.  Older generations are pruned as on one node (the one before is kept);
a rollback published by the indexing node is followed like any other generation (the replica
still has it, so nothing is copied).

SOURCE is what rsync takes: a local folder, ``host:/var/lib/archive/index`` (ssh; see
docs/deploy.md for a read-only key with Debian's ``rrsync``) or ``rsync://host/module``.
``known.bin`` (read only by reindexing, and replaced in place by an incremental reindex that
changes nothing) is neither checksummed nor shipped.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import config
from .store import _GENERATION, IndexStore, LockHeld, StoreError, _fsync_dir, _write_atomically

PUBLISHED = "PUBLISHED"  # the generation the cluster serves (on a replica: as last read from its source)
SUMS = "SHA256SUMS"
# Not shipped: what only reindexing reads (and may replace in place), Whoosh's lock files, temporaries.
NOT_SHIPPED = ("known.bin", "*LOCK*", ".*.tmp")
RSYNC_TIMEOUT = 60  # seconds of no progress before rsync gives up
EXIT_OK, EXIT_USAGE, EXIT_FAILED = 0, 2, 3


class PublishError(StoreError):
    """A generation could not be published, copied or verified (the live one is unchanged)."""


def _shipped(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return not (name in (SUMS, "known.bin") or "LOCK" in name or (name.startswith(".") and name.endswith(".tmp")))


def _files(directory: Path) -> list[str]:
    """The files of a generation that are shipped, as paths relative to it, sorted."""
    return sorted(
        str(p.relative_to(directory))
        for p in directory.rglob("*")
        if p.is_file() and _shipped(str(p.relative_to(directory)))
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sums(store: IndexStore, name: str) -> Path:
    """``SHA256SUMS`` of a generation, made from its files each time it is published: an
    incremental build starts from links to the files of the generation before, and so inherits
    its ``SHA256SUMS``, which describes that one."""
    directory = store.path(name)
    target = directory / SUMS
    text = "".join(f"{_sha256(directory / f)}  {f}\n" for f in _files(directory))
    try:
        unchanged = target.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        unchanged = False
    if not unchanged:
        _write_atomically(target, text)  # a new file, not the inherited link's
    return target


def verify(directory: Path) -> list[str]:
    """What is wrong with a copy of a generation (nothing: an empty list): every file listed in
    its ``SHA256SUMS`` present with that checksum, and no other file shipped."""
    try:
        text = (directory / SUMS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"{SUMS} cannot be read ({error.strerror if isinstance(error, OSError) else error})"]
    listed = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, sep, relative = line.partition("  ")
        if not sep or len(digest) != 64 or not relative or relative.startswith("/") or ".." in relative.split("/"):
            return [f"{SUMS} line {number} is not 'checksum  file'"]
        listed[relative] = digest
    if "manifest.json" not in listed:
        return [f"{SUMS} does not list manifest.json"]
    problems = []
    for relative, digest in listed.items():
        path = directory / relative
        if not path.is_file():
            problems.append(f"{relative} is missing")
        elif _sha256(path) != digest:
            problems.append(f"{relative} does not match its checksum")
    problems += [f"{relative} is not in {SUMS}" for relative in _files(directory) if relative not in listed]
    return problems


def published(store: IndexStore) -> str | None:
    """The generation named in ``PUBLISHED`` (None when there is none, or it names no generation)."""
    try:
        name = (store.root / PUBLISHED).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if _GENERATION.match(name) else None


def _announce(store: IndexStore, name: str) -> None:
    if published(store) != name:
        _write_atomically(store.root / PUBLISHED, name + "\n")


def publish(store: IndexStore) -> str:
    """On the indexing node: checksum the live generation and publish it."""
    with store.lock():
        name = store.current_name()
        if name is None:
            raise PublishError(f"no index in {store.root} to publish: run scripts/reindex first")
        write_sums(store, name)
        _announce(store, name)
        return name


def rollback(store: IndexStore) -> tuple[str, str]:
    """On the indexing node: make the generation before the live one live, and publish it."""
    with store.lock():
        old, new = store.rollback()
        write_sums(store, new)
        _announce(store, new)
        return old, new


# --- on a replica ------------------------------------------------------------------------------


@dataclass
class Pulled:
    generation: str  # the generation the source publishes, now live here
    copied: bool  # it was copied (False: it was live already, or still here from before)
    switched: bool  # CURRENT was switched to it
    removed: list[str]  # generations pruned


def _rsync(args: list[str], what: str) -> None:
    command = ["rsync", "--recursive", "--times", "--perms", f"--timeout={RSYNC_TIMEOUT}", *args]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    except FileNotFoundError:
        raise PublishError("rsync is not installed (apt-get install rsync)") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise PublishError(f"{what}: rsync exited with {done.returncode}" + (f" ({detail[-1]})" if detail else ""))


def source_published(source: str) -> str:
    """The generation the source publishes, read with rsync."""
    with tempfile.TemporaryDirectory(prefix="archive-published.") as tmp:
        _rsync([f"{source.rstrip('/')}/{PUBLISHED}", f"{tmp}/"], f"{PUBLISHED} could not be read from {source}")
        name = (Path(tmp) / PUBLISHED).read_text(encoding="utf-8", errors="replace").strip()
    if not _GENERATION.match(name):
        raise PublishError(f"{source}/{PUBLISHED} names no generation ({name[:40]!r})")
    return name


def pull(store: IndexStore, source: str) -> Pulled:
    """Bring this replica to the generation its source publishes (see the module's docstring).
    Raises :class:`PublishError` (the live generation unchanged) or :class:`LockHeld`."""
    name = source_published(source)
    store.root.mkdir(parents=True, exist_ok=True)
    # Recorded before anything is copied: until CURRENT names it, /readyz says this replica is behind.
    _announce(store, name)
    if store.current_name() == name:
        return Pulled(name, copied=False, switched=False, removed=[])
    with store.lock():
        store.clear_partials()
        kept = store.path(name)  # a generation still here from before (a rollback's target)
        copied = not kept.is_dir() or bool(verify(kept))
        if copied:
            shutil.rmtree(kept, ignore_errors=True)  # damaged since it was verified: copied again
            _copy(store, source, name)
        store.switch(name)
        removed = store.prune()
        return Pulled(name, copied=copied, switched=True, removed=removed)


def _copy(store: IndexStore, source: str, name: str) -> Path:
    partial = store.root / f"{name}.partial"
    try:
        partial.mkdir()
        _link_shared(store, source, name, partial)
        _rsync(
            [
                "--delete",
                *(f"--exclude={pattern}" for pattern in NOT_SHIPPED),
                f"{source.rstrip('/')}/{name}/",
                f"{partial}/",
            ],
            f"{name} could not be copied from {source}",
        )
        problems = verify(partial)
        if problems:
            raise PublishError(f"the copy of {name} from {source} failed its checks: " + "; ".join(problems[:5]))
        for path in partial.rglob("*"):
            if path.is_file() and path.stat().st_nlink == 1:  # linked files were synced with their generation
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
        final = store.path(name)
        os.rename(partial, final)
        _fsync_dir(store.root)
        return final
    except BaseException:
        store.clear_partials()
        raise


def _link_shared(store: IndexStore, source: str, name: str, partial: Path) -> None:
    """Files of the new generation that the live one holds already (an incremental build keeps
    most segments) are hard links to them, not copies: matched by checksum, never by size and
    time (two manifests may share both), and rsync then leaves them as they are."""
    current = store.current_name()
    if current is None:
        return
    have = _read_sums(store.path(current) / SUMS)
    with tempfile.TemporaryDirectory(prefix="archive-sums.") as tmp:
        _rsync([f"{source.rstrip('/')}/{name}/{SUMS}", f"{tmp}/"], f"{name}/{SUMS} could not be read from {source}")
        wanted = _read_sums(Path(tmp) / SUMS)
    for relative, digest in wanted.items():
        if have.get(relative) == digest and "/" not in relative:
            try:
                os.link(store.path(current) / relative, partial / relative)
            except OSError:
                pass  # copied instead


def _read_sums(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {relative: digest for digest, sep, relative in (line.partition("  ") for line in text.splitlines()) if sep}


def follow(store: IndexStore, source: str, every: float, log=print, rounds: int | None = None) -> None:
    """Pull every ``every`` seconds, for ever (or ``rounds`` times); a failed pull is logged and
    tried again at the next round."""
    done = 0
    last_error = None
    while rounds is None or done < rounds:
        try:
            result = pull(store, source)
        except (PublishError, LockHeld, StoreError, OSError) as error:
            if str(error) != last_error:  # a source down for an hour is said once, not 1,800 times
                log(f"publish: {error}")
            last_error = str(error)
        else:
            if last_error is not None:
                log(f"publish: {source} answers again")
            last_error = None
            if result.switched:
                log(_said(result, source))
        done += 1
        if rounds is None or done < rounds:
            time.sleep(every)


def _said(result: Pulled, source: str) -> str:
    how = f"copied from {source} and verified" if result.copied else "kept from before and verified"
    pruned = f"; pruned {', '.join(result.removed)}" if result.removed else ""
    return f"publish: {result.generation} is live ({how}){pruned}"


# --- the command -------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/publish",
        description="Publish the live index generation to the replicas (on the indexing node), or pull the "
        "published one (on a replica): copied whole with rsync, checked against its SHA256SUMS, "
        "then switched to atomically.",
    )
    p.add_argument("--index", metavar="DIR", help="index directory (default: $INDEX_DIR or var/index)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--rollback", action="store_true", help="indexing node: make the previous generation live again and publish it"
    )
    mode.add_argument(
        "--pull",
        metavar="SOURCE",
        help="replica: bring the index to the generation SOURCE publishes (an rsync source: "
        "a folder, host:/path or rsync://host/module)",
    )
    mode.add_argument("--follow", metavar="SOURCE", help="replica: --pull SOURCE again and again, for ever")
    mode.add_argument(
        "--status", action="store_true", help="print the live and the published generation; change nothing"
    )
    p.add_argument(
        "--every", type=float, default=2.0, metavar="SECONDS", help="with --follow: seconds between two pulls (2)"
    )
    return p


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.every <= 0:
        p.error("--every takes a number of seconds above 0")
    store = IndexStore(args.index or config.index_dir())
    try:
        if args.status:
            print(f"live {store.current_name() or '(none)'}, published {published(store) or '(none)'}")
        elif args.follow:
            follow(store, args.follow, args.every, log=lambda line: print(line, flush=True))
        elif args.pull:
            result = pull(store, args.pull)
            print(_said(result, args.pull) if result.switched else f"publish: {result.generation} is live already")
        elif args.rollback:
            old, new = rollback(store)
            print(f"rolled back: {new} is live again and published (was {old}); the replicas follow")
        else:
            name = publish(store)
            print(f"published {name}: the replicas follow")
    except (PublishError, LockHeld, StoreError, OSError) as error:
        print(f"publish: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
