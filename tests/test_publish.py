"""Shipping index generations to replicas (index/publish.py, scripts/publish): a generation is
copied whole, checked against its SHA256SUMS and only then switched to; a damaged or unreachable
copy leaves the replica on its generation; rollbacks are followed.

The generations here are folders of files as a build leaves them (a manifest, segment files,
known.bin), written directly: shipping never opens them as indexes (tests/deploy/test_cluster.py
ships real ones to running replicas)."""

import json
import os
import subprocess

import pytest

from index import publish
from index.config import PROJECT_ROOT
from index.publish import PUBLISHED, SUMS, PublishError
from index.store import IndexStore

from .system_packages import require

pytestmark = pytest.mark.subprocess  # rsync does the copying


@pytest.fixture(autouse=True)
def _rsync():
    require("rsync")


def build(store: IndexStore, segments: dict[str, bytes], base: str | None = None) -> str:
    """A new live generation holding these segment files (on top of ``base``'s, linked, as an
    incremental build does)."""
    name, partial = store.start(base=base)
    for filename, data in segments.items():
        (partial / filename).write_bytes(data)
    (partial / "known.bin").write_bytes(os.urandom(64))
    (partial / "MAIN_WRITELOCK").write_bytes(b"")
    store.publish(name, partial, {"generation": name, "releases": len(segments)})
    return name


@pytest.fixture
def indexer(tmp_path) -> IndexStore:
    return IndexStore(tmp_path / "indexer")


@pytest.fixture
def replica(tmp_path) -> IndexStore:
    return IndexStore(tmp_path / "replica")


def test_publish_checksums_the_live_generation_and_names_it(indexer):
    name = build(indexer, {"MAIN_a.seg": b"segment a" * 100, "_MAIN_1.toc": b"toc"})
    assert publish.publish(indexer) == name
    assert publish.published(indexer) == name
    sums = (indexer.path(name) / SUMS).read_text()
    assert "known.bin" not in sums and "LOCK" not in sums and "manifest.json" in sums
    # sha256sum's own format: an operator checks a copy by hand
    checked = subprocess.run(["sha256sum", "--check", "--quiet", SUMS], cwd=indexer.path(name), capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_replica_pulls_the_published_generation_whole_and_switches_to_it(indexer, replica):
    name = build(indexer, {"MAIN_a.seg": b"a" * 5000, "_MAIN_1.toc": b"toc"})
    publish.publish(indexer)
    result = publish.pull(replica, str(indexer.root))
    assert (result.generation, result.copied, result.switched) == (name, True, True)
    assert replica.current_name() == name and publish.published(replica) == name
    assert (replica.path(name) / "MAIN_a.seg").read_bytes() == b"a" * 5000
    assert not (replica.path(name) / "known.bin").exists()  # read only by reindexing: not shipped
    assert publish.verify(replica.path(name)) == []
    again = publish.pull(replica, str(indexer.root))
    assert (again.copied, again.switched) == (False, False)


def test_an_incremental_generation_shares_files_with_the_one_before_and_older_ones_are_pruned(indexer, replica):
    first = build(indexer, {"MAIN_a.seg": b"a" * 5000})
    publish.publish(indexer)
    publish.pull(replica, str(indexer.root))
    second = build(indexer, {"MAIN_b.seg": b"b" * 5000}, base=first)
    publish.publish(indexer)
    publish.pull(replica, str(indexer.root))
    # the segment both generations hold is one file on the replica's disk, as on the indexer's
    assert (replica.path(second) / "MAIN_a.seg").stat().st_ino == (replica.path(first) / "MAIN_a.seg").stat().st_ino
    # the second inherited the first's SHA256SUMS as a link: publishing made its own
    assert publish.verify(replica.path(second)) == []
    third = build(indexer, {"MAIN_c.seg": b"c" * 5000}, base=second)
    publish.publish(indexer)
    result = publish.pull(replica, str(indexer.root))
    assert replica.generations() == [second, third] and result.removed == [first]


def test_a_copy_that_fails_its_checks_is_never_served(indexer, replica):
    first = build(indexer, {"MAIN_a.seg": b"a" * 5000})
    publish.publish(indexer)
    publish.pull(replica, str(indexer.root))
    second = build(indexer, {"MAIN_b.seg": b"b" * 5000})
    publish.publish(indexer)
    (indexer.path(second) / "MAIN_b.seg").write_bytes(b"B" * 5000)  # damaged after its checksums were made
    with pytest.raises(PublishError, match="MAIN_b.seg does not match its checksum"):
        publish.pull(replica, str(indexer.root))
    assert replica.current_name() == first
    assert not any(p.name.endswith(".partial") for p in replica.root.iterdir())
    assert not replica.path(second).exists()
    # it knows it is behind (/readyz says so) until a good copy arrives
    assert publish.published(replica) == second


@pytest.mark.parametrize("damage", ["missing", "extra", "sums"])
def test_verify_names_what_is_wrong(indexer, damage):
    name = build(indexer, {"MAIN_a.seg": b"a" * 100})
    publish.publish(indexer)
    folder = indexer.path(name)
    if damage == "missing":
        (folder / "MAIN_a.seg").unlink()
        expected = "MAIN_a.seg is missing"
    elif damage == "extra":
        (folder / "MAIN_z.seg").write_bytes(b"z")
        expected = "MAIN_z.seg is not in SHA256SUMS"
    else:
        (folder / SUMS).write_text("not a checksum line\n")
        expected = "SHA256SUMS line 1 is not 'checksum  file'"
    assert expected in publish.verify(folder)


def test_a_rollback_published_by_the_indexer_is_followed_without_copying(indexer, replica):
    first = build(indexer, {"MAIN_a.seg": b"a" * 5000})
    publish.publish(indexer)
    publish.pull(replica, str(indexer.root))
    second = build(indexer, {"MAIN_b.seg": b"b" * 5000}, base=first)
    publish.publish(indexer)
    publish.pull(replica, str(indexer.root))
    assert publish.rollback(indexer) == (second, first)
    assert indexer.current_name() == first and publish.published(indexer) == first
    result = publish.pull(replica, str(indexer.root))
    assert (result.generation, result.copied, result.switched) == (first, False, True)
    assert replica.current_name() == first


def test_an_unreachable_source_leaves_the_replica_as_it_is(indexer, replica, tmp_path):
    name = build(indexer, {"MAIN_a.seg": b"a" * 100})
    publish.publish(indexer)
    publish.pull(replica, str(indexer.root))
    with pytest.raises(PublishError, match="PUBLISHED could not be read"):
        publish.pull(replica, str(tmp_path / "gone"))
    assert replica.current_name() == name and publish.published(replica) == name


def test_nothing_to_publish_without_an_index(indexer):
    with pytest.raises(PublishError, match="run scripts/reindex first"):
        publish.publish(indexer)


def test_follow_says_a_lasting_failure_once_and_its_end(indexer, replica, tmp_path):
    said = []
    publish.follow(replica, str(indexer.root), every=0.01, log=said.append, rounds=3)
    assert len(said) == 1 and "could not be read" in said[0]
    name = build(indexer, {"MAIN_a.seg": b"a" * 100})
    publish.publish(indexer)
    publish.follow(replica, str(indexer.root), every=0.01, log=said.append, rounds=1)
    assert replica.current_name() == name and said[-1].startswith(f"publish: {name} is live")


def test_the_command(indexer, replica):
    script = str(PROJECT_ROOT / "scripts" / "publish")
    run = lambda *args: subprocess.run([script, *args], capture_output=True, text=True, timeout=60)  # noqa: E731
    failed = run("--index", str(indexer.root))
    assert failed.returncode == 3 and "run scripts/reindex first" in failed.stderr
    name = build(indexer, {"MAIN_a.seg": b"a" * 100})
    assert run("--index", str(indexer.root)).stdout == f"published {name}: the replicas follow\n"
    pulled = run("--index", str(replica.root), "--pull", str(indexer.root))
    assert pulled.returncode == 0 and f"{name} is live (copied from" in pulled.stdout
    assert run("--index", str(replica.root), "--status").stdout == f"live {name}, published {name}\n"
    assert run("--index", str(replica.root), "--follow", "x", "--every", "0").returncode == 2
    assert json.loads((replica.path(name) / "manifest.json").read_text())["generation"] == name
    assert (replica.root / PUBLISHED).read_text() == name + "\n"
