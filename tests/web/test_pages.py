"""The site through Flask's test client: every page in both languages, their JSON twins,
errors, headers, escaping and formatting."""

import dataclasses
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g

from index.build import reindex
from index.config import SAMPLES_DIR

from .conftest import HOSTILE_ID

LANGS = ["en", "es"]
RELEASE_EN = "2018-06-20-costa-rica-nicaragua-social-cohesion-en"
RELEASE_ES = "2018-06-20-costa-rica-nicaragua-cohesion-social-es"


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.scripts: list[dict] = []
        self.inline_scripts = 0
        self.style_attributes = 0
        self.style_elements = 0
        self.event_handlers: list[str] = []
        self.links: list[dict] = []
        self.inputs: list[dict] = []
        self.elements: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "script":
            self.scripts.append(attrs)
            self._in_script = "src" not in attrs
        if tag == "style":
            self.style_elements += 1
        if "style" in attrs:
            self.style_attributes += 1
        self.event_handlers += [name for name in attrs if name.startswith("on")]
        if tag == "a":
            self.links.append(attrs)
        if tag == "input":
            self.inputs.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        text = re.sub(r"\s+", " ", " ".join(self.text_parts))
        return re.sub(r" ([?.,:;)])", r"\1", text)

    def by_class(self, name: str):
        return [(tag, attrs) for tag, attrs in self.elements if name in (attrs.get("class") or "").split()]

    def by_id(self, element_id: str):
        return next((attrs for _, attrs in self.elements if attrs.get("id") == element_id), None)


def get_page(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.data[:500])
    return response, Page(response.get_data(as_text=True))


def query_of(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def assert_clean_markup(page: Page):
    """No inline script, no inline style, no event handler attribute."""
    assert page.inline_scripts == 0
    assert page.style_attributes == 0 and page.style_elements == 0
    assert page.event_handlers == []
    assert all(s.get("src", "").startswith("/static/") for s in page.scripts)


# --- every page, both languages -------------------------------------------------------------------
PAGES = [
    "/{lang}/",
    "/{lang}/search?q=migrants",
    f"/{{lang}}/releases/{RELEASE_EN}",
    "/{lang}/help",
    "/{lang}/search",
    "/{lang}/search?q=zzqqxxwv",
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_its_language_headers_and_clean_markup(client, lang, path):
    response, page = get_page(client, path.format(lang=lang))
    assert response.mimetype == "text/html"
    assert page.html_lang == lang
    assert_clean_markup(page)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    # the language switch points at the same page in the other language, with the same query
    # (a release's page: its translation's, when the release is not in that language)
    other = "es" if lang == "en" else "en"
    switch = page.by_id("lang-switch")
    expected = path.format(lang=other)
    if other == "es":
        expected = expected.replace(RELEASE_EN, RELEASE_ES)
    assert switch["href"] == expected
    assert switch["lang"] == other and switch["hreflang"] == other
    # one search form, its box labelled
    box = next(i for i in page.inputs if i.get("name") == "q")
    assert any(attrs.get("for") == box["id"] for tag, attrs in page.elements if tag == "label")


@pytest.mark.parametrize("lang,expected", [("en", "Latest releases"), ("es", "Comunicados recientes")])
def test_home_has_search_box_latest_releases_topics_and_countries(client, lang, expected):
    _, page = get_page(client, f"/{lang}/")
    text = page.text
    assert expected in text
    assert "43" in text  # releases in the archive
    cards = page.by_class("card-title")
    assert len(cards) == 6
    topics = [a["href"] for a in page.links if "topic=" in (a.get("href") or "")]
    assert f"/{lang}/search?topic=migration-health" in topics
    countries = [a["href"] for a in page.links if "country=" in (a.get("href") or "")]
    assert f"/{lang}/search?country=PA" in countries
    if lang == "es":
        assert "Panamá" in text and "México" in text and "Explorar por tema" in text
        assert "de 2024" in text  # Spanish long dates
    else:
        assert "Panama" in text and "Browse by topic" in text


def test_home_json_twin(client):
    response = client.get("/es/index.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["page"] == "home" and data["lang"] == "es"
    assert data["archive"]["releases"] == 43
    assert len(data["latest"]) == 6
    assert {"code": "PA", "label": "Panamá"}.items() <= next(c for c in data["countries"] if c["code"] == "PA").items()
    assert data["links"]["alternate"] == "/en/"


# --- results ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,count_text", [("en", "1–10 of 15 results"), ("es", "1–10 de 15 resultados")])
def test_results_page(client, lang, count_text):
    response, page = get_page(client, f"/{lang}/search?q=migrants")
    text = page.text
    assert count_text in text
    assert not re.search(r"(seconds|segundos)\)", text)  # the time taken is in the JSON only
    status = page.by_id("result-count")
    assert status["role"] == "status" and status["aria-live"] == "polite"
    html = response.get_data(as_text=True)
    assert "<mark>" in html
    assert page.by_id("q")["value"] == "migrants"
    # facets: checkboxes in the search form, with counts
    boxes = [i for i in page.inputs if i.get("type") == "checkbox"]
    names = {b["name"] for b in boxes}
    assert {"lang", "year", "country", "topic", "translations"} <= names
    assert all(b.get("form") == "search-form" for b in boxes)
    assert page.by_id("f-country-MX") is not None
    # sort options and pages
    sorts = [a for a in page.links if "sort=" in (a.get("href") or "")]
    assert {query_of(a["href"])["sort"][0] for a in sorts} == {"newest", "oldest"}
    current = [a for tag, a in page.elements if a.get("aria-current") == "true"]
    assert current  # relevance is the current sort
    assert any(query_of(a.get("href", "")).get("page") == ["2"] for a in page.links)
    # tags and "also in" links
    assert any(a.get("href") == f"/{lang}/search?country=MX" for a in page.links)
    assert page.by_class("also-in")


def test_hits_in_the_other_language_carry_their_lang(client):
    _, page = get_page(client, "/en/search?q=Puebla")
    titles = [attrs for tag, attrs in page.by_class("hit-title")]
    assert titles and all(t.get("lang") == "es" for t in titles)
    assert "In Spanish" in page.text
    _, page = get_page(client, "/es/search?q=Puebla")
    assert "In Spanish" not in page.text and "En español" not in page.text


def test_also_in_links_point_to_the_translation(client):
    _, page = get_page(client, "/en/search?q=xenophobia")
    also = [a for a in page.links if a.get("hreflang") == "es" and "/en/releases/" in a.get("href", "")]
    assert f"/en/releases/{RELEASE_ES}" in [a["href"] for a in also]
    assert "Also in Spanish:" in page.text
    _, page = get_page(client, "/es/search?q=xenofobia")
    assert "También en inglés:" in page.text


def test_filters_are_checked_shown_as_chips_and_removable(client):
    _, page = get_page(client, "/en/search?q=migrants&country=MX&country=GT&year=2019")
    assert "checked" in page.by_id("f-country-MX") and "checked" in page.by_id("f-country-GT")
    assert "checked" in page.by_id("f-year-2019") and "checked" not in page.by_id("f-year-2018")
    chips = [a for a in page.links if "chip" in (a.get("class") or "")]
    assert len(chips) == 3
    removals = [query_of(a["href"]) for a in chips]
    assert {"q": ["migrants"], "country": ["GT"], "year": ["2019"]} in removals
    assert {"q": ["migrants"], "country": ["MX", "GT"]} in removals
    clear = next(a for a in page.links if "clear-all" in (a.get("class") or ""))
    assert clear["href"] == "/en/search?q=migrants"
    assert "Country: Mexico" in page.text
    _, page = get_page(client, "/es/search?q=migrants&country=MX")
    assert "País: México" in page.text and "Quitar todos los filtros" in page.text


@pytest.mark.parametrize(
    "query",
    [
        "q=migrants",
        "q=0&spell=0",
        "q=migrants&lang=es&year=2021&year=2019&country=MX&topic=migration-health&sort=oldest&per_page=5&page=2",
        "year=2019&translations=separate&from=2018-03-01&to=2022",
        "q=trata+%26+tr%C3%A1fico&country=GT&country=MX&page=3",
    ],
)
def test_a_facet_value_links_to_the_search_with_it_added_or_removed(client, query):
    """Each value of the JSON twin's facets links to the search with it toggled, on page 1; the
    links are built in one pass (web.links.toggle_urls), and must equal one built value by value."""
    from web.links import search_url, toggle_urls
    from web.pages import FACETS
    from web.views import read_params

    data = client.get(f"/en/search.json?{query}").get_json()
    with client.application.test_request_context(f"/en/search?{query}"):
        g.lang = "en"
        params = read_params()

        def one_by_one(field, values):
            return [search_url(params.with_(page=1, **{field: params.toggled(field, v)})) for v in values]

        for group in data["facets"]:
            param, field = FACETS[group["name"]]
            values = group["values"] + group["more"]
            assert values or not data["result"]["total"]
            assert [v["url"] for v in values] == one_by_one(field, [v["value"] for v in values])
            absent = ["1999"] if field == "years" else ["zz", "es"]
            assert toggle_urls(params, param, field, absent) == one_by_one(field, absent)
            for v in values:
                pairs = query_of(v["url"])
                assert "page" not in pairs
                assert (v["value"] in pairs.get(param, [])) != v["selected"]


def test_sort_and_state_are_kept_in_the_form(client):
    _, page = get_page(client, "/en/search?q=migrants&sort=newest&from=2018&per_page=5")
    hidden = {(i["name"], i["value"]) for i in page.inputs if i.get("type") == "hidden"}
    assert hidden == {("sort", "newest"), ("from", "2018"), ("per_page", "5")}
    dates = re.findall(
        r'<time datetime="(\d{4}-\d\d-\d\d)"', client.get("/en/search?q=migrants&sort=newest").get_data(as_text=True)
    )
    assert dates == sorted(dates, reverse=True)


def test_pagination(client):
    _, page = get_page(client, "/en/search?q=migrants&page=2")
    assert "11–15 of 15 results" in page.text
    assert any(a.get("rel") == "prev" for a in page.links)
    assert not any(a.get("rel") == "next" for a in page.links)
    current = [a for a in page.links if a.get("aria-current") == "page" and "page-number" in a.get("class", "")]
    assert len(current) == 1 and query_of(current[0]["href"])["page"] == ["2"]
    _, page = get_page(client, "/en/search?q=migrants&page=9")
    assert "There are only 2 pages of results." in page.text


@pytest.mark.parametrize(("page", "numbers"), [(4, "1 2 3 4 5 6 7 8"), (3, "1 2 3 4 5 … 8"), (1, "1 2 3 … 8")])
def test_a_gap_in_the_page_numbers_is_two_pages_at_least(client, page, numbers):
    """ "…" stood for a single page (1 2 3 4 5 6 … 8 hid 7): such a page is named instead."""
    html = client.get(f"/en/search?q=migrants&per_page=2&page={page}").get_data(as_text=True)
    nav = html[html.index('class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    shown = re.findall(
        r'class="page-number[^"]*"[^>]*>(?:<span[^>]*>[^<]*</span>)?(\d+)<|class="page-gap"[^>]*>(…)<', nav
    )
    assert " ".join(number or gap for number, gap in shown) == numbers, nav


@pytest.mark.parametrize(
    "lang,expected", [("en", "There is only 1 page of results."), ("es", "Solo hay 1 página de resultados.")]
)
def test_a_page_past_a_single_page_says_so_in_the_singular(client, lang, expected):
    _, page = get_page(client, f"/{lang}/search?q=migrants&per_page=50&page=3")
    assert expected in page.text


def test_browsing_without_words_sorts_newest_first(client):
    _, page = get_page(client, "/en/search")
    assert "All releases" in page.text
    sorts = [a for a in page.links if "sort=" in (a.get("href") or "")]
    assert [query_of(a["href"])["sort"][0] for a in sorts] == ["newest", "oldest"]  # no relevance without words
    assert [query_of(a["href"])["sort"][0] for a in sorts if a.get("aria-current")] == ["newest"]


@pytest.mark.parametrize("lang,expected", [("en", "Did you mean migrants?"), ("es", "¿Quiso decir migrants?")])
def test_spelling_suggestion_is_offered(app, client, monkeypatch, lang, expected):
    archive = app.extensions["archive"]
    search = archive.search

    def no_hits_with_suggestion(params, *args, **kwargs):
        result = search(params, *args, **kwargs)
        if params.q == "migrnts":
            result = dataclasses.replace(result, hits=[], total=0, pages=1, suggestion="migrants")
        return result

    monkeypatch.setattr(archive, "search", no_hits_with_suggestion)
    _, page = get_page(client, f"/{lang}/search?q=migrnts")
    assert expected in page.text
    link = next(a for a in page.links if query_of(a.get("href", "")).get("q") == ["migrants"])
    assert link["href"] == f"/{lang}/search?q=migrants"


def test_notices_are_translated_by_code(client):
    _, page = get_page(client, "/es/search?q=migrants&page=9")
    assert "Solo hay 2 páginas de resultados." in page.text
    _, page = get_page(client, "/en/search?q=" + "hurricane+" * 60)
    assert "only its first 500 characters were used" in page.text
    many = "+".join(f"word{n}" for n in range(40))  # more terms than a search takes
    _, page = get_page(client, f"/es/search?q={many}")
    assert "solo se usaron sus 32 primeras palabras y filtros" in page.text
    notices = client.get(f"/api/v1/search?q={many}").get_json()["notices"]
    assert {
        "code": "too_many_terms",
        "message": "Your search was long, so only its first 32 words and filters were used.",
    } in notices


def test_search_json_twin(client):
    response = client.get("/en/search.json?q=migrants&country=MX")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["page"] == "search" and data["query"] == "migrants"
    assert data["result"]["total"] == 4
    assert data["params"]["countries"] == ["MX"]
    assert data["hits"][0]["url"].startswith("/en/releases/")
    assert data["filters"][0]["remove_url"] == "/en/search?q=migrants"
    assert data["links"]["html"] == "/en/search?q=migrants&country=MX"
    assert data["links"]["alternate"] == "/es/search?q=migrants&country=MX"
    assert not any(key.startswith("_") for key in data)


def test_the_language_switch_gives_the_search_s_one_address(client):
    """The switch to the other language and the JSON twin copied the address as typed: its
    parameters in the order typed, and any unknown one, so one search had many addresses."""
    typed = client.get("/en/search.json?year=2019&country=MX&junk=1&q=migrants&year=2018").get_json()["links"]
    plain = client.get("/en/search.json?q=migrants&year=2018&year=2019&country=MX").get_json()["links"]
    assert typed == plain
    assert "junk" not in typed["alternate"] and typed["alternate"].startswith("/es/search?q=migrants&year=")


def test_the_ui_parameter_cannot_change_the_interface_language(client):
    _, page = get_page(client, "/en/search?q=migrants&country=MX&ui=es")
    assert page.html_lang == "en" and "Country: Mexico" in page.text


# --- release page -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "lang,date,labels",
    [
        (
            "en",
            "June 20, 2018",
            ["Costa Rica", "Nicaragua", "Related releases", "This release is also available in Spanish:"],
        ),
        (
            "es",
            "20 de junio de 2018",
            [
                "Costa Rica",
                "Nicaragua",
                "Comunicados relacionados",
                "Este comunicado también está disponible en español:",
            ],
        ),
    ],
)
def test_release_page(client, lang, date, labels):
    _, page = get_page(client, f"/{lang}/releases/{RELEASE_EN}")
    text = page.text
    assert "Costa Rican Host Communities and Nicaraguan Migrants Join Forces Against Xenophobia" in text
    assert date in text
    for label in labels:
        assert label in text
    title = page.by_id("release-title")
    assert title["lang"] == "en"
    hrefs = [a.get("href") for a in page.links]
    assert f"/{lang}/search?country=CR" in hrefs and f"/{lang}/search?topic=integration" in hrefs
    translation = next(a for a in page.links if a.get("href") == f"/{lang}/releases/{RELEASE_ES}")
    assert translation["lang"] == "es"
    original = [a for a in page.links if (a.get("href") or "").startswith("https://")]
    assert len(original) == 1
    assert len([a for a in page.links if "/releases/" in a.get("href", "")]) >= 4  # translation + related
    if lang == "es":
        assert "En inglés" in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_release_s_breadcrumb_leads_to_its_year_and_names_it(client, lang):
    """The trail was Home › Releases › its date (shown again below it): the year is a link to
    the year's releases, and the page is named by its title."""
    response, _ = get_page(client, f"/{lang}/releases/{RELEASE_EN}")
    trail = re.search(r'<nav class="breadcrumbs".*?</nav>', response.get_data(as_text=True), re.S).group(0)
    assert f'href="/{lang}/search?year=2018">2018</a>' in trail
    assert re.search(r'aria-current="page" lang="en">Costa Rican Host Communities[^<]*</span>', trail)


def test_release_json_twin(client):
    data = client.get(f"/es/releases/{RELEASE_EN}.json").get_json()
    assert data["release"]["id"] == RELEASE_EN
    assert data["translation"]["url"] == f"/es/releases/{RELEASE_ES}"
    assert data["countries"][0]["url"].startswith("/es/search?country=")
    assert data["related"] and all(r["url"].startswith("/es/releases/") for r in data["related"])


def test_only_http_links_to_the_original(client):
    _, page = get_page(client, f"/en/releases/{HOSTILE_ID}")
    assert not any("javascript:" in (a.get("href") or "") for a in page.links)
    assert "Read the original release" not in page.text
    assert client.get(f"/en/releases/{HOSTILE_ID}.json").get_json()["original_url"] is None


# --- escaping ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [f"/en/releases/{HOSTILE_ID}", "/en/search?q=escapecheck", "/es/search?q=escapecheck"])
def test_markup_in_releases_is_shown_as_text(client, url):
    response, page = get_page(client, url)
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(" in html
    assert "<script>alert('title')</script>" in page.text  # visible as text
    assert_clean_markup(page)


def test_queries_are_escaped_everywhere(client):
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for url in ("/en/search", "/es/search", f"/en/releases/{HOSTILE_ID}"):
        response = client.get(url, query_string={"q": attack})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html
    response = client.get("/en/search.json", query_string={"q": attack})
    assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_json()["query"] == attack
    response = client.get("/en/search", query_string={"q": attack})
    assert_clean_markup(Page(response.get_data(as_text=True)))
    response = client.get("/en/search", query_string={"year": "<script>"})
    assert response.status_code == 400 and "<script>" not in response.get_data(as_text=True)


# --- help -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "lang,expected",
    [
        ("en", ["Query syntax", "title:", "country:", "2017..2019", "OR", '"exact phrase"']),
        ("es", ["Sintaxis de búsqueda", "titulo:", "pais:", "año:", "fecha:", '"frase exacta"']),
    ],
)
def test_help_page_explains_the_syntax(client, lang, expected):
    _, page = get_page(client, f"/{lang}/help")
    for text in expected:
        assert text in page.text
    examples = [a["href"] for a in page.links if a.get("href", "").startswith(f"/{lang}/search?q=")]
    assert len(examples) >= 10


def test_help_examples_find_releases(client):
    data = client.get("/en/help.json").get_json()
    for row in data["syntax"]:
        result = client.get(row["url"].replace("/search?", "/search.json?")).get_json()
        assert result["result"]["total"] > 0, row["example"]
    data = client.get("/es/help.json").get_json()
    for row in data["syntax"]:
        result = client.get(row["url"].replace("/search?", "/search.json?")).get_json()
        assert result["result"]["total"] > 0, row["example"]


# --- suggestions ------------------------------------------------------------------------------------
def test_suggest_json(client):
    response = client.get("/en/suggest.json?q=mig")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["query"] == "mig" and data["suggestions"]
    kinds = {s["kind"] for s in data["suggestions"]}
    assert "term" in kinds
    for s in data["suggestions"]:
        assert s["url"].startswith("/en/search?q=" if s["kind"] == "term" else "/en/releases/")
    assert client.get("/en/suggest.json?q=").get_json()["suggestions"] == []
    assert client.get("/es/suggest.json?q=" + "x" * 5000).status_code == 200


# --- errors -----------------------------------------------------------------------------------------
BAD = [
    ("year=abc", "year"),
    ("sort=best", "sort"),
    ("page=0", "page"),
    ("page=x", "page"),
    ("country=ZZ", "country"),
    ("topic=cooking", "topic"),
    ("lang=fr", "lang"),
    ("from=2020&to=2019", "from"),
    ("per_page=500", "per_page"),
    ("translations=both", "translations"),
    ("from=2019-02-30", "from"),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("query,param", BAD)
def test_bad_parameters_give_a_friendly_400(client, lang, query, param):
    response, page = get_page(client, f"/{lang}/search?q=migrants&{query}", status=400)
    assert page.html_lang == lang
    assert ("This search could not be run" if lang == "en" else "No se pudo realizar esta búsqueda") in page.text
    retry = next(a for a in page.links if "button" in (a.get("class") or ""))
    assert param not in query_of(retry["href"]) and query_of(retry["href"])["q"] == ["migrants"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    data = client.get(f"/{lang}/search.json?q=migrants&{query}")
    assert data.status_code == 400 and data.mimetype == "application/json"
    assert data.get_json()["error"]["param"] == param


@pytest.mark.parametrize(
    "url",
    [
        "/en/releases/no-such-release",
        "/es/releases/no-such-release",
        "/fr/search",
        "/de/",
        "/en/nothing-here",
        "/es/search/extra",
        "/static/missing.css",
    ],
)
def test_unknown_addresses_give_a_friendly_404(client, url):
    response, page = get_page(client, url, status=404)
    expected_lang = "es" if url.startswith("/es/") else "en"
    assert page.html_lang == expected_lang
    assert ("Page not found" if expected_lang == "en" else "Página no encontrada") in page.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_not_found_json_and_unknown_release_message(client):
    response = client.get("/en/releases/no-such-release.json")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
    _, page = get_page(client, "/es/releases/no-such-release", status=404)
    assert "No hay ningún comunicado con este identificador" in page.text


def test_method_not_allowed(client):
    response = client.post("/en/search")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert "Method not allowed" in response.get_data(as_text=True)
    assert client.post("/en/search.json").get_json()["error"]["status"] == 405


def test_server_errors_get_a_friendly_page(web_index):
    from web import create_app

    app = create_app({"INDEX_DIR": str(web_index)})

    @app.get("/en/boom")
    @app.get("/en/boom.json")
    def boom():
        raise RuntimeError("kaput")

    client = app.test_client()
    response = client.get("/en/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "kaput" not in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/en/boom.json").get_json()["error"]["status"] == 500


# --- root, health, headers --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "accept,location",
    [
        ("es-MX,es;q=0.9,en;q=0.5", "/es/"),
        ("en-US,en;q=0.9", "/en/"),
        ("fr-FR", "/en/"),
        (None, "/en/"),
        # a regional tag against a bare one: the qualities decide (as Firefox sends them)
        ("es-ES,en;q=0.5", "/es/"),
        ("es-MX,en-US;q=0.7,en;q=0.3", "/es/"),
        ("es-419,en;q=0.2", "/es/"),
        ("en-US,es;q=0.5", "/en/"),
        ("fr,es;q=0.8,en;q=0.3", "/es/"),
        ("en;q=0,es;q=0.1", "/es/"),
        ("fr,*;q=0.9,es;q=0.2", "/en/"),  # any language at 0.9: the default
        ("fr,es;q=0.5,*;q=0.1", "/es/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept, location):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302 and response.headers["Location"] == location
    assert "Accept-Language" in response.headers["Vary"]


def test_root_keeps_the_query(client):
    response = client.get("/?q=trata&country=GT", headers={"Accept-Language": "es"})
    assert response.headers["Location"] == "/es/search?q=trata&country=GT"


def test_language_prefix_without_slash_redirects(client):
    response = client.get("/es")
    assert response.status_code in (301, 308) and response.headers["Location"].endswith("/es/")


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and data["releases"] == 43
    assert data["generation"].startswith("gen-") and data["built_at"]
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_without_an_index_is_503_and_recovers(tmp_path):
    from web import create_app

    index_dir = tmp_path / "ix"
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unhealthy" and response.get_json()["message"]
    page = client.get("/en/search?q=x")
    assert page.status_code == 503 and "The archive is not available right now" in page.get_data(as_text=True)
    assert client.get("/es/").status_code == 503
    reindex([SAMPLES_DIR / "releases.jsonl"], index_dir, progress=False)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["releases"] == 30
    assert client.get("/en/search?q=migrants").status_code == 200


def test_healthz_is_unhealthy_when_the_index_fails(app, client, monkeypatch):
    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(app.extensions["archive"], "status", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unhealthy", "message": "the index cannot be read: OSError"}


def test_static_files_have_security_headers_and_versioned_urls(client):
    _, page = get_page(client, "/en/")
    css = next(attrs["href"] for tag, attrs in page.elements if tag == "link" and attrs.get("rel") == "stylesheet")
    assert re.match(r"^/static/site\.css\?v=[0-9a-f]{10}$", css)
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
    assert client.get("/static/site.js").status_code == 200


def test_embeddable_views_may_be_framed_by_configured_origins(web_index):
    from web import create_app
    from web.security import embeddable

    app = create_app({"INDEX_DIR": str(web_index), "EMBED_ORIGINS": "https://partner.example https://other.example"})

    @app.get("/embed-test")
    @embeddable
    def embed_test():
        return "ok"

    client = app.test_client()
    framed = client.get("/embed-test")
    assert "frame-ancestors https://partner.example https://other.example" in framed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in framed.headers
    normal = client.get("/en/")
    assert "frame-ancestors 'none'" in normal.headers["Content-Security-Policy"]
    assert normal.headers["X-Frame-Options"] == "DENY"


# --- formatting -------------------------------------------------------------------------------------
def test_numbers_and_dates_follow_the_interface_language(app):
    from web import i18n

    for lang, number, date in [("es", "1.234", "7 de agosto de 2019"), ("en", "1,234", "August 7, 2019")]:
        with app.test_request_context(f"/{lang}/"):
            g.lang = lang
            assert i18n.number(1234) == number
            assert i18n.long_date("2019-08-07") == date
    with app.test_request_context("/es/"):
        g.lang = "es"
        assert i18n.seconds(118.8) == "0,12"


@pytest.mark.parametrize("path", ["/en/", "/es/help", f"/en/releases/{RELEASE_EN}", f"/es/releases/{RELEASE_EN}"])
def test_a_page_without_parameters_gives_its_own_address_whatever_it_was_reached_by(client, path):
    """A campaign tag or any stray parameter in the address is not copied into the page's
    language switch, hreflang link and JSON twin: the page has one address."""
    page = client.get(f"{path}?utm_source=news&x=1&year=abc")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = re.findall(r'<link rel="(?:canonical|alternate)" (?:hreflang="[a-z]+" )?href="([^"]+)"', html)
    links += re.findall(r'<a class="lang-switch"[^>]*href="([^"]+)"', html)
    links += re.findall(r'<link rel="alternate" type="application/json" href="([^"]+)"', html)
    assert len(links) == 4, links
    assert not any("?" in link for link in links), links


@pytest.mark.parametrize(
    "path",
    [
        "/en/search?q=migration&sort=newest&lang=es&year=2019",
        "/en/search?year=2019&q=migration++&page=1&sort=newest&lang=es&utm_source=x",
        "/en/search?lang=es&year=2019&q=migration&sort=newest&sort=newest",
    ],
)
def test_every_address_of_one_search_names_the_same_canonical_address(client, path):
    """The form's order, a page=1, repeated values or a campaign tag give the same search:
    each of its addresses names the one the site's own links give as canonical, and its
    version in the other language by its whole address (hreflang)."""
    html = client.get(path).get_data(as_text=True)
    one = "http://localhost/en/search?q=migration&amp;lang=es&amp;year=2019&amp;sort=newest"
    assert f'<link rel="canonical" href="{one}"' in html
    assert f'<link rel="alternate" hreflang="es" href="{one.replace("/en/", "/es/")}"' in html


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_results_twin_words_the_search_notices_in_its_language_as_the_api_does(client, lang):
    """The JSON twin's ``result.notices`` are the API's notices for the same search and
    interface: in Spanish on /es/, not the engine's English."""
    query = "q=remesas+guatemla"
    twin = client.get(f"/{lang}/search.json?{query}").get_json()["result"]["notices"]
    api = client.get(f"/api/v1/search?{query}&ui={lang}").get_json()["notices"]
    assert twin and twin == api
    if lang == "es":
        assert all("showing" not in n["message"] and "release" not in n["message"] for n in twin), twin


def test_the_search_form_keeps_search_as_typed_and_separate_translations(client):
    """Ticking a box after "search instead for" the words as typed sent the form without
    spell=0, and the correction was searched again (with translations=separate likewise
    merged again): the form's hidden state keeps them, as the page's links do. The feed's
    link is named for the script to update after a search made in place."""
    html = client.get("/es/search?q=remesas+guatemla&spell=0&translations=separate").get_data(as_text=True)
    state = html[html.index('id="form-state"') : html.index("</div>", html.index('id="form-state"'))]
    assert '<input type="hidden" name="spell" value="0">' in state
    assert '<input type="hidden" name="translations" value="separate">' in state
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*data-swap-href="atom"', html)
    plain = client.get("/es/search?q=remesas").get_data(as_text=True)
    plain_state = plain[plain.index('id="form-state"') : plain.index("</div>", plain.index('id="form-state"'))]
    assert 'name="spell"' not in plain_state and 'name="translations"' not in plain_state


@pytest.mark.parametrize("lang, said", [("en", "Result 15 of 15"), ("es", "Resultado 15 de 15")])
def test_a_last_page_of_one_result_says_which_it_is(client, lang, said):
    """It read "15–15 of 15 results"."""
    html = client.get(f"/{lang}/search?q=migrants&per_page=7&page=3").get_data(as_text=True)
    count = re.search(r'id="result-count"[^>]*>\s*([^<]*)<', html).group(1).strip()
    assert count == said
