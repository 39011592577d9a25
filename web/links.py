"""Every address the site gives out, built here: the pages' own links (site paths, in the page's
language), the absolute public addresses the API and the feeds give, the feed of a search,
and the original address of a release.

A page and its JSON twin link with site paths (``/es/search?q=trata``); the API, the feeds and
the sitemap, read away from the site, link with absolute addresses on ``PUBLIC_URL``
(:func:`web.hosts.external`). :class:`Addresses` is the choice between the two that the
serialisers of :mod:`web.shapes` are given.
"""

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from flask import current_app, g, request, url_for

from index.records import web_address
from search.params import DEFAULT_PER_PAGE, LANGUAGES, SearchParams

from . import hosts, i18n
from .hosts import external


def with_query(url: str, pairs) -> str:
    query = urlencode(list(pairs))
    return f"{url}?{query}" if query else url


def ui_pairs(ui: str) -> list[tuple[str, str]]:
    """``ui`` as an address outside the ``/<lang>/`` pages names it: only when it is not the default."""
    return [("ui", ui)] if ui != i18n.DEFAULT_LANGUAGE else []


# --- the pages' own links ----------------------------------------------------------------------
def page_url(endpoint: str, fmt: str = "html", query=None, **values) -> str:
    """The address of a page (``fmt="json"`` for its JSON twin) with an optional query."""
    url = url_for(endpoint, fmt=fmt, **values)
    query = urlencode(query) if query and not isinstance(query, str) else (query or "")
    return f"{url}?{query}" if query else url


def page_links(query=(), **values) -> dict:
    """This page as HTML and as JSON, and in the other interface language, with ``query``: the
    page's own parameters in their one order, as its links give them (none for a page that
    takes none, whatever the address it was reached by carried: ``?utm_source=…``)."""
    endpoint = request.endpoint
    args = {k: v for k, v in (request.view_args or {}).items() if k != "fmt"}
    args.update(values)
    other = i18n.other_language(g.lang)
    return {
        "html": page_url(endpoint, "html", query, **args),
        "json": page_url(endpoint, "json", query, **args),
        "alternate": page_url(endpoint, "html", query, lang=other, **args),
        "alternate_lang": other,
    }


def _search_base(fmt: str, lang: str | None) -> str:
    """The route of the results page, built once per request."""
    bases = g.setdefault("search_url_bases", {})
    base = bases.get((fmt, lang))
    if base is None:
        base = bases[(fmt, lang)] = url_for("site.search", fmt=fmt, **({"lang": lang} if lang else {}))
    return base


def _encoded(pairs) -> list[str]:
    """Query pairs URL-encoded: a page's links share most of theirs, and facet values (years,
    countries, topics) come back on every page."""
    return [_encode_pair(pair) for pair in pairs]


@lru_cache(maxsize=8192)
def _encode_pair(pair: tuple[str, str]) -> str:
    return urlencode((pair,))


def search_url(params: SearchParams, fmt: str = "html", lang: str | None = None) -> str:
    """The address of a search; a results page links to a few hundred (facets, filters, pages)."""
    base = _search_base(fmt, lang)
    pieces = _encoded(params.to_query())
    return f"{base}?{'&'.join(pieces)}" if pieces else base


def toggle_urls(params: SearchParams, key: str, field: str, values) -> list[str]:
    """For each value, the address of the search with that value of a repeatable filter (the
    parameter ``key`` of the field ``field``: lang/langs, year/years, country/countries,
    topic/topics) added or, when selected, removed, on its first page:
    ``search_url(params.with_(page=1, **{field: params.toggled(field, value)}))`` for each.

    A results page gives one for every value of every facet, up to a few hundred: the
    parameters before and after the filter's own are encoded and joined once for them all."""
    base = _search_base("html", None)
    first_page = params.with_(page=1)
    # Where the filter's values stand among the pairs: a value no filter holds marks the place.
    marker = 0 if field == "years" else "\0"
    marked = first_page.with_(**{field: (marker,)}).to_query()
    at = marked.index((key, str(marker)))
    before = "&".join(_encoded(marked[:at]))
    after = "&".join(_encoded(marked[at + 1 :]))
    urls = []
    for value in values:
        own = "&".join(_encoded((key, str(v)) for v in first_page.toggled(field, value)))
        query = "&".join(part for part in (before, own, after) if part)
        urls.append(f"{base}?{query}" if query else base)
    return urls


def back_to_results_url() -> str | None:
    """The results page this page was opened from (its ``Referer``), in this page's language;
    None when the visitor came from anywhere else. The browser sends the whole address only
    between pages of this site, so the way back needs no parameter in the release's address."""
    parts = hosts.own_referrer(request)
    if parts is None:
        return None
    if parts.path not in {url_for("site.search", lang=code, fmt="html") for code in LANGUAGES}:
        return None
    query = urlencode(parse_qsl(parts.query, keep_blank_values=False))
    base = url_for("site.search", lang=g.lang, fmt="html")
    return f"{base}?{query}" if query else base


# --- absolute public addresses (the API, the feeds) --------------------------------------------
def search_page_url(params: SearchParams) -> str:
    return with_query(external("site.search", lang=params.ui, fmt="html"), params.to_query())


def api_search_url(params: SearchParams, endpoint: str = "api.search") -> str:
    return with_query(external(endpoint), params.to_query() + ui_pairs(params.ui))


FEED_ENTRIES = 20  # entries of a feed whose address names no per_page


def feed_url(params: SearchParams, absolute: bool = True, entries: int | None = None) -> str:
    """The Atom feed of a search, in one form wherever it is given (the feed's own ``self``, the
    API's ``links.atom``, a results page's ``<link rel="alternate">``): the search's words,
    filters and page size (a feed without one lists ``FEED_ENTRIES``) but not its order or page
    (a feed lists the newest first), and ``ui`` when the feed is not in English. ``entries``:
    the feed's own size, named unless it is ``FEED_ENTRIES`` (a feed asked for 10 names them,
    though 10 is a search's default page size)."""
    pairs = [(k, v) for k, v in params.to_query() if k not in ("sort", "page", "per_page")]
    size = entries if entries is not None else (params.per_page if params.per_page != DEFAULT_PER_PAGE else None)
    if size is not None and size != FEED_ENTRIES:  # where to_query puts it
        at = next((i for i, (k, _) in enumerate(pairs) if k in ("translations", "spell")), len(pairs))
        pairs.insert(at, ("per_page", str(size)))
    base = external("feeds.atom") if absolute else url_for("feeds.atom")
    return with_query(base, pairs + ui_pairs(params.ui))


def source_url(url: str) -> str | None:
    """The original address of a release when it is a well-formed http(s) URL, else None: the
    only form in which the pages, the API and the feed give it (checked again where it is shown,
    as all text from a release is, whatever the indexer let through)."""
    return web_address(url or "") or None


# --- the links of a serialised item ------------------------------------------------------------
_ID_MARK = "release-id-goes-here"  # letters and dashes: every converter writes them as they are


def _path_segment(value: str) -> str:
    """``value`` as the routes' ``<rid>`` writes it (the URL map's default converter)."""
    converter = g.get("path_converter")
    if converter is None:
        converter = g.path_converter = current_app.url_map.converters["default"](current_app.url_map)
    return converter.to_url(value)


class Addresses:
    """Where the links in a hit, a release or a suggestion lead, for one interface language:
    site paths on a page and its JSON twin (``page=True``), absolute public addresses in the API
    and the feed."""

    def __init__(self, ui: str, page: bool):
        self.ui = ui
        self.page = page
        self._search_base: str | None = None  # the results page's address, built once
        self._around: dict[str, tuple[str, str]] = {}  # endpoint -> its address before and after the id

    def release(self, rid: str) -> str:
        return self._of_release("site.release", rid, lang=self.ui, fmt="html")

    def api_release(self, rid: str) -> str:
        return with_query(self._of_release("api.release", rid), ui_pairs(self.ui))

    def _of_release(self, endpoint: str, rid: str, **values) -> str:
        """The address of a release's route, as ``url_for`` (or ``external``) builds it: built
        once with a mark where the id goes, and each id put in its place as the route's
        converter writes it (a page of hits, or an API answer, links each hit twice or thrice,
        and a route built by werkzeug takes some 10 us)."""
        around = self._around.get(endpoint)
        if around is None:
            built = (url_for if self.page else external)(endpoint, rid=_ID_MARK, **values)
            before, _, after = built.rpartition(_ID_MARK)
            around = self._around[endpoint] = (before, after)
        return around[0] + _path_segment(rid) + around[1]

    def search(self, pairs) -> str:
        """The results page of a search given as query pairs (``[("topic", "integration")]``).
        A page of hits links each of their countries and topics: the route is built once."""
        if self._search_base is None:
            where = url_for if self.page else external
            self._search_base = where("site.search", lang=self.ui, fmt="html")
        return with_query(self._search_base, pairs)
