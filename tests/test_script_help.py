"""Every command in ``scripts/`` answers ``--help`` with its usage and exit status 0, and does
nothing else: staff learn a command's options without running it."""

import os
import subprocess

import pytest

from index.config import PROJECT_ROOT

SCRIPTS = sorted(
    p for p in (PROJECT_ROOT / "scripts").iterdir() if p.is_file() and os.access(p, os.X_OK) and not p.suffix
)


def test_the_commands_are_found():
    assert {"reindex", "search", "serve", "bench", "relevance", "soak", "audit"} <= {p.name for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_help_shows_usage_and_exits_zero(script, tmp_path):
    env = {**os.environ, "INDEX_DIR": str(tmp_path / "nothing-here")}
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()
    assert list(tmp_path.iterdir()) == []  # nothing written, no index started
