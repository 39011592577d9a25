"""What each gunicorn worker sets up after it is forked (web/gunicorn.conf.py's post_fork)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own: the settings module tunes the C allocator as it is loaded.
PROBE = """
import gc, importlib.util, logging, sys, types
spec = importlib.util.spec_from_file_location("settings", sys.argv[1])
settings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(settings)
before = gc.get_threshold()
error_log = logging.getLogger("probe")
server = types.SimpleNamespace(log=types.SimpleNamespace(error_log=error_log))
settings.post_fork(server, None)
print(before[0], *gc.get_threshold(), settings.GC_YOUNG_THRESHOLD, logging.getLogger("web").propagate)
"""


def test_a_worker_collects_cyclic_garbage_less_often_and_logs_the_sites_messages_to_gunicorns_log():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "web" / "gunicorn.conf.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    default_young, young, middle, old, wanted, propagate = done.stdout.split()
    assert int(young) == int(wanted) > int(default_young)
    assert (middle, old) == ("10", "10")  # the older generations' thresholds as Python's
    assert propagate == "False"
