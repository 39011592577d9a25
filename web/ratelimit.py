"""A per-client rate limit on every address that runs a search: token buckets shared by all
the server's worker processes.

Each client (by address) has a bucket of ``RATE_LIMIT_BURST`` tokens that refills at
``RATE_LIMIT`` (``120/minute``, ``5/second``, ``3600/hour``); each limited request takes one
token, and a request that finds the bucket empty is answered 429 with ``Retry-After``
(JSON on ``/api/`` addresses, the error page elsewhere).

The buckets live in one table of shared memory, made when the site is loaded: gunicorn loads
it once in its master process (``preload_app``) and forks the workers from it, so every
worker takes from the same buckets and the limit holds for the whole server. A lock on the
table's file serialises the workers (the kernel releases it if a worker dies holding it).

Settings (Flask config, or ``ARCHIVE_<NAME>``, or the plain environment variable):

RATE_LIMIT          ``120/minute``; ``0`` or ``off`` turns the limit off
RATE_LIMIT_BURST    60 requests a client may make at once
TRUSTED_PROXIES     addresses of the reverse proxies in front: for requests from them the
                    client is the last address in ``X-Forwarded-For`` that is not a proxy
                    (``RATE_LIMIT_PROXIES`` is read when it is not set)
"""

import fcntl
import hashlib
import math
import mmap
import os
import re
import struct
import tempfile
import threading
import time

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

from .settings import setting, split_list

DEFAULT_RATE = "120/minute"
DEFAULT_BURST = 60
SLOTS = 16_384  # clients the table holds; beyond, the least active ones start again from a full bucket
PROBE = 16  # slots a client's bucket may be in
SLOT = struct.Struct("<Qdd")  # key hash (0: empty), tokens, time of the last take
WINDOW = struct.Struct("<" + "Qdd" * PROBE)
PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
# Endpoints that run a search (the home page's latest releases, a release's related ones, the
# sitemap's list of releases, the embed frame's box); /api/ addresses are always limited.
LIMITED_ENDPOINTS = {
    "site.home",
    "site.search",
    "site.release",
    "site.suggest",
    "feeds.atom",
    "feeds.sitemap",
    "embed.frame",
}


class RateLimited(TooManyRequests):
    """429 with the number of seconds to wait."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)  # (werkzeug's: sets retry_after)
        self.retry_after = retry_after
        self.description = f"Too many requests; try again in {self.wait}."

    @property
    def wait(self) -> str:
        """The wait in English words, for messages to programs ("1 second", "30 seconds")."""
        return f"{self.retry_after} second{'' if self.retry_after == 1 else 's'}"


def parse_rate(value) -> float | None:
    """Requests per second from ``"120/minute"``, ``"5/s"``, ``"2"`` (per second); None when off."""
    text = str(value if value is not None else "").strip().lower()
    if text in ("", "0", "off", "none", "false", "no"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:/\s*(\d+)?\s*([a-z]+))?", text)
    if not match:
        raise ValueError(f"RATE_LIMIT must look like 120/minute, not {value!r}")
    count = float(match.group(1))
    if count <= 0:
        return None
    unit = match.group(3) or "second"
    if unit not in PERIODS and unit.endswith("s"):
        unit = unit[:-1]  # minutes, hours
    if unit not in PERIODS:
        raise ValueError(f"unknown period in RATE_LIMIT: {unit!r}")
    return count / (PERIODS[unit] * int(match.group(2) or 1))


class TokenBucket:
    """Buckets per client key in a shared-memory table; safe across threads and forked processes.

    The table is open addressing over ``SLOTS`` slots of (key hash, tokens, time): a key is
    looked for in the ``PROBE`` slots from its hash; a new key takes an empty slot there, or
    one whose bucket has refilled (the same as no bucket), or else the fullest one (the least
    active client, who then starts again from a full bucket).
    """

    def __init__(self, rate: float, burst: int, clock=time.monotonic, slots: int = SLOTS):
        self.rate = rate
        self.burst = max(1, int(burst))
        self.clock = clock  # time.monotonic is one clock for every process of the machine
        self.slots = max(PROBE, int(slots))
        size = (self.slots + PROBE) * SLOT.size  # PROBE more at the end: a window never wraps
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self._file = tempfile.TemporaryFile(dir=folder)  # unlinked at once; forked workers share it
        self._file.truncate(size)
        self._table = mmap.mmap(self._file.fileno(), size)
        self._thread_lock = threading.Lock()  # fcntl locks are per process: threads need their own

    def take(self, key: str) -> float:
        """Take a token: 0 when allowed, else the seconds until a token is available."""
        tag = (
            int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") or 1
        )
        first = tag % self.slots
        with self._thread_lock:
            fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                now = self.clock()
                window = WINDOW.unpack_from(self._table, first * SLOT.size)
                slot, tokens = None, float(self.burst)
                fullest, fullest_level = 0, -1.0
                for i in range(PROBE):
                    held, level, then = window[3 * i : 3 * i + 3]
                    if held == tag:
                        slot, tokens = i, min(float(self.burst), level + (now - then) * self.rate)
                        break
                    level = float(self.burst) if held == 0 else min(float(self.burst), level + (now - then) * self.rate)
                    if level > fullest_level:
                        fullest, fullest_level = i, level
                if slot is None:
                    slot = fullest
                if tokens >= 1:
                    tokens, wait = tokens - 1, 0.0
                else:
                    wait = (1 - tokens) / self.rate
                SLOT.pack_into(self._table, (first + slot) * SLOT.size, tag, tokens, now)
            finally:
                fcntl.lockf(self._file, fcntl.LOCK_UN)
        return wait


def trusted_proxies(config) -> tuple[str, ...]:
    """The reverse proxies whose forwarded headers are believed (none unless configured)."""
    return split_list(setting(config, "TRUSTED_PROXIES") or setting(config, "RATE_LIMIT_PROXIES", ""))


def client_key() -> str:
    remote = request.remote_addr or "-"
    proxies = current_app.extensions["ratelimit_proxies"]
    if remote in proxies:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        for address in reversed(forwarded):
            if address not in proxies:
                return address
    return remote


def is_limited() -> bool:
    if request.method == "OPTIONS":
        return False  # CORS preflights are not counted
    if request.path == "/api" or request.path.startswith("/api/"):
        return True
    return request.endpoint in LIMITED_ENDPOINTS


def check_rate_limit():
    bucket = current_app.extensions.get("ratelimit")
    if bucket is None or not is_limited():
        return None
    wait = bucket.take(client_key())
    if wait > 0:
        raise RateLimited(max(1, math.ceil(wait)))
    return None


def init_app(app) -> None:
    rate = parse_rate(setting(app.config, "RATE_LIMIT", DEFAULT_RATE))
    burst = int(setting(app.config, "RATE_LIMIT_BURST", DEFAULT_BURST))
    app.extensions["ratelimit_proxies"] = frozenset(trusted_proxies(app.config))
    if rate is None:
        app.extensions["ratelimit"] = None
    else:
        app.extensions["ratelimit"] = TokenBucket(rate, burst)
    app.before_request(check_rate_limit)
