"""Faults of the running service, under gunicorn on a free localhost port, started the way
``scripts/serve`` starts it:

- a worker killed with SIGKILL during load: the other workers keep answering and the
  master starts a replacement;
- an index directory that is missing, empty or unreadable when the site starts: the site
  starts, /healthz answers 503 with a message, and once ``scripts/reindex`` has built an
  index there the same workers answer 200 and search, with no restart.
"""

import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from contextlib import ExitStack
from http.client import HTTPException
from pathlib import Path
from urllib.parse import quote

import pytest

from index.config import SAMPLES_DIR
from tests.helpers import run_reindex
from web.served import ROOT, Site, running_site, stop_group

WORKERS = 2
WRK_SCRIPT = ROOT / "scripts" / "bench_wrk.lua"  # the benchmark's: paths from BENCH_PATHS, figures as JSON


@pytest.fixture
def start_server(tmp_path):
    """Starts the site (``web/served.py``; ready once /healthz answers, whatever the status, with
    every worker up), each with its output in its own log; all stopped at the end of the test."""
    logs = itertools.count()
    with ExitStack() as servers:

        def start(index_dir: Path, workers: int = WORKERS, threads: int = 4, args=(), max_requests: int = 0) -> Site:
            env = {
                "WEB_THREADS": str(threads),
                "WEB_TIMEOUT": "60",
                "WEB_MAX_REQUESTS": str(max_requests),
                "RATE_LIMIT": "off",
                "ACCESS_LOG": "",
                "ERROR_LOG": "-",
            }
            return servers.enter_context(
                running_site(
                    index_dir,
                    workers=workers,
                    env=env,
                    args=args,
                    output=tmp_path / f"gunicorn-{next(logs)}.log",
                    healthy=False,
                    timeout=90,
                )
            )

        yield start


# --- a worker killed during load ----------------------------------------------------------------
# Pages that the app renders without reading postings from the index (health, and help in
# both languages, as HTML and JSON): the test is about the processes, not search results.
PATHS = ["/healthz", "/en/help", "/es/help", "/healthz", "/en/help.json"]


def test_a_worker_killed_during_load_is_replaced_and_the_others_keep_answering(web_index, start_server):
    server = start_server(web_index)
    before = server.workers_now()
    assert len(before) == WORKERS
    results: list[tuple[float, int]] = []  # (time the request started, status; 0: no HTTP answer)
    lock = threading.Lock()
    stop_at = [time.monotonic() + 60]  # set properly once the kill is done

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop_at[0]:
            started = time.monotonic()
            try:
                status, _ = server.get(PATHS[i % len(PATHS)], timeout=30)
            except (OSError, HTTPException):  # refused, reset, or cut short by the kill
                status = 0
            with lock:
                results.append((started, status))
            i += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()

    # The master notices and starts a replacement: the worker count is back to WORKERS.
    deadline = killed_at + 60
    while time.monotonic() < deadline:
        now = server.workers_now()
        if victim not in now and len(now) == WORKERS and now - before:
            break
        time.sleep(0.1)
    replaced_after = time.monotonic() - killed_at
    stop_at[0] = max(time.monotonic(), killed_at + 3) + 2  # load goes on a little beyond the replacement
    for thread in threads:
        thread.join(timeout=60)

    now = server.workers_now()
    assert victim not in now, "the killed worker is still there"
    assert len(now) == WORKERS and now - before, (
        f"no replacement worker after {replaced_after:.1f} s: {sorted(before)} -> {sorted(now)}\n{server.log_tail()}"
    )
    assert server.process.poll() is None, "the master died"

    ok = [started for started, status in results if status == 200]
    failed = [(round(started - killed_at, 2), status) for started, status in results if status != 200]
    print(f"{len(results)} requests, {len(failed)} failed {failed[:10]}; replaced after {replaced_after:.1f} s")
    assert len(results) > 100, f"too little load to mean anything: {len(results)} requests"
    assert len(ok) >= 0.95 * len(results), f"{len(failed)} of {len(results)} requests failed: {failed[:20]}"
    # Only requests in flight on the killed worker may fail; every request started afterwards succeeds.
    late_failures = [f for f in failed if f[0] > 0.5]
    assert not late_failures, f"requests started after the kill failed (s after the kill, status): {late_failures}"
    assert any(started > killed_at + 0.5 for started in ok), "no request was made after the kill"

    # The replacement works too: a round of requests on fresh connections all succeed.
    statuses = [server.get(path)[0] for path in PATHS * 4]
    assert statuses == [200] * len(statuses)


# --- connections shared between the workers -------------------------------------------------------
def _answer(client: socket.socket) -> bytes:
    """The head of one answer read whole from a kept-alive connection (its body read and dropped)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = client.recv(65536)
        assert chunk, "the server closed the connection"
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: *(\d+)", head, re.IGNORECASE).group(1))
    while len(body) < length:
        body += client.recv(65536)
    return head


def test_clients_connecting_at_once_are_shared_between_the_workers(web_index, start_server, tmp_path):
    """Eight keep-alive clients connect at the same moment to two workers of two threads and
    search: each worker serves a fair share of them (a worker accepts only while it has a free
    thread, web/worker.py), instead of one worker taking all eight while the other idles."""
    access = tmp_path / "access.log"
    server = start_server(
        web_index, threads=2, args=["--access-logfile", str(access), "--access-logformat", "%(p)s %(r)s"]
    )
    clients = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(8)]
    for round_ in range(5):
        for n, client in enumerate(clients):
            client.sendall(
                f"GET /api/v1/search?q=migrants&page={1 + (n + round_) % 3}&per_page={n + 1} HTTP/1.1\r\n"
                f"Host: localhost\r\n\r\n".encode()
            )
        for client in clients:
            head = _answer(client)
            assert head.startswith(b"HTTP/1.1 200"), head[:200]
    for client in clients:
        client.close()
    deadline = time.monotonic() + 10
    lines = []
    while time.monotonic() < deadline and len(lines) < 40:
        lines = [line for line in access.read_text().splitlines() if "/api/v1/search" in line]
        time.sleep(0.1)
    served_by = Counter(line.split()[0] for line in lines)
    assert sum(served_by.values()) == 40 and len(served_by) == 2, served_by
    assert min(served_by.values()) >= 10, served_by  # at least two of the eight clients each


def test_no_client_waits_to_be_accepted_while_kept_alive_clients_keep_every_thread_busy(
    web_index, start_server, tmp_path
):
    """Sixteen kept-alive clients (wrk) connect at once to a worker of one thread and search
    without pause, so that it always has a request queued: every one of them is answered
    throughout, and so is a visitor connecting meanwhile, within a second. Before, a worker took
    a connection only while it had a free thread, and a connection left in the kernel's queue
    waited until the worker was idle by chance (wrk's own clients timed out); now a worker
    without a free thread still takes one every ACCEPT_GRACE seconds (web/worker.py)."""
    assert shutil.which("wrk"), "wrk is missing: make system-deps installs it"
    server = start_server(web_index, workers=1, threads=1)
    words = ["migrants", "migración", "remesas", "Honduras", "Guatemala", "trata", "niñez", "retorno", "caravana"]
    # Distinct searches (pages and API, several lengths and orders), so that the result cache
    # answers none of them in a moment.
    paths = tmp_path / "paths.txt"
    paths.write_text(
        "\n".join(
            f"{base}q={quote(word)}&per_page={size}{order}"
            for size in range(20, 51)
            for word in words
            for order in ("", "&sort=newest")
            for base in ("/en/search?", "/api/v1/search?")
        )
    )
    load = subprocess.Popen(
        [
            "wrk",
            "--threads=2",
            "--connections=16",
            "--duration=5s",
            "--timeout=2s",
            f"--script={WRK_SCRIPT}",
            server.url,
        ],
        env={**os.environ, "BENCH_PATHS": str(paths), "BENCH_THREADS": "2"},
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # stopped with its group, as a served site is
    )
    waits = []
    try:
        time.sleep(1.5)
        for _ in range(3):
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as visitor:
                visitor.sendall(b"GET /en/search?q=visitor HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                assert _answer(visitor).startswith(b"HTTP/1.1 200")
            waits.append(time.monotonic() - started)
            time.sleep(0.3)
        still_searching = load.poll() is None
        output, _ = load.communicate(timeout=60)
    finally:
        stop_group(load)
    figures = json.loads(output.strip().splitlines()[-1])
    assert still_searching and figures["requests"] > 100, figures
    assert figures["errors"] == 0 and figures["max"] < 2000, figures  # none waited 2 s (wrk's timeout)
    assert max(waits) < 1.0, waits


# --- the index loaded once, in the master ---------------------------------------------------------
def test_workers_start_with_the_generation_the_master_loaded(tmp_path, start_server):
    """Every worker, replacements included, serves the generation the master loaded before
    forking it (one load, shared); after a reindex the workers switch without a restart and
    the replacements forked later start with the new generation."""
    index_dir = tmp_path / "ix"
    assert run_reindex(SAMPLES_DIR, "--index", index_dir, "--quiet", timeout=300).returncode == 0
    server = start_server(index_dir, max_requests=5)  # each worker is replaced after 5 requests
    first = server.workers_now()

    def health():
        status, body = server.get("/healthz")
        assert status == 200, body
        data = json.loads(body)
        return data["generation"], data["loaded_at"]

    seen = {health() for _ in range(40)}
    assert len(seen) == 1, seen  # one load, in the master, for every worker
    assert not first & server.workers_now(), "the workers were not replaced"

    assert run_reindex(SAMPLES_DIR, "--index", index_dir, "--quiet", timeout=300).returncode == 0
    live = (index_dir / "CURRENT").read_text().strip()
    after = [health() for _ in range(40)]
    assert {generation for generation, _ in after} == {live}
    assert server.process.poll() is None


# --- an index missing or unreadable at start ----------------------------------------------------
def _missing(root: Path) -> Path:
    return root / "not-yet"


def _empty(root: Path) -> Path:
    (root / "empty").mkdir()
    return root / "empty"


def _unreadable(root: Path) -> Path:
    """CURRENT names a generation whose files are not a Whoosh index."""
    index_dir = root / "broken"
    (index_dir / "gen-000001").mkdir(parents=True)
    (index_dir / "gen-000001" / "MAIN_garbage.toc").write_bytes(b"\x00not an index\xff")
    (index_dir / "gen-000001" / "manifest.json").write_text("{", encoding="utf-8")
    (index_dir / "CURRENT").write_text("gen-000001\n", encoding="utf-8")
    return index_dir


@pytest.mark.parametrize("make_dir", [_missing, _empty, _unreadable], ids=["missing", "empty", "unreadable"])
def test_the_site_starts_without_a_readable_index_and_recovers_when_one_appears(tmp_path, start_server, make_dir):
    index_dir = make_dir(tmp_path)
    server = start_server(index_dir)
    workers = server.workers_now()

    for _ in range(6):  # fresh connections: every worker says so
        status, body = server.get("/healthz")
        data = json.loads(body)
        assert status == 503, (status, data)
        assert data["status"] == "unhealthy"
        # the client is told what is wrong, not where the index lives; the log says where
        assert "index" in data["message"] and str(index_dir.name) not in data["message"], data
    assert str(index_dir) in server.log_tail()
    status, body = server.get("/en/search?q=migrants")
    assert status == 503 and b"The archive is not available right now" in body
    assert server.get("/es/")[0] == 503

    done = run_reindex(SAMPLES_DIR, "--index", index_dir, "--quiet", timeout=300)
    assert done.returncode == 0, done.stderr
    live = (index_dir / "CURRENT").read_text().strip()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.get("/healthz")[0] != 200:
        time.sleep(0.2)
    for _ in range(6):
        status, body = server.get("/healthz")
        data = json.loads(body)
        assert status == 200 and data["status"] == "ok" and data["generation"] == live, (status, data)
        assert data["releases"] == 42
    for lang, q in (("en", "migrants"), ("es", "migrantes"), ("en", "hurricane"), ("es", "trata de personas")):
        status, body = server.get(f"/{lang}/search.json?q={q.replace(' ', '+')}")
        result = json.loads(body)["result"]
        assert status == 200 and result["total"] > 0 and result["generation"] == live, (q, status)
    # No restart: the same master and the same workers recovered by themselves.
    assert server.process.poll() is None
    assert server.workers_now() == workers


def test_the_sites_own_warnings_go_to_the_error_log_file(tmp_path):
    """With ERROR_LOG naming a file, the site's warnings are written there (an operator who
    keeps only that file still learns that the index is unavailable), not only to standard error."""
    error_log, output = tmp_path / "error.log", tmp_path / "output.log"
    (tmp_path / "empty").mkdir()
    env = {"ERROR_LOG": str(error_log), "ACCESS_LOG": "", "RATE_LIMIT": "off"}
    with running_site(tmp_path / "empty", workers=1, env=env, output=output, healthy=False) as site:
        status, _ = site.get("/en/search?q=remittances")
        assert status == 503
        deadline = time.monotonic() + 10
        while "index unavailable" not in error_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert "index unavailable" in error_log.read_text()
    assert "index unavailable" not in output.read_text()
