"""Readers for the three release sources: listing text, JSON Lines and saved HTML pages."""

import importlib
import os
from pathlib import Path

from ..records import ReadResult, Rejected
from . import mojibake

FORMATS = ("listing", "jsonl", "html")
# The reasons a source named was not read at all (its releases are absent, not deleted).
NOT_READ = ("no such file or folder", "cannot read file", "cannot read folder", "a link to nothing")


def not_read(rejected: Rejected) -> bool:
    """Whether a rejection is of a whole source that could not be read."""
    return not rejected.line and rejected.reason.startswith(NOT_READ)


_BY_SUFFIX = {
    ".txt": "listing",
    ".text": "listing",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".html": "html",
    ".htm": "html",
}


def reader(kind: str):
    """The module reading ``kind``, imported when first needed: the HTML reader's extractor
    takes longer to import than a small incremental reindex takes to run."""
    return importlib.import_module(f"{__name__}.{kind}")


def format_for(path: Path) -> str | None:
    return _BY_SUFFIX.get(path.suffix.lower())


def source_files(paths, fmt: str | None = None) -> tuple[list[tuple[Path, str]], list[Rejected]]:
    """Expand files and folders into ``(file, format)`` pairs, in a stable order.

    A folder contributes every file whose suffix names a format (or every file, when
    ``fmt`` is given), recursively.  A missing path or a file of unknown type is reported.
    """
    found: list[tuple[Path, str]] = []
    problems: list[Rejected] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files, unreadable = _folder_files(path, fmt)
            problems += unreadable
            for file in files:
                kind = fmt or format_for(file)
                if kind:
                    found.append((file, kind))
        elif path.is_file():
            kind = fmt or format_for(path)
            if kind:
                found.append((path, kind))
            else:
                problems.append(Rejected(str(path), 0, f"unknown file type {path.suffix!r}; use --format"))
        else:
            problems.append(Rejected(str(path), 0, "no such file or folder"))
    return _each_file_once(found), problems


def _each_file_once(found: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """``found`` with each file once, however many paths lead to it (a link beside its target,
    a hard link, a file named twice): read twice, its releases would be rejected as duplicates of
    themselves.  The file is named by its own path rather than a link's."""
    first: dict[tuple[int, int], int] = {}
    kept: list[tuple[Path, str]] = []
    for path, kind in found:
        try:
            status = path.stat()
        except OSError:  # gone since it was listed: reading it says so
            kept.append((path, kind))
            continue
        file = (status.st_dev, status.st_ino)  # one file, whatever its names (links, hard links)
        at = first.get(file)
        if at is None:
            first[file] = len(kept)
            kept.append((path, kind))
        elif kept[at][0].is_symlink() and not path.is_symlink():
            kept[at] = (path, kind)
    return kept


def _folder_files(folder: Path, fmt: str | None = None) -> tuple[list[Path], list[Rejected]]:
    """The files under ``folder`` and the folders it links to (not hidden files), sorted, and a
    rejection for each folder that could not be listed and each link to nothing that would be
    read (by ``fmt``, else by its suffix): left out in silence, their releases would look
    deleted to an incremental build."""
    files: list[Path] = []
    problems: list[Rejected] = []

    def unlisted(error: OSError) -> None:
        problems.append(Rejected(str(error.filename or folder), 0, f"cannot read folder: {error.strerror or error}"))

    seen: set[tuple[int, int]] = set()  # the folders walked: one reached again is not walked again
    for top, folders, names in os.walk(folder, onerror=unlisted, followlinks=True):
        try:
            status = os.stat(top)
        except OSError:
            status = None
        if status is not None and (status.st_dev, status.st_ino) in seen:
            folders[:] = []
            continue
        if status is not None:
            seen.add((status.st_dev, status.st_ino))
        # A link to another folder of releases is read; one to a folder holding this one (a link
        # up the tree) is not, nor are its files read twice. Real folders are walked before links,
        # so that a file reached both ways is named by its own path.
        here = os.path.realpath(top)
        folders[:] = sorted(
            (f for f in folders if not _holds(os.path.realpath(os.path.join(top, f)), here)),
            key=lambda f: (os.path.islink(os.path.join(top, f)), f),
        )
        for name in names:
            if name.startswith("."):
                continue
            path = Path(top) / name
            if path.is_file():
                files.append(path)
            elif path.is_symlink() and not path.exists() and (fmt or format_for(path)):
                problems.append(Rejected(str(path), 0, "a link to nothing (its target is missing)"))
    return sorted(files), problems


def _holds(outer: str, inner: str) -> bool:
    """Whether the folder ``outer`` is ``inner`` or holds it (real paths)."""
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def read_sources(paths, fmt: str | None = None, on_file=None, known=None) -> ReadResult:
    """Read every release in ``paths``; rejected records are reported, never raised.

    ``known`` (an ``index.known.Known``) is what the live generation knows of its sources:
    records it was built from, byte for byte, are not parsed again but come back as
    ``Unread`` releases.
    """
    # A news site (``index.site.crawl.SiteSource``) is read by itself, after the files.
    sites = [p for p in paths if hasattr(p, "read")]
    files, problems = source_files([p for p in paths if not hasattr(p, "read")], fmt)
    result = ReadResult(rejected=list(problems))
    for path, kind in files:
        try:
            part = reader(kind).read(path, known)
        except OSError as error:
            result.rejected.append(Rejected(str(path), 0, f"cannot read file: {error.strerror or error}"))
            continue
        part.warnings.extend(mojibake.repair(part.releases))
        result.releases.extend(part.releases)
        result.rejected.extend(part.rejected)
        result.warnings.extend(part.warnings)
        if on_file:
            on_file(path, part)
    for site in sites:
        part = site.read(known)
        part.warnings.extend(mojibake.repair(part.releases))
        result.releases.extend(part.releases)
        result.rejected.extend(part.rejected)
        result.warnings.extend(part.warnings)
        if on_file:
            on_file(site, part)
    return result
