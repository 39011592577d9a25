"""The site under gunicorn on a local port, for the browser tests: ``web/served.py`` with
their settings (2 workers × 4 threads, logs in test-artifacts/)."""

from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from index.config import PROJECT_ROOT
from web import served
from web.served import free_port

__all__ = ["ARTIFACTS", "free_port", "running_site"]

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@contextmanager
def running_site(web_index: Path, port: int, log_prefix: str, **env_extra):
    """Start ``scripts/serve`` (2 workers × 4 threads) on ``port``, wait for /healthz, yield its base URL.
    Its logs are test-artifacts/{log_prefix}access.log and {log_prefix}gunicorn.log."""
    ARTIFACTS.mkdir(exist_ok=True)
    env = {
        "WEB_THREADS": "4",
        "ACCESS_LOG": str(ARTIFACTS / f"{log_prefix}access.log"),
        "ERROR_LOG": str(ARTIFACTS / f"{log_prefix}gunicorn.log"),
        **env_extra,
    }
    workers = int(env.pop("WEB_WORKERS", "2"))
    with ExitStack() as stack:
        try:
            site = stack.enter_context(
                served.running_site(web_index, port=port, workers=workers, env=env, timeout=30, stop_timeout=15)
            )
        except served.SiteDidNotStart as error:
            pytest.fail(str(error), pytrace=False)
        yield site.url
