"""``scripts/reindex``: the one command staff run to (re)build the archive's index.

Exit status: 0 when every record went in, 1 when some were rejected (each is named
with file, line and reason; the rest are indexed), 2 on a usage error, 3 when the
reindex could not run (another one holds the lock, the disk is full, ...).

``--site URL`` reads a news site as a source (see ``index.site``); with no SOURCE and no
``--site``, the sites of the ``[[site]]`` entries of ``data/sites.toml`` are read.  A page is
named by its address: one that could not be fetched, or is not a release, counts as a
rejected record (exit status 1).

``--explain ID [SOURCE...]`` writes nothing: it prints why the release ``ID`` is filed under
its countries and topics, read from the sources or, without any, from the live index.  Exit
status 0, 2 when no release has that id, 3 when the sources, the index or a data file cannot
be read.
"""

import argparse
import gc
import os
import sys
import tomllib

from . import config
from .build import BuildError, Summary, reindex
from .readers import FORMATS
from .records import SourceChanged, Unread
from .store import IndexStore, LockHeld, StoreError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
DRY_RUN_IDS = 20  # ids named per kind of change by a dry run; the rest are counted


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/reindex",
        description="Build the search index from release sources (listing .txt, .jsonl, folders of .html pages).",
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="files or folders to read")
    p.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="URL",
        help="read the releases of this news site (repeatable); without SOURCE or --site, the "
        "[[site]] entries of data/sites.toml ($SITES_FILE) are read",
    )
    p.add_argument("--index", metavar="DIR", help="index directory (default: $INDEX_DIR or var/index)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--full",
        dest="mode",
        action="store_const",
        const="full",
        help="rebuild everything into a new generation (default)",
    )
    mode.add_argument(
        "--incremental",
        dest="mode",
        action="store_const",
        const="incremental",
        help="add, update and delete only the releases whose content changed (over an index written "
        "by another version of the project: a full rebuild)",
    )
    mode.add_argument("--rollback", action="store_true", help="make the previous generation live again")
    p.add_argument("--check", action="store_true", help="validate the sources only; write nothing")
    p.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    p.add_argument("--format", choices=FORMATS, help="read every source in this format instead of by file type")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument(
        "--explain",
        metavar="ID",
        help="print why release ID gets its countries and topics (from the "
        "SOURCEs, or from the live index without any); write nothing",
    )
    p.set_defaults(mode="full")
    return p


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    root = args.index or str(config.index_dir())
    if args.explain is not None:
        if args.rollback or args.check or args.dry_run:
            p.error("--explain takes no --rollback, --check or --dry-run")
        return _explain(args.explain, args.sources, root, args.format)
    if args.rollback:
        if args.sources or args.site or args.check or args.dry_run:
            p.error("--rollback takes no sources and no --site, --check or --dry-run")
        return _rollback(root)
    try:
        sites = _sites(args, root)
    except ValueError as error:
        print(f"reindex: {error}", file=sys.stderr)
        return EXIT_USAGE if args.site else EXIT_FAILED
    if not args.sources and not sites:
        p.error("name at least one SOURCE file or folder, or a --site URL (or add a [[site]] to the sites file)")
    try:
        summary = reindex(
            args.sources + sites,
            root,
            mode=args.mode,
            fmt=args.format,
            dry_run=args.dry_run,
            check=args.check,
            progress=not args.quiet,
        )
    except LockHeld as error:
        print(f"reindex: {error}", file=sys.stderr)
        return EXIT_FAILED
    except SourceChanged as error:
        print(f"reindex: {error}; the live index is unchanged", file=sys.stderr)
        return EXIT_FAILED
    except (BuildError, StoreError) as error:
        _report_sites(sites)
        if isinstance(error, BuildError) and error.summary is not None:
            report_problems(error.summary)
        print(f"reindex: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # the index directory cannot be written (disk full, permissions...)
        where = f" ({error.filename})" if error.filename else ""
        print(
            f"reindex: the reindex could not run: {error.strerror or error}{where}; the live index is unchanged",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except (ValueError, tomllib.TOMLDecodeError) as error:  # a data file staff edit is malformed
        print(f"reindex: cannot load the places or topics file: {error}", file=sys.stderr)
        return EXIT_FAILED
    _report_sites(sites)
    report(summary, args, len(sites))
    return EXIT_REJECTED if summary.rejected else EXIT_OK


def report_problems(summary: Summary) -> None:
    """Notes, warnings and rejected records, on standard error."""
    err = sys.stderr
    for message in summary.messages:
        print(f"note: {message}", file=err)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=err)
    for rejected in summary.rejected:
        print(f"rejected: {rejected}", file=err)


def _sites(args, root: str) -> list:
    """The sites to read: --site, else the sites file's [[site]] entries when no SOURCE is named."""
    if args.sources and not args.site:
        return []
    from .site import config as site_config
    from .site.crawl import SiteSource

    save = not (args.check or args.dry_run)
    return [SiteSource(site, root, save=save) for site in site_config.sites(args.site or None)]


def _report_sites(sites: list) -> None:
    for site in sites:
        for line in site.report.lines():
            print(line, file=sys.stdout)


def report(summary: Summary, args, sites: int = 0) -> None:
    out = sys.stdout
    report_problems(summary)
    pairs = summary.pairs
    files = summary.files - sites
    where = [f"{files} file{'s' if files != 1 else ''}"] if files or not sites else []
    where += [f"{sites} site{'s' if sites != 1 else ''}"] if sites else []
    print(f"read {summary.read} release{'s' if summary.read != 1 else ''} from {' and '.join(where)}", file=out)
    counts = (
        f"added {summary.added}, updated {summary.updated}, deleted {summary.deleted}, "
        f"unchanged {summary.unchanged}, rejected {len(summary.rejected)}"
    )
    pair_text = (
        f"pairs {pairs.total} ({pairs.explicit} by translation_key, "
        f"{pairs.automatic} matched by what the versions share)"
    )
    if args.check:
        print(
            f"checked {summary.releases} valid, rejected {len(summary.rejected)}; {pair_text}; nothing written",
            file=out,
        )
    elif args.dry_run:
        article = "an" if summary.mode[:1] in "aeiou" else "a"
        print(f"{article} {summary.mode} reindex would have {counts}; {pair_text}; nothing written", file=out)
        # which releases: an incremental reindex deletes every release its sources do not name
        for kind, verb in (("deleted", "delete"), ("updated", "update"), ("added", "add")):
            ids = summary.changed.get(kind, [])
            if ids:
                more = f" … and {len(ids) - DRY_RUN_IDS} more" if len(ids) > DRY_RUN_IDS else ""
                print(f"would {verb}: {', '.join(ids[:DRY_RUN_IDS])}{more}", file=out)
    else:
        print(f"{counts}; {pair_text}", file=out)
        if summary.written:
            kept = f" (previous {summary.previous} kept for --rollback)" if summary.previous else ""
            print(f"{summary.mode} reindex: generation {summary.generation} is live{kept}", file=out)
    print(f"{summary.seconds:.2f} s, {summary.rate:.0f} releases/s", file=out)


def _explain(release_id: str, sources: list[str], root: str, fmt: str | None) -> int:
    """Print why a release gets its countries and topics (``--explain``)."""
    from .enrich import Enricher
    from .readers import read_sources

    indexed = None
    try:
        if sources:
            result = read_sources(sources, fmt)
            found = next((r for r in result.releases if r.id == release_id), None)
            release = found.read() if isinstance(found, Unread) else found
            where = ", ".join(sources)
        else:
            with IndexStore(root).open().searcher() as searcher:
                stored = searcher.document(id=release_id)
            release, where = _stored_release(stored), f"the live index in {root}"
            if stored:
                indexed = (
                    [c for c in stored["countries"].split(",") if c],
                    [t for t in stored["topics"].split(",") if t],
                )
        if release is None:
            print(f"reindex: no release with id {release_id!r} in {where}", file=sys.stderr)
            return EXIT_USAGE
        lines = Enricher.load().explain(release, indexed)
    except (StoreError, OSError) as error:
        print(f"reindex: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (ValueError, tomllib.TOMLDecodeError) as error:
        print(f"reindex: cannot load the places or topics file: {error}", file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(lines))
    return EXIT_OK


def _stored_release(stored: dict | None):
    """A release as the index stored it (its own countries and topics left unset, so that the
    explanation says what the rules give)."""
    from .schema import stored_release

    return stored_release(stored, enriched=False) if stored else None


def _rollback(root: str) -> int:
    store = IndexStore(root)
    try:
        with store.lock():
            old, new = store.rollback()
    except (LockHeld, StoreError) as error:
        print(f"reindex: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"rolled back: {new} is live again (was {old})")
    return EXIT_OK


if __name__ == "__main__":
    # A run of the script is one short process: the cyclic garbage collector would walk the
    # per-release objects again and again for nothing, and tearing them down one by one at
    # exit takes longer than a small incremental build (the index is written and synced,
    # the lock goes with the process).
    gc.disable()
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
