"""A 1,000-document run of the benchmark, as CI runs it: every measurement works (no timing assertion)."""

import importlib.util
import os
import re
import subprocess

import pytest

from index.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def run() -> str:
    done = subprocess.run(
        [
            str(PROJECT_ROOT / "scripts" / "bench"),
            "run",
            "--docs",
            "1000",
            "--queries",
            "60",
            "--repeat",
            "2",
            "--http-seconds",
            "2",
            "--no-save",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def cells(out: str, label: str) -> list[str]:
    """The values of the table row that starts with ``label``."""
    line = next((line for line in out.splitlines() if line.startswith(f"| {label}")), None)
    assert line is not None, label
    return [cell.strip() for cell in line.split("|")[2:-1]]


def test_distinct_searches_are_the_headline_in_process_and_over_http(run):
    assert "60 other ones" in run and "fixed seed" in run
    headline = run.index("distinct searches (the headline): in process")
    assert headline < run.index("HTTP, the API**") < run.index("HTTP, the HTML pages**") < run.index("secondary:")
    for p in (50, 95, 99):
        (value,) = cells(run, f"p{p}, ms: ours / FTS5")
        assert all(float(v) > 0 for v in value.split(" / ")), value
    sections = run.split("| **")
    for title in (
        "distinct searches (the headline): HTTP, the API",
        "distinct searches (the headline): HTTP, the HTML pages",
    ):
        section = next(s for s in sections if s.startswith(title))
        for c in (1, 8):
            # every request answered, and none of the distinct searches asked twice (no cache could answer)
            assert f"| c={c}: errors / searches asked a second time | 0 / 0 |" in section, (title, c)
            (rate,) = cells(section[section.index(f"| c={c}: requests/s") :], f"c={c}: requests/s")
            assert float(rate.replace(",", "")) > 0
            # the slowest answer as the client met it, and the workers' own times from the access log
            (slowest,) = cells(section[section.index(f"| c={c}: slowest") :], f"c={c}: slowest answer")
            client, server_p99, server_max = (float(v.replace(",", "")) for v in slowest.split(" / "))
            assert client > 0 and 0 <= server_p99 <= server_max


def test_fixed_searches_builds_incremental_and_memory_are_measured(run):
    for row in (
        "full build: ours, releases/s",
        "full build: FTS5, releases/s",
        "ratio ours / FTS5 p50",
        "in process, ours, answered from the result cache",
        "HTTP, the API, c=8: requests/s",
        "memory per gunicorn worker",
    ):
        assert row in run, row
    assert "| incremental changes found by the archive and the running site, without restart | yes |" in run
    (rounds,) = cells(run, "incremental reindex of 10, each round")
    assert len(rounds.split(",")) == 2, rounds  # one time per round, each on 10 other releases
    for c in (1, 8):
        assert f"| HTTP, the API, c={c}: errors | 0 |" in run


def test_tantivy_is_the_second_peer(run):
    # `make setup` installs it (the bench dependency group): missing, the test fails and says so
    assert importlib.util.find_spec("tantivy") is not None, "tantivy is not installed: run make setup"
    assert re.search(r"tantivy-py \d+\.\d+", run)
    (times,) = cells(run, "p50, ms: ours / FTS5 / tantivy")
    assert len(times.split(" / ")) == 3 and all(float(v) > 0 for v in times.split(" / "))
    assert float(cells(run, "ratio ours / tantivy p95")[0]) > 0
    assert cells(run, "full build: tantivy, releases/s")[0] != "n/a"


def test_the_profile_shares_a_distinct_search_out_by_layer():
    assert importlib.util.find_spec("pyinstrument") is not None, "pyinstrument is not installed: run make setup"
    done = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "bench"), "profile", "--docs", "300", "--searches", "40", "--no-save"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| layer | in process | API | pages |" in out
    for ms in cells(out, "milliseconds per search"):
        assert float(ms) > 0
    rows = [line for line in out.splitlines() if line.startswith("| ") and line.endswith(" % |")]
    for column in range(3):  # every sample counted once: each way's shares add up to the whole
        total = sum(int(row.split("|")[2 + column].strip().rstrip(" %")) for row in rows)
        assert 95 <= total <= 105, (column, total)
    # the search's own layers take time in process; the pages' templates only on the pages
    assert float(cells(out, "scoring")[0].rstrip(" %")) > 0
    assert cells(out, "templates")[2] != "0 %"
