"""Feeds and browser integration: an Atom feed of any search, the OpenSearch description,
the sitemap and robots.txt.

``/search.atom`` takes the parameters of the results page (``q``, ``lang``, ``year``,
``from``, ``to``, ``country``, ``topic``, ``per_page``, ``translations``) plus ``ui`` for
the language of its titles and links; it always lists the newest releases first (20 unless
``per_page`` says otherwise). The feed is built with feedgen, so every text is escaped.
"""

import datetime as dt
import re

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from flask import Blueprint, current_app, g, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import etree
from werkzeug.datastructures import MultiDict

from search.params import LANGUAGES, MAX_PER_PAGE, SearchParams

from . import caching, i18n, shapes
from .current import archive, search_params
from .hosts import external
from .i18n import ui_param
from .links import FEED_ENTRIES, Addresses, feed_url, search_page_url, ui_pairs

feeds = Blueprint("feeds", __name__)

FEED_MAX_AGE = 300
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
MOZ_NS = "http://www.mozilla.org/2006/browser/search/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


# Characters XML 1.0 cannot hold (controls, lone surrogates, U+FFFE/U+FFFF): a query may carry
# them (q=%00); lxml refuses them, so they are dropped from every text written into a document.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text) -> str:
    """``text`` without the characters XML cannot hold."""
    return _NOT_XML.sub("", str(text or ""))


def _xml_response(data: bytes, mimetype: str, etag: str, max_age: int):
    response = current_app.response_class(data, content_type=f"{mimetype}; charset=utf-8")
    return caching.cacheable(response, etag, max_age)


def _midnight(iso_date: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(iso_date[:10]), dt.time(), tzinfo=dt.UTC)


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Entry(FeedEntry):
    """feedgen 1.0.0 drops rel, type, hreflang and title of an entry's Atom links; put them back.
    An entry's title and summary also say their release's language (``xml:lang``) where it is
    not the feed's; its categories and its translation's title are in the feed's."""

    lang: str | None = None

    def atom_entry(self, extensions=True):
        entry = super().atom_entry(extensions)
        if self.lang:
            for child in entry:
                if etree.QName(child).localname in ("title", "summary"):
                    child.set(XML_LANG, self.lang)
        elements = [child for child in entry if etree.QName(child).localname == "link"]
        for element, link in zip(elements, self.link() or [], strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if link.get(name):
                    element.set(name, str(link[name]))
        return entry


# --- Atom --------------------------------------------------------------------------------------
def feed_params() -> tuple[SearchParams, SearchParams]:
    """The search a feed's address names, from which its own address is built again
    (:func:`web.links.feed_url`), and the search the feed runs: the newest first,
    ``FEED_ENTRIES`` of them unless the address gives ``per_page``."""
    args = MultiDict(request.args)
    args.poplist("sort")
    args.poplist("page")
    named = search_params(args)
    run = named.with_(sort="newest", page=1)
    if not args.get("per_page"):
        run = run.with_(per_page=FEED_ENTRIES)
    return named, run


def describe(params: SearchParams) -> str:
    """The search in words, for the feed's title: “trafficking” · Honduras · 2019."""
    a = archive()
    parts = [f"“{params.q.strip()}”"] if params.q.strip() else []
    parts += [i18n.ucfirst(a.labels("lang", v)[params.ui]) for v in params.langs]
    parts += [a.labels("country", v)[params.ui] for v in params.countries]
    parts += [a.labels("topic", v)[params.ui] for v in params.topics]
    parts += [str(y) for y in params.years]
    if params.date_from or params.date_to:
        start = i18n.long_date(params.date_from) if params.date_from else "…"
        end = i18n.long_date(params.date_to) if params.date_to else "…"
        parts.append(f"{start} – {end}")
    return " · ".join(parts)


@feeds.get("/search.atom")
def atom():
    named, params = feed_params()
    etag = caching.make_etag("atom", caching.generation(), params.to_query(), params.ui)
    cached = caching.not_modified(etag, FEED_MAX_AGE)
    if cached is not None:
        return cached
    result = archive().search(params)
    ui = params.ui
    with force_locale(ui):
        described = xml_text(describe(params))
        title = _("IOM news releases") + (f": {described}" if described else "")
        subtitle = _(
            "The newest news releases of the IOM regional office for Central America, North America and "
            "the Caribbean that match this search."
        )
        site_name = _("IOM news release archive")
        author = _("International Organization for Migration (IOM)")
    self_url = feed_url(named, entries=params.per_page)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": author})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=search_page_url(params), rel="alternate", type="text/html", hreflang=ui)
    fg.language(ui)
    fg.icon(external("static", filename="favicon.svg"))
    fg.generator(site_name, uri=external("site.home", lang=ui, fmt="html"))
    to = Addresses(ui, page=False)
    newest = None
    for hit in (shapes.hit(h, to) for h in result.hits):
        updated = _midnight(hit["date"])
        newest = max(newest, updated) if newest else updated
        entry = fg.add_entry(Entry(), order="append")
        entry.lang = hit["lang"] if hit["lang"] != ui else None
        # The release's page in its own language: one id for it in the English and Spanish feeds.
        entry.id(external("site.release", lang=hit["lang"], rid=hit["id"], fmt="html"))
        entry.title(xml_text(hit["title"]))
        entry.link(href=hit["url"], rel="alternate", type="text/html", hreflang=hit["lang"])
        translation = hit["translation"]
        if translation:
            entry.link(
                href=translation["url"],
                rel="related",
                type="text/html",
                hreflang=translation["lang"],
                title=xml_text(translation["title"]),
            )
        if hit["source_url"]:
            entry.link(href=hit["source_url"], rel="related", type="text/html")
        entry.published(updated)
        entry.updated(updated)
        entry.summary(xml_text(hit["summary"]))
        for facet, names in (("topic", "topics"), ("country", "countries")):
            scheme = to.search([(facet, "")])
            for item in hit[names]:
                entry.category(term=item["value"], label=xml_text(item["label"]), scheme=scheme)
    if newest is None:
        built = archive().status().get("built_at")
        try:
            newest = dt.datetime.fromisoformat(built) if built else None
        except ValueError:
            newest = None
        newest = newest or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        if newest.tzinfo is None:
            newest = newest.replace(tzinfo=dt.UTC)
    fg.updated(newest)
    return _xml_response(fg.atom_str(pretty=True), "application/atom+xml", etag, FEED_MAX_AGE)


# --- OpenSearch --------------------------------------------------------------------------------
@feeds.get("/opensearch.xml")
def opensearch():
    ui = ui_param()
    etag = caching.make_etag("opensearch", ui)
    cached = caching.not_modified(etag, 86400)
    if cached is not None:
        return cached
    with force_locale(ui):
        short_name = _("IOM releases")
        description = _(
            "Search the news releases of the IOM regional office for Central America, North America "
            "and the Caribbean, in English and Spanish."
        )
        long_name = _("IOM news release archive")
    search = external("site.search", lang=ui, fmt="html")
    root = etree.Element(f"{{{OPENSEARCH_NS}}}OpenSearchDescription", nsmap={None: OPENSEARCH_NS, "moz": MOZ_NS})

    def add(tag, text=None, ns=OPENSEARCH_NS, **attrs):
        element = etree.SubElement(root, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    add("ShortName", short_name[:16])
    add("LongName", long_name)
    add("Description", description)
    add("Tags", "IOM OIM migration migración")
    add("Language", ui)
    add("InputEncoding", "UTF-8")
    add("OutputEncoding", "UTF-8")
    add("Image", external("static", filename="favicon.svg"), width="16", height="16", type="image/svg+xml")
    add("Url", type="text/html", method="get", template=f"{search}?q={{searchTerms}}")
    # The feed's address as every other link gives it (web.links.feed_url): ui only when not English.
    feed_ui = "".join(f"&{k}={v}" for k, v in ui_pairs(ui))
    add(
        "Url",
        type="application/atom+xml",
        method="get",
        template=f"{external('feeds.atom')}?q={{searchTerms}}{feed_ui}",
    )
    add(
        "Url",
        type="application/x-suggestions+json",
        method="get",
        template=f"{external('api.suggest')}?q={{searchTerms}}&format=opensearch&ui={ui}",
    )
    add(
        "Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=f"{external('feeds.opensearch')}?ui={ui}",
    )
    add("SearchForm", search, ns=MOZ_NS)
    data = etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return _xml_response(data, "application/opensearchdescription+xml", etag, 86400)


# --- sitemap and robots.txt --------------------------------------------------------------------
def all_releases() -> list:
    """Every release (both versions of a pair), newest first."""
    a = archive()
    params = SearchParams(sort="newest", per_page=MAX_PER_PAGE, separate=True)
    first = a.search(params)
    hits = list(first.hits)
    for page in range(2, first.pages + 1):
        hits += a.search(params.with_(page=page)).hits
    return hits


def _sitemap_bytes() -> bytes:
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})

    def add(pages: dict, listed, lastmod: str | None = None):
        """One <url> per listed language, each naming every language's page as its alternate."""
        for lang in listed:
            url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
            etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = pages[lang]
            if lastmod:
                etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
            for other in LANGUAGES:
                etree.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=other, href=pages[other])

    def add_url(endpoint: str, lastmod: str | None = None, **values):
        add({lang: external(endpoint, lang=lang, **values) for lang in LANGUAGES}, LANGUAGES, lastmod)

    add_url("site.home", fmt="html")
    add_url("site.help", fmt="html")
    add_url("embed.page")
    for hit in all_releases():
        other = hit.translation
        if other is None or other.lang == hit.lang:
            add_url("site.release", lastmod=hit.date, rid=hit.id, fmt="html")
        else:
            # A pair's two language versions are each other's alternates, as the release pages'
            # own hreflang links say; each version is listed once, under its own language (the
            # same text under the other interface is not a page of its own to offer).
            pages = {
                hit.lang: external("site.release", lang=hit.lang, rid=hit.id, fmt="html"),
                other.lang: external("site.release", lang=other.lang, rid=other.id, fmt="html"),
            }
            add(pages, [hit.lang], hit.date)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


@feeds.get("/sitemap.xml")
def sitemap():
    etag = caching.make_etag("sitemap", caching.generation())
    cached = caching.not_modified(etag, 3600)
    if cached is not None:
        return cached
    store = current_app.extensions.setdefault("sitemap", {})
    data = store.get(etag)
    if data is None:
        data = _sitemap_bytes()
        store.clear()  # one generation (and host) at a time
        store[etag] = data
    return _xml_response(data, "application/xml", etag, 3600)


@feeds.get("/robots.txt")
def robots():
    text = f"User-agent: *\nAllow: /\nSitemap: {external('feeds.sitemap')}\n"
    response = current_app.response_class(text, mimetype="text/plain")
    response.headers["Cache-Control"] = caching.cache_control(86400)
    return response


# --- links in every page -----------------------------------------------------------------------
def link_globals():
    """For the base template: the OpenSearch description and, on results pages, the search's feed."""
    lang = i18n.current_language()
    values = {"opensearch_url": url_for("feeds.opensearch", ui=lang)}
    params = g.get("search_params")  # a results page's search, once read (web.views.read_params)
    if request.endpoint == "site.search" and params is not None:
        values["atom_url"] = feed_url(params, absolute=False)
    return values


def init_app(app) -> None:
    app.register_blueprint(feeds)
    app.context_processor(link_globals)
