"""A 1,000-document run of the benchmark, as CI runs it: every measurement works (no timing assertion)."""

import os
import subprocess

from index.config import PROJECT_ROOT


def test_benchmark_smoke_run():
    done = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "bench"), "run", "--docs", "1000", "--repeat", "2",
         "--http-seconds", "2", "--no-save"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for row in ("full build: ours, releases/s", "full build: FTS5, releases/s", "ratio ours / FTS5 p50",
                "incremental reindex of 10, median of the rounds, s", "HTTP, the fixed queries, repeated, c=8: requests/s",
                "HTTP, distinct queries, c=8: p50 / p95 / p99, ms", "memory per gunicorn worker"):
        assert row in out, row
    assert "| incremental changes found by the archive and the running site, without restart | yes |" in out
    rounds = next(line for line in out.splitlines() if line.startswith("| incremental reindex of 10, each round"))
    assert len(rounds.split("|")[2].split(",")) == 2, rounds  # one time per round, each on 10 other releases
    for label in ("the fixed queries, repeated", "distinct queries"):
        for c in (1, 8):
            assert f"| HTTP, {label}, c={c}: errors | 0 |" in out, label
