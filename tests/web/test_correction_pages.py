"""A search for a misspelt query, as a visitor and an API client meet it: one line says what was
searched for and links to the query exactly as typed (spell=0), in both interface languages."""

import re

import pytest

from .test_pages import Page, get_page, query_of

LINES = {
    "en": "Showing results for hurricane shelters · Search instead for huricane shelters",
    "es": "Se muestran resultados de hurricane shelters · Buscar en su lugar huricane shelters",
}
HEADINGS = {"en": "Results for “hurricane shelters”", "es": "Resultados para «hurricane shelters»"}
DID_YOU_MEAN = {"en": "Did you mean trafficking?", "es": "¿Quiso decir trafficking?"}


def text_of(html: str) -> str:
    return " ".join(Page(html).text.split())


def element(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html, re.S)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_corrected_search_says_so_once_in_one_line(client, lang):
    response, page = get_page(client, f"/{lang}/search?q=huricane+shelters")
    html = response.get_data(as_text=True)
    heading = element(html, r'<h1 id="results-heading"[^>]*>(.*?)</h1>')
    assert [text_of(h) for h in heading] == [HEADINGS[lang]]  # the corrected query, not the typo
    lines = element(html, r'<p class="correction"[^>]*>(.*?)</p>')
    assert [text_of(line) for line in lines] == [LINES[lang]]
    instead = [a["href"] for a in Page(lines[0]).links]
    assert instead == [f"/{lang}/search?q=huricane+shelters&spell=0"]
    # Said once: no "did you mean" link to the page shown, no notice repeating it.
    assert not page.by_class("did-you-mean") and not page.by_class("notice--corrected")
    assert not [a for a in page.links if query_of(a.get("href", "")).get("q") == ["hurricane shelters"]]
    assert page.text.count("huricane") == 1
    # The results are those of every corrected word, with the corrected words highlighted.
    assert not page.by_class("notice--any_word")
    assert re.search(r"<mark>Hurricane</mark>", html) and re.search(r"<mark>Shelters</mark>", html)
    title = element(html, r"<title>(.*?)</title>")[0]
    assert title.startswith("hurricane shelters · ")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_search_instead_searches_exactly_as_typed(client, lang):
    response, page = get_page(client, f"/{lang}/search?q=huricane+shelters&spell=0")
    html = response.get_data(as_text=True)
    assert "huricane shelters" in text_of(element(html, r"<h1[^>]*>(.*?)</h1>")[0])
    assert not page.by_class("correction")
    assert page.by_class("notice--any_word")  # no release has both typed words: any of them
    # The correction is offered, and its link is another page than this one.
    offered = [a["href"] for a in page.links if query_of(a.get("href", "")).get("q") == ["hurricane shelters"]]
    assert offered == [f"/{lang}/search?q=hurricane+shelters"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_correction_not_searched_is_offered_and_never_links_to_the_page_shown(client, lang):
    _, page = get_page(client, f"/{lang}/search?q=trafiking&spell=0")
    assert DID_YOU_MEAN[lang] in page.text
    assert [a["href"] for a in page.links if query_of(a.get("href", "")).get("q") == ["trafficking"]] == [
        f"/{lang}/search?q=trafficking"
    ]
    _, corrected = get_page(client, f"/{lang}/search?q=trafiking")
    assert DID_YOU_MEAN[lang] not in corrected.text and corrected.by_class("correction")
    assert not [a for a in corrected.links if query_of(a.get("href", "")).get("q") == ["trafficking"]]


def test_the_correction_line_is_escaped(client):
    typed = "huricane shelters <&>"  # markup that analyses to nothing: the correction is still searched
    response, page = get_page(client, "/en/search", query_string={"q": typed})
    html = response.get_data(as_text=True)
    assert "<&>" not in html
    line = element(html, r'<p class="correction"[^>]*>(.*?)</p>')[0]
    assert "<strong>hurricane shelters &lt;&amp;&gt;</strong>" in line
    assert ">huricane shelters &lt;&amp;&gt;</a>" in line
    assert query_of(Page(line).links[0]["href"]) == {"q": [typed], "spell": ["0"]}
    assert "Results for “hurricane shelters &lt;&amp;&gt;”" in element(html, r"<h1[^>]*>(.*?)</h1>")[0]


@pytest.mark.parametrize(
    "ui,message",
    [
        ("en", "Showing results for “hurricane shelters”. Search instead for “huricane shelters”."),
        ("es", "Se muestran resultados de «hurricane shelters». Buscar en su lugar «huricane shelters»."),
    ],
)
def test_the_api_says_what_was_typed_and_what_was_searched(client, ui, message):
    data = client.get(f"/api/v1/search?q=huricane+shelters&ui={ui}").get_json()
    assert (data["query"], data["searched_for"], data["corrected"]) == ("huricane shelters", "hurricane shelters", True)
    assert data["notices"][0] == {"code": "corrected", "message": message, "corrected": "hurricane shelters"}
    assert data["hits"] and data["params"]["spell"] == 1
    instead = data["links"]["instead"]
    assert query_of(instead)["spell"] == ["0"]
    typed = client.get(instead.replace("http://localhost", "")).get_json()
    assert (typed["searched_for"], typed["corrected"]) == ("huricane shelters", False)
    assert "instead" not in typed["links"]
    assert typed["suggestion"] == "hurricane shelters" and typed["params"]["spell"] == 0
    facets = client.get("/api/v1/facets?q=huricane+shelters").get_json()
    assert (facets["searched_for"], facets["corrected"]) == ("hurricane shelters", True)


@pytest.mark.parametrize("url", ["/api/v1/search?q=huricane&spell=no", "/api/v1/facets?q=huricane&spell=2"])
def test_a_wrong_spell_value_is_a_400_in_the_api(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == "spell"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_json_twin_carries_the_correction(client, lang):
    data = client.get(f"/{lang}/search.json?q=huricane+shelters").get_json()
    assert data["query"] == "huricane shelters" and data["searched_for"] == "hurricane shelters"
    assert data["correction"] == {
        "searched_for": "hurricane shelters",
        "query": "huricane shelters",
        "instead_url": f"/{lang}/search?q=huricane+shelters&spell=0",
    }
    assert data["suggestion"] is None and data["result"]["corrected"]
    typed = client.get(f"/{lang}/search.json?q=huricane+shelters&spell=0").get_json()
    assert typed["correction"] is None and typed["searched_for"] == "huricane shelters"
    assert client.get(f"/{lang}/search.json?q=huricane&spell=x").status_code == 400
    get_page(client, f"/{lang}/search?q=huricane&spell=x", status=400)


@pytest.mark.parametrize(
    "lang,hint",
    [
        ("en", "Spelling correction is either on (1) or off (0)."),
        ("es", "La corrección ortográfica está activada (1) o desactivada (0)."),
    ],
)
def test_a_wrong_spell_value_on_a_page_says_what_to_fix(client, lang, hint):
    response = client.get(f"/{lang}/search?q=migrantes&spell=yes")
    assert response.status_code == 400
    assert hint in response.get_data(as_text=True)


def test_the_help_page_lists_the_spell_parameter(client):
    text = client.get("/en/help").get_data(as_text=True)
    assert "spell" in text and "without correcting misspellings" in text


@pytest.mark.parametrize(
    "lang,said", [("en", "No release contains “Carribean”"), ("es", "Ningún comunicado contiene «Carribean»")]
)
def test_a_word_that_finds_nothing_is_named_and_its_correction_offered(client, lang, said):
    """No release has both words, even corrected: releases with the other word are shown, and
    the page says which word found nothing and offers the correction (nothing dropped silently)."""
    response, page = get_page(client, f"/{lang}/search?q=Carribean+diaspora")
    text = response.get_data(as_text=True)
    assert said in text
    assert "Caribbean diaspora" in text
    data = client.get(f"/api/v1/search?q=Carribean+diaspora&ui={lang}").get_json()
    notice = next(n for n in data["notices"] if n["code"] == "any_word")
    assert notice["missing"] == ["Carribean"]
    assert data["suggestion"] == "Caribbean diaspora"


@pytest.mark.parametrize(
    "lang,said",
    [
        ("en", "No release contains all of your words without “information”"),
        ("es", "Ningún comunicado contiene todas sus palabras sin «information»"),
    ],
)
def test_the_any_word_notice_names_the_word_that_left_out_the_release_with_all_of_them(client, lang, said):
    """The one release with both words says "information": with it left out, the page said no
    release had all the words, which the visitor could see was not so."""
    assert client.get("/api/v1/search?q=Dajab%C3%B3n+frontera").get_json()["total"] >= 1
    response, page = get_page(client, f"/{lang}/search?q=Dajab%C3%B3n+frontera+-information")
    assert said in response.get_data(as_text=True)
    data = client.get(f"/api/v1/search?q=Dajab%C3%B3n+frontera+-information&ui={lang}").get_json()
    notice = next(n for n in data["notices"] if n["code"] == "any_word")
    assert notice["excluded"] == ["information"] and "missing" not in notice
    # the page's JSON twin says the same, with the same fields
    twin = client.get(f"/{lang}/search.json?q=Dajab%C3%B3n+frontera+-information").get_json()
    (shown,) = [n for n in twin["notices"] if n["code"] == "any_word"]
    assert shown["excluded"] == ["information"] and shown["message"] == notice["message"]


@pytest.mark.parametrize(
    "lang,said", [("en", "No release contains “zqxwvy”."), ("es", "Ningún comunicado contiene «zqxwvy».")]
)
def test_a_search_that_finds_nothing_names_the_word_no_release_has(client, lang, said):
    """Beside a filter, no any-word fallback is shown; the page named no culprit, and the
    visitor could not tell the word from the filter."""
    query = "zqxwvy+topic%3Amigrant-information"
    response, page = get_page(client, f"/{lang}/search?q={query}")
    assert said in response.get_data(as_text=True)
    data = client.get(f"/api/v1/search?q={query}&ui={lang}").get_json()
    assert data["total"] == 0
    (notice,) = [n for n in data["notices"] if n["code"] == "missing_words"]
    assert notice["missing"] == ["zqxwvy"]
    twin = client.get(f"/{lang}/search.json?q={query}").get_json()
    (shown,) = [n for n in twin["notices"] if n["code"] == "missing_words"]
    assert shown["missing"] == ["zqxwvy"] and shown["message"] == notice["message"]
    # words that are in the archive, under a filter that leaves none of them: nothing is named
    other = client.get("/api/v1/search?q=hurricane+year%3A1999").get_json()
    assert other["total"] == 0 and not [n for n in other["notices"] if n["code"] == "missing_words"]


def test_a_search_that_finds_nothing_blames_no_word_found_through_its_cognate_or_left_out(client):
    """ "direction" finds "dirección" (its cognate), and a "-word" keeps nothing out of an empty
    list: with a year that leaves nothing, the filter is the cause, not these words."""
    assert client.get("/api/v1/search?q=direction").get_json()["total"] >= 1
    for query in ("direction", "hurricane -zqxwvy"):
        data = client.get("/api/v1/search", query_string={"q": query, "year": "2015"}).get_json()
        assert data["total"] == 0
        assert not [n for n in data["notices"] if n["code"] == "missing_words"], query


@pytest.mark.parametrize(
    "lang,said",
    [
        ("en", "No release contains any of these words: “zqxwvy”, “qwzzxv”."),
        ("es", "Ningún comunicado contiene ninguna de estas palabras: «zqxwvy», «qwzzxv»."),
    ],
)
def test_several_words_no_release_has_are_named_as_any_of_them(client, lang, said):
    response, page = get_page(client, f"/{lang}/search?q=zqxwvy+qwzzxv+topic%3Amigrant-information")
    assert said in response.get_data(as_text=True)


def test_excluded_words_and_phrases_are_never_named_as_missing(client):
    phrase = client.get("/api/v1/search", query_string={"q": 'hurricane -"zqxwvy wvyzqx"', "year": "2015"}).get_json()
    assert phrase["total"] == 0 and not [n for n in phrase["notices"] if n["code"] == "missing_words"]
    # (and so inside a group AND-ed with the rest, which is read as at the top: it was not named)
    for q in ("hurricane qwzzxv -zqxwvy", "hurricane (qwzzxv -zqxwvy)"):
        data = client.get("/api/v1/search", query_string={"q": q}).get_json()
        (notice,) = [n for n in data["notices"] if n["code"] == "any_word"]
        assert notice["missing"] == ["qwzzxv"] and notice["excluded"] == ["zqxwvy"], q


@pytest.mark.parametrize("typed,meant", [("informaccion", "información"), ("desplazamient", "desplazamiento")])
def test_a_misspelling_whose_respelling_is_a_word_is_still_corrected(client, typed, meant):
    """Spelling a misspelt word as a cognate can repair it ("informaccion" as "informacion");
    such a word is a slip to correct, not a word the archive knows."""
    data = client.get("/api/v1/search", query_string={"q": typed, "ui": "es"}).get_json()
    assert data["total"] > 0
    assert meant in data["searched_for"].lower()
