"""A per-client rate limit for the JSON API and the search pages: an in-process token bucket.

Each client (by address) has a bucket of ``RATE_LIMIT_BURST`` tokens that refills at
``RATE_LIMIT`` (``120/minute``, ``5/second``, ``3600/hour``); each limited request takes one
token, and a request that finds the bucket empty is answered 429 with ``Retry-After``
(JSON on ``/api/`` addresses, the error page elsewhere).

The buckets live in the worker's memory: under gunicorn each worker process counts
separately, so a client may get up to ``workers x`` the limit in the worst case. That is
enough to stop a runaway script; a shared store would be needed for an exact limit.

Settings (Flask config, or ``ARCHIVE_<NAME>``, or the plain environment variable):

RATE_LIMIT          ``120/minute``; ``0`` or ``off`` turns the limit off (it is off by default
                    in an app created with ``TESTING`` unless ``RATE_LIMIT`` is configured)
RATE_LIMIT_BURST    60 requests a client may make at once
RATE_LIMIT_PROXIES  addresses of trusted reverse proxies: for requests from them the client
                    is the last address in ``X-Forwarded-For`` that is not a proxy
"""

import math
import os
import re
import threading
import time

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

DEFAULT_RATE = "120/minute"
DEFAULT_BURST = 60
MAX_CLIENTS = 10_000  # buckets kept; the fullest (least active) are dropped beyond this
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}
# Endpoints that cost a search; /api/ addresses are always limited.
LIMITED_ENDPOINTS = {"site.search", "site.suggest", "feeds.atom", "embed.frame"}


class RateLimited(TooManyRequests):
    """429 with the number of seconds to wait."""

    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


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
    """Buckets per client key, refilled continuously; thread-safe."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate = rate
        self.burst = max(1, int(burst))
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, time)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token: 0 when allowed, else the seconds until a token is available."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / self.rate
            if len(self._buckets) > MAX_CLIENTS:
                self._prune(now)
        return wait

    def _prune(self, now: float) -> None:
        level = {k: min(self.burst, t + (now - w) * self.rate) for k, (t, w) in self._buckets.items()}
        for key in sorted(level, key=level.get, reverse=True)[: len(level) - MAX_CLIENTS // 2]:
            del self._buckets[key]


def _setting(app, name: str, default):
    """From the config (overrides, ARCHIVE_<NAME>), else the plain environment variable, else default."""
    if name in app.config:
        return app.config[name]
    return os.environ.get(name, default)


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
    explicit = "RATE_LIMIT" in app.config or "RATE_LIMIT" in os.environ
    rate = parse_rate(_setting(app, "RATE_LIMIT", DEFAULT_RATE))
    burst = int(_setting(app, "RATE_LIMIT_BURST", DEFAULT_BURST))
    proxies = _setting(app, "RATE_LIMIT_PROXIES", "")
    if isinstance(proxies, str):
        proxies = proxies.replace(",", " ").split()
    app.extensions["ratelimit_proxies"] = frozenset(proxies)
    if rate is None or (app.testing and not explicit):
        app.extensions["ratelimit"] = None
    else:
        app.extensions["ratelimit"] = TokenBucket(rate, burst)
    app.before_request(check_rate_limit)
