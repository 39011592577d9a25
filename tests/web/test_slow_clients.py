"""Slow clients against the site as ``scripts/serve`` runs it (gunicorn, ``web/worker.py``).

Two hundred connections that send nothing, or trickle a request head or body a line a
second, are held open from one client for ten seconds: meanwhile ``/healthz`` and searches
answer as fast as before, and afterwards the server has closed every held connection
within a bounded time (the request-head timeout, plus the kernel's deferral of silent
connections). Before the worker read requests in its event loop, twenty such connections
took every thread and the site answered nothing while they were held.
"""

import json
import socket
import statistics
import threading
import time
import urllib.parse
from http.client import HTTPConnection

import pytest

from web.openapi import ERROR_CODES
from web.worker import MAX_BUFFERED_BODY, request_extent

from .site_server import free_port, running_site

HELD = 200
HOLD_SECONDS = 10
# Bound on when the server closes a held connection: the head timeout (10 s, from the first
# byte) after the kernel has held a silent connection back (TCP_DEFER_ACCEPT, about 7 s).
CLOSED_WITHIN = 30


def timed_get(port: int, path: str, timeout: float = 10) -> tuple[int, float]:
    started = time.perf_counter()
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def probe(port: int, rounds: int, pause: float) -> list[float]:
    """Alternate /healthz and searches; every one must answer 200. Returns the latencies."""
    latencies = []
    for n in range(rounds):
        for path in ("/healthz", f"/api/v1/search?q=migrants&page={1 + n % 3}", f"/en/search?q=trata&n={n}"):
            status, seconds = timed_get(port, path)
            assert status == 200, (path, status)
            latencies.append(seconds)
        time.sleep(pause)
    return latencies


class SlowClient:
    """One client holding many connections: silent ones, and ones that trickle a request head,
    a body, or the next request on a kept-alive connection, one line per second."""

    def __init__(self, port: int):
        self.port = port
        self.sockets: list[socket.socket] = []
        self.trickling: list[socket.socket] = []
        self.stop = threading.Event()
        self.opened_at = 0.0

    def open(self, silent: int, heads: int, bodies: int, kept_alive: int) -> None:
        self.opened_at = time.monotonic()
        for _ in range(silent):
            self.sockets.append(socket.create_connection(("127.0.0.1", self.port), timeout=10))
        for _ in range(heads):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            self.sockets.append(s)
            self.trickling.append(s)
        for _ in range(bodies):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"POST /api/v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Length: 60000\r\n\r\nq=")
            self.sockets.append(s)
            self.trickling.append(s)
        for _ in range(kept_alive):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                answer += s.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
            s.sendall(b"GET /healthz HTTP/1.1\r\n")  # the next request, never finished
            self.sockets.append(s)
            self.trickling.append(s)
        threading.Thread(target=self._trickle, daemon=True).start()

    def _trickle(self) -> None:
        while not self.stop.wait(1.0):
            for s in self.trickling:
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass

    def closed_by_server(self, deadline: float) -> int:
        """Wait until ``deadline`` for the server to close the held connections; how many it closed."""
        self.stop.set()
        pending = set(self.sockets)
        for s in pending:
            s.setblocking(False)
        closed = 0
        while pending and time.monotonic() < deadline:
            for s in list(pending):
                try:
                    while s.recv(65536):  # a 408 answer may come before the end
                        pass
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                closed += 1
                pending.discard(s)
            time.sleep(0.1)
        return closed

    def close(self) -> None:
        self.stop.set()
        for s in self.sockets:
            s.close()


@pytest.fixture(scope="module")
def site(web_index):
    port = free_port()
    with running_site(web_index, port, "slow-clients-", RATE_LIMIT="off"):
        yield port


def test_held_slow_connections_leave_the_site_answering_and_are_closed(site):
    port = site
    probe(port, 3, 0.0)  # warm: every worker thread has its searcher
    before = probe(port, 8, 0.05)
    client = SlowClient(port)
    try:
        client.open(silent=100, heads=60, bodies=20, kept_alive=20)
        assert len(client.sockets) == HELD
        during = []
        while time.monotonic() < client.opened_at + HOLD_SECONDS:
            during += probe(port, 1, 0.2)
        # as fast as before: the median within a small factor, no request near a timeout
        assert statistics.median(during) <= 3 * statistics.median(before) + 0.02, (before, during)
        assert max(during) < 1.0, max(during)
        closed = client.closed_by_server(client.opened_at + CLOSED_WITHIN)
        assert closed == HELD, f"{HELD - closed} held connections still open after {CLOSED_WITHIN} s"
    finally:
        client.close()
    assert probe(port, 2, 0.0)  # and the site still answers


def test_a_request_head_that_never_ends_is_answered_408_and_closed(site):
    s = socket.create_connection(("127.0.0.1", site), timeout=20)
    try:
        started = time.monotonic()
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert 5 <= time.monotonic() - started <= 15
    finally:
        s.close()


def test_an_oversized_request_head_is_answered_431(site):
    s = socket.create_connection(("127.0.0.1", site), timeout=10)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + b"X-Big: " + b"a" * 70_000)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    finally:
        s.close()


def test_large_unfinished_heads_cannot_grow_a_worker_without_bound(web_index):
    """One worker, 700 connections each sending 30 KB of a head that never ends (21 MB): the
    worker holds at most 16 MiB of unfinished requests, so the oldest are answered 408 at
    once instead of at their timeout, and the site still answers."""
    port = free_port()
    with running_site(web_index, port, "slow-clients-memory-", WEB_WORKERS="1", RATE_LIMIT="off"):
        head = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + b"".join(
            b"X-Filler-%d: %s\r\n" % (n, b"a" * 1000) for n in range(30)
        )
        sockets = []
        try:
            started = time.monotonic()
            for _ in range(700):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                s.sendall(head)
                sockets.append(s)
            time.sleep(max(0.0, started + 3 - time.monotonic()))
            assert time.monotonic() - started < 8, "opening the connections took too long to tell"
            answered = 0
            for s in sockets[:100]:  # the oldest, long before their 10 s head timeout
                s.setblocking(False)
                try:
                    answered += s.recv(100).startswith(b"HTTP/1.1 408")
                except OSError:
                    pass
            assert answered >= 50, answered
            assert timed_get(port, "/healthz")[0] == 200
        finally:
            for s in sockets:
                s.close()


def slow_reader(port: int, requests: int) -> socket.socket:
    """A connection with a small receive window that asks for many answers at once."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /embed.js HTTP/1.1\r\nHost: localhost\r\n\r\n" * requests)
    return s


def test_clients_that_read_slowly_or_never_hold_no_thread(web_index):
    """Twelve connections ask for 200 pipelined answers of 19 KB and read 2 KB a second, twelve
    more never read: no thread waits on them (answers are sent by the event loop, one at a time
    per connection), the site answers as before, and a client that takes nothing for
    WEB_SEND_TIMEOUT is dropped. Before, twenty such connections stopped the site."""
    port = free_port()
    with running_site(web_index, port, "slow-readers-", RATE_LIMIT="off", WEB_SEND_TIMEOUT="3"):
        probe(port, 3, 0.0)
        before = probe(port, 6, 0.05)
        readers = [slow_reader(port, 200) for _ in range(12)]
        idle = [slow_reader(port, 200) for _ in range(12)]
        stop = threading.Event()
        received = {id(s): 0 for s in readers + idle}

        def read_slowly(s):
            while not stop.wait(0.25):
                try:
                    received[id(s)] += len(s.recv(500))
                except OSError:
                    return

        threads = [threading.Thread(target=read_slowly, args=(s,), daemon=True) for s in readers]
        for thread in threads:
            thread.start()
        try:
            started = time.monotonic()
            # At first the server serves the pipelined requests as fast as the kernel's send
            # buffers take the answers (a few MB a connection on loopback): a burst of
            # requests like any other, which delays a probe (it must still answer), and then
            # every answer waits in the event loop for its reader and no thread is held.
            status, first = timed_get(port, "/healthz")
            assert status == 200 and first < 5, first
            time.sleep(max(0.0, started + 2 - time.monotonic()))
            during = []
            while time.monotonic() < started + 10:
                during += probe(port, 1, 0.2)
            assert statistics.median(during) <= 3 * statistics.median(before) + 0.02, (before, during)
            assert max(during) < 1.0, max(during)
            stop.set()
            for thread in threads:
                thread.join(5)
            # Now none reads: each is dropped once it has taken nothing for 3 s. Draining shows
            # the end of the connection, long before 200 answers (3.8 MB) have come.
            for s in readers + idle:
                s.settimeout(20)
                try:
                    while chunk := s.recv(65536):
                        received[id(s)] += len(chunk)
                except OSError:
                    pass  # reset: dropped as well
            assert all(n < 200 * 19_000 for n in received.values()), max(received.values())
        finally:
            stop.set()
            for s in readers + idle:
                s.close()


def raw_exchange(port: int, data: bytes, timeout: float = 5) -> tuple[bytes, float]:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    started = time.monotonic()
    try:
        s.sendall(data)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        return answer, time.monotonic() - started
    finally:
        s.close()


@pytest.mark.parametrize(
    "data, status",
    [
        (b"get /en/search HTTP/1.1\r\nHost: localhost\r\n\r\n", b"400"),  # gunicorn's own 400
        (b"GET /en/search?q=\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n", b"400"),
        (
            b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
            + b"".join(b"X-%d: 1\r\n" % n for n in range(120))
            + b"\r\n",
            b"431",
        ),
        (b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n", b"431"),
        (b"GET /en/search?q=" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", b"414"),
        (b"POST /en/search HTTP/1.1\r\nHost: localhost\r\nContent-Length : 5\r\n\r\n", b"400"),
    ],
)
def test_requests_that_are_not_valid_http_get_a_prompt_plain_answer(site, data, status):
    """What gunicorn refuses before the site sees it is answered at once, in plain text with the
    site's security headers (gunicorn's own page is HTML without them); a head over 32 KiB is
    refused even when it arrives whole."""
    answer, seconds = raw_exchange(site, data)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 " + status), head[:100]
    assert seconds < 2
    assert b"Content-Type: text/plain" in head and b"X-Content-Type-Options: nosniff" in head
    assert b"Content-Security-Policy: default-src 'none'" in head
    assert b"<" not in body


@pytest.mark.parametrize(
    "data, status",
    [
        (b"get /api/v1/search HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
        (b"GET /api/v1/search?q=\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
        (
            b"GET /api/v1/search?q=a HTTP/1.1\r\nHost: localhost\r\n"
            + b"".join(b"X-%d: 1\r\n" % n for n in range(120))
            + b"\r\n",
            431,
        ),
        (b"GET /api/v1/search?q=" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 414),
        (b"GET http://localhost/api/v1/search?q=" + b"%C3%A1" * 6_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"POST /api/v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Length : 5\r\n\r\n", 400),
    ],
)
def test_what_the_server_refuses_on_the_api_is_answered_in_json(site, data, status):
    """An API client reads every answer as JSON: the server's own refusals of a request for
    ``/api/`` come in the API's error shape, with the same status and security headers, and
    open to every origin as the API is (a page on another site reads the message)."""
    answer, seconds = raw_exchange(site, data)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d" % status), head[:100]
    assert seconds < 2
    assert b"Content-Type: application/json" in head and b"X-Content-Type-Options: nosniff" in head
    assert b"\r\nAccess-Control-Allow-Origin: *\r\n" in head
    error = json.loads(body)["error"]
    assert error["status"] == status and error["message"] and error["code"] in ERROR_CODES


def test_a_query_as_long_as_the_site_takes_reaches_it_whole_percent_encoded(site):
    """2,000 accented letters (the longest query the site takes) are 12,000 bytes once
    percent-encoded, past gunicorn's own 8,190-byte limit on a request line: the site answers."""
    query = urllib.parse.quote("aéíóú " * 333)  # 9,324 bytes
    conn = HTTPConnection("127.0.0.1", site, timeout=10)
    try:
        conn.request("GET", f"/api/v1/search?q={query}")
        response = conn.getresponse()
        assert response.status == 200, response.read()[:300]
        assert json.loads(response.read())["total"] >= 0
        conn.request("GET", f"/en/search?q={query}")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    finally:
        conn.close()


def test_a_client_that_expects_100_continue_is_answered_at_once(site):
    answer, seconds = raw_exchange(
        site, b"POST /api/v1/search HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
    )
    assert seconds < 2, seconds  # not the 408 of a body awaited for 10 s
    assert b"405" in answer.split(b"\r\n\r\n")[0] or b"405" in answer


def test_pipelined_and_split_requests_are_each_answered(site):
    """Requests read in the event loop reach gunicorn's parser whole: two pipelined on one
    connection, and one sent in pieces, are answered like any other."""
    s = socket.create_connection(("127.0.0.1", site), timeout=10)
    try:
        s.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /en/help.json HTTP/1.1\r\nHost: localhost\r\n"
            b"Connection: close\r\n\r\n"
        )
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        assert answer.count(b"HTTP/1.1 200") == 2, answer[:300]
    finally:
        s.close()
    s = socket.create_connection(("127.0.0.1", site), timeout=10)
    try:
        for piece in (
            b"GET /api/v1/search?q=mig",
            b"rants HTTP/1.1\r\nHo",
            b"st: localhost\r\nConnection: close\r",
            b"\n\r\n",
        ):
            s.sendall(piece)
            time.sleep(0.2)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and b'"total"' in answer
    finally:
        s.close()


HEAD = b"POST / HTTP/1.1\r\nHost: x\r\n"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n", None),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", (27, 27, True)),
        (b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", (29, 29, True)),  # blank lines before a request are allowed
        (HEAD + b"Content-Length: 5\r\n\r\nab", (len(HEAD) + 21, len(HEAD) + 21 + 5, True)),  # the rest is awaited
        (HEAD + b"content-length:  5 \r\n\r\n", (len(HEAD) + 23, len(HEAD) + 23 + 5, True)),
        (
            HEAD + b"Content-Length : 5\r\n\r\n",
            (len(HEAD) + 22, len(HEAD) + 22, True),
        ),  # not a length: gunicorn says 400
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n", (len(HEAD) + 30, len(HEAD) + 30, False)),
        (HEAD + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", (len(HEAD) + 43, len(HEAD) + 43, False)),
        (HEAD + b"Content-Length: %d\r\n\r\n" % (MAX_BUFFERED_BODY + 1), (len(HEAD) + 25, len(HEAD) + 25, False)),
        (HEAD + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n", (len(HEAD) + 40, len(HEAD) + 40, False)),
    ],
)
def test_where_a_request_ends(data, expected):
    assert request_extent(bytearray(data)) == expected
