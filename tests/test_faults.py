"""Faults during a reindex and around the index directory: the live generation keeps answering,
nothing half-built is ever read, and the next reindex cleans up, says so and switches.

Builds are stopped at known stages by ``tests/paused_reindex.py`` (``scripts/reindex`` with the
build's functions wrapped: it prints ``paused at STAGE`` and sleeps), then killed with SIGKILL.
A full disk is simulated by writes that raise ``OSError(ENOSPC)``, and, where the machine lets
an unprivileged user mount a tiny tmpfs in a private namespace (``unshare -rm``), by a real
full filesystem.
"""

import errno
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import reindex as reindex_cli
from index.build import reindex
from index.config import PROJECT_ROOT
from index.schema import SCHEMA_VERSION
from index.store import IndexStore
from search.engine import Archive, IndexUnavailable
from search.params import SearchParams

from .helpers import REINDEX_SCRIPT, release, stored, write_jsonl

OLD = [
    release(
        id=f"old-{n}",
        date=f"2019-0{1 + n % 9}-1{n % 10}",
        title=f"Old release {n} about migrant workers in Panama",
        body=f"Old text number {n}. Migrant workers and returnees in Panama and Honduras receive support.",
    )
    for n in range(20)
]
NEW = [
    release(
        id=f"new-{n}",
        lang="es",
        date=f"2021-0{1 + n % 9}-1{n % 10}",
        title=f"Nuevo comunicado {n} sobre trabajadores migrantes en Panamá",
        body=f"Texto nuevo número {n}. Trabajadores migrantes y personas retornadas en Panamá y Honduras.",
    )
    for n in range(30)
]
QUERIES = [
    "migrant workers",
    "migrantes",
    "Panama",
    "Honduras",
    "",
    "returnees OR retornadas",
    "year:2019",
    "country:PA",
    '"migrant workers"',
    "nada-de-nada",
]


@pytest.fixture
def sources(tmp_path):
    return write_jsonl(tmp_path / "old.jsonl", OLD), write_jsonl(tmp_path / "new.jsonl", NEW)


@pytest.fixture
def live(tmp_path, sources):
    """An index whose live generation, gen-000001, holds the OLD releases."""
    root = tmp_path / "ix"
    summary = reindex([sources[0]], root, progress=False)
    assert summary.generation == "gen-000001" and not summary.rejected
    return root


def answers(archive: Archive) -> dict[str, tuple]:
    """Every query's generation, total and hit ids."""
    out = {}
    for text in QUERIES:
        result = archive.search(SearchParams(q=text, per_page=50, separate=True))
        out[text] = (result.generation, result.total, sorted(hit.id for hit in result.hits))
    return out


def assert_serves(archive: Archive, generation: str, prefix: str, expected: dict | None = None) -> dict:
    got = answers(archive)
    for text, (gen, _total, ids) in got.items():
        assert gen == generation, text
        assert all(i.startswith(prefix) for i in ids), (text, ids)
    assert got["migrantes" if prefix == "new-" else "migrant workers"][1] > 0
    if expected is not None:
        assert got == expected
    assert archive.status()["generation"] == generation
    return got


def files_of(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def paused_reindex(stage: str, seconds: float, *arguments) -> list[str]:
    """The command of ``scripts/reindex`` with ``arguments``, stopped at ``stage`` for ``seconds``
    (tests/paused_reindex.py)."""
    return [sys.executable, "-m", "tests.paused_reindex", stage, str(seconds), *map(str, arguments)]


def start_paused(stage: str, source: Path, root: Path, seconds: float = 60, err=None) -> subprocess.Popen:
    """``scripts/reindex`` stopped at ``stage``: returns once it has printed ``paused at STAGE``."""
    process = subprocess.Popen(
        paused_reindex(stage, seconds, source, "--index", root, "--quiet"),
        stdout=subprocess.PIPE,
        stderr=err or subprocess.DEVNULL,
        text=True,
        cwd=PROJECT_ROOT,
    )
    wait_for_pause(process, stage)
    return process


def wait_for_pause(process: subprocess.Popen, stage: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            if line.strip() == f"paused at {stage}":
                return
            if not line and process.poll() is not None:
                break
    process.kill()
    process.wait()
    raise AssertionError(f"reindex never paused at {stage} (exit {process.returncode})")


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """The reindex script's main(), in this process (same code, without the interpreter start)."""
    capsys.readouterr()
    code = reindex_cli.main([*map(str, args), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


# --- SIGKILL at each stage ----------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["reading", "writing", "switch"])
def test_reindex_killed_at_a_stage(tmp_path, live, sources, capsys, stage):
    store = IndexStore(live)
    opened_before = Archive(live)
    baseline = assert_serves(opened_before, "gen-000001", "old-")
    live_files = files_of(live / "gen-000001")

    reindexing = start_paused(stage, sources[1], live)
    try:
        partials = sorted(p.name for p in live.glob("*.partial"))
        assert partials == ([] if stage == "reading" else ["gen-000002.partial"])
        # While the build is stopped the site answers from the live generation.
        assert_serves(opened_before, "gen-000001", "old-", baseline)
    finally:
        reindexing.send_signal(signal.SIGKILL)
        reindexing.wait(10)
    assert reindexing.returncode == -signal.SIGKILL

    # Killed: the pointer still names the previous generation, which is untouched, and every
    # search -- on an archive opened before the kill and on a fresh one -- answers from it.
    assert store.current_name() == "gen-000001"
    assert files_of(live / "gen-000001") == live_files
    assert_serves(opened_before, "gen-000001", "old-", baseline)
    assert_serves(Archive(live), "gen-000001", "old-", baseline)

    # The next reindex is not blocked: it clears the dead one's lock and leftovers, and switches.
    code, out, err = run_cli(capsys, sources[1], "--index", live)
    assert code == 0, err
    assert f"note: cleared a stale lock left by a reindex that did not finish (pid {reindexing.pid} " in err
    if stage != "reading":
        assert "note: removed unfinished build: gen-000002.partial" in err
    assert "generation gen-000002 is live (previous gen-000001 kept for --rollback)" in out
    assert store.current_name() == "gen-000002"
    assert not list(live.glob("*.partial")) and not list(live.glob(".*.tmp"))
    assert sorted(stored(live)) == sorted(r["id"] for r in NEW)
    assert_serves(opened_before, "gen-000002", "new-")
    assert_serves(Archive(live), "gen-000002", "new-")


# --- two at once ------------------------------------------------------------------------------


def test_two_reindexes_started_together_one_runs_the_other_refuses_at_once(tmp_path, live, sources):
    archive = Archive(live)
    baseline = assert_serves(archive, "gen-000001", "old-")
    command = paused_reindex("reading", 3, sources[1], "--index", live, "--quiet")
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
        for _ in range(2)
    ]
    ended = {}
    deadline = time.monotonic() + 90
    while len(ended) < 2 and time.monotonic() < deadline:
        for process in processes:
            if process.pid not in ended and process.poll() is not None:
                ended[process.pid] = time.monotonic()
        time.sleep(0.02)
    results = {}
    for process in processes:
        out, err = process.communicate(timeout=30)
        results[process.pid] = (process.returncode, out, err, ended[process.pid])
    (winner,) = [pid for pid, r in results.items() if r[0] == 0]
    (loser,) = [pid for pid, r in results.items() if r[0] != 0]
    code, out, err, _ = results[loser]
    assert code == 3
    assert f"reindex: another reindex is running (pid {winner} started " in err
    # At once: it did not read the sources first (it never reached the pause after reading).
    assert "paused at" not in out
    assert "paused at reading" in results[winner][1]
    assert results[loser][3] < results[winner][3]
    # The index is intact: the one that ran switched to a complete generation; nothing else is left.
    store = IndexStore(live)
    assert store.current_name() == "gen-000002"
    assert sorted(p.name for p in live.iterdir()) == ["CURRENT", "PREVIOUS", "gen-000001", "gen-000002", "reindex.lock"]
    assert_serves(archive, "gen-000002", "new-")
    assert sorted(stored(live)) == sorted(r["id"] for r in NEW)
    assert baseline["migrant workers"][1] == len(OLD)


def test_a_reindex_refused_while_another_holds_the_lock_changes_nothing(tmp_path, live, sources, capsys):
    holder = start_paused("writing", sources[1], live)
    try:
        before = {p.name for p in live.iterdir()}
        code, out, err = run_cli(capsys, sources[0], "--index", live)
        assert code == 3
        assert f"another reindex is running (pid {holder.pid} started" in err
        assert {p.name for p in live.iterdir()} == before
        assert IndexStore(live).current_name() == "gen-000001"
    finally:
        holder.kill()
        holder.wait(10)


# --- a full disk ------------------------------------------------------------------------------


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


FULL_DISK_AT = {
    # where the write fails: (object, attribute)
    "new generation directory": ("index.store.IndexStore.start", None),
    "whoosh table of contents": ("whoosh.writing.SegmentWriter._commit_toc", None),
    "vocabulary file": ("index.vocabulary.save", None),
    "manifest and fsync": ("index.store.IndexStore.publish", None),
    "CURRENT pointer": ("index.store.IndexStore.switch", None),
}


@pytest.mark.parametrize("where", sorted(FULL_DISK_AT))
def test_disk_full_during_a_build(tmp_path, live, sources, capsys, monkeypatch, where):
    archive = Archive(live)
    baseline = assert_serves(archive, "gen-000001", "old-")
    live_files = files_of(live / "gen-000001")
    target, _ = FULL_DISK_AT[where]
    monkeypatch.setattr(target, _enospc)

    code, out, err = run_cli(capsys, sources[1], "--index", live)
    assert code == 3, (out, err)
    assert "No space left on device" in err and "the live index is unchanged (gen-000001)" in err, err
    assert "Traceback" not in err
    # The live generation is untouched and still answers; nothing of the failed build is left.
    assert IndexStore(live).current_name() == "gen-000001"
    assert files_of(live / "gen-000001") == live_files
    assert sorted(p.name for p in live.iterdir()) == ["CURRENT", "gen-000001", "reindex.lock"]
    assert_serves(archive, "gen-000001", "old-", baseline)
    assert_serves(Archive(live), "gen-000001", "old-", baseline)

    # Space again: the next reindex works, and --rollback goes back to the generation that was live.
    monkeypatch.undo()
    code, out, err = run_cli(capsys, sources[1], "--index", live)
    assert code == 0, err
    assert IndexStore(live).current_name() == "gen-000002"
    assert IndexStore(live).rollback() == ("gen-000002", "gen-000001")


def test_disk_full_writing_the_lock_record(tmp_path, live, sources, capsys, monkeypatch):
    real_fdopen = os.fdopen

    class FullFile:
        def __init__(self, handle):
            self._handle = handle

        def write(self, text):
            _enospc()

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()

    monkeypatch.setattr("index.store.os.fdopen", lambda *a, **k: FullFile(real_fdopen(*a, **k)))
    code, out, err = run_cli(capsys, sources[1], "--index", live)
    assert code == 3 and "No space left on device" in err and "Traceback" not in err
    assert IndexStore(live).current_name() == "gen-000001"


SMALL_FS = """
set -u
mount -t tmpfs -o size=2600k tmpfs "$1" || exit 97
"$REINDEX" "$2" --index "$1/ix" --quiet >/dev/null 2>&1; echo "first=$?"
"$REINDEX" "$3" --index "$1/ix" --quiet 2>"$1/err" >/dev/null; echo "second=$?"
echo "current=$(cat "$1/ix/CURRENT")"
echo "entries=$(ls -a "$1/ix" | tr '\\n' ' ')"
echo "err=$(tr '\\n' ' ' < "$1/err")"
cp -r "$1/ix" "$4"
"""


def test_disk_full_on_a_real_small_filesystem(tmp_path, sources):
    """Optional: needs unprivileged user and mount namespaces (``unshare -rm``); skipped without."""
    unshare = shutil.which("unshare")
    probe = (
        subprocess.run(
            [unshare, "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"], capture_output=True
        )
        if unshare
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("cannot mount a small tmpfs in a private namespace here")
    big = write_jsonl(
        tmp_path / "big.jsonl",
        [
            release(
                id=f"big-{n}",
                title=f"Release {n} on labour migration",
                body=" ".join(f"word{n}x{k} migrant workers Panama Honduras" for k in range(60)),
            )
            for n in range(40)
        ],
    )  # an index of about 1.9 MB (1.3 MB of it the lexicon's known words), after one of 1.5 MB on 2.6 MB
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(
        [unshare, "-rm", "sh", "-c", SMALL_FS, "sh", str(mount), str(sources[0]), str(big), str(tmp_path / "after")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "REINDEX": str(REINDEX_SCRIPT)},
    )
    report = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert report.get("first") == "0", done
    assert report["second"] == "3", report
    assert "No space left on device" in report["err"] and "the live index is unchanged (gen-000001)" in report["err"]
    assert report["current"] == "gen-000001"
    assert sorted(report["entries"].split()) == [".", "..", "CURRENT", "gen-000001", "reindex.lock"]
    assert_serves(Archive(tmp_path / "after"), "gen-000001", "old-")


# --- a missing, unreadable or empty index ----------------------------------------------------


def assert_unavailable(archive: Archive) -> None:
    for call in (archive.status, lambda: archive.search(SearchParams(q="migrantes"))):
        with pytest.raises(IndexUnavailable) as raised:
            call()
        assert str(archive.store.root) in str(raised.value)


BREAKAGES = {
    "missing directory": lambda root: shutil.rmtree(root),
    "a file instead of the directory": lambda root: (shutil.rmtree(root), root.write_text("not an index")),
    "empty directory": lambda root: [shutil.rmtree(p) if p.is_dir() else p.unlink() for p in root.iterdir()],
    "no CURRENT": lambda root: (root / "CURRENT").unlink(),
    "CURRENT names nothing": lambda root: (root / "CURRENT").write_text("../../etc\n"),
    "CURRENT not text": lambda root: (root / "CURRENT").write_bytes(b"\xff\xfe\x00\x81"),
    "CURRENT a directory": lambda root: ((root / "CURRENT").unlink(), (root / "CURRENT").mkdir()),
    "generation deleted": lambda root: shutil.rmtree(root / "gen-000001"),
    "no table of contents": lambda root: [p.unlink() for p in (root / "gen-000001").glob("*.toc")],
    "garbage table of contents": lambda root: [p.write_bytes(b"garbage!") for p in (root / "gen-000001").glob("*.toc")],
    "segment missing": lambda root: [p.unlink() for p in (root / "gen-000001").glob("*.seg")],
    "manifest missing": lambda root: (root / "gen-000001" / "manifest.json").unlink(),
    "manifest garbage": lambda root: (root / "gen-000001" / "manifest.json").write_text("{"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_missing_or_unreadable_index_then_recovery(tmp_path, live, sources, breakage):
    archive = Archive(live)
    BREAKAGES[breakage](live)
    assert_unavailable(archive)
    assert_unavailable(Archive(live))
    # An index appears (a reindex, or staff repairing the directory): the same object answers.
    if live.is_file() or (live / "CURRENT").is_dir():
        shutil.rmtree(live) if live.is_dir() else live.unlink()
    summary = reindex([sources[1]], live, progress=False)
    assert summary.written
    assert_serves(archive, summary.generation, "new-")


def test_unreadable_current_pointer(tmp_path, live, sources, monkeypatch):
    """Permission denied on CURRENT (simulated: the tests may run as root, who reads anything)."""
    archive = Archive(live)
    real_read_text = Path.read_text

    def read_text(self, *args, **kwargs):
        if self.name == "CURRENT":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert_unavailable(archive)
    monkeypatch.undo()
    assert_serves(archive, "gen-000001", "old-")


def test_an_archive_that_is_answering_keeps_answering_when_the_pointer_breaks(tmp_path, live):
    archive = Archive(live)
    baseline = assert_serves(archive, "gen-000001", "old-")
    (live / "CURRENT").write_bytes(b"\xff\xfe")
    assert_serves(archive, "gen-000001", "old-", baseline)


def test_a_build_with_no_release_never_replaces_the_live_index(tmp_path, live, capsys):
    """A typo in the source path, or a folder of files that all fail, reads nothing: publishing that
    would empty the site; the script refuses, names what it rejected, and exits 3."""
    archive = Archive(live)
    baseline = assert_serves(archive, "gen-000001", "old-")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x"\n{"id": "y", "lang": "en"}\n', encoding="utf-8")
    # (a dry run and a check say what the run would: they said "would delete every release", 0)
    runs = ([tmp_path / "typo"], [broken], [broken, "--incremental"], [broken, "--dry-run"], [broken, "--check"])
    for sources in runs:
        code, out, err = run_cli(capsys, *sources, "--index", live)
        assert code == 3, (sources, out, err)
        assert "no release could be read" in err and "the live index is unchanged (gen-000001" in err
        assert "rejected: " in err
        assert IndexStore(live).current_name() == "gen-000001"
        assert sorted(p.name for p in live.iterdir()) == ["CURRENT", "gen-000001", "reindex.lock"]
        assert_serves(archive, "gen-000001", "old-", baseline)


def test_a_first_build_with_no_release_writes_no_index(tmp_path, capsys):
    """A mistyped path or an empty file with no index yet is a failure too (exit 3): it said
    "everything went in" (0) for an empty file."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for source, rejected, more in ((tmp_path / "typo", True, ()), (empty, False, ()), (empty, False, ("--dry-run",))):
        code, out, err = run_cli(capsys, source, "--index", tmp_path / "ix", *more)
        assert code == 3, (source, out, err)
        assert ("rejected: " in err and "no such file or folder" in err) == rejected
        assert "no release could be read from the sources: no index written" in err
        assert IndexStore(tmp_path / "ix").current_name() is None
        assert_unavailable(Archive(tmp_path / "ix"))


# --- damaged or unusual generations: unavailable or empty, never a crash ------------------------


def test_truncated_segment_is_index_unavailable(tmp_path, live):
    for segment in (live / "gen-000001").glob("*.seg"):
        segment.write_bytes(segment.read_bytes()[:100])
    assert_unavailable(Archive(live))


def test_generation_without_vocabulary_still_answers(tmp_path, live):
    """The vocabulary only feeds corrections: a generation that has lost it answers every search
    as before, offers no correction (a misspelt word is searched as typed), and completes titles."""
    baseline = answers(Archive(live))
    (live / "gen-000001" / "vocabulary.bin").unlink()
    archive = Archive(live)
    assert_serves(archive, "gen-000001", "old-", baseline)
    unknown = archive.search(SearchParams(q="zzyzx"))
    assert (unknown.generation, unknown.total, unknown.hits, unknown.suggestion) == ("gen-000001", 0, [], None)
    misspelt = archive.search(SearchParams(q="migrnt workers"))
    assert misspelt.generation == "gen-000001" and misspelt.total == len(OLD)  # "workers" is in every one
    assert not misspelt.corrected and misspelt.suggestion is None and misspelt.searched_for == "migrnt workers"
    assert "Old release 0 about migrant workers in Panama" in [s.text for s in archive.suggest("Old rel")]


def test_generation_with_no_release_answers_with_nothing(tmp_path, live):
    from whoosh import index as whoosh_index

    from index.schema import build_schema

    empty = live / "gen-000002"
    empty.mkdir()
    whoosh_index.create_in(str(empty), build_schema()).writer().commit()
    (empty / "manifest.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
    IndexStore(live).switch("gen-000002")
    assert Archive(live).search(SearchParams(q="migrantes")).total == 0
