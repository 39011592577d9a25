"""On a release page, the language switch, the hreflang alternate and the related releases lead
to the text in the other language where a translation exists."""

import re

import pytest

from .test_pages import get_page

RELEASE_EN = "2018-06-20-costa-rica-nicaragua-social-cohesion-en"
RELEASE_ES = "2018-06-20-costa-rica-nicaragua-cohesion-social-es"


def switch(page) -> dict:
    return next(attrs for tag, attrs in page.elements if tag == "a" and attrs.get("id") == "lang-switch")


def hreflang(page) -> dict[str, str]:
    return {
        attrs["hreflang"]: attrs["href"]
        for tag, attrs in page.elements
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang")
    }


@pytest.mark.parametrize(
    "lang, rid, other, target",
    [
        ("en", RELEASE_EN, "es", RELEASE_ES),  # English text, English menus -> Spanish text, Spanish menus
        ("es", RELEASE_ES, "en", RELEASE_EN),
        ("es", RELEASE_EN, "en", RELEASE_EN),  # already in English: the same text under English menus
        ("en", RELEASE_ES, "es", RELEASE_ES),
    ],
)
def test_the_switch_and_hreflang_lead_to_the_text_in_the_other_language(client, lang, rid, other, target):
    _, page = get_page(client, f"/{lang}/releases/{rid}")
    expected = f"/{other}/releases/{target}"
    assert switch(page)["href"] == expected
    assert hreflang(page) == {other: f"http://localhost{expected}"}  # by its whole address
    # Following the switch: the interface and the text are both in the other language.
    response, switched = get_page(client, expected)
    assert switched.html_lang == other
    assert switched.by_id("release-title")["lang"] == other
    body = response.get_data(as_text=True)
    assert re.search(rf'<div class="release-body" lang="{other}">', body)
    assert 'class="badge badge--lang"' not in body  # no "In English" badge: the text is the page's language


def test_a_release_without_translation_switches_the_interface_only(client):
    rid = "2023-08-30-guyana-region-one-dtm-en"
    _, page = get_page(client, f"/en/releases/{rid}")
    assert switch(page)["href"] == f"/es/releases/{rid}"
    response, switched = get_page(client, f"/es/releases/{rid}")
    assert switched.html_lang == "es" and switched.by_id("release-title")["lang"] == "en"
    assert "En inglés" in switched.text


def test_the_switch_leads_to_the_translation_without_a_stray_query_string(client):
    """A release page reads no parameter: one it was reached with is not carried over."""
    _, page = get_page(client, f"/en/releases/{RELEASE_EN}?from=search")
    assert switch(page)["href"] == f"/es/releases/{RELEASE_ES}"


def related(page) -> list[tuple[str, str]]:
    """(release id, lang) of each related release on a page."""
    out = []
    in_list = False
    for tag, attrs in page.elements:
        if tag == "ul":
            in_list = "related-list" in (attrs.get("class") or "")
        elif tag == "a" and in_list and "/releases/" in attrs.get("href", ""):
            out.append((attrs["href"].rsplit("/", 1)[1], attrs.get("lang")))
    return out


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("rid", [RELEASE_EN, RELEASE_ES, "2021-09-23-haiti-earthquake-response-en"])
def test_related_releases_are_in_the_page_language_where_a_version_exists(app, client, lang, rid):
    archive = app.extensions["archive"]
    docs = archive.snapshot().docs
    _, page = get_page(client, f"/{lang}/releases/{rid}")
    shown = related(page)
    assert shown
    groups = set()
    for related_id, related_lang in shown:
        docnum = docs.docnum_by_id[related_id]
        assert docs.langs[docnum] == related_lang
        versions = {docs.langs[d] for d in docs.versions.get(docnum, (docnum,))}
        if lang in versions:
            assert related_lang == lang, related_id
        groups.add(docs.groups[docnum])
    assert len(groups) == len(shown)  # one entry per translation pair
    assert docs.groups[docs.docnum_by_id[rid]] not in groups
    if lang == "es":
        assert any(related_lang == "es" for _, related_lang in shown)


def test_the_api_gives_related_releases_in_the_ui_language(app, client):
    """Each in the interface language where its pair has a version in it; one that exists only
    in the other language (related through its translated key words) in that one."""
    docs = app.extensions["archive"].snapshot().docs
    data = client.get(f"/api/v1/releases/{RELEASE_EN}?ui=es").get_json()
    assert data["related"] and any(r["lang"] == "es" for r in data["related"])
    data = client.get(f"/api/v1/releases/{RELEASE_EN}?ui=en").get_json()
    for related in data["related"]:
        docnum = docs.docnum_by_id[related["id"]]
        versions = {docs.langs[d] for d in docs.versions.get(docnum, (docnum,))}
        assert related["lang"] == "en" or "en" not in versions, related["id"]
