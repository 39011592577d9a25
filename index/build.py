"""Building the index: read sources, enrich, then write a full or incremental generation."""

import datetime as dt
import gc
import os
import shutil
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from . import body_terms, forked, known_table, lexicon, vocabulary
from .analysis import LANGUAGES
from .enrich import Enricher
from .known import FILE as KNOWN_FILE
from .known import Known
from .language import declared_warning
from .live import live_versions
from .pairing import PairReport
from .progress import Progress
from .readers import not_read, read_sources
from .records import Rejected, Release, Unread, Warning_
from .schema import SCHEMA_VERSION, build_schema, docnums_with_id, document
from .spool import Spool
from .store import IndexStore, StoreError
from .whoosh_internals import UnsupportedIndex, check_readable

WRITER_LIMIT_MB = 256  # Whoosh's writer, in incremental builds
# Processes that enrich and write a large build (at most one per core), and the fewest releases
# worth a process of their own (below, forking costs about what it saves).
BUILD_PROCS = int(os.environ.get("REINDEX_PROCS", "2"))
MIN_SLICE = 2500
# The most releases one enriching process takes: each copies the pages of the releases it reads,
# so shorter slices done in turn hold less memory at once (docs/benchmarks.md, build peak memory).
MAX_ENRICH_SLICE = 10_000


def build_procs() -> int:
    return max(1, min(BUILD_PROCS, forked.cpu_count()))


class BuildError(RuntimeError):
    """The build could not finish (disk full, unreadable index...); the live index is unchanged.

    ``summary`` is what was read, when the sources were read (for their rejected records).
    """

    def __init__(self, message: str, summary: "Summary | None" = None):
        super().__init__(message)
        self.summary = summary


@dataclass
class Summary:
    mode: str = "full"
    files: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    pairs: PairReport = field(default_factory=PairReport)
    enricher: Enricher = field(default_factory=Enricher)  # the build's, once the sources are read
    known: Known | None = None  # what the live generation knew of its sources
    releases: int = 0
    generation: str | None = None
    previous: str | None = None
    seconds: float = 0.0
    written: bool = False
    # The ids of each kind of change ("added", "updated", "deleted"), for a dry run to name.
    changed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


def prepare(
    sources,
    fmt: str | None = None,
    progress: bool = False,
    previous: Path | None = None,
    reuse: bool = False,
    keep_live: bool = False,
) -> tuple[list[Release], Summary]:
    """Read, de-duplicate, check and enrich every release in ``sources``.

    ``previous`` is the live generation's directory: enrichment it computed for releases
    whose source has not changed is reused.  With ``keep_live``, a release whose record is
    rejected stays as it is live there (``index.live``).  With ``reuse``, records whose raw source is
    byte for byte one that generation was built from are not read again at all: they come
    back as :class:`~index.records.Unread` releases (an incremental build writes only
    what changed, so it never needs their text).
    """
    summary = Summary()
    files_seen: list[str] = []
    enricher = Enricher.load()
    known = Known.load(previous, enricher.fingerprint)
    result = read_sources(
        sources, fmt, on_file=lambda path, part: files_seen.append(str(path)), known=known if reuse else None
    )
    summary.files = len(files_seen)
    summary.rejected.extend(result.rejected)
    summary.warnings.extend(result.warnings)
    summary.read = len(result.releases) + sum(1 for r in result.rejected if r.line)
    unique = _first_of_each_id(result.releases, summary.rejected)
    summary.warnings.extend(_dated_ahead(unique.values()))
    if known.loaded:
        enricher.use_places(known.places())
        enricher.cache = known.enrichment()
    else:
        enricher.use_cache(previous)
    kept, rejected, pairs = enricher.enrich_all(
        list(unique.values()),
        known if reuse else None,
        procs=build_procs(),
        min_slice=MIN_SLICE,
        max_slice=MAX_ENRICH_SLICE,
        keep=(lambda checked, accepted: _live_versions(previous, summary, checked, accepted)) if keep_live else None,
    )
    summary.rejected.extend(rejected)
    summary.warnings.extend(_declared_otherwise(kept))
    summary.pairs = pairs
    summary.warnings.extend(pairs.warnings)
    summary.rejected.sort(key=lambda r: (r.source, r.line))
    summary.enricher = enricher
    summary.known = known
    return kept, summary


# A release dated further ahead than this is a typo (2091 for 2019) more often than an embargo,
# and would head every newest-first list until that day.
DAYS_AHEAD = 31


def _dated_ahead(releases) -> list[Warning_]:
    """A warning for each release dated more than ``DAYS_AHEAD`` days after today."""
    limit = dt.date.today().toordinal() + DAYS_AHEAD
    return [
        Warning_(r.source, r.line, f"dated {r.date.isoformat()}, in the future: is the year right?")
        for r in releases
        if r.day > limit
    ]


def _live_versions(previous: Path | None, summary: Summary, checked: list[Rejected], accepted: list) -> list[Release]:
    """The live versions of the releases whose records were rejected (read, or ``checked``)."""
    found = live_versions(previous, summary.rejected + checked, accepted)
    if found.problem:
        summary.messages.append(found.problem)
    return found.releases


def _declared_otherwise(releases) -> list[Warning_]:
    """A warning for each release read whose declared language its text contradicts. Only one
    whose title reads as the other language (enrichment told) is looked at more closely, so the
    check costs nothing for the others; a title of fewer than four words goes unchecked."""
    warnings = []
    for release in releases:
        if (
            type(release) is Release
            and not release.lang_detected
            and not release.kept_live  # its record is rejected: that says enough about it
            and release.title_lang not in ("", release.lang)
        ):
            message = declared_warning(release.title, release.body, release.lang)
            if message:
                warnings.append(Warning_(release.source, release.line, message))
    return warnings


def _first_of_each_id(releases: list[Release | Unread], rejected: list[Rejected]) -> dict[str, Release | Unread]:
    """Id -> release, the first release of each id; each later one is rejected as a duplicate."""
    unique = {r.id: r for r in releases}
    if len(unique) == len(releases):
        return unique
    unique = {}
    for release in releases:
        first = unique.get(release.id)
        if first is not None:
            rejected.append(
                Rejected(
                    release.source, release.line, f"duplicate id {release.id!r} (first at {first.source}:{first.line})"
                )
            )
            continue
        unique[release.id] = release
    return unique


def reindex(
    sources,
    root: Path | str,
    mode: str = "full",
    fmt: str | None = None,
    dry_run: bool = False,
    check: bool = False,
    progress: bool = True,
) -> Summary:
    """Build a new generation from ``sources`` and switch the site to it.

    ``mode`` is ``"full"`` (rebuild everything) or ``"incremental"`` (copy the live
    generation and add, update and delete only what changed, by content hash).
    ``check`` validates only; ``dry_run`` also compares with the live index but writes nothing.
    """
    with _without_cyclic_gc():
        return _reindex(sources, root, mode, fmt, dry_run, check, progress)


@contextmanager
def _without_cyclic_gc():
    """A build makes a few objects per release and frees them at the end; the cyclic garbage
    collector, run again and again as they pile up, would take a third of the time of a
    small incremental build over a large archive."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _reindex(sources, root, mode, fmt, dry_run, check, progress) -> Summary:
    started = time.perf_counter()
    store = IndexStore(root)
    if check:
        live = store.current_name()
        releases, summary = prepare(sources, fmt, progress, previous=store.path(live) if live else None)
        summary.mode, summary.releases = mode, len(releases)
        summary.seconds = time.perf_counter() - started
        if not releases:  # as the run itself would be refused
            raise _nothing_read(summary, live, None)
        return summary
    if dry_run and not store.root.exists():
        # No index to compare with, and a dry run writes nothing: not even the lock's folder.
        releases, summary = prepare(sources, fmt, progress)
        summary.releases = len(releases)
        if not releases:
            raise _nothing_read(summary, None, None)
        changes = _Changes.of(releases, summary, None, None)
        summary.mode = _mode(mode, None, False, changes, summary)
        summary.seconds = time.perf_counter() - started
        return summary
    # The lock comes before the reading: a second reindex refuses at once instead of reading
    # every source first, and one killed while reading leaves a record the next one reports.
    with store.lock() as messages:
        live = store.current_name()
        # Decided before reading: only an incremental build over a live index of this schema
        # can leave unchanged records unread (a full one writes every release).
        older_schema = bool(
            mode == "incremental" and live and store.manifest(live).get("schema_version") != SCHEMA_VERSION
        )
        # A generation search refuses (another Whoosh's format) is not built upon: adding to it
        # would publish another generation search refuses.
        other_format = bool(mode == "incremental" and live and not older_schema and _unsearchable(store, live))
        reuse = mode == "incremental" and live is not None and not older_schema and not other_format
        releases, summary = prepare(
            sources, fmt, progress, previous=store.path(live) if live else None, reuse=reuse, keep_live=True
        )
        summary.mode = mode
        summary.releases = len(releases)
        summary.messages.extend(messages)
        cleared = store.clear_partials()
        if cleared:
            summary.messages.append(f"removed unfinished build{'s' if len(cleared) > 1 else ''}: {', '.join(cleared)}")
        current = store.current_name()
        changes = _Changes.of(releases, summary, current, live)
        summary.mode = mode = _mode(mode, current, older_schema, changes, summary, other_format)
        unread = sorted({r.source for r in summary.rejected if not_read(r)})
        if changes.deleted and unread and changes.releases:  # (none at all: said below, as such)
            # A source named but not read (a folder or file that cannot be read, a link to
            # nothing, a mistyped path): its releases are absent, not deleted. Publishing would
            # take them off the site, in a full rebuild as in an incremental one.
            refusal = (
                f"{len(changes.deleted)} release{'s' if len(changes.deleted) != 1 else ''} would be deleted, "
                f"but {len(unread)} source{'s' if len(unread) != 1 else ''} could not be read "
                f"({', '.join(unread[:3])}{', …' if len(unread) > 3 else ''}) and may hold them; "
                "make every source named readable and run again"
            )
            if not dry_run:
                raise BuildError(f"{refusal}: the live index is unchanged ({current})", summary)
            summary.messages.append(refusal)
        if dry_run and not changes.releases:  # what the run itself would say
            raise _nothing_read(summary, current, len(changes.old))
        if dry_run:
            summary.generation = current
        elif _write_generation(store, mode, current, live, changes, summary, progress):
            store.prune()
        else:  # nothing to write: what is live stays live
            summary.generation = current
    summary.seconds = time.perf_counter() - started
    return summary


def _nothing_read(summary: Summary, current: str | None, live_releases: int | None) -> BuildError:
    """The refusal of sources of which no release could be read (a mistyped path, files that all
    fail): publishing them would empty the site, and a first build of nothing is no index either."""
    if not current:
        return BuildError("no release could be read from the sources: no index written", summary)
    counted = f", {live_releases} release{'s' if live_releases != 1 else ''}" if live_releases is not None else ""
    return BuildError(
        f"no release could be read from the sources; the live index is unchanged ({current}{counted})", summary
    )


@dataclass
class _Changes:
    """What the sources hold against the live generation: its releases' content hashes
    (``old``), the hashes of the releases read in full, and the ids added, updated, deleted."""

    releases: list
    read_in_full: list
    old: Mapping[str, str]
    hashes: dict
    added: list
    updated: list
    deleted: list

    @classmethod
    def of(cls, releases: list, summary: Summary, current: str | None, live: str | None) -> "_Changes":
        old: Mapping[str, str]
        if current and summary.known is not None and summary.known.loaded and current == live:
            old = summary.known.held()
        else:  # no live index, or one written by another version (or its known.bin damaged)
            old = {}
            # An unread release is unchanged by construction only against the table it came from.
            releases = [r.read() if type(r) is Unread else r for r in releases]
        # Unread releases are in the live index as they are: only the others can be new or changed.
        read_in_full = [r for r in releases if type(r) is not Unread]
        hashes = {r.id: r.content_hash() for r in read_in_full}
        added = [r.id for r in read_in_full if r.id not in old]
        updated = [r.id for r in read_in_full if r.id in old and old[r.id] != hashes[r.id]]
        if len(releases) - len(added) == len(old):
            deleted = []  # as many releases as the live index holds are here again (each id once)
        else:
            present = hashes if len(read_in_full) == len(releases) else {r.id for r in releases}
            deleted = [i for i in old if i not in present]
        summary.added, summary.updated, summary.deleted = len(added), len(updated), len(deleted)
        summary.changed = {"added": added, "updated": updated, "deleted": deleted}
        summary.unchanged = len(releases) - len(added) - len(updated)
        summary.previous = current
        return cls(releases, read_in_full, old, hashes, added, updated, deleted)

    @property
    def any(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def _mode(
    mode: str, current: str | None, older_schema: bool, changes: _Changes, summary: Summary, other_format: bool = False
) -> str:
    """The mode the build can really be made in: an incremental one over no live index, or over
    one written by another version, is made in full (and says why)."""
    if mode != "incremental":
        return mode
    if not current:
        summary.messages.append("no live index yet: building in full")
    elif older_schema:
        summary.messages.append(
            f"the live index was written by another version (its schema is not {SCHEMA_VERSION}): rebuilding in full"
        )
    elif other_format:
        summary.messages.append(
            "the live index was written by another version (its segments are not in "
            "the W3 format this version searches): rebuilding in full"
        )
    elif not changes.old:  # without them, what to delete or replace is unknown
        summary.messages.append(
            "the live index was written by another version (or its known.bin is damaged): rebuilding in full"
        )
    else:
        return mode
    return "full"


def _write_generation(
    store: IndexStore,
    mode: str,
    current: str | None,
    live: str | None,
    changes: _Changes,
    summary: Summary,
    progress: bool,
) -> bool:
    """Write the new generation and make it live (True), or say why none is written: nothing
    read, or nothing changed.  A failure leaves the live index as it was (``BuildError``)."""
    releases, read_in_full, hashes = changes.releases, changes.read_in_full, changes.hashes
    if not releases:
        raise _nothing_read(summary, current, len(changes.old))
    if mode == "incremental" and not changes.any:
        # Releases the live table does not know in this raw form (not those parsed again from a
        # form it knows, nor live versions kept for rejected records, which have none, nor those
        # read again by every build to be warned of again, which it never keeps).
        learnt = [r for r in read_in_full if not (r.reread or r.kept_live) and r.origin is not None]
        if learnt and current is not None and current == live:
            # The same releases, some in a new raw form (a line reformatted, or moved to the end
            # of a file with CRLF line ends...): the live generation's known.bin learns it, so
            # the next reindex does not parse them again.  The index itself is not touched.
            store.replace_file(
                current,
                KNOWN_FILE,
                known_table.table(summary.enricher.fingerprint, releases, hashes, summary.enricher.places_state()),
            )
            summary.messages.append(
                f"nothing changed: {current} stays live (its known.bin updated for "
                f"{len(learnt)} release{'s' if len(learnt) != 1 else ''} "
                "read in full)"
            )
        else:
            summary.messages.append(f"nothing changed: {current} stays live")
        return False
    by_id = {r.id: r for r in read_in_full}  # what is added or updated was read in full
    changed = [by_id[i] for i in changes.added + changes.updated]
    # Learnt before the writing lets the releases' texts go.
    words_across = _lexicon(read_in_full, summary)
    name = None
    try:
        base = current if mode == "incremental" else None  # (an incremental build has a live index)
        name, partial = store.start(base=base)
        if base is not None:
            removed = _write_incremental(partial, changed, changes.updated + changes.deleted, hashes, progress)
            words, forms = vocabulary.load_both(store.path(base))
            words = vocabulary.update(words, removed, changed)
            forms = vocabulary.written_forms(changed, forms)
        else:  # the words of the body fields (which hold the titles too), counted as they were indexed
            words, forms = _write_full(partial, releases, hashes, progress)
        vocabulary.save(partial, words, forms)
        terms = body_terms.body_terms(partial, store.path(base) if base is not None else None)
        body_terms.save(partial, terms)
        words_across = words_across.pruned(terms)
        if base is not None:
            words_across = words_across.merged(lexicon.Lexicon.load(store.path(base)))
        words_across.save(partial)
        known_table.save(partial, summary.enricher.fingerprint, releases, hashes, summary.enricher.places_state())
        store.publish(name, partial, _manifest(name, mode, releases, summary))
    except OSError as error:
        reason = error.strerror or str(error)
        if name is None or store.current_name() != name:
            store.clear_partials()
            if name is not None:  # sealed, but the switch to it failed: it was never live
                shutil.rmtree(store.path(name), ignore_errors=True)
            raise BuildError(
                f"the build of {name or 'a new generation'} failed ({reason}); "
                "the live index is unchanged" + (f" ({current})" if current else ""),
                summary,
            ) from error
        summary.messages.append(f"{name} is live, but the index directory could not be synced ({reason})")
    summary.generation = name
    summary.written = True
    return True


def _manifest(name: str, mode: str, releases: list, summary: Summary) -> dict:
    languages = [r.lang for r in releases]
    return {
        "generation": name,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "releases": len(releases),
        "languages": {lang: languages.count(lang) for lang in ("en", "es")},
        "pairs": summary.pairs.total,
        "schema_version": SCHEMA_VERSION,
        "sources": sorted({r.source for r in releases}),
    }


def _lexicon(releases: list[Release], summary: Summary) -> lexicon.Lexicon:
    """The bilingual lexicon of the sources ``data/lexicon.toml`` names and of the translation
    pairs among ``releases`` (those read in full: an incremental build adds to the live
    generation's what its changed pairs teach)."""
    try:
        sources = lexicon.Sources.read()
    except (OSError, ValueError, KeyError) as error:
        summary.messages.append(
            f"lexicon: {lexicon.lexicon_file()} could not be read ({error}): no search across languages"
        )
        return lexicon.Lexicon()
    for missing in sources.missing:
        summary.messages.append(f"lexicon: {missing} not found, left out")
    by_id = {r.id: r for r in releases}
    pairs = [(r, by_id[r.pair]) for r in releases if r.lang == "en" and r.pair in by_id and by_id[r.pair].lang == "es"]
    return lexicon.build(sources, pairs)


def _pairs_together(releases: list[Release]) -> list[Release]:
    """The releases with each translation right after its partner, so pairs get adjacent
    document numbers (search then merges pairs with one bit shift)."""
    by_id = {r.id: r for r in releases}
    done: set[str] = set()
    ordered = []
    for release in releases:
        if release.id in done:
            continue
        ordered.append(release)
        done.add(release.id)
        partner = by_id.get(release.pair)
        if partner is not None and partner.id not in done:
            ordered.append(partner)
            done.add(partner.id)
    return ordered


def _unsearchable(store: IndexStore, name: str) -> bool:
    """Whether search refuses generation ``name`` (``index.whoosh_internals.check_readable``); a
    generation that cannot be opened at all is left to what reads it next."""
    try:
        ix = store.open(name)
    except StoreError:
        return False
    try:
        with ix.searcher() as searcher:
            check_readable(searcher)
    except UnsupportedIndex:
        return True
    finally:
        ix.close()
    return False


def _write_full(
    partial: Path, releases: list[Release], hashes: dict[str, str], progress: bool
) -> tuple[dict[str, int], dict[str, str]]:
    """A new index of every release, and the archive's vocabulary (its counts and written
    forms): written in bulk (``index.segments``), by ``BUILD_PROCS`` processes when there are
    enough releases.

    The documents go to a spool file first; the releases' texts are then let go (what the
    build does afterwards needs only the rest), so the writing processes share no copy of them.
    """
    from . import (
        segments,  # and numpy: only a full build needs them (an incremental one starts sooner)
    )

    releases = _pairs_together(releases)
    ix = whoosh_index.create_in(str(partial), build_schema())
    twice: Counter = Counter()
    spool = Spool.write(partial / "documents.spool", _documents(releases, hashes, twice))
    try:
        for release in releases:
            release.forget_text()
        forked.trim_memory()
        bar = Progress(len(releases), "indexing", enabled=progress)
        try:
            tally = segments.write_full(
                ix,
                spool,
                procs=build_procs(),
                min_slice=MIN_SLICE,
                progress=bar,
                vocabulary_fields=[f"body_{lang}" for lang in LANGUAGES],
            )
        finally:
            bar.close()
    finally:
        spool.close()
    return {w: n - twice[w] for w, n in tally.counts.items()}, tally.forms()


def _documents(releases: list[Release], hashes: dict[str, str], twice: Counter):
    """The releases' documents; ``twice`` counts the words the vocabulary will count twice.

    The vocabulary is counted per body field as the segments are written; a release whose
    title is in the other language has its title in one body field and its text in the other,
    so a word of both would count twice for it (an incremental build counts a release's words
    once, from its title and text).
    """
    for release in releases:
        doc = document(release, hashes[release.id])
        if "title_lang" in doc:
            twice.update(vocabulary.words_of(release.title) & vocabulary.words_of(release.body))
        yield doc


def write_index(directory: Path, releases: list[Release]) -> None:
    """The writing stage of a full reindex alone, into a new ``directory``, for releases already
    read and enriched (``prepare``); their texts are let go, as a reindex does.  The benchmark
    times it against SQLite FTS5 inserting the same releases."""
    directory = Path(directory)
    directory.mkdir(parents=True)
    with _without_cyclic_gc():
        hashes = {r.id: r.content_hash() for r in releases}
        _write_full(directory, releases, hashes, progress=False)


def _write_incremental(
    partial: Path, changed: list[Release], remove: list[str], hashes: dict[str, str], progress: bool
) -> list[dict]:
    """Apply the changes to the copy of the live generation; the stored fields of the
    releases removed (or replaced), as they were, for the vocabulary."""
    # Not memory-mapped: with a map Whoosh copies every part of the segments it opens into
    # memory (hundreds of megabytes for a large archive), to delete a few documents.
    ix = FileStorage(str(partial), supports_mmap=False).open_index()
    writer = ix.writer(limitmb=WRITER_LIMIT_MB)
    return _write(writer, changed, remove, hashes, Progress(len(changed), "updating", enabled=progress))


def _write(writer, releases: list[Release], remove: list[str], hashes: dict[str, str], bar: Progress) -> list[dict]:
    """Delete, add and commit in one writer; on any failure the writer is cancelled.

    Returns the stored fields of the documents deleted, read before deleting them.
    """
    try:
        removed = []
        if remove:
            # Found through the writer's reader, by the id's postings: a Searcher and a
            # Term query would do the same, after importing Whoosh's query and search
            # modules, a noticeable share of a small incremental build.
            reader = writer.reader()
            try:
                docnums = [docnums_with_id(reader, release_id) for release_id in remove]
                removed = [reader.stored_fields(found[0]) for found in docnums if found]
            finally:
                reader.close()
            for found in docnums:
                for docnum in found:
                    writer.delete_document(docnum)
        for release in releases:
            writer.add_document(**document(release, hashes[release.id]))
            bar.update()
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        bar.close()
    return removed
