"""A 20-second run of scripts/soak, as CI runs it: locust drives the site under gunicorn with a
reindex switching in half-way; the report exists, with no 5xx, no failed request and the new
generation seen after the switch (the memory target is for 5-minute runs and is not judged)."""

import os
import subprocess

from index.config import PROJECT_ROOT


def test_soak_smoke_run():
    done = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "soak"), "--seconds", "20", "--users", "16", "--no-save"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    out = done.stdout
    assert "| requests served |" in out, done.stderr[-3000:]
    for row in (
        "| 5xx answers | 0 |",
        "| failed requests (no HTTP answer) | 0 |",
        "| 429 answers (rate limited) | 0 |",
    ):
        assert row in out, f"{row!r} missing from:\n{out}\n{done.stderr[-2000:]}"
    switch = next(line for line in out.splitlines() if line.startswith("| searches after the switch"))
    assert switch.endswith("| all: met |"), switch
    assert "Result: all targets met." in out, out
    assert done.returncode == 0
