"""The site's processes set glibc's malloc to give a search's large arrays back (web/allocator.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from web import allocator
print(json.dumps(allocator.tune()))
"""


def probe(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(ROOT))],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_threshold_and_the_arenas_are_set():
    assert probe() == {"MALLOC_MMAP_THRESHOLD_": 1024 * 1024, "MALLOC_ARENA_MAX": 2}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibcs_own_variables_win():
    assert probe(MALLOC_ARENA_MAX="4") == {"MALLOC_MMAP_THRESHOLD_": 1024 * 1024}
