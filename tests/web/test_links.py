"""A release's addresses, built once per route and filled in per release: the same as werkzeug's."""

import pytest
from flask import g, url_for

from web.hosts import external
from web.links import Addresses, with_query

IDS = [
    "2019-08-07-darien-extra-regional-flows-en",
    "es-2021-03-04-migración-y-niñez",
    "with space and ?query=1&x#fragment",
    "a/b/c",
    "100% sure",
    "<script>alert(1)</script>",
    "quote\"and'apostrophe",
    "release-id-goes-here",
    "..",
    "plus+sign;semi:colon@at!bang$dollar*star,comma=eq",
]


@pytest.mark.parametrize("ui", ["en", "es"])
@pytest.mark.parametrize("page", [True, False], ids=["site paths", "public addresses"])
def test_a_release_links_where_url_for_would(app, ui, page):
    with app.test_request_context(f"/{ui}/search?q=x"):
        g.lang = ui
        to = Addresses(ui, page=page)
        build = url_for if page else external
        ui_pairs = [("ui", ui)] if ui != "en" else []
        for rid in IDS * 2:  # the second time from the route built the first
            assert to.release(rid) == build("site.release", lang=ui, rid=rid, fmt="html"), rid
            assert to.api_release(rid) == with_query(build("api.release", rid=rid), ui_pairs), rid


def test_every_hit_of_a_page_and_of_the_api_opens_its_release(client):
    page = client.get("/es/search.json?q=migrantes&per_page=50").get_json()
    api = client.get("/api/v1/search?q=migrantes&per_page=50&ui=es").get_json()
    assert page["hits"] and api["hits"]
    for hit in page["hits"]:
        assert client.get(hit["url"]).status_code == 200
    for hit in api["hits"]:
        path = hit["url"].removeprefix("http://localhost")
        assert path.startswith("/es/releases/") and client.get(path).status_code == 200
