"""A news site as a source of the reindex: discover, fetch what changed, read every page kept.

``SiteSource(site, index_root).read(known)`` is called by ``readers.read_sources`` like a
file is read, inside the reindex's lock: it finds the release pages, asks the site again
for at most ``max_pages`` of them (new ones first; a page unchanged since the last run costs
a 304), remembers what it got, and reads every page it holds with the HTML reader, each
release's ``source`` being its address.  What went wrong is reported by address:

* a page that could not be fetched (timeout, server error, redirect loop, too large, a
  robots.txt rule) is kept as it was last fetched, when it was, and reported;
* a page that is not a release (a category page, a "not found" page served with status
  200, a login wall) or that the reader rejects (no date, a third language) is reported;
* a release is removed only when the sitemaps and listings, all read in full, no longer
  name it.
"""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from ..readers import html as html_reader
from ..records import ReadResult, Rejected, web_address
from .config import Site
from .discover import discover
from .fetch import Fetcher
from .pages import not_a_release, page_signature
from .state import SiteState, site_dir


@dataclass
class CrawlReport:
    """What one run did on one site, for the staff report."""

    site: str
    discovered: int = 0
    requested: int = 0  # release pages asked for this run
    fetched: int = 0  # ... that came back changed (or new)
    unchanged: int = 0  # ... that came back 304
    failed: int = 0
    kept: int = 0  # pages held from an earlier run, not asked for this run
    waiting: int = 0  # pages not fetched yet, left for the next run (max_pages)
    removed: list[str] = field(default_factory=list)
    requests: int = 0  # every request, robots.txt, sitemaps, feeds and listings included
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            (
                f"site {self.site}: {self.discovered} release page{'s' if self.discovered != 1 else ''} found; "
                f"{self.requested} asked for ({self.fetched} new or changed, {self.unchanged} unchanged, "
                f"{self.failed} failed), {self.kept} kept from earlier runs; {self.requests} requests in all"
            )
        ]
        if self.waiting:
            out.append(
                f"site {self.site}: {self.waiting} page{'s' if self.waiting != 1 else ''} not fetched yet "
                "left for the next run (max_pages)"
            )
        for url in self.removed:
            out.append(f"site {self.site}: removed {url} (no longer in the sitemap or listings)")
        out += [f"site {self.site}: {note}" for note in self.notes]
        return out


class SiteSource:
    """One ``[[site]]`` as a reindex source; ``save=False`` (a check or a dry run) writes nothing."""

    def __init__(self, site: Site, index_root: Path | str, save: bool = True, transport=None, sleep=None):
        self.site, self.save = site, save
        self.directory = site_dir(index_root, site.url)
        self.transport, self.sleep = transport, sleep
        self.report = CrawlReport(site.url)
        self.failures: dict[str, str] = {}  # address -> why it could not be fetched this run
        self.candidates: set[str] = set()  # the release pages the discovery found
        self.not_found: tuple[str, str] | None = None  # (title, heading) of the site's 200 "not found" page

    def __str__(self) -> str:
        return self.site.url

    def read(self, known=None) -> ReadResult:
        result = ReadResult()
        state = SiteState.load(self.directory, self.site.url)
        if state.damaged:
            self.report.notes.append(state.damaged)
        kwargs = {"sleep": self.sleep} if self.sleep else {}
        fetcher = Fetcher(self.site, transport=self.transport, **kwargs)
        try:
            self._crawl(fetcher, state, result)
        finally:
            fetcher.close()
            self.report.requests = fetcher.requests
        if self.save:
            state.save()
        self._read_pages(state, result, known)
        return result

    # --- this run's requests --------------------------------------------------------------

    def _crawl(self, fetcher: Fetcher, state: SiteState, result: ReadResult) -> None:
        site, report = self.site, self.report
        rules = fetcher.robots(site.url)
        if isinstance(rules, str):  # robots.txt unreachable: nothing may be fetched this run
            kept = len(state.pages)
            result.rejected.append(
                Rejected(
                    site.url,
                    0,
                    rules
                    + (
                        f"; the {kept} page{'s' if kept != 1 else ''} kept from earlier runs "
                        f"{'are' if kept != 1 else 'is'} indexed as before"
                        if kept
                        else ""
                    ),
                )
            )
            return
        found = discover(site, fetcher)
        report.notes += found.notes
        for url, reason in found.problems:
            result.rejected.append(Rejected(url, 0, reason))
        if found.out_of_scope:
            report.notes.append(
                f"{found.out_of_scope} address{'es' if found.out_of_scope != 1 else ''} outside "
                "the site's hosts and paths left out"
            )
        report.discovered = len(found.pages)
        for url in [u for u in state.failed if u not in found.pages]:  # no longer listed: nothing to retry
            del state.failed[url]
        self.candidates = set(found.pages)
        # Removed: what complete sitemaps and listings no longer name (and no feed does either).
        if found.authorities and found.complete:
            for url in [u for u in state.pages if u not in found.listed and u not in found.pages]:
                state.forget(url)
                report.removed.append(url)
        # What robots.txt forbids is left alone without being an error of the site (a copy
        # fetched before the rule came is kept until the sitemap or listing drops the page).
        todo = [url for url in found.pages if fetcher.allowed(url)[0]]
        disallowed = len(found.pages) - len(todo)
        if disallowed:
            report.notes.append(
                f"{disallowed} page{'s are' if disallowed != 1 else ' is'} not fetched: "
                "robots.txt disallows {}".format("them" if disallowed != 1 else "it")
            )
        self.not_found = self._not_found_page(fetcher) if todo else None
        # Asked for first: pages never tried (the newest first), then those the sitemap says
        # changed, then those that failed before, then the longest unchecked.
        new = [u for u in todo if u not in state.pages and u not in state.failed]
        new.sort(key=lambda u: found.pages[u] or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
        retried = sorted(
            (u for u in todo if u in state.failed and u not in state.pages), key=lambda u: state.failed[u].get("at", "")
        )
        old = sorted((u for u in todo if u in state.pages), key=lambda u: self._staleness(u, found, state))
        changed = [u for u in old if not self._staleness(u, found, state)[0]]
        order = new + changed + retried + [u for u in old if u not in set(changed)]
        chosen = order[: site.max_pages]
        asked = set(chosen)
        report.waiting = sum(1 for u in new + retried if u not in asked)
        report.kept = sum(1 for u in old if u not in asked)
        for url in chosen:
            etag, modified = state.validators(url)
            got = fetcher.get(url, etag, modified)
            report.requested += 1
            if got.not_modified and state.body(url) is not None:
                state.unchanged(url)
                report.unchanged += 1
            elif got.ok and got.not_modified:  # a 304 to a request without validators
                self.failures[url] = "the server answered 304 Not Modified to an unconditional request"
                report.failed += 1
            elif got.ok and not _is_html(got.content_type):
                self.failures[url] = f"not an HTML page ({got.content_type.split(';')[0].strip()})"
                state.failure(url, self.failures[url])
                report.failed += 1
            elif got.ok:
                state.fetched(url, got)
                if got.final_url and got.final_url != url:
                    state.pages[url]["final_url"] = got.final_url
                report.fetched += 1
            else:
                self.failures[url] = got.error
                state.failure(url, got.error)
                report.failed += 1

    def _staleness(self, url: str, found, state: SiteState):
        """Known pages in order: those the sitemap says changed since they were fetched, then the
        longest unchecked."""
        entry = state.pages[url]
        lastmod = found.pages.get(url)
        try:
            fetched = dt.datetime.fromisoformat(entry.get("fetched", ""))
        except ValueError:
            fetched = None
        changed = bool(lastmod and (fetched is None or lastmod > fetched))
        return (not changed, entry.get("checked", ""))

    def _not_found_page(self, fetcher: Fetcher) -> tuple[str, str] | None:
        """The title and heading of what the site answers, with status 200, for an address that
        cannot exist (None when it answers 404 as it should): a page with both is no release."""
        base = urljoin(self.site.url, (self.site.paths or ["/"])[0])
        probe = urljoin(base, f"no-such-release-{secrets.token_hex(6)}")
        if not fetcher.allowed(probe)[0]:
            return None
        got = fetcher.get(probe)
        if not got.ok or not got.body:
            return None
        return page_signature(got.body.decode("utf-8", errors="replace"))

    # --- reading the pages kept -----------------------------------------------------------

    def _read_pages(self, state: SiteState, result: ReadResult, known) -> None:
        failures = self.failures
        releases_known = self.candidates | set(state.pages)
        for url in sorted(set(state.pages) | set(failures)):
            failure = failures.get(url)
            data = state.body(url) if url in state.pages else None
            if failure:
                when = state.pages.get(url, {}).get("fetched", "")[:10]
                kept = f"; the copy fetched on {when} is kept" if data is not None else ""
                result.rejected.append(Rejected(url, 0, failure + kept))
            if data is None:
                continue
            entry = state.pages[url]
            address = entry.get("final_url") or url
            why = not_a_release(data.decode("utf-8", errors="replace"), address, releases_known - {url}, self.not_found)
            if why:
                result.rejected.append(Rejected(url, 1, f"not a release: {why}"))
                continue
            part = html_reader.read_page(data, url, known, default_url=web_address(address))
            for release in part.releases:
                if release.lang not in self.site.languages:
                    result.rejected.append(
                        Rejected(
                            url,
                            1,
                            f"the page is in {release.lang!r}; this site's "
                            f"languages are {', '.join(self.site.languages)}",
                        )
                    )
                    break
            else:
                result.releases.extend(part.releases)
            result.rejected.extend(part.rejected)
            result.warnings.extend(part.warnings)


def _is_html(content_type: str) -> bool:
    """Whether a response's type may be a page (a server that names none gets the benefit of the doubt)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return not kind or kind in ("text/html", "application/xhtml+xml")
