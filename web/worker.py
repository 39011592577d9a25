"""The gunicorn worker class: gunicorn's threaded worker, made safe against slow clients.

gunicorn's ``gthread`` worker hands every accepted connection to a thread, which blocks
reading the request and writing the answer: twenty connections that send half a request
head (or nothing), or that read their answers slowly, took every thread of the site, and
``/healthz`` hung for as long as they were held.  This worker reads requests and writes
answers in its event loop instead, without blocking; a thread only runs the application:

- A connection gets a thread only once its request head, and a body of up to
  ``MAX_BUFFERED_BODY`` bytes, has arrived.  Until then it costs a file descriptor and a
  buffer, not a thread.  A request must arrive within ``header_timeout`` seconds of the
  connection being accepted (of its first byte, on a kept-alive connection); a head over
  ``MAX_HEAD`` bytes is answered 431 (414 when its first line alone is longer).  What the
  server refuses itself is answered in plain text, or in the API's JSON error shape when
  the request is for ``/api/``.  A larger body or a chunked one is left to the
  thread, and the connection is closed after the answer rather than drained.
- What a thread writes goes to memory (:class:`HeldAnswer`); the event loop sends it as the
  client takes it, and closes a connection that takes nothing for ``send_timeout`` seconds.
  The next request on a connection (kept alive or pipelined) is read only once the answer
  before it has gone, so a connection never holds more than one answer.  A worker holds at
  most ``MAX_UNSENT`` bytes of answers not yet taken; beyond, the connection that has
  taken nothing for the longest is closed.  Connections are closed in the event loop too
  (RFC 9112's lingering close), never by a thread waiting on the client.
- A worker accepts new connections while it has a free thread, and one more every
  ``ACCEPT_GRACE`` seconds when it has none: the next request of a kept-alive connection is
  read whatever the count, so under steady load no worker would ever have a free thread to
  take a waiting connection with.  Searching holds
  Python's interpreter lock, so a worker's threads share one core: with gunicorn's default,
  eight clients connecting at once went to one worker, which served everything while the
  others idled (the p95 latency tripled).  The listening socket defers accepting a
  connection until its first bytes arrive (Linux's ``TCP_DEFER_ACCEPT``, as nginx's
  ``deferred``), so an accepted request is usually complete at once and counts against
  the worker's threads from the start; a connection that stays silent reaches a worker
  only after ``DEFER_ACCEPT`` seconds, and then costs it nothing but a file descriptor.

Measurements behind these choices: ``scripts/bench slow-clients``, in ``docs/benchmarks-history.md``.
"""

import errno
import json
import os
import re
import socket
import time
from collections import OrderedDict, deque
from functools import partial
from html import unescape
from selectors import EVENT_READ, EVENT_WRITE
from typing import NamedTuple

import gunicorn
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

# This class overrides gunicorn's threaded worker below its public API (its connection
# object, poller, keep-alive queue and thread hand-over): refuse a gunicorn it was not written for.
if gunicorn.version_info[:1] != (27,):
    raise ImportError(f"web.worker is written for gunicorn 27, not {gunicorn.__version__}")

MAX_HEAD = 32 * 1024  # bytes of request line and headers (nginx's default allows 4 x 8 KiB)
MAX_BUFFERED_BODY = 16 * 1024  # the site takes no request bodies: a larger one is not waited for
# Bytes of unfinished requests a worker holds at most: beyond, the oldest unfinished one is
# dropped (408), so a thousand connections each sending a large head cannot grow a worker.
MAX_BUFFERED = 16 * 1024 * 1024
# Bytes of answers not yet taken by their clients that a worker holds at most (an answer
# shared by several connections, such as the cached sitemap, counts once).
MAX_UNSENT = 128 * 1024 * 1024
READ_CHUNK = 64 * 1024
DEFER_ACCEPT = 5  # seconds the kernel holds a silent new connection back (about 7 s, by its retries)
LINGER = 2.0  # seconds a closing connection may take to finish sending (RFC 9112, section 9.6)
ACCEPT_PAUSE = 1.0  # seconds without accepting when the process is out of file descriptors
ACCEPT_GRACE = 0.05  # seconds after which a worker without a free thread takes one more connection

_END_OF_HEAD = re.compile(rb"\r?\n\r?\n")
_LEADING_BLANK_LINES = re.compile(rb"^(?:\r?\n)+")
# No space before the colon, as RFC 9112 (and gunicorn) require: "Content-Length : 5" is not one.
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_TRANSFER_ENCODING = re.compile(rb"^transfer-encoding:", re.IGNORECASE | re.MULTILINE)
_EXPECT = re.compile(rb"^expect:", re.IGNORECASE | re.MULTILINE)


def plain_answer(status: str, text: str) -> bytes:
    """A whole HTTP answer in plain text, with the site's security headers, closing the connection."""
    body = (text + "\n").encode("utf-8")
    return (
        f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'"
        f"\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n"
    ).encode("latin-1") + body


def plain_error(html_answer: bytes, api: bool = False, origin: str | None = None) -> bytes:
    """gunicorn's HTML answer to an invalid request, as the same status in plain text (in the
    API's JSON shape when ``api``, see :func:`refusal`)."""
    head, _, body = html_answer.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 1)[1]
    page = re.sub(r"(?s)<title>.*?</title>|<h1>.*?</h1>", " ", body.decode("latin-1"))  # the reason, twice
    detail = " ".join(unescape(re.sub(r"<[^>]*>", " ", page)).split())
    reason = status.split(" ", 1)[1] if " " in status else status
    return refusal(status, f"{reason}: {detail}" if detail else reason, api, origin)


# The API's error codes (web/openapi.py's ERROR_CODES) of the statuses the server gives itself.
_ERROR_CODES = {
    400: "bad_request",
    408: "request_timeout",
    414: "uri_too_long",
    431: "request_header_fields_too_large",
    501: "not_implemented",
}


def json_answer(status: str, message: str, origin: str | None = None) -> bytes:
    """The API's error shape (``web/api.py``: ``{"error": {"status", "code", "message"}}``) as a
    whole HTTP answer closing the connection: an API client parses every answer as JSON. With
    ``origin``, the answer's ``Access-Control-Allow-Origin``: a page on another site calling the
    API reads the refusal's message instead of a bare network error."""
    code = int(status.split(" ", 1)[0])
    slug = _ERROR_CODES.get(code, "bad_request" if code < 500 else "internal_error")
    body = json.dumps({"error": {"status": code, "code": slug, "message": message}}).encode("utf-8") + b"\n"
    cors = f"Access-Control-Allow-Origin: {origin}\r\n" if origin else ""
    return (
        f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: application/json\r\n{cors}"
        f"Content-Length: {len(body)}\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'"
        f"\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n"
    ).encode("latin-1") + body


def refusal(status: str, text: str, api: bool, origin: str | None = None) -> bytes:
    """The server's own answer to a request it refuses: JSON on the API's addresses (open to
    ``origin``), else plain text."""
    return json_answer(status, text, origin) if api else plain_answer(status, text)


_REQUEST_TARGET = re.compile(rb"^(?:\r?\n)*[!-~]+ +(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?# ]*)?(/[^?# \r\n]*)")


def names_api(data) -> bool:
    """Whether the request beginning ``data`` is for one of the API's addresses (``/api``,
    ``/api/...``; an absolute-form target's path counts), as far as its first line has arrived."""
    target = _REQUEST_TARGET.match(data[:MAX_HEAD])
    if target is None:
        return False
    path = target.group(1)
    return path == b"/api" or path.startswith(b"/api/")


TIMEOUT_TEXT = "The request did not arrive in time; send it again."
HEAD_TOO_LARGE_TEXT = "The request's head is too large."
LINE_TOO_LONG_TEXT = "The request's address is too long."


def seconds_setting(name: str, default: float) -> float:
    """A number of seconds from the environment (``default`` when unset or not positive)."""
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


class Extent(NamedTuple):
    """Where a request ends in the bytes read so far."""

    head: int  # bytes up to the end of the head
    end: int  # bytes to wait for: the head, and the body when it is bounded
    bounded: bool  # whether the whole request is waited for here


def request_extent(data, scanned: int = 0) -> Extent | None:
    """Where the first request in ``data`` ends, once its head is complete (else None).

    A ``Content-Length`` body of at most MAX_BUFFERED_BODY bytes is waited for; a chunked or
    larger body, an unreadable length, or ``Expect`` (the client waits for ``100 Continue``
    before sending its body) are not: the request goes on at the end of its head, and
    gunicorn's parser decides. ``scanned``: bytes already known to hold no end of head (a
    head trickling in is not scanned again from its start at every read).
    """
    start = _LEADING_BLANK_LINES.match(data)
    offset = start.end() if start else 0
    end = _END_OF_HEAD.search(data, max(offset, scanned - 3))
    if end is None:
        return None
    head = data[offset : end.start()]
    if _TRANSFER_ENCODING.search(head) or _EXPECT.search(head):
        return Extent(end.end(), end.end(), False)
    lengths = _CONTENT_LENGTH.findall(head)
    if not lengths:
        return Extent(end.end(), end.end(), True)
    if len(set(lengths)) != 1 or not lengths[0].isdigit() or int(lengths[0]) > MAX_BUFFERED_BODY:
        return Extent(end.end(), end.end(), False)
    return Extent(end.end(), end.end() + int(lengths[0]), True)


def _receive(sock) -> bytes | None:
    """What a non-blocking socket has: None when nothing yet, b"" when the client has closed
    (or the connection failed)."""
    try:
        return sock.recv(READ_CHUNK)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""


class HeldAnswer:
    """Stands for the client's socket in a thread: what is written is kept, for the event loop
    to send as the client takes it, so a thread never waits on a client."""

    def __init__(self, sock, api: bool = False):
        self.sock = sock
        self.chunks: list = []
        self.api = api  # the request is for the API: the server's own refusals are JSON

    def sendall(self, data) -> None:
        if data:
            self.chunks.append(data if isinstance(data, bytes) else bytes(data))

    def send(self, data) -> int:
        self.sendall(data)
        return len(data)

    def setblocking(self, flag) -> None:
        pass  # the thread never writes to the socket itself

    def settimeout(self, value) -> None:
        pass

    def gettimeout(self):
        return 0.0

    def __getattr__(self, name):
        return getattr(self.sock, name)


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # requests handed to the thread pool and not finished
        self.reading: OrderedDict[TConn, float] = OrderedDict()  # requests arriving -> deadline, oldest first
        self.buffered = 0  # bytes held for the requests arriving
        self.writing: OrderedDict[TConn, float] = OrderedDict()  # answers going out -> deadline, oldest first
        self.unsent = 0  # bytes of answers not yet taken, each object counted once
        self.unsent_objects: dict[int, list] = {}  # id -> [the bytes object, connections holding it]
        self.closing: OrderedDict[TConn, float] = OrderedDict()  # lingering close -> deadline
        self.accept_paused_until = 0.0
        self.last_accept = 0.0  # when the last connection was accepted (ACCEPT_GRACE)
        self.api_origin: str | None = None  # Access-Control-Allow-Origin of the API's refusals
        self.header_timeout = seconds_setting("WEB_HEADER_TIMEOUT", 10.0)
        self.send_timeout = seconds_setting("WEB_SEND_TIMEOUT", 20.0)
        # Everything here runs on the main thread, except handle() and handle_error().

    def load_wsgi(self):
        super().load_wsgi()
        # The server's own refusals on /api/ are open to every origin when the API is (web/cors.py,
        # API_CORS_ORIGINS "*", the default); with a list of origins they carry no CORS header,
        # since a refused request's Origin cannot always be read.
        config = getattr(self.wsgi, "config", None) or {}
        self.api_origin = "*" if "*" in config.get("API_CORS_ORIGINS", ()) else None

    def init_process(self):
        for listener in self.sockets:
            if hasattr(socket, "TCP_DEFER_ACCEPT") and listener.sock.family in (socket.AF_INET, socket.AF_INET6):
                listener.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, DEFER_ACCEPT)
        super().init_process()

    def _reads_requests(self, client) -> bool:
        """Whether this worker reads the request itself (plain HTTP/1.x; not TLS or h2c)."""
        return not self.cfg.is_ssl and not negotiation.prior_knowledge_allowed(self.cfg, client)

    # --- accepting ---------------------------------------------------------------------------
    def _has_room(self) -> bool:
        now = time.monotonic()
        if now < self.accept_paused_until:
            return False
        # A full worker still takes a connection every ACCEPT_GRACE seconds: the next request
        # of a kept-alive connection is read whatever the count, so under steady load no worker
        # is ever below it, and a connection left in the kernel's queue waited until one was
        # idle by chance (up to 15 s with one thread; docs/benchmarks.md).
        return self.in_flight < self.cfg.threads or now >= self.last_accept + ACCEPT_GRACE

    def set_accept_enabled(self, enabled):
        # gunicorn's loop turns accepting back on whenever it is under worker_connections.
        super().set_accept_enabled(enabled and self._has_room())

    def _update_accepting(self) -> None:
        self.set_accept_enabled(self.alive and self.nr_conns < self.worker_connections)

    def accept(self, listener):
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                self.log.warning("cannot accept a connection (%s); pausing for %s s", error, ACCEPT_PAUSE)
                self.accept_paused_until = time.monotonic() + ACCEPT_PAUSE
                self._update_accepting()
                return
            if error.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        self.nr_conns += 1
        self.last_accept = time.monotonic()
        conn = TConn(self.cfg, sock, client, listener.getsockname())
        conn.pending = None  # bytes of the request, for the thread
        conn.request_start = b""  # the last request's first bytes: whether it is for the API
        conn.bounded = True  # the whole request was read here
        conn.ours = self._reads_requests(client)
        if not conn.ours:
            self.enqueue_req(conn)  # gunicorn's own way
            return
        self._start_reading(conn, b"")
        self._read(conn)  # the request has usually arrived with the connection (TCP_DEFER_ACCEPT)

    # --- reading requests --------------------------------------------------------------------
    def _start_reading(self, conn, data: bytes) -> None:
        """Wait for a request on ``conn`` (``data``: its first bytes, already read), for at most
        the head timeout."""
        conn.buffer = bytearray(data)
        self.buffered += len(data)
        conn.scanned = 0
        self.reading[conn] = time.monotonic() + self.header_timeout
        self.poller.register(conn.sock, EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn, _sock) -> None:
        self._read(conn)

    def _read(self, conn) -> None:
        data = _receive(conn.sock)
        if data is None:
            return
        if not data:
            self._stop_reading(conn)
            self._close(conn)
            return
        conn.buffer += data
        self.buffered += len(data)
        self._check_request(conn)
        while self.buffered > MAX_BUFFERED and self.reading:
            self._time_out(next(iter(self.reading)))

    def _check_request(self, conn) -> None:
        extent = conn.extent if conn.scanned < 0 else request_extent(conn.buffer, conn.scanned)
        if extent is None or extent.head > MAX_HEAD:
            conn.scanned = len(conn.buffer)
            if len(conn.buffer) > MAX_HEAD:
                data = bytes(conn.buffer[:MAX_HEAD]).lstrip(b"\r\n")
                line_ends = b"\n" in data
                self._stop_reading(conn)
                self._answer_and_close(
                    conn,
                    refusal(
                        "431 Request Header Fields Too Large" if line_ends else "414 URI Too Long",
                        HEAD_TOO_LARGE_TEXT if line_ends else LINE_TOO_LONG_TEXT,
                        names_api(data),
                        self.api_origin,
                    ),
                )
            return
        conn.extent, conn.scanned = extent, -1  # the head is complete: only the body is awaited
        if extent.bounded and len(conn.buffer) < extent.end:
            return  # the body is on its way
        self._stop_reading(conn)
        conn.pending, conn.buffer = bytes(conn.buffer), None
        conn.bounded = extent.bounded
        self.enqueue_req(conn)

    def _stop_reading(self, conn) -> None:
        if self.reading.pop(conn, None) is not None:
            self.buffered -= len(conn.buffer)
        self._unregister(conn.sock)

    def _unregister(self, sock) -> None:
        """Stop watching a socket, whether it was watched or not."""
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection has a new request coming: read it here, as a new one."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn, b"")
        self._read(conn)

    # --- the threads -------------------------------------------------------------------------
    def enqueue_req(self, conn):
        self.in_flight += 1
        super().enqueue_req(conn)
        self._update_accepting()

    def handle(self, conn):
        """In a thread: the request read so far goes to gunicorn's parser first, and the
        answer to memory (the event loop sends it)."""
        if not getattr(conn, "ours", False):
            return super().handle(conn)
        sock = conn.sock
        if conn.pending is not None:
            conn.request_start = conn.pending[:MAX_HEAD]
            conn.init()
            conn.parser.unreader.unread(conn.pending)
            conn.pending = None
        # The request is all here; should gunicorn's parser want more than was read (a body
        # left to it), a read from the client waits no longer than a head may take.
        sock.settimeout(self.header_timeout)
        conn.sock = HeldAnswer(sock, api=names_api(conn.request_start))
        try:
            return super().handle(conn)
        finally:
            conn.answer, conn.sock = conn.sock.chunks, sock

    def handle_error(self, req, client, addr, exc):
        """gunicorn's answer to a request that is not valid HTTP, as plain text with the site's
        security headers instead of an HTML page without them."""
        held = HeldAnswer(client.sock if isinstance(client, HeldAnswer) else client)
        super().handle_error(req, held, addr, exc)
        client.sendall(plain_error(b"".join(held.chunks), api=getattr(client, "api", False), origin=self.api_origin))

    def _keepalive_after(self, conn, keepalive):
        if not getattr(conn, "bounded", True):
            return False  # a body not read here is not drained by a thread: the connection closes
        return super()._keepalive_after(conn, keepalive)

    def finish_request(self, conn, fs):
        """Back on the main thread: send the answer, then keep the connection or close it."""
        self.in_flight -= 1
        if not getattr(conn, "ours", False):
            super().finish_request(conn, fs)
            self._update_accepting()
            return
        try:
            keep = bool(fs.result()) if not fs.cancelled() else False
        except Exception:
            keep = False
        try:
            conn.sock.setblocking(False)
            answer, conn.answer = getattr(conn, "answer", None) or [], None
            self._start_writing(conn, answer, keep)
        except Exception:
            self.log.exception("could not send an answer")
            self._abandon(conn)
        finally:
            self._update_accepting()

    def _after_answer(self, conn, keep: bool) -> None:
        """The answer has gone: read the next request (pipelined or kept alive), or close."""
        if not keep:
            self._close(conn)
            return
        ahead = conn.parser.unreader.take_buffered()
        if ahead:  # a pipelined request: read the rest of it here
            self._start_reading(conn, ahead)
            self._check_request(conn)
            return
        conn.set_timeout()
        if not self.alive:
            conn.timeout = min(conn.timeout, time.monotonic() + STOP_KEEPALIVE_LINGER)
        self.keepalived_conns.append(conn)
        self.poller.register(conn.sock, EVENT_READ, partial(self.on_client_socket_readable, conn))

    # --- writing answers -----------------------------------------------------------------------
    def _start_writing(self, conn, chunks: list, keep: bool) -> None:
        conn.out = deque([chunk, 0] for chunk in chunks)
        conn.keep = keep
        for chunk in chunks:
            self._hold(chunk)
        self._write(conn)
        if conn.out:  # the client has not taken it all: wait for it in the loop
            self.writing[conn] = time.monotonic() + self.send_timeout
            self.poller.register(conn.sock, EVENT_WRITE, partial(self._on_writable, conn))
            while self.unsent > MAX_UNSENT and self.writing:
                self._abandon(next(iter(self.writing)))
        else:
            self._after_answer(conn, keep)

    def _on_writable(self, conn, _sock) -> None:
        if self._write(conn):
            self.writing.move_to_end(conn)  # oldest first: the order of the deadlines
            self.writing[conn] = time.monotonic() + self.send_timeout
        if not conn.out:
            self.writing.pop(conn, None)
            self.poller.unregister(conn.sock)
            self._after_answer(conn, conn.keep)

    def _write(self, conn) -> bool:
        """Send what the socket takes now; whether anything went."""
        sent_any = False
        while conn.out:
            chunk, offset = entry = conn.out[0]
            try:
                sent = conn.sock.send(memoryview(chunk)[offset:])
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                conn.out.clear()  # the client has gone: nothing more to send
                conn.keep = False
                break
            sent_any = True
            if offset + sent < len(chunk):
                entry[1] = offset + sent
                break
            conn.out.popleft()
            self._release_chunk(chunk)
        return sent_any

    def _hold(self, chunk) -> None:
        held = self.unsent_objects.get(id(chunk))
        if held is None:
            self.unsent_objects[id(chunk)] = [chunk, 1]
            self.unsent += len(chunk)
        else:
            held[1] += 1

    def _release_chunk(self, chunk) -> None:
        held = self.unsent_objects[id(chunk)]
        held[1] -= 1
        if not held[1]:
            del self.unsent_objects[id(chunk)]
            self.unsent -= len(chunk)

    def _abandon(self, conn) -> None:
        """Close a connection whose client does not take its answer (or that failed)."""
        if self.writing.pop(conn, None) is not None:
            self._unregister(conn.sock)
        for chunk, _offset in getattr(conn, "out", None) or ():
            self._release_chunk(chunk)
        conn.out = None
        self._stop_reading(conn)
        self._close(conn, graceful=False)

    # --- closing -----------------------------------------------------------------------------
    def _time_out(self, conn) -> None:
        """A request that did not arrive in time: 408 if it had begun, else a plain close."""
        started = bool(conn.buffer)
        api = started and names_api(bytes(conn.buffer))
        self._stop_reading(conn)
        if started:
            self._answer_and_close(conn, refusal("408 Request Timeout", TIMEOUT_TEXT, api, self.api_origin))
        else:
            self._close(conn)

    def _answer_and_close(self, conn, answer: bytes) -> None:
        try:
            conn.sock.setblocking(False)
            conn.sock.send(answer)
        except OSError:
            pass
        self._close(conn)

    def _close(self, conn, graceful: bool = True) -> None:
        """Close without waiting: send FIN, then drain what the client still sends in the loop."""
        sock = conn.sock
        if graceful:
            try:
                sock.setblocking(False)
                sock.shutdown(socket.SHUT_WR)
                self.closing[conn] = time.monotonic() + LINGER
                self.poller.register(sock, EVENT_READ, partial(self._on_closing_readable, conn))
                return
            except (OSError, ValueError, KeyError):
                self.closing.pop(conn, None)
        self._release(conn)

    def _on_closing_readable(self, conn, _sock) -> None:
        if _receive(conn.sock) == b"":  # the client has closed its side too
            self._finish_closing(conn)

    def _finish_closing(self, conn) -> None:
        self.closing.pop(conn, None)
        self._unregister(conn.sock)
        self._release(conn)

    def _release(self, conn) -> None:
        self.nr_conns -= 1
        try:
            conn.sock.close()
        except OSError:
            pass

    # --- timeouts ----------------------------------------------------------------------------
    def wait_for_and_dispatch_events(self, timeout):
        grace_ends = self.last_accept + ACCEPT_GRACE
        if not self._accepting and self.nr_conns < self.worker_connections and time.monotonic() < grace_ends:
            # Without a free thread: wake when the grace ends even if nothing else happens
            # meanwhile (gunicorn's loop waits up to a second), to take a waiting connection then.
            timeout = min(timeout, grace_ends - time.monotonic() + 0.001)
        super().wait_for_and_dispatch_events(timeout)
        self._expire()

    def _expire(self) -> None:
        now = time.monotonic()
        if not self.alive:
            # Stopping: requests still arriving get what kept-alive connections get.
            for conn, deadline in self.reading.items():
                self.reading[conn] = min(deadline, now + STOP_KEEPALIVE_LINGER)
        while self.reading and next(iter(self.reading.values())) <= now:
            self._time_out(next(iter(self.reading)))
        while self.writing and next(iter(self.writing.values())) <= now:
            self._abandon(next(iter(self.writing)))
        while self.closing and next(iter(self.closing.values())) <= now:
            self._finish_closing(next(iter(self.closing)))
        if self.accept_paused_until and now >= self.accept_paused_until:
            self.accept_paused_until = 0.0
        self._update_accepting()  # the grace after the last accept may have passed
