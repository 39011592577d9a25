"""A search without results (issue 17, item 7), through Flask's test client: the page offers
only searches that find something, each with its count, never the same search on the other
language's site (the same index, so nothing again), no filter panel, and the tip to remove
filters only when removing them finds something."""

import re

import pytest

from search.query import typed_filters

from .test_pages import get_page, query_of


def offers(client, url: str) -> list[dict]:
    """The searches a page without results offers (from its JSON twin)."""
    data = client.get(url.replace("/search?", "/search.json?")).get_json()
    assert data["result"]["total"] == 0, url
    return data["alternatives"]


def total_of(client, url: str) -> int:
    return client.get(url.replace("/search?", "/search.json?")).get_json()["result"]["total"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_search_that_nothing_answers_offers_no_dead_ends(client, lang):
    response, page = get_page(client, f"/{lang}/search?q=zzqqxxwv&lang=en")
    html = response.get_data(as_text=True)
    assert ("No release matches this search" if lang == "en" else "Ningún comunicado coincide") in page.text
    other = "es" if lang == "en" else "en"
    others = [
        a for a in page.links if a.get("href", "").startswith(f"/{other}/search") and a.get("id") != "lang-switch"
    ]
    assert others == []  # no "same search on the other site" beside the language switch
    assert "Spanish site" not in page.text and "sitio en inglés" not in page.text
    assert 'id="filters"' not in html and not [i for i in page.inputs if i.get("type") == "checkbox"]
    assert "sort-nav" not in html
    # the language filter is set, but dropping it finds nothing either: not offered
    assert offers(client, f"/{lang}/search?q=zzqqxxwv&lang=en") == []
    assert "alternatives" not in html


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_tip_to_remove_filters_is_given_only_where_removing_them_finds_something(client, lang):
    _, page = get_page(client, f"/{lang}/search?q=zzqqxxwv")
    assert "Remove some filters" not in page.text and "Quite algunos filtros" not in page.text
    # a filter is set, but the search finds nothing without it either: no tip to remove it
    _, page = get_page(client, f"/{lang}/search?q=zzqqxxwv&country=MX")
    assert "Remove some filters" not in page.text and "Quite algunos filtros" not in page.text
    _, page = get_page(client, f"/{lang}/search?q=migrants&country=BZ&year=2017")
    assert "Remove some filters" in page.text or "Quite algunos filtros" in page.text


@pytest.mark.parametrize(
    "lang,without,none",
    [
        ("en", "The same search without Country: Belize", "The same search without filters"),
        ("es", "La misma búsqueda sin País: Belice", "La misma búsqueda sin filtros"),
    ],
)
def test_each_filter_that_is_set_is_offered_away_with_its_count(client, lang, without, none):
    url = f"/{lang}/search?q=migrants&country=BZ&year=2017"
    found = offers(client, url)
    assert [query_of(o["url"]) for o in found] == [
        {"q": ["migrants"], "country": ["BZ"]},  # without the year
        {"q": ["migrants"], "year": ["2017"]},  # without the country
        {"q": ["migrants"]},  # without either
    ]
    for offer in found:
        assert offer["count"] == total_of(client, offer["url"]) > 0, offer
    assert without in [o["label"] for o in found] and none in [o["label"] for o in found]
    # on the page: each offer is a link with its count beside it
    html = client.get(url).get_data(as_text=True)
    items = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>\s*<span class="alt-count">\(([^)]+)\)</span></li>', html)
    assert [(href.replace("&amp;", "&"), label) for href, label, _ in items] == [(o["url"], o["label"]) for o in found]
    words = ("result", "results") if lang == "en" else ("resultado", "resultados")
    assert [count for *_, count in items] == [f"{o['count']} {words[o['count'] != 1]}" for o in found]


def test_a_filter_whose_removal_finds_nothing_is_not_offered(client):
    found = offers(client, "/en/search?q=zzqqxxwv&country=MX&year=2019")
    assert found == []


def test_any_of_the_words_is_offered_for_a_phrase_nothing_holds(client):
    found = offers(client, '/en/search?q="hurricane migrants"')
    assert [query_of(o["url"])["q"] for o in found] == [["hurricane OR migrants"]]
    assert found[0]["label"] == "Any of the words: hurricane, migrants"
    assert found[0]["count"] == total_of(client, found[0]["url"]) > 0
    # a plain query's words are already searched any of them by the engine: nothing to offer
    assert offers(client, "/en/search?q=zzqqxxwv+yyqqwwv") == []


def test_a_correction_is_offered_with_its_count_only_if_it_finds_something(client):
    data = client.get("/en/search.json?q=traficking&spell=0").get_json()
    assert data["result"]["total"] == 0
    assert data["suggestion"]["text"] == "trafficking" and data["suggestion"]["count"] > 0
    assert data["suggestion"]["count"] == total_of(client, data["suggestion"]["url"])
    _, page = get_page(client, "/en/search?q=traficking&spell=0")
    assert re.search(r"Did you mean trafficking\? \(\d+ results?\)", page.text)


def test_a_correction_that_finds_nothing_is_not_offered(app, client, monkeypatch):
    import dataclasses

    archive = app.extensions["archive"]
    search = archive.search

    def offering_a_dead_end(params, *args, **kwargs):
        result = search(params, *args, **kwargs)
        return dataclasses.replace(result, suggestion="zzqqxxwq") if params.q == "zzqqxxwv" else result

    monkeypatch.setattr(archive, "search", offering_a_dead_end)
    _, page = get_page(client, "/en/search?q=zzqqxxwv")
    assert "Did you mean" not in page.text and "zzqqxxwq" not in page.text


def test_the_searches_tried_are_few(app, client, monkeypatch):
    from web.pages import MAX_ALTERNATIVE_SEARCHES

    archive = app.extensions["archive"]
    search, calls = archive.search, []

    def counted(params, *args, **kwargs):
        calls.append(params)
        return search(params, *args, **kwargs)

    monkeypatch.setattr(archive, "search", counted)
    url = (
        '/en/search?q="storm+zzqqxxwv+migrants"&lang=es&year=2012&country=BZ&topic=migration-climate'
        "&from=2012-01-01&to=2012-06-30"
    )
    response = client.get(url)
    assert response.status_code == 200
    # the search, a correction's count if one is offered, and at most a few searches more
    assert len(calls) <= 2 + MAX_ALTERNATIVE_SEARCHES, calls
    assert len(calls) > 1  # (there were filters to drop)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_filter_typed_in_the_query_is_offered_away_too(client, lang):
    """ "migrants year:2017 country:BZ" typed found nothing and offered nothing: a dead end."""
    found = offers(client, f"/{lang}/search?q=migrants+year:2017+country:BZ")
    assert [query_of(o["url"]) for o in found][:2] == [
        {"q": ["migrants country:BZ"]},
        {"q": ["migrants year:2017"]},
    ]
    assert all(o["count"] == total_of(client, o["url"]) > 0 for o in found)
    assert found[0]["label"] == (
        "The same search without year:2017" if lang == "en" else "La misma búsqueda sin year:2017"
    )
    # excluded, or an alternative of an OR, a field is no filter to drop
    assert offers(client, f"/{lang}/search?q=zzqqxxwv+-year:2017") == []
    # nor is one of several years (alternatives too), nor a word the parser reads as text
    several = offers(client, f"/{lang}/search?q=migrants+country:BZ+year:2016+year:2017")
    assert not [o for o in several if "year:" in o["label"]]
    assert typed_filters("remesas year:abc") == []
    assert typed_filters("remesas 2018..2019 year:2020") == []  # a bare range is a year too
    # two countries narrow each other: each is a filter to drop; "NEG" is a word, not a minus
    assert [typed for typed, _ in typed_filters("remesas country:MX country:GT")] == ["country:MX", "country:GT"]
    assert typed_filters("remesas NEG country:MX") == [("country:MX", "remesas NEG")]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_bare_range_typed_in_the_query_is_offered_away_too(client, lang):
    """ "migrants 2030..2040" is a filter as "year:2030..2040" is: it found nothing and offered
    nothing but spelling advice."""
    for typed in ("2030..2040", "2030-01-01..2030-06-30", "2030-01..2030-02", "2030.."):
        found = offers(client, f"/{lang}/search?q=migrants+{typed}")
        assert [query_of(o["url"]) for o in found][:1] == [{"q": ["migrants"]}], typed
        assert found[0]["count"] == total_of(client, found[0]["url"]) > 0
    assert typed_filters("migrants -2017..2018") == []
    assert typed_filters("migrants OR 2017..2018") == []
    assert typed_filters("migrants a..b") == []  # a word the parser reads as text
