"""Slices of work in forked processes: results in order, failures reported, no child outliving its parent."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from index import forked
from index.config import PROJECT_ROOT


def test_slices_cover_the_range_in_order_and_small_work_stays_here():
    assert forked.slices(10, 3) == [(0, 3), (3, 6), (6, 10)]
    pids = forked.map_slices(lambda start, end: (start, end, os.getpid()), 10, 3)
    assert [(s, e) for s, e, _ in pids] == [(0, 3), (3, 6), (6, 10)]
    assert len({pid for _, _, pid in pids}) == 3 and os.getpid() not in {pid for _, _, pid in pids}
    # Slices shorter than min_slice are not worth a process: one slice, run in this process.
    assert forked.map_slices(lambda start, end: (start, end, os.getpid()), 10, 3, min_slice=6) == [(0, 10, os.getpid())]


def test_long_work_is_cut_into_short_slices_never_more_than_parts_at_once(tmp_path):
    """A child keeps a copy of every page it touched until it ends: long work goes to a
    succession of children, each with a short slice, at most ``parts`` of them alive at once."""
    log = tmp_path / "log"

    def work(start, end):
        with open(log, "a") as handle:
            handle.write("+\n")
        # Stay until a second child has started (at most 5 s): the two first slices then
        # overlap however slowly the machine forks, and a third could only add to them.
        deadline = time.monotonic() + 5
        while log.read_text().count("+") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        with open(log, "a") as handle:
            handle.write("-\n")
        return (start, end, os.getpid())

    done = forked.map_slices(work, 10, 2, max_slice=3)
    assert [(s, e) for s, e, _ in done] == [(0, 2), (2, 5), (5, 7), (7, 10)]
    assert len({pid for _, _, pid in done}) == 4
    alive = peak = 0
    for mark in log.read_text().split():
        alive += 1 if mark == "+" else -1
        peak = max(peak, alive)
    assert peak == 2


def test_an_error_in_a_child_is_raised_here_with_its_traceback():
    def work(start, end):
        if start:
            raise OSError(28, "No space left on device")
        return end

    with pytest.raises(OSError) as raised:
        forked.map_slices(work, 10, 2)
    assert raised.value.errno == 28
    notes = "".join(getattr(raised.value, "__notes__", []))
    assert "in a build process" in notes and "raise OSError" in notes


def test_a_child_that_dies_without_an_answer_is_a_failure():
    def work(start, end):
        if start:
            os.kill(os.getpid(), signal.SIGKILL)
        return end

    with pytest.raises(forked.ChildFailed, match="slice 2 of 2"):
        forked.map_slices(work, 10, 2)


def test_children_die_with_their_parent(tmp_path):
    """A reindex killed while its processes work leaves none of them working on."""
    pids = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(PROJECT_ROOT)!r})
        from index import forked

        def work(start, end):
            with open({str(pids)!r}, "a") as handle:
                handle.write(f"{{os.getpid()}}\\n")
            time.sleep(60)

        forked.map_slices(work, 10, 2)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not pids.exists() or len(pids.read_text().split()) < 2):
        time.sleep(0.05)
    children = [int(p) for p in pids.read_text().split()]
    assert len(children) == 2
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 10
    alive = children
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in children if _running(pid)]
        time.sleep(0.05)
    assert not alive, f"children still running after their parent was killed: {alive}"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
