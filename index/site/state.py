"""What the last runs fetched from a site, kept next to the index generations.

Layout, under the index directory::

    sites/<host>-<hash of the site's url>/
        state.json      each release address: its validators (ETag, Last-Modified), when it
                        was fetched and last checked, and the file holding its page
        pages/<hash>.html   the page as last fetched (the reindex reads these)

The pages are written first and ``state.json`` last, each atomically (a temporary file
renamed over the old one): a run stopped half-way leaves the previous state whole, with at
worst page files it does not name yet (they are overwritten by the next run).
"""

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from ..store import _write_atomically

FORMAT = 1
STATE = "state.json"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def site_dir(index_root: Path | str, site_url: str) -> Path:
    parts = urlsplit(site_url)
    host = (parts.netloc or "site").replace(":", "_").lower()
    return Path(index_root) / "sites" / f"{host}-{hashlib.sha1(site_url.encode()).hexdigest()[:8]}"


def page_file(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:24] + ".html"


class SiteState:
    """The remembered pages of one site; changes are staged in memory until ``save``."""

    def __init__(self, directory: Path, site_url: str):
        self.directory, self.site_url = Path(directory), site_url
        self.pages: dict[str, dict] = {}
        self.failed: dict[str, dict] = {}  # address never fetched whole -> its last failure (reason, when)
        self._staged: dict[str, bytes] = {}  # address -> page bytes fetched this run
        self._forgotten: set[str] = set()
        self.damaged = ""

    @classmethod
    def load(cls, directory: Path, site_url: str) -> "SiteState":
        state = cls(directory, site_url)
        try:
            data = json.loads((state.directory / STATE).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("pages"), dict):
                raise ValueError("unknown format")
            state.pages = data["pages"]
            state.failed = data.get("failed", {})
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as error:  # every page is fetched again, unconditionally
            state.damaged = f"{state.directory / STATE} could not be read ({error}); every page is fetched again"
        return state

    def body(self, url: str) -> bytes | None:
        """The page as last fetched (this run, else a previous one), or None."""
        if url in self._staged:
            return self._staged[url]
        entry = self.pages.get(url)
        if not entry:
            return None
        try:
            return (self.directory / "pages" / entry["file"]).read_bytes()
        except OSError:
            return None

    def validators(self, url: str) -> tuple[str, str]:
        """ETag and Last-Modified to ask with, when the page itself is still at hand."""
        entry = self.pages.get(url)
        if not entry or self.body(url) is None:
            return "", ""
        return entry.get("etag", ""), entry.get("last_modified", "")

    def fetched(self, url: str, got) -> None:
        """Remember a page fetched in full (``got`` is a ``fetch.Fetched``)."""
        moment = now()
        self._staged[url] = got.body
        self.pages[url] = {
            "file": page_file(url),
            "etag": got.etag,
            "last_modified": got.last_modified,
            "fetched": moment,
            "checked": moment,
        }
        self._forgotten.discard(url)
        self.failed.pop(url, None)

    def failure(self, url: str, reason: str) -> None:
        """Remember that a page never fetched whole failed (so that it waits behind pages never tried)."""
        if url not in self.pages:
            self.failed[url] = {"reason": reason, "at": now()}

    def unchanged(self, url: str) -> None:
        self.pages[url]["checked"] = now()

    def forget(self, url: str) -> None:
        self.failed.pop(url, None)
        if self.pages.pop(url, None) is not None:
            self._forgotten.add(url)
        self._staged.pop(url, None)

    def save(self) -> None:
        pages = self.directory / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        for url, data in self._staged.items():
            _write_atomically(pages / page_file(url), data)
        _write_atomically(
            self.directory / STATE,
            json.dumps(
                {"format": FORMAT, "site": self.site_url, "saved": now(), "pages": self.pages, "failed": self.failed},
                ensure_ascii=False,
                indent=1,
                sort_keys=True,
            ),
        )
        named = {entry["file"] for entry in self.pages.values()}
        for url in self._forgotten:
            if page_file(url) not in named:
                try:
                    os.unlink(pages / page_file(url))
                except FileNotFoundError:
                    pass
        self._staged.clear()
        self._forgotten.clear()
