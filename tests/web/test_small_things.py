"""Small things a visitor notices (issue 17, item 8), through Flask's test client: the way back
from a release to the results, the error page on the Spanish site, plural forms, placeholders,
and no timing beside the result count."""

import json
import re
from html import unescape

import pytest

from .test_pages import RELEASE_EN, Page, get_page


# --- the way back from a release to the results -----------------------------------------------------
def back_link(html: str) -> tuple[str, str] | None:
    """The address and text of a page's "Back to results" link, if it has one."""
    found = re.search(r'<p class="back-link"><a href="([^"]*)">.*?<span>([^<]*)</span></a></p>', html, flags=re.S)
    return (unescape(found.group(1)), found.group(2)) if found else None


@pytest.mark.parametrize("lang,label", [("en", "Back to results"), ("es", "Volver a los resultados")])
def test_a_release_opened_from_the_results_links_back_to_them(client, lang, label):
    results = f"http://localhost/{lang}/search?q=migrants&country=MX&page=2"
    response = client.get(f"/{lang}/releases/{RELEASE_EN}", headers={"Referer": results})
    assert back_link(response.get_data(as_text=True)) == (f"/{lang}/search?q=migrants&country=MX&page=2", label)
    # a cache must not hand this page, with its way back, to a visitor who came from elsewhere
    assert "Referer" in response.vary


@pytest.mark.parametrize(
    "referrer",
    [
        None,
        "http://localhost/en/help",  # another page of the site
        "http://other.example/en/search?q=migrants",  # another site's page at the same path
        "http://localhost/en/releases/x?q=migrants",
    ],
)
def test_no_way_back_without_a_results_page_before(client, referrer):
    headers = {"Referer": referrer} if referrer else {}
    response, page = get_page(client, f"/en/releases/{RELEASE_EN}", headers=headers)
    assert back_link(response.get_data(as_text=True)) is None
    assert "Back to results" not in page.text


def test_the_way_back_is_escaped_and_stays_on_the_site(client):
    results = 'http://localhost/en/search?q="><script>alert(1)</script>&lang=es'
    response, page = get_page(client, f"/en/releases/{RELEASE_EN}", headers={"Referer": results})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert back_link(html)[0] == "/en/search?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E&lang=es"


# --- the 400 page ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query,given,hint",
    [
        ("year=20x9", "year=20x9", "Un año es un número de 1900 a 2100, como 2019."),
        ("year=1899", "year=1899", "Un año es un número de 1900 a 2100, como 2019."),  # it has four digits
        ("from=2019-02-30", "from=2019-02-30", "«from» indica un día que no existe, como el 30 de febrero."),
        ("sort=best", "sort=best", "Los resultados se pueden ordenar por relevancia (relevance)"),
        ("sort=newest&sort=oldest", "sort=newest&sort=oldest", "Indique «sort» una sola vez."),
        ("&".join(f"year={2000 + n % 20}" for n in range(60)), None, "Indique como máximo 50 valores de «year»."),
    ],
)
def test_the_spanish_400_page_is_in_spanish_and_keeps_the_words(client, query, given, hint):
    response = client.get(f"/es/search?q=trata+de+personas&{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    page = Page(html)
    assert hint in page.text
    assert "must" not in page.text and "Details" not in page.text and '<span lang="en">' not in html  # no English
    detail = re.search(r'<p class="error-detail">En la dirección: <code>([^<]*)</code></p>', html)
    assert detail, html
    if given:
        assert unescape(detail.group(1)) == given
    assert page.by_id("q")["value"] == "trata de personas"  # the words stay in the box
    # programs still get the exact message in the JSON twin
    data = client.get(f"/es/search.json?q=trata&{query}").get_json()
    assert data["error"]["detail"] and data["error"]["param"]


def test_names_of_values_are_read_whatever_their_case(client):
    """ "country=pa" was accepted, "lang=EN", "sort=NEWEST" and "topic=Children" were 400s."""
    plain = client.get("/en/search.json?q=migrants&lang=en&sort=newest&translations=separate").get_json()
    cased = client.get("/en/search.json?q=migrants&lang=EN&sort=Newest&translations=SEPARATE").get_json()
    assert [h["id"] for h in cased["hits"]] == [h["id"] for h in plain["hits"]] and plain["hits"]
    assert cased["params"] == plain["params"]
    topic = next(f for f in plain["facets"] if f["name"] == "topic")["values"][0]["value"]
    upper = client.get(f"/en/search.json?q=migrants&topic={topic.upper()}")
    assert upper.status_code == 200 and upper.get_json()["params"]["topics"] == [topic]


def test_the_400_page_for_words_too_long_leaves_the_box_empty(client):
    response = client.get("/en/search", query_string={"q": "x" * 2500})
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert "value" not in page.by_id("q") or page.by_id("q")["value"] == ""
    assert len(response.get_data()) < 20_000  # the long value is not repeated in full


# --- plural forms, placeholders, timing ----------------------------------------------------------------
@pytest.mark.parametrize(
    "lang,one,many",
    [
        (
            "en",
            "{n} suggestion available. Use the up and down arrow keys to choose it.",
            "{n} suggestions available. Use the up and down arrow keys to choose one.",
        ),
        (
            "es",
            "{n} sugerencia disponible. Use las flechas arriba y abajo para elegirla.",
            "{n} sugerencias disponibles. Use las flechas arriba y abajo para elegir una.",
        ),
    ],
)
def test_the_number_of_suggestions_has_its_plural_forms(client, lang, one, many):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    combo = next(attrs for tag, attrs in Page(html).elements if "data-suggest-url" in attrs)
    assert combo["data-label-count-one"] == one and combo["data-label-count"] == many
    script = client.get("/embed.js").get_data(as_text=True)
    assert json.dumps(one, ensure_ascii=False) in script and json.dumps(many, ensure_ascii=False) in script
    assert "PluralRules" in script


def test_placeholders_fit_and_speak_the_page_language(client):
    _, page = get_page(client, "/es/search")
    assert page.by_id("q")["placeholder"] == "Por ejemplo: trata de personas, remesas, Darién"
    for lang, short in (("en", "For example: Darién"), ("es", "Por ejemplo: Darién")):
        _, page = get_page(client, f"/{lang}/releases/{RELEASE_EN}")
        assert page.by_id("q")["placeholder"] == short  # the sidebar's box is narrow
    assert "remittances" not in client.get("/embed.js").get_data(as_text=True).split('"es"')[1]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_count_stands_without_the_time_taken(client, lang):
    response, page = get_page(client, f"/{lang}/search?q=migrants")
    count = re.sub(
        r"\s+",
        " ",
        re.search(r'id="result-count"[^>]*>(.*?)</p>', response.get_data(as_text=True), flags=re.S).group(1),
    ).strip()
    assert count == ("1–10 of 15 results" if lang == "en" else "1–10 de 15 resultados")
    assert "took" not in response.get_data(as_text=True)
    took = client.get(f"/{lang}/search.json?q=migrants").get_json()["result"]["took_ms"]
    assert type(took) in (int, float) and took >= 0  # the time taken is in the JSON, as a number


def test_the_embed_box_has_an_in_english_badge_text(client):
    script = client.get("/embed.js").get_data(as_text=True)
    assert '"in_en": "En inglés"' in script and '"in_es": "In Spanish"' in script
