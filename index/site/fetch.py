"""A polite HTTP client for one site: robots.txt obeyed, a delay between requests, an honest
User-Agent, conditional GET, compressed transfers, a timeout and bounded retries with backoff.

httpx does the HTTP (HTTP/2 where the server offers it over TLS, one pool of reused
connections per site, gzip and brotli decoded); Protego reads robots.txt as RFC 9309 says
(wildcards and ``$`` included, which ``urllib.robotparser`` does not follow).  Redirects are
followed here, not by httpx, so that every hop is checked against the site's scope and its
robots.txt, waits its turn, and a loop is named as one.
"""

import gzip
import io
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from .config import PRODUCT, Site

MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After gives up on the page for this run
MAX_ROBOTS_BYTES = 500_000  # RFC 9309: at least 500 KiB must be read
_RETRIED = {429, 500, 502, 503, 504}


@dataclass
class Fetched:
    """What one GET gave: the page (``body``), ``not_modified`` (a 304), or ``error``."""

    url: str  # asked for
    final_url: str = ""  # after redirects
    status: int = 0
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    not_modified: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class Fetcher:
    """Every request this run makes to one site, one at a time, ``delay`` seconds apart."""

    def __init__(
        self, site: Site, transport: httpx.BaseTransport | None = None, sleep=time.sleep, clock=time.monotonic
    ):
        self.site = site
        self.sleep, self.clock = sleep, clock
        self.client = httpx.Client(
            http2=True,
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(site.timeout),
            headers={
                "User-Agent": site.user_agent,
                "Accept-Encoding": "gzip, br, deflate",
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            },
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self.delay = site.delay
        self.requests = 0
        self._last = None
        self._robots: dict[str, Protego | str] = {}  # origin -> rules, or why none could be read

    def close(self) -> None:
        self.client.close()

    # --- robots.txt ----------------------------------------------------------------------

    def robots(self, url: str) -> Protego | str:
        """The robots.txt rules of ``url``'s origin, or a reason why nothing may be fetched there."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin + "/robots.txt")
        return self._robots[origin]

    def _read_robots(self, address: str) -> Protego | str:
        got = self._get(address, {}, limit=MAX_ROBOTS_BYTES, checked=False)
        if got.status and 400 <= got.status < 500:
            return Protego.parse("")  # RFC 9309 2.3.1.3: "unavailable" means anything may be crawled
        if got.error:
            # RFC 9309 2.3.1.4: "unreachable" (a 5xx, a timeout) means nothing may be crawled.
            return f"its robots.txt could not be read ({got.error}): nothing is fetched from it"
        rules = Protego.parse(got.body.decode("utf-8", errors="replace"))
        crawl_delay = rules.crawl_delay(PRODUCT)
        if crawl_delay:
            self.delay = max(self.delay, float(crawl_delay))
        return rules

    def allowed(self, url: str) -> tuple[bool, str]:
        rules = self.robots(url)
        if isinstance(rules, str):
            return False, rules
        if not rules.can_fetch(url, PRODUCT):
            return False, "robots.txt disallows it"
        return True, ""

    def robots_sitemaps(self, url: str) -> list[str]:
        rules = self.robots(url)
        return [] if isinstance(rules, str) else list(rules.sitemaps)

    # --- pages ---------------------------------------------------------------------------

    def get(self, url: str, etag: str = "", last_modified: str = "", limit: int | None = None) -> Fetched:
        """GET ``url`` (conditionally, given the validators of the copy kept), redirects followed
        within the site and robots.txt, retried on a timeout, a dropped connection, 429 or 5xx."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers, limit=limit or self.site.max_page_kb * 1024, checked=True)

    def _get(self, url: str, headers: dict, limit: int, checked: bool) -> Fetched:
        seen = [url]
        current = url
        while True:
            if checked:
                if not self.site.on_site(current):
                    why = (
                        f"redirected off the site, to {current}"
                        if current != url
                        else f"not on the site's hosts ({', '.join(self.site.hosts)})"
                    )
                    return Fetched(url, current, error=why)
                allowed, why = self.allowed(current)
                if not allowed:
                    return Fetched(url, current, error=f"{why} ({current})" if current != url else why)
            got = self._with_retries(current, headers, limit)
            got.url = url
            if got.error or not (300 <= got.status < 400) or got.status == 304:
                return got
            location = got.final_url
            if location in seen:
                return Fetched(
                    url,
                    current,
                    status=got.status,
                    error="redirect loop: " + " -> ".join(seen + [location]),
                )
            if len(seen) > MAX_REDIRECTS:
                return Fetched(url, current, status=got.status, error=f"more than {MAX_REDIRECTS} redirects")
            seen.append(location)
            current = location

    def _with_retries(self, url: str, headers: dict, limit: int) -> Fetched:
        wait = self.site.backoff
        for attempt in range(self.site.retries + 1):
            got, retry_after = self._once(url, headers, limit)
            last_try = attempt == self.site.retries
            if not got.error or got.status not in _RETRIED and not got.error.startswith(("timed out", "connection")):
                return got
            if last_try:
                break
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                got.error += f" (it asks to wait {retry_after:.0f} s: left for the next run)"
                return got
            self.sleep(max(wait, retry_after or 0.0))
            wait *= 2
        tries = self.site.retries + 1
        got.error += f", {tries} tr{'ies' if tries > 1 else 'y'}"
        return got

    def _wait_turn(self) -> None:
        if self._last is not None:
            left = self._last + self.delay - self.clock()
            if left > 0:
                self.sleep(left)
        self._last = self.clock()

    def _once(self, url: str, headers: dict, limit: int) -> tuple[Fetched, float | None]:
        self._wait_turn()
        self.requests += 1
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                got = Fetched(
                    url,
                    url,
                    status=response.status_code,
                    etag=response.headers.get("etag", ""),
                    last_modified=response.headers.get("last-modified", ""),
                    content_type=response.headers.get("content-type", ""),
                )
                retry_after = _retry_after(response.headers.get("retry-after"))
                if response.status_code != 200:
                    _drain(response)
                if 300 <= response.status_code < 400 and response.status_code != 304:
                    location = response.headers.get("location")
                    if not location:
                        got.error = f"HTTP {response.status_code} without a Location to go to"
                    else:
                        got.final_url = urljoin(url, location).split("#", 1)[0]
                    return got, None
                if response.status_code == 304:
                    got.not_modified = True
                    return got, None
                if response.status_code != 200:
                    got.error = _status_reason(response.status_code)
                    return got, retry_after
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    got.error = f"the page is too large ({int(declared) // 1024} KB; the limit is {limit // 1024} KB)"
                    return got, None
                chunks, size = [], 0
                for chunk in response.iter_bytes():  # decompressed: the limit holds for what gzip expands to
                    size += len(chunk)
                    if size > limit:
                        got.error = f"the page is too large (over {limit // 1024} KB once decompressed)"
                        return got, None
                    chunks.append(chunk)
                got.body = b"".join(chunks)
                return got, None
        except httpx.TimeoutException:
            return Fetched(url, url, error=f"timed out after {self.site.timeout:g} s"), None
        except httpx.DecodingError as error:
            return Fetched(url, url, error=f"the page's compressed content is damaged ({error})"), None
        except (httpx.TransportError, httpx.InvalidURL) as error:
            return Fetched(url, url, error=f"connection failed ({error.__class__.__name__}: {error})"), None


def _drain(response, most: int = 65536) -> None:
    """Read the short body of a redirect, a 304 or an error, so that the connection can be
    reused (httpx closes one whose response was left unread)."""
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > most:
            return


def gunzipped(data: bytes, limit: int) -> bytes:
    """A sitemap served as a .gz file (not as gzip transfer encoding), decompressed up to ``limit``."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        out = handle.read(limit + 1)
    if len(out) > limit:
        raise ValueError(f"over {limit // 1024} KB once decompressed")
    return out


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return f"access refused (HTTP {status}): a login wall or a forbidden page"
    if status in (404, 410):
        return f"not found (HTTP {status})"
    if status == 429:
        return "the site asks to slow down (HTTP 429)"
    if status >= 500:
        return f"server error (HTTP {status})"
    return f"unexpected answer (HTTP {status})"
