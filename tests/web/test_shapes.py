"""One contract per shape: a hit, a release, a facet value or a suggestion in a page's JSON twin
holds every field the API gives for it, with the same value; only its links differ, as site
paths in the page's language instead of absolute addresses (web/shapes.py)."""

from urllib.parse import urlsplit

import pytest

from .test_pages import RELEASE_EN

URL_KEYS = {"url", "api_url"}


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def assert_same(api, twin, where="") -> None:
    """``twin`` has every field of ``api``: equal values, links as the same address's path."""
    if isinstance(api, dict):
        assert isinstance(twin, dict), where
        missing = set(api) - set(twin)
        assert not missing, f"{where}: the twin lacks {sorted(missing)}"
        for key, value in api.items():
            if key in URL_KEYS and value is not None:
                assert twin[key] == path(value) and twin[key].startswith("/"), f"{where}.{key}"
            else:
                assert_same(value, twin[key], f"{where}.{key}")
    elif isinstance(api, list):
        assert isinstance(twin, list) and len(twin) == len(api), where
        for n, (a, t) in enumerate(zip(api, twin, strict=True)):
            assert_same(a, t, f"{where}[{n}]")
    else:
        assert twin == api, where


@pytest.mark.parametrize(
    "lang,query",
    [("en", "q=migrants"), ("es", "q=trata+de+personas&translations=separate"), ("es", "country=PA&sort=newest")],
)
def test_a_results_page_twin_holds_the_api_hits_and_facets(client, lang, query):
    api = client.get(f"/api/v1/search?{query}&ui={lang}").get_json()
    twin = client.get(f"/{lang}/search.json?{query}").get_json()
    assert api["hits"] and len(twin["hits"]) == len(api["hits"])
    assert_same(api["hits"], twin["hits"], "hits")
    assert all(hit["title_lang"] in ("en", "es") for hit in twin["hits"])  # a page's own field
    assert all(tag["url"].startswith(f"/{lang}/search?") for hit in twin["hits"] for tag in hit["countries"])
    twin_facets = {group["name"]: group["values"] + group["more"] for group in twin["facets"]}
    for name, values in api["facets"].items():
        by_value = {v["value"]: v for v in twin_facets[name]}
        for value in values:
            assert_same(value, by_value[value["value"]], f"facets.{name}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_release_page_twin_holds_the_api_release(client, lang):
    api = client.get(f"/api/v1/releases/{RELEASE_EN}?ui={lang}").get_json()
    twin = client.get(f"/{lang}/releases/{RELEASE_EN}.json").get_json()
    assert api["related"] and api["translation"] and api["source_url"].startswith("https://")
    assert_same(api, twin["release"], "release")
    assert twin["original_url"] == api["source_url"]


def test_home_page_twin_holds_the_api_hits_of_the_latest_releases(client):
    api = client.get("/api/v1/search?sort=newest&per_page=6").get_json()
    twin = client.get("/en/index.json").get_json()
    assert_same(api["hits"], twin["latest"], "latest")


@pytest.mark.parametrize("lang,typed", [("en", "mig"), ("es", "costa")])
def test_the_search_box_suggestions_are_the_api_suggestions(client, lang, typed):
    api = client.get(f"/api/v1/suggest?q={typed}&ui={lang}").get_json()
    twin = client.get(f"/{lang}/suggest.json?q={typed}").get_json()
    assert api["suggestions"]
    assert_same(api, twin, "suggest")
