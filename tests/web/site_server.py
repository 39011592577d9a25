"""The site under gunicorn on a local port, for the browser tests."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from index.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_site(web_index: Path, port: int, log_prefix: str, **env_extra):
    """Start ``scripts/serve`` (2 workers × 4 threads) on ``port``, wait for /healthz, yield its base URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    error_log = ARTIFACTS / f"{log_prefix}gunicorn.log"
    env = {**os.environ, "INDEX_DIR": str(web_index), "PORT": str(port), "HOST": "127.0.0.1",
           "WEB_WORKERS": "2", "WEB_THREADS": "4", "ACCESS_LOG": str(ARTIFACTS / f"{log_prefix}access.log"),
           "ERROR_LOG": str(error_log), **env_extra}
    if (PROJECT_ROOT / ".venv" / "bin" / "gunicorn").exists():
        command = [str(PROJECT_ROOT / "scripts" / "serve")]
    else:
        command = [sys.executable, "-m", "gunicorn", "--config", "web/gunicorn.conf.py"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}; see {error_log}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the site did not answer /healthz within 30 seconds")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
