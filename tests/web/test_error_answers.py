"""Error answers that were wrong: each reproduces what an attacker or a careless client sent.

- characters XML cannot hold in a feed's query: 200 with them dropped, never a 500;
- ``If-None-Match: *`` on a release that does not exist is 404, and weak validators match;
- error pages link to pages, never to JSON twins;
- error pages chosen by ``Accept-Language`` say so with ``Vary``;
- ``/healthz`` without an index does not name the index directory;
- the feed and the OpenSearch document answer a bad ``ui`` in plain text;
- a stored source address is a well-formed, percent-encoded http(s) URL;
- parameters that are not UTF-8 are refused with a 400 that says so, not searched as "%F1";
- control characters in the words are never echoed into a page.
"""

import html
import json
import logging
import re

import feedparser
import pytest
from lxml import etree

from index.build import reindex

from .conftest import HOSTILE_ID


# --- characters XML cannot hold -------------------------------------------------------------------
@pytest.mark.parametrize("q", ["%00", "%01%02trafficking", "migrants%0B", "%EF%BF%BE", "%1F%7F", "a%00b%00c"])
@pytest.mark.parametrize("ui", ["en", "es"])
def test_the_feed_drops_characters_xml_cannot_hold(client, q, ui):
    response = client.get(f"/search.atom?q={q}&ui={ui}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    etree.fromstring(response.data)  # well-formed
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert "\x00" not in feed.feed.title


# --- conditional requests ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/releases/no-such-release",
        "/api/v1/releases/no-such-release?ui=es",
        "/api/v1/releases/..%2Fmanifest.json",
    ],
)
def test_if_none_match_star_on_a_missing_release_is_404(client, path):
    response = client.get(path, headers={"If-None-Match": "*"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] in ("release_not_found", "not_found")


def test_if_none_match_star_on_a_release_that_exists_is_304(client):
    response = client.get(f"/api/v1/releases/{HOSTILE_ID}", headers={"If-None-Match": "*"})
    assert response.status_code == 304 and response.headers["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/search?q=migrants",
        "/api/v1/facets?q=migrants",
        f"/api/v1/releases/{HOSTILE_ID}",
        "/api/v1/suggest?q=mig",
        "/api/v1/openapi.json",
        "/search.atom?q=migrants",
        "/opensearch.xml?ui=es",
        "/sitemap.xml",
        "/embed.js",
    ],
)
def test_a_weak_validator_matches_as_rfc_9110_says(client, path):
    tag = client.get(path).headers["ETag"].removeprefix("W/").strip('"')  # the search's is weak
    for header in (f'W/"{tag}"', f'"other", W/"{tag}"', f'"{tag}"'):
        assert client.get(path, headers={"If-None-Match": header}).status_code == 304, header
    for header in ('W/"other"', f'"{tag}x"'):
        assert client.get(path, headers={"If-None-Match": header}).status_code == 200, header


# --- error pages ---------------------------------------------------------------------------------
def links(html: str) -> list[str]:
    return re.findall(r'<(?:a|link|form)\b[^>]*?(?:href|action)="([^"]*)"', html)


@pytest.mark.parametrize(
    "path",
    [
        "/en/nope",
        "/es/releases/no-such-release",
        "/nope",
        "/en/search?page=0",
        "/es/search?year=20x9&q=trata",
        "/en/search?country=ZZ",
        "/zz/search",
    ],
)
def test_error_pages_link_to_pages_not_to_json(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404) and response.mimetype == "text/html"
    found = [url for url in links(response.get_data(as_text=True)) if url.startswith("/") and "/static/" not in url]
    assert found
    assert not [url for url in found if ".json" in url], found


def test_the_retry_link_of_a_400_page_is_the_results_page(client):
    html = client.get("/es/search?year=20x9&q=trata").get_data(as_text=True)
    assert 'href="/es/search?q=trata"' in html


def test_a_400_page_names_every_wrong_parameter_and_its_way_back_leaves_them_all_out(client):
    """It named only the first ("year=abc") and its link led to the next one's 400."""
    response = client.get("/es/search?q=trata&sort=foo&year=abc&country=ZZ&lang=es")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<code>year=abc, country=ZZ, sort=foo</code>" in html
    assert 'href="/es/search?q=trata&amp;lang=es"' in html
    assert client.get("/es/search?q=trata&lang=es").status_code == 200
    twin = client.get("/es/search.json?q=trata&sort=foo&year=abc").get_json()["error"]
    assert twin["params"] == ["year", "sort"] and twin["retry_url"] == "/es/search?q=trata"


def test_a_400_page_says_what_is_wrong_with_each_parameter_a_wrong_page_among_them(client):
    """A wrong page was never named beside another wrong parameter, only the first parameter's
    fault was explained, and the button spoke of one parameter."""
    twin = client.get("/en/search.json?q=trata&year=abc&page=x").get_json()["error"]
    assert twin["params"] == ["year", "page"] and twin["retry_url"] == "/en/search?q=trata"
    html = client.get("/en/search?q=trata&year=abc&sort=zz").get_data(as_text=True)
    assert "year" in html.split('class="lead">')[1].split("</p>")[0].lower()
    assert "sort" in html.split('class="lead">')[1].split("</p>")[0].lower()
    assert "Search again without these parameters" in html
    single = client.get("/es/search?q=trata&year=abc").get_data(as_text=True)
    assert "Buscar de nuevo sin este parámetro" in single
    assert "Buscar de nuevo sin estos parámetros" in client.get("/es/search?q=trata&year=abc&page=x").get_data(
        as_text=True
    )


@pytest.mark.parametrize("path", ["/nope", "/static/nope.css", "/x/y/z"])
def test_error_pages_chosen_by_accept_language_vary_on_it(client, path):
    spanish = client.get(path, headers={"Accept-Language": "es-MX,es;q=0.9"})
    english = client.get(path, headers={"Accept-Language": "en"})
    assert spanish.status_code == english.status_code == 404
    assert '<html lang="es"' in spanish.get_data(as_text=True)
    assert '<html lang="en"' in english.get_data(as_text=True)
    for response in (spanish, english):
        assert "Accept-Language" in response.headers.get("Vary", "")


def test_error_pages_under_a_language_prefix_do_not_vary_on_accept_language(client):
    response = client.get("/es/nope", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and '<html lang="es"' in response.get_data(as_text=True)
    assert "Accept-Language" not in response.headers.get("Vary", "")


# --- health --------------------------------------------------------------------------------------
def test_healthz_without_an_index_does_not_name_its_directory(tmp_path, caplog):
    from web import create_app

    index_dir = tmp_path / "secret-place" / "ix"
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    with caplog.at_level(logging.WARNING):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "secret-place" not in body and str(tmp_path) not in body
    assert "index" in response.get_json()["message"]
    assert "secret-place" in caplog.text  # the operator finds it in the log


# --- feed and OpenSearch errors ------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/search.atom?ui=zz",
        "/opensearch.xml?ui=zz",
        "/search.atom?ui=en&ui=es",
        "/search.atom?year=99999",
        "/search.atom?country=ZZ",
        "/opensearch.xml?ui=%00z",
        "/search.atom?q=%ED%A0%80",  # a surrogate, which UTF-8 cannot hold
        "/search.atom?q=ni%F1",  # Latin-1
    ],
)
def test_feed_and_opensearch_errors_are_plain_text(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith("Bad Request:") and "<" not in text


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("PUT", "/search.atom", 405),
        ("DELETE", "/sitemap.xml", 405),
        ("POST", "/robots.txt", 405),
        ("TRACE", "/opensearch.xml", 405),
        ("GET", "/search.atom/x", 404),
        ("GET", "/sitemap.xml/", 404),
    ],
)
def test_routing_errors_on_feed_addresses_are_plain_text(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status and response.mimetype == "text/plain"
    assert "<" not in response.get_data(as_text=True)
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_a_rate_limited_feed_answers_plain_text_with_retry_after(web_index):
    from web import create_app

    app = create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "1/hour", "RATE_LIMIT_BURST": 1})
    client = app.test_client()
    assert client.get("/search.atom?q=migrants").status_code == 200
    response = client.get("/search.atom?q=migrants")
    assert response.status_code == 429 and response.mimetype == "text/plain"
    assert int(response.headers["Retry-After"]) >= 1


# --- stored source addresses ---------------------------------------------------------------------
SOURCES = {
    "quote": (
        'https://example.org/"><script>alert(1)</script>',
        "https://example.org/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    ),
    "space": ("HTTPS://Example.ORG/news/a b?x=1&y=<2>#top", "https://example.org/news/a%20b?x=1&y=%3C2%3E#top"),
    "unicode": ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
    "javascript": ("javascript:alert(1)", None),
    "user": ("https://trusted.example@evil.example/", None),
    "port": ("https://example.org:99999/", None),
    "relative": ("/en/news/x", None),
}


@pytest.fixture(scope="module")
def sources_app(tmp_path_factory):
    from web import create_app

    root = tmp_path_factory.mktemp("sources")
    lines = [
        json.dumps(
            {
                "id": f"source-{name}",
                "lang": "en",
                "date": f"2020-01-{n + 1:02d}",
                "title": f"Source address check {name}",
                "body": "Migrants and the source address.",
                "url": url,
            }
        )
        for n, (name, (url, _)) in enumerate(SOURCES.items())
    ]
    (root / "releases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reindex([root / "releases.jsonl"], root / "ix", progress=False)
    return create_app({"INDEX_DIR": str(root / "ix"), "TESTING": True, "RATE_LIMIT": "off"})


@pytest.mark.parametrize("name", SOURCES)
def test_source_addresses_are_normalised_when_indexed(sources_app, name):
    client = sources_app.test_client()
    expected = SOURCES[name][1]
    data = client.get(f"/api/v1/releases/source-{name}").get_json()
    assert data["source_url"] == expected
    assert data["source_url"] == sources_app.extensions["archive"].release(f"source-{name}").url or expected is None
    page = client.get(f"/en/releases/source-{name}").get_data(as_text=True)
    original = [html.unescape(u) for u in re.findall(r'<a href="([^"]*)" rel="noopener noreferrer external"', page)]
    assert original == ([expected] if expected else [])


# --- parameters that are not UTF-8, and control characters -----------------------------------------
@pytest.mark.parametrize("q", ["ni%F1", "%FF", "%ED%A0%80", "a%C3"])
def test_the_api_refuses_a_parameter_that_is_not_utf8(client, q):
    response = client.get(f"/api/v1/search?q={q}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["param"] == "q" and "UTF-8" in error["message"]


@pytest.mark.parametrize(
    "lang, hint",
    [("en", "“q” is not text in UTF-8"), ("es", "«q» no es texto en UTF-8")],
)
def test_a_results_page_refuses_words_that_are_not_utf8_in_its_language(client, lang, hint):
    response = client.get(f"/{lang}/search?q=ni%F1&year=2019")
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert hint in text


@pytest.mark.parametrize(
    "path",
    ["/en/releases/{rid}?utm_campaign=Migraci%F3n", "/?x=%FF", "/healthz?x=%E9", "/en/search?q=migrants&ref=%E9"],
)
def test_a_parameter_the_site_does_not_read_is_not_checked(client, path):
    """A campaign's tag in Latin-1 on a link to the archive breaks nothing: no page reads it."""
    assert client.get(path.format(rid=HOSTILE_ID)).status_code in (200, 302)  # / sends to a language


def test_utf8_words_and_an_escaped_percent_sign_are_searched(client):
    assert client.get("/en/search?q=ni%C3%B1os").status_code == 200
    response = client.get("/api/v1/search?q=100%25")
    assert response.status_code == 200 and response.get_json()["query"] == "100%"


@pytest.mark.parametrize("q", ["a%00b", "a%01%0Bb", "%07migrants%1B"])
def test_control_characters_in_the_words_are_not_echoed(client, q):
    page = client.get(f"/en/search?q={q}")
    assert page.status_code == 200
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", page.data)
    refused = client.get(f"/en/search?q={q}&year=x")  # the 400 page keeps the words in its box
    assert refused.status_code == 400
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", refused.data)
    answer = client.get(f"/api/v1/search?q={q}").get_json()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", answer["query"])


BIDI_OR_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@pytest.mark.parametrize(
    "path",
    [
        "/en/search?q=abc&year=20%E2%80%AE1x",
        "/es/search?q=abc%E2%80%AEdef&page=0",
        "/en/search.json?q=abc&year=20%E2%80%8F1x",
        "/api/v1/search?q=abc&year=20%E2%80%AE1x",
        "/api/v1/search?q=a&from=20%E2%81%A61x",
        "/search.atom?q=a&year=20%E2%80%AE1x",
    ],
)
def test_a_refused_search_echoes_no_bidi_or_invisible_character(client, path):
    """What a 400 answer quotes of the address (the parameter as given, the words kept in the
    box, the message) is shown as a query is read: a right-to-left override would turn the rest
    of its line round."""
    response = client.get(path)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert not BIDI_OR_INVISIBLE.search(body)
    assert not BIDI_OR_INVISIBLE.search(json.dumps(response.get_json()) if response.is_json else body)
    assert "\\u202e" not in body and "\\u200f" not in body and "\\u2066" not in body


@pytest.mark.parametrize(
    "query, read",
    [
        ("year=%E2%80%8B2019", {"year": [2019]}),  # a zero-width space pasted with the year
        ("year=20%E2%80%AE19", {"year": [2019]}),
        ("country=%E2%80%AEPA", {"country": ["PA"]}),
        ("lang=%E2%80%AEen", {"lang": ["en"]}),
        ("from=2019-01-01%E2%80%8F", {"from": "2019"}),
    ],
)
def test_an_invisible_character_pasted_with_a_value_is_dropped_as_from_the_words(client, query, read):
    """It was kept to fail the value under a message that could not show it: "must be a
    four-digit year (got '2019')"."""
    response = client.get(f"/api/v1/search?q=migrants&{query}")
    assert response.status_code == 200, response.get_json()
    params = response.get_json()["params"]
    assert {name: params[name] for name in read} == read


@pytest.mark.parametrize(
    "referrer", ["http://[::1", "http://]/en/search", "http://[bad]/en/search?q=a", "http://x:port/"]
)
@pytest.mark.parametrize(
    "path",
    [
        "/en/releases/2018-06-20-costa-rica-nicaragua-social-cohesion-en",
        "/es/releases/2018-06-20-costa-rica-nicaragua-social-cohesion-en",
        "/en/embed/frame",
        "/en/search?q=migrants",
    ],
)
def test_a_referer_that_is_no_address_is_ignored(client, path, referrer):
    """Any client may send a Referer that urlsplit cannot read: the page answers as without
    one (no way back to results, the box framed as usual), never 500."""
    response = client.get(path, headers={"Referer": referrer})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert b"Back to results" not in response.data
