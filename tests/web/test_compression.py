"""Compressed answers (Flask-Compress, set up in web.app): HTML, CSS, JS and JSON go out as
brotli or gzip where the client accepts it, decode to the very bytes sent uncompressed, say
so in Vary, and keep their ETags and 304s (web.caching)."""

import gzip
import json
import re

import brotli
import pytest

from .test_pages import RELEASE_EN

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
PAGES = [
    "/en/search?q=migrants",
    "/es/search?q=migrantes&country=MX",
    "/es/",
    f"/en/releases/{RELEASE_EN}",
    "/en/help",
    "/en/embed",
    "/es/embed/frame",
    "/api/v1/search?q=migrants",
    "/en/search.json?q=trata",
    "/search.atom?q=trafficking",
    "/embed.js",
]


def static_files(client) -> list[str]:
    """The stylesheet and script a results page loads, at the addresses it gives them."""
    html = client.get("/en/search?q=migrants").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=[0-9a-f]+)"', html)


def same_content(decoded: bytes, plain: bytes, mimetype: str) -> bool:
    """The same bytes; for JSON, the same but for the time a search took (it differs each time)."""
    if mimetype != "application/json":
        return decoded == plain

    def timeless(value):
        if isinstance(value, dict):
            return {k: timeless(v) for k, v in value.items() if k != "took_ms"}
        return [timeless(v) for v in value] if isinstance(value, list) else value

    return timeless(json.loads(decoded)) == timeless(json.loads(plain))


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressed_answers_are_smaller_and_decode_to_the_same_bytes(client, encoding):
    urls = PAGES + static_files(client)
    assert len(urls) >= len(PAGES) + 3  # site.css, print.css, site.js
    for url in urls:
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        packed = client.get(url, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain.headers, url
        assert packed.headers["Content-Encoding"] == encoding, url
        assert packed.headers["Content-Type"] == plain.headers["Content-Type"], url
        body = packed.get_data()
        assert int(packed.headers["Content-Length"]) == len(body), url
        assert len(body) < len(plain.get_data()) * 0.6, (url, len(body), len(plain.get_data()))
        assert same_content(DECODE[encoding](body), plain.get_data(), plain.mimetype), url
        for response in (plain, packed):
            assert "accept-encoding" in response.headers.get("Vary", "").lower(), url


def test_brotli_is_preferred_and_gzip_serves_the_others(client):
    url = "/en/search?q=migrants"
    assert client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}).headers["Content-Encoding"] == "br"
    assert client.get(url, headers={"Accept-Encoding": "gzip, deflate"}).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(url, headers={"Accept-Encoding": "deflate"}).headers
    assert "Content-Encoding" not in client.get(url).headers  # no Accept-Encoding: as stored


def test_a_page_keeps_its_other_vary_values(client):
    response = client.get("/", headers={"Accept-Encoding": "br", "Accept-Language": "es"})
    assert response.status_code == 302
    vary = {v.strip().lower() for v in response.headers["Vary"].split(",")}
    assert {"accept-language", "accept-encoding"} <= vary
    response = client.get("/api/v1/search?q=x", headers={"Accept-Encoding": "br", "Origin": "https://partner.example"})
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert "accept-encoding" in vary


@pytest.mark.parametrize("url", ["/embed.js", "/search.atom?q=trafficking"])
def test_etags_and_304_hold_for_compressed_answers(client, url):
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "br"})
    tag, packed_tag = plain.headers["ETag"], packed.headers["ETag"]
    assert packed_tag != tag  # two representations, two strong tags
    for sent, encoding in ((tag, "identity"), (packed_tag, "br"), (packed_tag, "gzip"), (f"W/{packed_tag}", "br")):
        again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": sent})
        assert again.status_code == 304, (sent, encoding)
        assert again.get_data() == b""
        assert again.headers["ETag"] == sent.removeprefix("W/")
    changed = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": '"other:br"'})
    assert changed.status_code == 200 and changed.headers["Content-Encoding"] == "br"


def test_the_api_search_answer_has_one_weak_tag_for_every_encoding(client):
    """Its bytes change from one time to the next (the time taken), its meaning does not: a weak
    tag, the same plain or compressed, and a 304 for any form of it a client kept."""
    url = "/api/v1/search?q=migrants"
    answers = [client.get(url, headers={"Accept-Encoding": e}) for e in ("identity", "br", "gzip")]
    assert [a.headers.get("Content-Encoding") for a in answers] == [None, "br", "gzip"]
    assert answers[0].get_json()["took_ms"] >= 0
    tags = {a.headers["ETag"] for a in answers}
    assert len(tags) == 1, tags
    tag = tags.pop()
    assert tag.startswith('W/"'), tag
    for sent in (tag, tag.removeprefix("W/"), tag[:-1] + ':br"'):
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": sent})
        assert again.status_code == 304 and again.get_data() == b"", sent
        assert again.headers["ETag"] == tag
    assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_a_304_of_a_compressed_answer_comes_before_the_search(app, client, monkeypatch):
    url = "/api/v1/search?q=hurricane"
    tag = client.get(url, headers={"Accept-Encoding": "br"}).headers["ETag"]
    archive = app.extensions["archive"]

    def no_search(*args, **kwargs):
        raise AssertionError("searched although the client has the answer")

    monkeypatch.setattr(archive, "search", no_search)
    assert client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": tag}).status_code == 304


def test_static_files_compress_and_revalidate(client):
    url = next(u for u in static_files(client) if "site.css" in u)
    packed = client.get(url, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_a_range_of_a_file_is_sent_as_stored(client):
    url = next(u for u in static_files(client) if "site.css" in u)
    whole = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
    part = client.get(url, headers={"Accept-Encoding": "br, gzip", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.get_data() == whole[:100]


def test_small_answers_are_left_as_they_are(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
