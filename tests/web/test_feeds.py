"""Atom feeds read by a real feed parser, the OpenSearch description and its URL templates,
the sitemap and robots.txt."""

from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest

from search.params import SearchParams

from .conftest import HOSTILE_ID, HOSTILE_TITLE
from .test_pages import Page

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def parse_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return response, feed


# --- Atom ----------------------------------------------------------------------------------------------
def test_atom_feed_matches_the_search_newest_first(app, client):
    _, feed = parse_feed(client, "/search.atom?q=trafficking&country=BZ")
    expected = app.extensions["archive"].search(
        SearchParams(q="trafficking", countries=("BZ",), sort="newest", per_page=20)
    )
    assert expected.total > 1
    assert [e.id for e in feed.entries] == [f"http://localhost/{h.lang}/releases/{h.id}" for h in expected.hits]
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert feed.feed.title == "IOM news releases: “trafficking” · Belize"
    assert feed.feed.language == "en"
    links = {link.rel: link.href for link in feed.feed.links}
    assert local(links["self"]) == "/search.atom?q=trafficking&country=BZ"  # the form the API and the pages give
    assert local(links["alternate"]) == "/en/search?q=trafficking&country=BZ&sort=newest&per_page=20"
    entry = feed.entries[0]
    hit = expected.hits[0]
    assert entry.title == hit.title and entry.summary == hit.summary
    assert entry.link == f"http://localhost/en/releases/{hit.id}"
    assert {t.term for t in entry.tags} >= {"BZ"}


def test_atom_feed_in_spanish_with_filters(client):
    _, feed = parse_feed(client, "/search.atom?topic=migration-health&lang=es&per_page=3&ui=es")
    assert len(feed.entries) == 3
    assert feed.feed.title.startswith("Comunicados de la OIM: Español")
    assert all(e.link.startswith("http://localhost/es/releases/") for e in feed.entries)
    assert feed.feed.author == "Organización Internacional para las Migraciones (OIM)"


@pytest.mark.parametrize("ui", ["en", "es"])
def test_each_entry_is_in_its_release_language(app, client, ui):
    """An entry of a release in the other language than the feed's says so (xml:lang), so that
    a reader can pronounce, hyphenate and translate it."""
    _, feed = parse_feed(client, f"/search.atom?ui={ui}&per_page=50")
    expected = app.extensions["archive"].search(SearchParams(sort="newest", per_page=50, ui=ui))
    langs = [h.lang for h in expected.hits]
    assert {ui} < set(langs)  # both languages among the entries
    assert [e.title_detail.language for e in feed.entries] == langs
    assert [e.summary_detail.language for e in feed.entries] == langs
    # the labels of its topics and countries are the feed's, in the feed's language
    root = ET.fromstring(client.get(f"/search.atom?ui={ui}&per_page=50").data)
    lang_of = "{http://www.w3.org/XML/1998/namespace}lang"
    assert root.get(lang_of) == ui
    for entry in root.iter("{http://www.w3.org/2005/Atom}entry"):
        assert entry.get(lang_of) is None
        assert all(c.get(lang_of) is None for c in entry.iter("{http://www.w3.org/2005/Atom}category"))


def test_atom_feed_of_the_whole_archive_and_of_nothing(client):
    _, everything = parse_feed(client, "/search.atom")
    assert len(everything.entries) == 20
    _, nothing = parse_feed(client, "/search.atom?q=zzqqxxwv")
    assert nothing.entries == [] and nothing.feed.updated


def test_atom_feed_escapes_markup(client):
    response, feed = parse_feed(client, "/search.atom?q=escapecheck")
    entry = next(e for e in feed.entries if e.id.endswith(HOSTILE_ID))
    assert entry.title == HOSTILE_TITLE
    assert b"<script>" not in response.data and b"&lt;script&gt;" in response.data
    # a query with markup is text in the title
    response, feed = parse_feed(client, "/search.atom?q=" + quote("<b>x</b>"))
    assert "<b>x</b>" in feed.feed.title and b"<b>" not in response.data


def test_atom_feed_caching_and_errors(client):
    first = client.get("/search.atom?q=migrants")
    again = client.get("/search.atom?q=migrants", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    bad = client.get("/search.atom?year=nineteen")
    assert bad.status_code == 400


# --- OpenSearch ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "es"])
def test_opensearch_description_and_its_templates_work(client, lang):
    response = client.get(f"/opensearch.xml?ui={lang}")
    assert response.status_code == 200 and response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)  # well-formed
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    short_name = root.find(f"{OPENSEARCH}ShortName").text
    assert 0 < len(short_name) <= 16 and root.find(f"{OPENSEARCH}Language").text == lang
    assert root.find(f"{OPENSEARCH}InputEncoding").text == "UTF-8"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{OPENSEARCH}Url")}
    html = templates["text/html"]
    assert "{searchTerms}" in html
    page = client.get(local(html.replace("{searchTerms}", quote("trata de personas"))))
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f'<html lang="{lang}"' in page.get_data(as_text=True) and 'class="hit' in page.get_data(as_text=True)
    atom_url = local(templates["application/atom+xml"].replace("{searchTerms}", "migrants"))
    atom = client.get(atom_url)
    assert atom.status_code == 200 and feedparser.parse(atom.data).entries
    # the feed's one address, as the feed itself gives it (no "ui=en" for English)
    assert atom_url == local(next(x.href for x in feedparser.parse(atom.data).feed.links if x.rel == "self"))
    suggestions = client.get(local(templates["application/x-suggestions+json"].replace("{searchTerms}", "traf")))
    assert suggestions.get_json()[0] == "traf" and suggestions.get_json()[1]
    assert local(templates["application/opensearchdescription+xml"]) == f"/opensearch.xml?ui={lang}"


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/es/search?q=trata",
        "/en/help",
        "/es/embed",
        "/en/releases/2018-06-20-costa-rica-nicaragua-social-cohesion-en",
        "/en/nothing-here",
    ],
)
def test_every_page_links_the_opensearch_description(client, url):
    response = client.get(url)
    page = Page(response.get_data(as_text=True))
    lang = url.split("/")[1]
    links = [a for tag, a in page.elements if tag == "link" and a.get("rel") == "search"]
    assert len(links) == 1
    assert links[0]["type"] == "application/opensearchdescription+xml" and links[0]["title"]
    assert links[0]["href"] == f"/opensearch.xml?ui={lang}"


def test_results_pages_link_their_feed(client):
    page = Page(client.get("/es/search?q=trata&country=GT&sort=oldest&page=2").get_data(as_text=True))
    feeds = [a for tag, a in page.elements if tag == "link" and a.get("type") == "application/atom+xml"]
    assert [f["href"] for f in feeds] == ["/search.atom?q=trata&country=GT&ui=es"]
    home = Page(client.get("/es/").get_data(as_text=True))
    assert not [a for tag, a in home.elements if tag == "link" and a.get("type") == "application/atom+xml"]


@pytest.mark.parametrize(
    "lang,query",
    [
        ("en", "q=migrants&per_page=5"),
        ("es", "q=trata&country=GT&sort=oldest"),
        ("en", "topic=migration-health&per_page=20&translations=separate"),
    ],
)
def test_a_search_has_one_feed_address(client, lang, query):
    """The results page, the API and the feed itself give a search's feed at the same address."""
    page = Page(client.get(f"/{lang}/search?{query}").get_data(as_text=True))
    linked = [a["href"] for tag, a in page.elements if tag == "link" and a.get("type") == "application/atom+xml"]
    api = local(client.get(f"/api/v1/search?{query}&ui={lang}").get_json()["links"]["atom"])
    _, feed = parse_feed(client, api)
    itself = local(next(link.href for link in feed.feed.links if link.rel == "self"))
    assert linked == [api] and itself == api
    assert ("ui=es" in api) == (lang == "es") and "sort=" not in api
    assert feed.feed.language == lang


@pytest.mark.parametrize("size", [10, 5, 20])
def test_a_feed_s_own_address_gives_the_same_feed(client, size):
    """A feed asked for 10 entries (a search's default page size, not the feed's) named
    another feed as itself, of 20."""
    _, feed = parse_feed(client, f"/search.atom?per_page={size}")
    itself = local(next(link.href for link in feed.feed.links if link.rel == "self"))
    assert feed.feed.id.endswith(itself)
    _, again = parse_feed(client, itself)
    assert len(feed.entries) == len(again.entries) == size
    assert ("per_page" in itself) == (size != 20)


# --- sitemap and robots ----------------------------------------------------------------------------------
def test_sitemap_lists_every_release_once_per_language_version(app, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    urls = root.findall(f"{SITEMAP}url")
    locs = [u.find(f"{SITEMAP}loc").text for u in urls]
    assert len(locs) == len(set(locs))
    archive = app.extensions["archive"]
    hits = archive.search(SearchParams(separate=True, per_page=50)).hits
    assert len({h.id for h in hits}) == archive.status()["releases"] == 43
    paired = [h for h in hits if h.translation and h.translation.lang != h.lang]
    assert paired
    for hit in hits:
        listed = {lang for lang in ("en", "es") if f"http://localhost/{lang}/releases/{hit.id}" in locs}
        # a version of a pair under its own language only; a lone release under both interfaces
        assert listed == ({hit.lang} if hit in paired else {"en", "es"}), hit.id
    for hit in paired:
        # the two versions of a pair name each other, as the release pages' own hreflang links do
        url = urls[locs.index(f"http://localhost/{hit.lang}/releases/{hit.id}")]
        alternates = {a.get("hreflang"): a.get("href") for a in url.findall(f"{XHTML}link")}
        other = hit.translation
        assert alternates == {
            hit.lang: f"http://localhost/{hit.lang}/releases/{hit.id}",
            other.lang: f"http://localhost/{other.lang}/releases/{other.id}",
        }
        page = client.get(f"/{hit.lang}/releases/{hit.id}").get_data(as_text=True)
        assert (
            f'hreflang="{other.lang}" href="http://localhost/{other.lang}/releases/{other.id}"' in page
            or f'hreflang="{other.lang}" href="/{other.lang}/releases/{other.id}"' in page
        )
    for url in urls:
        alternates = {a.get("hreflang"): a.get("href") for a in url.findall(f"{XHTML}link")}
        assert set(alternates) == {"en", "es"} and url.find(f"{SITEMAP}loc").text in alternates.values()
    assert "http://localhost/es/" in locs and "http://localhost/en/embed" in locs
    release = next(u for u in urls if u.find(f"{SITEMAP}loc").text.endswith(HOSTILE_ID))
    assert release.find(f"{SITEMAP}lastmod").text == "2019-01-02"
    assert client.get(local(locs[-1])).status_code == 200
    assert client.get("/sitemap.xml", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    assert "Sitemap: http://localhost/sitemap.xml" in response.get_data(as_text=True)


def test_an_entrys_id_is_the_same_in_both_languages_feeds(client):
    """An entry's id names the release, not the interface: a reader following both feeds sees a
    Spanish-only release once."""
    _, english = parse_feed(client, "/search.atom?q=trata&lang=es&per_page=5")
    _, spanish = parse_feed(client, "/search.atom?q=trata&lang=es&per_page=5&ui=es")
    assert len(english.entries) > 1
    assert [e.id for e in english.entries] == [e.id for e in spanish.entries]
    assert all(e.id.startswith("http://localhost/es/releases/") for e in english.entries)
    assert [e.link for e in english.entries] == [e.id.replace("/es/", "/en/", 1) for e in english.entries]
