"""The JSON API through Flask's test client: answers match the search entry point, links,
errors as JSON on every /api/ address, CORS, ETag/304 and the rate limit."""

from urllib.parse import parse_qs, urlsplit

import pytest

from index.build import reindex
from index.config import SAMPLES_DIR
from search.params import SearchParams

from .conftest import HOSTILE_ID, HOSTILE_TITLE

RELEASE_EN = "2018-06-20-costa-rica-nicaragua-social-cohesion-en"
RELEASE_ES = "2018-06-20-costa-rica-nicaragua-cohesion-social-es"


def get_json(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.mimetype == "application/json", (url, response.mimetype)
    return response, response.get_json()


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- search ------------------------------------------------------------------------------------------
def test_search_returns_the_result_model(app, client):
    _, data = get_json(client, "/api/v1/search?q=migrants&per_page=5")
    expected = app.extensions["archive"].search(SearchParams(q="migrants", per_page=5))
    assert data["total"] == expected.total == 15
    assert [h["id"] for h in data["hits"]] == [h.id for h in expected.hits]
    assert data["page"] == 1 and data["per_page"] == 5 and data["pages"] == 3 and data["sort"] == "relevance"
    hit = data["hits"][0]
    assert set(hit) == {
        "id",
        "lang",
        "date",
        "title",
        "url",
        "api_url",
        "source_url",
        "title_html",
        "snippets",
        "summary",
        "countries",
        "topics",
        "translation",
        "score",
    }
    assert "<mark>" in hit["title_html"] + "".join(hit["snippets"])
    assert hit["url"] == f"http://localhost/en/releases/{hit['id']}"
    assert set(data["facets"]) == {"year", "country", "topic", "lang"}
    assert all(
        {"value", "label", "labels", "count", "selected"} == set(v) for vs in data["facets"].values() for v in vs
    )
    assert data["generation"].startswith("gen-")
    assert type(data["took_ms"]) in (int, float) and data["took_ms"] >= 0  # a number of milliseconds, never text
    assert data["params"]["q"] == "migrants" and data["params"]["per_page"] == 5
    assert data["links"]["html"] == "http://localhost/en/search?q=migrants&per_page=5"
    assert path_and_query(data["links"]["atom"]) == "/search.atom?q=migrants&per_page=5"


def test_next_and_prev_links_keep_the_parameters(client):
    _, first = get_json(client, "/api/v1/search?q=migrants&per_page=5&country=MX,GT&ui=es")
    assert first["prev"] is None and first["next"]
    query = parse_qs(urlsplit(first["next"]).query)
    assert query == {"q": ["migrants"], "country": ["MX", "GT"], "per_page": ["5"], "page": ["2"], "ui": ["es"]}
    seen = [h["id"] for h in first["hits"]]
    url = first["next"]
    while url:
        _, page = get_json(client, path_and_query(url))
        assert page["prev"]
        seen += [h["id"] for h in page["hits"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == first["total"]


@pytest.mark.parametrize(
    "pasted", ["migrants%0Aborder", "migrants%09border", "migrants%0D%0Aborder", "migrants%E2%80%A8border"]
)
def test_a_query_is_one_line(client, pasted):
    """Tabs and line ends pasted into a query are spaces between its words: the same search,
    address and ETag as typed with a space, and never echoed with a line break."""
    _, spaced = get_json(client, "/api/v1/search?q=migrants+border")
    response, pasted_answer = get_json(client, f"/api/v1/search?q={pasted}")
    assert pasted_answer["query"] == "migrants border"
    assert pasted_answer["links"]["self"] == spaced["links"]["self"]
    assert response.headers["ETag"] == client.get("/api/v1/search?q=migrants+border").headers["ETag"]


def test_filters_facets_and_labels_follow_ui(client):
    _, data = get_json(client, "/api/v1/search?country=HN&year=2019&ui=es")
    assert data["sort"] == "newest"  # no words: newest first
    assert all("HN" in [c["value"] for c in h["countries"]] for h in data["hits"])
    countries = {v["value"]: v for v in data["facets"]["country"]}
    assert countries["HN"]["selected"] and countries["HN"]["label"] == "Honduras"
    assert countries["HN"]["labels"] == {"en": "Honduras", "es": "Honduras"}
    assert next(v for v in data["facets"]["year"] if v["value"] == "2019")["selected"]
    assert data["hits"][0]["url"].startswith("http://localhost/es/releases/")


def test_translations_separate_and_markup_stays_escaped(client):
    _, merged = get_json(client, "/api/v1/search?q=cohesion")
    _, separate = get_json(client, "/api/v1/search?q=cohesion&translations=separate")
    assert separate["params"]["translations"] == "separate"
    assert separate["total"] > merged["total"]
    _, data = get_json(client, "/api/v1/search?q=escapecheck")
    hit = next(h for h in data["hits"] if h["id"] == HOSTILE_ID)
    assert hit["title"] == HOSTILE_TITLE  # plain text, as JSON
    assert "<script>" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    assert all("<img" not in s for s in hit["snippets"])
    assert hit["source_url"] is None  # javascript: is not a link


def test_notices_are_in_the_interface_language(client):
    _, data = get_json(client, "/api/v1/search?q=migrants&page=99&ui=es")
    notice = next(n for n in data["notices"] if n["code"] == "page_out_of_range")
    assert notice["message"].startswith("Solo hay")


@pytest.mark.parametrize(
    "q",
    ["date:2019-02-30", "migrants date:2019-02-30", "migrants fecha:2019-13", "year:20x9", "migrants -date:2019-02-30"],
)
def test_a_date_filter_naming_no_day_is_said_to_be_read_as_words(client, q):
    """ "date:2019-02-30" alone found nothing and said nothing: the filter is read as words."""
    typed = q.split()[-1].lstrip("-")
    for ui, start in (("en", f"“{typed}” names no year or day"), ("es", f"«{typed}» no indica")):
        _, data = get_json(client, f"/api/v1/search?q={q}&ui={ui}")
        (notice,) = [n for n in data["notices"] if n["code"] == "not_a_date"]
        assert notice["filters"] == [typed] and notice["message"].startswith(start)
    _, fine = get_json(client, "/api/v1/search?q=migrants+date:2019-02-01..2019-02-28")
    assert not [n for n in fine["notices"] if n["code"] == "not_a_date"]


@pytest.mark.parametrize("ui,start", [("en", "Only "), ("es", "Solo ")])
def test_a_few_releases_with_all_the_words_are_counted_in_the_notice(client, ui, start):
    _, data = get_json(client, f"/api/v1/search?q=hurricane+shelters+jamaica&ui={ui}")
    notice = next(n for n in data["notices"] if n["code"] == "few_all_words")
    assert 0 < notice["all_words"] < data["total"]
    assert notice["message"].startswith(f"{start}{notice['all_words']} ")


def test_facets_over_the_archive_and_for_filters(app, client):
    _, everything = get_json(client, "/api/v1/facets")
    assert everything["total"] == app.extensions["archive"].search(SearchParams()).total == 27  # pairs count once
    _, separate = get_json(client, "/api/v1/facets?translations=separate")
    assert separate["total"] == sum(v["count"] for v in separate["facets"]["lang"]) == 43
    _, filtered = get_json(client, "/api/v1/facets?q=trafficking&lang=es")
    assert 0 < filtered["total"] < everything["total"]
    assert [v["value"] for v in filtered["facets"]["lang"] if v["selected"]] == ["es"]
    assert "hits" not in filtered
    # a search's whole query string: the parameters facets take not are ignored, valid or not
    _, sent = get_json(client, "/api/v1/facets?q=trafficking&lang=es&page=abc&per_page=999&sort=bad")
    assert sent["total"] == filtered["total"] and sent["facets"] == filtered["facets"]


# --- releases and suggestions ------------------------------------------------------------------------
def test_release(client):
    _, data = get_json(client, f"/api/v1/releases/{RELEASE_EN}?ui=es")
    assert data["id"] == RELEASE_EN and data["lang"] == "en" and data["date"] == "2018-06-20"
    assert len(data["paragraphs"]) > 1
    assert data["translation"]["id"] == RELEASE_ES
    assert data["translation"]["url"] == f"http://localhost/es/releases/{RELEASE_ES}"
    assert data["related"] and all(r["id"] not in (RELEASE_EN, RELEASE_ES) for r in data["related"])
    assert {"value": "CR", "label": "Costa Rica", "labels": {"en": "Costa Rica", "es": "Costa Rica"}} in data[
        "countries"
    ]


def test_suggest(client):
    _, data = get_json(client, "/api/v1/suggest?q=traf&limit=5")
    assert data["query"] == "traf" and 0 < len(data["suggestions"]) <= 5
    first = data["suggestions"][0]
    assert first["kind"] == "term" and first["text"].startswith("traf")
    assert first["url"].startswith("http://localhost/en/search?q=")
    _, empty = get_json(client, "/api/v1/suggest?q=")
    assert empty["suggestions"] == []
    response = client.get("/api/v1/suggest?q=traf&format=opensearch")
    assert response.mimetype == "application/x-suggestions+json"
    query, texts, descriptions, urls = response.get_json()
    assert query == "traf" and texts and len(texts) == len(descriptions) == len(urls)


@pytest.mark.parametrize("typed", ["mig", "-mig", "title:mig"])
def test_suggest_gives_as_many_as_the_limit_asks_and_no_more(client, typed):
    """``limit=1`` gave sixteen suggestions (the room kept for titles went below nothing), and
    within query syntax, where no title is offered, room was kept for three all the same."""
    _, most = get_json(client, f"/api/v1/suggest?q={typed}&limit=20")
    assert len(most["suggestions"]) >= 8
    for limit in (1, 2, 3, 5, 8):
        _, data = get_json(client, f"/api/v1/suggest?q={typed}&limit={limit}")
        assert len(data["suggestions"]) == limit, (typed, limit)
        response = client.get(f"/api/v1/suggest?q={typed}&limit={limit}&format=opensearch")
        assert len(response.get_json()[1]) == limit


def test_suggest_format_given_empty_is_absent_and_its_value_is_read_in_any_case(client):
    _, data = get_json(client, "/api/v1/suggest?q=mig&format=")
    assert data["suggestions"]
    response = client.get("/api/v1/suggest?q=mig&format=OpenSearch")
    assert response.status_code == 200 and response.mimetype == "application/x-suggestions+json"


@pytest.mark.parametrize(
    "typed,read",
    [
        ("tr%01af", "tr af"),
        ("%00", ""),
        ("tr%09af", "tr af"),
        ("traf%E2%80%AE", "traf"),
        ("tra%E2%80%8Bf", "traf"),
        ("traf%20%E2%80%8B", "traf "),  # the space of a whole word is kept after what is dropped
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/suggest?q=", "/en/suggest.json?q=", "/api/v1/suggest?format=opensearch&q="])
def test_suggest_reads_what_was_typed_as_a_search_does(client, path, typed, read):
    """Control characters are spaces, invisible and bidi ones dropped, as in a search: never
    echoed, nor built into a suggestion's text or address."""
    response = client.get(path + typed)
    assert response.status_code == 200
    data = response.get_json()
    echoed, texts = (
        (data[0], data[1]) if isinstance(data, list) else (data["query"], [s["text"] for s in data["suggestions"]])
    )
    assert echoed == read
    body = response.get_data(as_text=True)
    for mark in ("\\u0001", "\\u0000", "\\u202e", "\\u200b", "%01", "%00", "%E2%80%AE", "\\t"):
        assert mark not in body, mark
    assert all("\u202e" not in t and "\x01" not in t for t in texts)


def test_suggest_keeps_the_space_after_a_whole_word(client):
    """A space after the last word says it is whole: kept (one), as typed."""
    _, data = get_json(client, "/api/v1/suggest?q=trafficking%20%20")
    assert data["query"] == "trafficking "


# --- errors: JSON, never HTML ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url,param",
    [
        ("/api/v1/search?year=abc", "year"),
        ("/api/v1/search?per_page=500", "per_page"),
        ("/api/v1/search?country=ZZ", "country"),
        ("/api/v1/search?topic=nope", "topic"),
        ("/api/v1/search?from=2020&to=2019", "from"),
        ("/api/v1/search?ui=fr", "ui"),
        ("/api/v1/facets?lang=fr", "lang"),
        ("/api/v1/suggest?limit=0", "limit"),
        # digits other than ASCII's, which Python's int() takes: the API documents [0-9]
        ("/api/v1/search?year=%D9%A2%D9%A0%D9%A1%D9%A9", "year"),
        ("/api/v1/search?from=%D9%A2%D9%A0%D9%A1%D9%A9", "from"),
        ("/api/v1/search?per_page=%EF%BC%95", "per_page"),
        ("/api/v1/search?page=%D9%A2", "page"),
        ("/api/v1/suggest?q=a&limit=%EF%BC%95", "limit"),
        ("/api/v1/suggest?q=" + "x" * 201, "q"),
        (f"/api/v1/releases/{RELEASE_EN}?ui=de", "ui"),
    ],
)
def test_bad_parameters_are_400_json(client, url, param):
    response, data = get_json(client, url, status=400)
    assert data["error"]["code"] == "invalid_parameter" and data["error"]["param"] == param
    assert data["error"]["status"] == 400 and data["error"]["message"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url,code",
    [
        ("/api/v1/releases/no-such-release", "release_not_found"),
        ("/api/v1/nothing", "not_found"),
        ("/api/v1/search/", "not_found"),
        ("/api/v2/search", "not_found"),
        ("/api", "not_found"),
        ("/api/v1/releases/a/b", "not_found"),
    ],
)
def test_unknown_addresses_are_404_json(client, url, code):
    _, data = get_json(client, url, status=404)
    assert data["error"]["code"] == code


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_are_405_json(client, method):
    response = getattr(client, method)("/api/v1/search?q=x")
    assert response.status_code == 405 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_server_errors_are_json_without_a_traceback(web_index, monkeypatch):
    from web import create_app

    app = create_app({"INDEX_DIR": str(web_index)})
    monkeypatch.setattr(app.extensions["archive"], "search", lambda params: 1 / 0)
    response = app.test_client().get("/api/v1/search?q=x")
    assert response.status_code == 500 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "ZeroDivision" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


def test_no_index_is_503_json_with_retry_after(tmp_path):
    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "ix")}).test_client()
    for url in ("/api/v1/search?q=x", "/api/v1/facets", "/api/v1/suggest?q=x", f"/api/v1/releases/{RELEASE_EN}"):
        response, data = get_json(client, url, status=503)
        assert data["error"]["code"] == "index_unavailable" and response.headers["Retry-After"] == "60"


def test_pages_keep_their_own_error_pages(client):
    response = client.get("/en/nothing-here")
    assert response.status_code == 404 and response.mimetype == "text/html"
    response = client.post("/en/search")
    assert response.status_code == 405 and response.mimetype == "text/html"


# --- CORS ----------------------------------------------------------------------------------------------
def test_cors_is_open_to_any_origin_by_default(client):
    response = client.get("/api/v1/search?q=x", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    response = client.options(
        "/api/v1/search",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "if-none-match"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    # the feed and the embed script are open the same way: a script may ask for them conditionally
    for path in ("/search.atom?q=x", "/embed.js", "/opensearch.xml"):
        response = client.options(
            path,
            headers={
                "Origin": "https://partner.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "If-None-Match",
            },
        )
        assert response.status_code == 204, path
        assert response.headers["Access-Control-Allow-Headers"] == "if-none-match", path
        assert "GET" in response.headers["Access-Control-Allow-Methods"], path
    # errors may be read too
    assert (
        client.get("/api/v1/nothing", headers={"Origin": "https://x.example"}).headers["Access-Control-Allow-Origin"]
        == "*"
    )
    # pages are not opened to other origins
    assert (
        "Access-Control-Allow-Origin"
        not in client.get("/en/search?q=x", headers={"Origin": "https://x.example"}).headers
    )


def test_cors_allow_list(web_index):
    from web import create_app

    client = create_app(
        {"INDEX_DIR": str(web_index), "API_CORS_ORIGINS": "https://a.example, https://b.example"}
    ).test_client()
    allowed = client.get("/api/v1/search?q=x", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/search?q=x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers and "Origin" in other.headers["Vary"]
    preflight = client.options(
        "/api/v1/search", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


# --- caching -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url,same",
    [
        ("/api/v1/search?q=migrants&year=2019,2018", "/api/v1/search?year=2018&q=migrants&year=2019"),
        ("/api/v1/facets?country=hn", "/api/v1/facets?country=HN"),
        (f"/api/v1/releases/{RELEASE_EN}", f"/api/v1/releases/{RELEASE_EN}?ui=en"),
        ("/api/v1/suggest?q=traf", "/api/v1/suggest?q=traf&limit=8"),
        ("/api/v1/openapi.json", "/api/v1/openapi.json"),
    ],
)
def test_etag_and_304(client, url, same):
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert client.get(same).headers["ETag"] == etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_etag_differs_by_request_and_language(client):
    tags = {
        client.get(url).headers["ETag"]
        for url in (
            "/api/v1/search?q=migrants",
            "/api/v1/search?q=migrants&ui=es",
            "/api/v1/search?q=migrants&page=2",
            "/api/v1/search?q=migrant",
        )
    }
    assert len(tags) == 4


def test_etag_changes_with_the_index_generation(tmp_path):
    from web import create_app

    index_dir = tmp_path / "ix"
    reindex([SAMPLES_DIR / "releases.jsonl"], index_dir, progress=False)
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    first = client.get("/api/v1/search?q=migrants")
    before = first.headers["ETag"]
    reindex([SAMPLES_DIR / "releases.jsonl"], index_dir, progress=False)
    after = client.get("/api/v1/search?q=migrants", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    # The answer itself is new (answers are kept per ETag, so per generation): fewer releases, fewer hits.
    lines = (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines()[:6]
    (tmp_path / "few.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reindex([tmp_path / "few.jsonl"], index_dir, progress=False)
    fewer = client.get("/api/v1/search?q=migrants").get_json()
    assert fewer["generation"] != after.get_json()["generation"]
    assert fewer["total"] < first.get_json()["total"]


# --- rate limit ----------------------------------------------------------------------------------------
@pytest.fixture
def limited(web_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": "2/minute", "RATE_LIMIT_BURST": 3})


def test_rate_limit_answers_429_with_retry_after(limited):
    client = limited.test_client()
    for _ in range(3):
        assert client.get("/api/v1/search?q=migrants").status_code == 200
    response, data = get_json(client, "/api/v1/suggest?q=mig", status=429)
    assert data["error"]["code"] == "rate_limited"
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= 30 and data["error"]["retry_after"] == retry
    # unknown API addresses count too, and still answer JSON
    assert client.get("/api/v1/nothing").get_json()["error"]["code"] == "rate_limited"
    # another client has its own budget
    other = limited.test_client()
    assert other.get("/api/v1/search?q=x", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    # preflights and pages that cost no search are not limited
    assert client.options("/api/v1/search").status_code == 204
    assert client.get("/en/help").status_code == 200


def test_rate_limit_covers_the_search_pages(limited):
    client = limited.test_client()
    for _ in range(3):
        assert client.get("/es/search?q=trata", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
    response = client.get("/es/search?q=trata", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) >= 1
    assert "Demasiadas solicitudes" in response.get_data(as_text=True)
    atom = client.get("/search.atom?q=trata", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert atom.status_code == 429


def test_rate_limit_trusts_forwarded_for_only_from_configured_proxies(web_index):
    from web import create_app

    app = create_app(
        {"INDEX_DIR": str(web_index), "RATE_LIMIT": "1/hour", "RATE_LIMIT_BURST": 1, "RATE_LIMIT_PROXIES": "10.0.0.1"}
    )
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.get("/api/v1/facets", environ_base=proxy, headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert client.get("/api/v1/facets", environ_base=proxy, headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 200
    assert client.get("/api/v1/facets", environ_base=proxy, headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429
    # a client that is not a proxy cannot choose its address
    direct = {"REMOTE_ADDR": "3.3.3.3"}
    assert client.get("/api/v1/facets", environ_base=direct, headers={"X-Forwarded-For": "4.4.4.4"}).status_code == 200
    assert client.get("/api/v1/facets", environ_base=direct, headers={"X-Forwarded-For": "5.5.5.5"}).status_code == 429


def test_rate_limit_is_on_by_default_even_in_tests_and_can_be_turned_off(web_index):
    from web import create_app

    # an app made for tests limits like the site: a test that does not want the limit says so
    assert create_app({"INDEX_DIR": str(web_index), "TESTING": True}).extensions["ratelimit"] is not None
    assert create_app({"INDEX_DIR": str(web_index), "RATE_LIMIT": "off"}).extensions["ratelimit"] is None
    assert create_app({"INDEX_DIR": str(web_index)}).extensions["ratelimit"] is not None


@pytest.mark.parametrize(
    "text,per_second",
    [
        ("120/minute", 2),
        ("5/s", 5),
        ("3600/hour", 1),
        ("2", 2),
        ("30 / 2 minutes", 0.25),
        ("86400/day", 1),
        ("off", None),
        ("0", None),
    ],
)
def test_rate_parsing(text, per_second):
    from web.ratelimit import parse_rate

    assert parse_rate(text) == per_second


def test_token_bucket_refills():
    from web.ratelimit import TokenBucket

    now = [0.0]
    bucket = TokenBucket(rate=0.5, burst=2, clock=lambda: now[0])
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") == pytest.approx(2.0)
    now[0] += 2
    assert bucket.take("a") == 0
    assert bucket.take("b") == 0


def test_a_repeated_search_answers_the_same_after_every_view_used_it(client):
    """Results are cached and shared between requests: no page, feed or API view may change one."""

    def body(url):
        data = client.get(url).get_json()
        data.pop("took_ms", None)
        return data

    for q in ("migrants", "hurricane jamaica", "migrnts"):  # the last one is corrected
        first = body(f"/api/v1/search?q={q}&ui=es")
        for url in (
            f"/en/search?q={q}",
            f"/es/search?q={q}",
            f"/en/search.json?q={q}",
            f"/search.atom?q={q}",
            f"/es/search.json?q={q}&page=2",
        ):
            assert client.get(url).status_code == 200
        assert body(f"/api/v1/search?q={q}&ui=es") == first


def test_a_search_answered_again_from_the_worker_cache_is_the_same_and_counted_at_its_size(app, client):
    """A search asked again is answered from the serialised answers the worker keeps: the same
    JSON, accented text included; the cache counts what it holds (UTF-8 bytes), so that a worker
    never holds more than its limit."""
    url = "/api/v1/search?q=migraci%C3%B3n&ui=es"
    first, again = client.get(url), client.get(url)
    assert first.status_code == again.status_code == 200
    a, b = first.get_json(), again.get_json()
    a.pop("took_ms"), b.pop("took_ms")
    assert a == b and a["hits"] and any(ord(c) > 127 for c in again.get_data(as_text=True))
    from search.lru import ENTRY_BYTES

    bodies = app.extensions["api_search_bodies"]
    held = [value for value, _ in bodies._items.values()]
    assert held and all(isinstance(v, bytes) for v in held)
    assert bodies.used == sum(len(v) + ENTRY_BYTES for v in held)


@pytest.mark.parametrize("ui", ["en", "es"])
def test_a_country_or_topic_filter_that_names_nothing_of_the_archive_is_said(client, ui):
    """ "country:Narnia" found nothing and said nothing ("year:20x9" says why): a country or topic
    filter that names no value of the archive is searched as words, and the notice names it."""
    data = client.get(f"/api/v1/search?q=pais:Narnia+topic:nope+migrants&ui={ui}").get_json()
    (notice,) = [n for n in data["notices"] if n["code"] == "unknown_value"]
    assert notice["filters"] == ["pais:Narnia", "topic:nope"]
    assert "pais:Narnia" in notice["message"] and ("país" in notice["message"]) == (ui == "es")
    for known in ("country:HN", "pais:Honduras", "tema:remesas"):
        assert not [
            n for n in client.get(f"/api/v1/search?q={known}").get_json()["notices"] if n["code"] == "unknown_value"
        ]
    page = client.get(f"/{ui}/search?q=country:Narnia").get_data(as_text=True)
    assert "Narnia" in page and ("ningún país" in page) == (ui == "es")


@pytest.mark.parametrize(
    "url,param,spanish",
    [
        ("/api/v1/search?ui=es&year=abc", "year", "Un año es un número"),
        ("/api/v1/suggest?q=a&limit=0&ui=es", "limit", "número de sugerencias"),
        ("/api/v1/facets?ui=es&lang=fr", "lang", "El idioma debe ser"),
    ],
)
def test_a_parameter_error_says_what_to_fix_in_the_interface_language(client, url, param, spanish):
    """The message stays English, for programs; the hint speaks the language ``ui`` names (the
    API's errors were English whatever it named)."""
    error = client.get(url).get_json()["error"]
    assert error["param"] == param and error["message"].isascii()
    assert spanish in error["hint"]
    english = client.get(url.replace("ui=es", "ui=en")).get_json()["error"]
    assert english["message"] == error["message"] and spanish not in english["hint"] != error["hint"]
    assert client.get("/api/v1/search?ui=fr").get_json()["error"]["hint"].startswith("The interface language")


@pytest.mark.parametrize(
    "rate, english, spanish", [("60/minute", "1 second", "1 segundo y"), ("2/minute", "seconds", "segundos y")]
)
def test_the_wait_a_429_asks_for_is_worded_for_its_number(web_index, rate, english, spanish):
    """ "try again in 1 seconds", "wait 1 seconds"."""
    from web import create_app

    app = create_app({"INDEX_DIR": str(web_index), "TESTING": True, "RATE_LIMIT": rate, "RATE_LIMIT_BURST": 1})
    client = app.test_client()
    client.get("/api/v1/search?q=b", environ_base={"REMOTE_ADDR": "10.7.7.8"})  # the one allowed
    api = client.get("/api/v1/search?q=b", environ_base={"REMOTE_ADDR": "10.7.7.8"})
    assert api.status_code == 429 and api.get_json()["error"]["message"].endswith(english)
    client.get("/es/search?q=b", environ_base={"REMOTE_ADDR": "10.7.7.9"})
    page = client.get("/es/search?q=b", environ_base={"REMOTE_ADDR": "10.7.7.9"}).get_data(as_text=True)
    assert f"{spanish} vuelva a intentarlo" in page
    if english == "1 second":
        assert "Espere 1 segundo y" in page
