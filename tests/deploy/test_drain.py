"""A replica stopped for a restart, as systemd stops it (TERM to gunicorn's master,
``KillMode=mixed``), finishes the requests it has before it exits: nginx retries elsewhere only
the connections it refuses, never a request it took and dropped."""

import os
import signal
import time
from http.client import HTTPConnection

import pytest

from web.served import HOST, running_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from index.build import reindex
    from index.config import SAMPLES_DIR

    root = tmp_path_factory.mktemp("drain") / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    return root


@pytest.mark.parametrize(
    "stop, answered", [(signal.SIGTERM, True), (signal.SIGKILL, False)], ids=["graceful", "killed"]
)
def test_a_request_in_progress_when_the_replica_is_told_to_stop_is_answered(index_dir, tmp_path, stop, answered):
    # (SIGKILL shows what the test would see of a replica that dropped its requests.)
    with running_site(index_dir, workers=1, env={"RATE_LIMIT": "off"}, output=tmp_path / "site.log") as site:
        conn = HTTPConnection(HOST, site.port, timeout=30)
        conn.request("GET", "/healthz")  # the connection is the worker's, kept alive
        first = conn.getresponse()
        first.read()
        assert first.status == 200 and not first.will_close
        workers = site.workers_now()
        if stop == signal.SIGKILL:
            # Held still first, so that the request is certainly unanswered when the kill lands
            # (a search answered in the moment between sending and killing was a false failure).
            for worker in workers:
                os.kill(worker, signal.SIGSTOP)
        conn.request("GET", "/en/search.json?q=remittances+diaspora&per_page=50")
        os.kill(site.pid, stop)
        if stop == signal.SIGKILL:
            for worker in workers:
                os.kill(worker, signal.SIGKILL)
        try:
            answer = conn.getresponse()
            body = answer.read()
        except (ConnectionError, OSError):
            assert not answered
        else:
            assert answered
            assert answer.status == 200 and int(answer.getheader("Content-Length")) == len(body)
            assert b'"hits"' in body
        started = time.monotonic()
        site.process.wait(timeout=30)
        assert time.monotonic() - started < 25  # within gunicorn's graceful_timeout (20 s)
