"""gunicorn settings for the archive site; each can be overridden from the environment.

HOST, PORT            where to listen (127.0.0.1:8000)
PUBLIC_URL            the address visitors use, for absolute links (http://HOST:PORT; see web/hosts.py)
WEB_WORKERS           worker processes (also read from WEB_CONCURRENCY); default 2 x cores + 1
WEB_THREADS           threads per worker (2)
WEB_HEADER_TIMEOUT    seconds a client has to send a request once connected (10; web/worker.py)
WEB_SEND_TIMEOUT      seconds a client may take none of its answer before it is dropped (20)
WEB_MAX_CONNECTIONS   open connections per worker, idle ones included (1000)
WEB_TIMEOUT           seconds before a silent worker is restarted (30)
WEB_MAX_REQUESTS      requests after which a worker is replaced (50000, with 10 % jitter; 0 = never)
ACCESS_LOG            access log file, "-" for standard output (the default), "" for none
ERROR_LOG             error log file ("-", standard error)
LOG_LEVEL             info
TRUSTED_PROXIES       addresses of the reverse proxies whose X-Forwarded-* headers are believed
                      (none; FORWARDED_ALLOW_IPS is read when it is not set)
GUNICORN_CONTROL_SOCKET  path of gunicorn's control socket; off unless set
INDEX_SOURCE          on a replica: the indexing node's index directory, as rsync names it; the
                      published generation is pulled from it before the server listens
INDEX_SOURCE_WAIT     seconds to wait for a copy already under way at start (600)

The master process loads the site and the live index generation once (``preload_app``),
and computes what the first searches would need, before it forks each worker: a worker
starts ready, replaced workers too (after WEB_MAX_REQUESTS), and the workers share that
memory.  Each worker reopens the index by itself when a reindex switches generations, so
workers need no restart after a reindex; the master opens the new generation before it
forks the next worker.
"""

import gc
import multiprocessing
import os
import resource
import sys

from web import allocator

# Before the site is loaded, so that the master and every worker forked from it use these.
allocator.tune()


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


host = os.environ.get("HOST", "127.0.0.1")
port = os.environ.get("PORT", "8000")
bind = f"{host}:{port}"
if not (os.environ.get("PUBLIC_URL") or os.environ.get("ARCHIVE_PUBLIC_URL")):
    # Absolute links name the address served; a site reached from elsewhere must set PUBLIC_URL.
    if host in ("0.0.0.0", "::", ""):
        print(
            f"gunicorn.conf: HOST={host!r} serves every interface: set PUBLIC_URL to the address "
            f"visitors use; links name http://localhost:{port} until then",
            file=sys.stderr,
        )
    shown = "localhost" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    os.environ["PUBLIC_URL"] = f"http://{shown}:{port}"
workers = _int("WEB_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# gunicorn's threaded worker, reading requests in its event loop before a thread takes them
# (slow clients hold no thread) and taking new connections only while a thread is free (web/worker.py).
worker_class = "web.worker.BalancedThreadWorker"
threads = _int("WEB_THREADS", 2)
worker_connections = _int("WEB_MAX_CONNECTIONS", 1000)
# Answers are written from memory by the worker's event loop, never by a thread on the socket
# (a slow reader would hold the thread): no sendfile() for static files, which are small.
sendfile = False
# Each held connection is a file descriptor: let a worker hold as many as the system allows.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
_wanted = 65536 if _hard == resource.RLIM_INFINITY else min(_hard, 65536)
if _soft < _wanted:
    resource.setrlimit(resource.RLIMIT_NOFILE, (_wanted, _hard))
worker_connections = min(worker_connections, max(64, max(_soft, _wanted) - 64))
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = 20
keepalive = 5
max_requests = _int("WEB_MAX_REQUESTS", 50000)
max_requests_jitter = max_requests // 10
# No limit of gunicorn's on the request line (its most is 8,190 bytes): the worker bounds the
# whole head at 32 KiB (web/worker.py), and a query of 2,000 accented letters, which the site
# takes, is 12,000 bytes percent-encoded.
limit_request_line = 0
# Forwarded headers (X-Forwarded-Proto, ...) are believed only from the proxies configured;
# SCRIPT_NAME and PATH_INFO are never taken from a header (the mount point is PUBLIC_URL's path).
forwarded_allow_ips = ",".join(
    (os.environ.get("TRUSTED_PROXIES") or os.environ.get("FORWARDED_ALLOW_IPS", "")).replace(",", " ").split()
)
forwarder_headers = ""
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # worker heartbeats off the disk

accesslog = os.environ.get("ACCESS_LOG", "-") or None
# remote address, time, request line, status, bytes, milliseconds, referrer, user agent
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = os.environ.get("ERROR_LOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info")
proc_name = "archive-web"

# gunicorn's control socket defaults to one path per user, which two servers would share.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

wsgi_app = "web.wsgi:app"
preload_app = True


def on_starting(server):
    """On a replica (``INDEX_SOURCE``: the indexing node's index directory as rsync names it, see
    index/publish.py), before the master listens: catch up with the generation published there,
    so that a replica started behind the others serves nothing until it has caught up.  When the
    source cannot be reached, the replica serves the generation it has (and says so)."""
    source = os.environ.get("INDEX_SOURCE", "").strip()
    if not source:
        return
    import time

    from index.publish import PublishError, pull
    from index.store import LockHeld, StoreError

    store = server.app.wsgi().extensions["archive"].store
    deadline = time.monotonic() + _int("INDEX_SOURCE_WAIT", 600)
    while True:
        try:
            result = pull(store, source)
        except LockHeld:  # scripts/publish --follow is copying it right now: wait for it
            if time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            server.log.warning("index: another copy held the index directory for too long; serving what is live")
        except (PublishError, StoreError, OSError) as error:
            server.log.warning("index: could not catch up with %s (%s); serving what is live", source, error)
        else:
            server.log.info(
                "index: %s is live, as %s publishes%s",
                result.generation,
                source,
                " (copied and verified)" if result.copied else "",
            )
        return


def pre_fork(server, worker):
    """In the master, before each worker is forked: the live generation loaded and warmed."""
    server.app.wsgi().extensions["archive"].warm()
    # What the master holds now is only read by the workers: keep the garbage collector from
    # writing to those objects (which would copy their memory into every worker).
    gc.freeze()


# Objects allocated, less those freed, between two collections of the youngest generation in a
# worker (Python's default: 700). A search allocates tens of thousands of short-lived objects,
# nearly all freed by their reference counts, and at the default the cyclic collector ran about
# 90 times in 1,000 searches for no garbage (docs/benchmarks.md).
GC_YOUNG_THRESHOLD = 10_000


def post_fork(server, worker):
    """In each worker: the site's own warnings and tracebacks (loggers under ``web``) go where
    gunicorn's error log goes, so that ERROR_LOG holds them too; the cyclic garbage collector
    runs less often (``GC_YOUNG_THRESHOLD``)."""
    import logging

    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])

    site_log = logging.getLogger("web")
    site_log.handlers = list(server.log.error_log.handlers)
    site_log.setLevel(server.log.error_log.level)
    site_log.propagate = False
