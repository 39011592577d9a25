"""Finding a site's release pages: its sitemaps, its RSS/Atom feeds and its listing pages.

The fetching is ``fetch.Fetcher``'s (polite, conditional); only the parsing is done here.
trafilatura's own ``sitemap_search`` and ``find_feed_urls`` fetch with their own client (no
robots.txt, no delay, their own User-Agent), so they are not used as they are:

* sitemaps are parsed with lxml, strictly: trafilatura's sitemap parser recovers from broken
  XML and keeps whatever links it can, and a sitemap read only in part must not be taken
  for the whole list of the site's releases (a release missing from it would be deleted);
  lxml also gives each page's ``lastmod``, which orders the pages to fetch;
* feeds are read with feedparser (RSS 0.9x, 1.0 and 2.0, Atom, with its "bozo" flag for a
  malformed feed), and found on listing pages with trafilatura's ``determine_feed``, which
  only parses the page it is given;
* listing pages are read with selectolax (the HTML reader's parser), following their
  ``rel="next"`` links.
"""

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from trafilatura.feeds import FeedParameters, determine_feed

from .config import Site
from .fetch import Fetcher, gunzipped

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

MAX_SITEMAPS = 200  # sitemap files read per run (an index of indexes stops there)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit, uncompressed


@dataclass
class Discovery:
    """What the sitemaps, feeds and listings of a site gave this run.

    ``pages`` maps each candidate release address to its sitemap ``lastmod`` (or None), in
    the order found.  ``listed`` holds the addresses that a complete sitemap or listing
    named; ``complete`` is whether those said everything (each sitemap read whole, each
    listing followed to its last page): only then may a release missing from them be
    removed.  ``problems`` are (address, reason) for the staff report.
    """

    pages: dict[str, dt.datetime | None] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)
    authorities: int = 0  # sitemaps and listings read
    complete: bool = True
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    listing_pages: set[str] = field(default_factory=set)
    out_of_scope: int = 0

    def add(self, url: str, lastmod=None) -> None:
        if url not in self.pages or (lastmod and not self.pages[url]):
            self.pages[url] = lastmod

    def fail(self, url: str, reason: str) -> None:
        self.problems.append((url, reason))


def discover(site: Site, fetcher: Fetcher) -> Discovery:
    found = Discovery()
    sitemaps = site.sitemaps or fetcher.robots_sitemaps(site.url)
    guessed = not sitemaps
    if guessed:
        sitemaps = [urljoin(site.url, "/sitemap.xml")]
    _read_sitemaps(site, fetcher, sitemaps, guessed, found)
    feeds = list(site.feeds)
    for listing in site.listings:
        feeds += _read_listing(site, fetcher, listing, found)
    for feed in dict.fromkeys(feeds):
        _read_feed(site, fetcher, feed, found)
    # A listing's other pages (numbered page links, other sort orders) are not releases.
    listing_paths = {_without_query(u) for u in found.listing_pages}
    for url in list(found.pages):
        if _without_query(url) in listing_paths:
            del found.pages[url]
            found.listed.discard(url)
    return found


def normal(url: str) -> str:
    """An address as the crawl keys it: no fragment."""
    return url.split("#", 1)[0].strip()


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _scoped(site: Site, url: str, found: Discovery) -> str | None:
    url = normal(url)
    if not site.in_scope(url):
        found.out_of_scope += 1
        return None
    return url


# --- sitemaps ------------------------------------------------------------------------------


def _read_sitemaps(site: Site, fetcher: Fetcher, queue: list[str], guessed: bool, found: Discovery) -> None:
    seen: set[str] = set()
    queue = list(queue)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        if len(seen) >= MAX_SITEMAPS:
            found.fail(url, f"more than {MAX_SITEMAPS} sitemaps: the rest are not read this run")
            found.complete = False
            break
        seen.add(url)
        allowed, why = fetcher.allowed(url)
        if not allowed:
            found.fail(url, f"sitemap not read: {why}")
            found.complete = False
            continue
        got = fetcher.get(url, limit=MAX_SITEMAP_BYTES)
        if guessed and got.status == 404:
            found.notes.append(f"{url}: no sitemap (robots.txt names none and there is none at /sitemap.xml)")
            return
        if got.error:
            found.fail(url, f"sitemap not read: {got.error}; no release is removed this run")
            found.complete = False
            continue
        try:
            children, pages = parse_sitemap(got.body)
        except ValueError as error:
            found.fail(
                url,
                f"malformed sitemap ({error}); the releases it lists are kept as they were "
                "and none is removed this run",
            )
            found.complete = False
            continue
        found.authorities += 1
        queue.extend(urljoin(url, c) for c in children)
        for loc, lastmod in pages:
            scoped = _scoped(site, urljoin(url, loc), found)
            if scoped:
                found.add(scoped, lastmod)
                found.listed.add(scoped)


def parse_sitemap(data: bytes) -> tuple[list[str], list[tuple[str, dt.datetime | None]]]:
    """The sitemaps a sitemap index names, and the (page, lastmod) of a urlset.

    Strict: broken XML, or a document that is neither, raises ValueError."""
    data = gunzipped(data, MAX_SITEMAP_BYTES)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error}") from error
    tag = etree.QName(root).localname
    if tag not in ("sitemapindex", "urlset"):
        raise ValueError(f"the document is a <{tag}>, not a <urlset> or <sitemapindex>")
    children, pages = [], []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        if tag == "sitemapindex":
            children.append(loc)
        else:
            pages.append((loc, _lastmod(_child_text(entry, "lastmod"))))
    return children, pages


def _child_text(entry, name: str) -> str:
    for child in entry:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""


def _lastmod(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- listings ------------------------------------------------------------------------------


def _read_listing(site: Site, fetcher: Fetcher, start: str, found: Discovery) -> list[str]:
    """Follow a listing from ``start`` through its ``rel=next`` pages; returns the feeds it announces."""
    feeds: list[str] = []
    url: str | None = start
    pages, seen = 0, set()
    complete = False
    links: set[str] = set()
    while url and pages < site.max_listing_pages:
        if url in seen:
            found.fail(url, "the listing's next page leads back to a page already read")
            break
        seen.add(url)
        found.listing_pages.add(normal(url))
        got = fetcher.get(url)
        pages += 1
        if got.error:
            found.fail(url, f"listing page not read: {got.error}; no release is removed this run")
            break
        tree = HTMLParser(got.body.decode("utf-8", errors="replace"))
        if pages == 1:
            feeds += determine_feed(
                got.body.decode("utf-8", errors="replace"), FeedParameters(url, urlsplit(url).hostname or "", url)
            )
        next_url = _next_page(tree, got.final_url or url)
        for href in release_links(tree, got.final_url or url):
            scoped = _scoped(site, href, found)
            if scoped:
                links.add(scoped)
        url = next_url
        if not url:
            complete = True
    else:
        if url:
            found.notes.append(
                f"{start}: listing followed for {site.max_listing_pages} pages "
                "(max_listing_pages); older releases are found by the sitemap"
            )
    for link in links:
        found.add(link)
    found.authorities += 1
    if complete:
        found.listed.update(links)
    else:
        found.complete = False
    return [f for f in feeds if site.on_site(f)]


def release_links(tree, base: str) -> list[str]:
    """The links of a listing's content (its navigation, header, footer and sidebars left out)."""
    for node in tree.css("nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo]"):
        node.decompose()
    root = tree.css_first("main") or tree.body
    if root is None:
        return []
    out = []
    for anchor in root.css("a[href]"):
        rel = (anchor.attributes.get("rel") or "").lower().split()
        if "next" in rel or "prev" in rel:
            continue
        out.append(normal(urljoin(base, anchor.attributes.get("href") or "")))
    return out


def _next_page(tree, base: str) -> str | None:
    for selector in ('link[rel~="next"]', 'a[rel~="next"]'):
        node = tree.css_first(selector)
        if node is not None and node.attributes.get("href"):
            return normal(urljoin(base, node.attributes["href"]))
    return None


# --- feeds ---------------------------------------------------------------------------------


def _read_feed(site: Site, fetcher: Fetcher, url: str, found: Discovery) -> None:
    got = fetcher.get(url)
    if got.error:
        found.fail(url, f"feed not read: {got.error}")
        return
    # As a stream: given bytes or a string, feedparser would take a body that looks like a
    # path or an address for one, and open it.
    parsed = feedparser.parse(io.BytesIO(got.body), sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        found.fail(url, f"malformed feed ({parsed.get('bozo_exception')})")
        return
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            scoped = _scoped(site, urljoin(url, link), found)
            if scoped:
                found.add(scoped)
