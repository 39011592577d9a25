"""The sites file staff edit (``data/sites.toml``, or ``$SITES_FILE``): which news sites a
reindex reads, and how politely.

A ``[crawler]`` table holds the defaults (the contact address above all); each ``[[site]]``
entry names a site and may override any of them.  ``scripts/reindex`` with no SOURCE reads
every ``[[site]]``; ``--site URL`` reads one (its entry when the file has one, else the
defaults).
"""

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from ..config import DATA_DIR

PRODUCT = "release-archive-search"  # the User-Agent's product token, the name robots.txt rules address
VERSION = "0.1"


class SiteConfigError(ValueError):
    """The sites file, or a --site address, cannot be used as it is."""


@dataclass
class Site:
    url: str
    contact: str = ""
    hosts: list[str] = field(default_factory=list)  # default: the host of url
    paths: list[str] = field(default_factory=list)  # release pages are under these; default: anywhere
    languages: list[str] = field(default_factory=lambda: ["en", "es"])
    sitemaps: list[str] = field(default_factory=list)  # default: robots.txt's, else /sitemap.xml
    feeds: list[str] = field(default_factory=list)  # default: those the listing pages announce
    listings: list[str] = field(default_factory=list)
    delay: float = 1.0  # seconds between two requests (robots.txt's Crawl-delay wins when longer)
    max_pages: int = 500  # release pages requested per run; the rest wait for the next run
    max_listing_pages: int = 50  # pages of each listing followed per run
    timeout: float = 20.0  # seconds, per request
    retries: int = 2  # tries after the first, for a timeout, a dropped connection, a 429 or a 5xx
    backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    max_page_kb: int = 5000  # a larger page (once decompressed) is not read

    def __post_init__(self):
        self.url = _address(self.url, "url")
        if not self.hosts:
            self.hosts = [_host_port(self.url)]
        self.hosts = [h.lower() for h in self.hosts]
        for name in ("sitemaps", "feeds", "listings"):
            setattr(self, name, [_address(u, name) for u in getattr(self, name)])
        self.paths = [p if p.startswith("/") else "/" + p for p in self.paths]
        self.languages = [str(lang).lower() for lang in self.languages]
        unknown = [lang for lang in self.languages if lang not in ("en", "es")]
        if unknown:
            raise SiteConfigError(f"{self.url}: languages {unknown} are not English or Spanish (en, es)")
        for name in ("delay", "timeout", "backoff"):
            if not isinstance(getattr(self, name), (int, float)) or getattr(self, name) < 0:
                raise SiteConfigError(f"{self.url}: {name} must be a number of seconds, not {getattr(self, name)!r}")
        for name in ("max_pages", "max_listing_pages", "retries", "max_page_kb"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < (0 if name == "retries" else 1):
                raise SiteConfigError(f"{self.url}: {name} must be a whole number, not {value!r}")
        if not self.contact or not isinstance(self.contact, str):
            raise SiteConfigError(
                f"{self.url}: no contact address: set contact (an e-mail address or a web page) under "
                f"[crawler] in {sites_file()}; the site's staff must be able to tell who crawls them"
            )
        if any(c in self.contact for c in "()\r\n"):
            raise SiteConfigError(f"{self.url}: the contact {self.contact!r} may not hold brackets or line breaks")

    @property
    def user_agent(self) -> str:
        contact = self.contact if "://" in self.contact else f"mailto:{self.contact}"
        return f"{PRODUCT}/{VERSION} (+{contact})"

    def in_scope(self, url: str) -> bool:
        """Whether ``url`` may be a release page of this site (its host and path prefixes)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or _host_port(url) not in self.hosts:
            return False
        return not self.paths or any(parts.path.startswith(p) for p in self.paths)

    def on_site(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and _host_port(url) in self.hosts


_FIELDS = {f.name for f in fields(Site)}


def sites_file() -> Path:
    value = os.environ.get("SITES_FILE")
    return Path(value).expanduser() if value else DATA_DIR / "sites.toml"


def load(path: Path | None = None) -> tuple[dict, list[dict]]:
    """The ``[crawler]`` defaults and the ``[[site]]`` entries of the sites file (none when
    the file does not exist)."""
    path = path or sites_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError(f"{path}: {error}") from error
    defaults = data.get("crawler", {})
    entries = data.get("site", [])
    if not isinstance(defaults, dict) or not isinstance(entries, list):
        raise SiteConfigError(f"{path}: [crawler] must be a table and [[site]] a list of tables")
    for table in [defaults, *entries]:
        unknown = set(table) - _FIELDS
        if unknown:
            raise SiteConfigError(
                f"{path}: unknown setting{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(sorted(unknown))} (known: {', '.join(sorted(_FIELDS))})"
            )
    if "url" in defaults:
        raise SiteConfigError(f"{path}: url belongs in a [[site]] entry, not in [crawler]")
    return defaults, entries


def sites(urls: list[str] | None = None, path: Path | None = None) -> list[Site]:
    """The sites to read: those named by ``urls`` (--site), else every ``[[site]]`` of the file."""
    defaults, entries = load(path)
    try:
        if not urls:
            return [Site(**{**defaults, **entry}) for entry in entries]
        by_url = {_address(e.get("url", ""), "url"): e for e in entries}
        return [Site(**{**defaults, **by_url.get(_address(u, "--site"), {"url": u})}) for u in urls]
    except TypeError as error:  # a [[site]] without url
        raise SiteConfigError(f"{path or sites_file()}: each [[site]] needs a url ({error})") from error


def _address(url, what: str) -> str:
    if not isinstance(url, str):
        raise SiteConfigError(f"{what} must be a web address, not {url!r}")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteConfigError(f"{what}: {url!r} is not an http(s) address")
    return parts._replace(fragment="", path=parts.path or "/").geturl()


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"
