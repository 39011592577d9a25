"""Autocomplete as a visitor sees it: phrases the archive holds, the completion of what was typed
in bold, markup in suggestions shown as text; and the suggestion API's ``parts``."""

import re

import pytest

from .chromium import sync_api
from .conftest import HOSTILE_ID

expect = sync_api.expect


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/suggest?q=trata+de&ui=es", "/es/suggest.json?q=trata+de"])
def test_suggestions_say_which_part_was_typed(client, url):
    data = client.get(url).get_json()
    first = data["suggestions"][0]
    assert first["text"] == "trata de personas" and first["kind"] == "term"
    assert first["parts"] == [{"text": "trata de", "typed": True}, {"text": " personas", "typed": False}]
    for s in data["suggestions"]:
        assert "".join(p["text"] for p in s["parts"]) == s["text"]
        assert {"text", "kind", "id", "lang", "url"} <= s.keys()  # the keys the embed box reads


def test_opensearch_suggestions_give_the_phrases(client):
    query, completions, descriptions, urls = client.get("/api/v1/suggest?q=trata+de&format=opensearch").get_json()
    assert query == "trata de" and completions[0] == "trata de personas" and len(urls) == len(completions)


# --- the site -------------------------------------------------------------------------------------


def options(page):
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    return listbox.get_by_role("option")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_completion_is_in_bold(page, server, lang):
    page.goto(f"{server}/{lang}/")
    page.locator("#q").press_sequentially("trata de", delay=30)
    first = options(page).first
    expect(first).to_have_text(re.compile(r"^trata de personas"))
    expect(first.locator("b")).to_have_text(" personas")  # what was not typed
    assert first.locator(".suggestion-text").evaluate("e => e.firstChild.textContent") == "trata de"
    weight = first.locator("b").evaluate("e => getComputedStyle(e).fontWeight")
    plain = first.locator(".suggestion-text").evaluate("e => getComputedStyle(e).fontWeight")
    assert int(weight) > int(plain)
    # one form of a word, and phrases with it
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("migrant", delay=30)
    expect(page.locator(".suggestion--term", has_text="migrant workers")).to_be_visible()
    shown = [t.strip() for t in page.locator(".suggestion--term .suggestion-text").all_inner_texts()]
    assert len({"migrant", "migrants", "migrante", "migrantes"} & set(shown)) == 1, shown
    assert "migrant workers" in shown
    # choosing a phrase searches it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/{lang}/search\?q="))
    assert page.locator("#q").input_value() == shown[0]


def test_markup_in_a_suggested_title_is_text(page, server):
    page.goto(f"{server}/en/")
    page.locator("#q").press_sequentially("escapech", delay=30)
    title = page.locator(".suggestion--title").first
    expect(title).to_contain_text("<script>alert('title')</script>")
    assert page.locator(".suggestions script, .suggestions img").count() == 0
    title.click()
    page.wait_for_url(re.compile(rf"/en/releases/{HOSTILE_ID}$"))


@pytest.mark.parametrize(
    "lang, typed, said",
    [
        ("en", "smugg", "1 suggestion available. Use the up and down arrow keys to choose it."),
        ("es", "remesa", "1 sugerencia disponible. Use las flechas arriba y abajo para elegirla."),
        ("en", "trata de", re.compile(r"^\d+ suggestions available\.")),
    ],
)
def test_the_count_read_to_a_screen_reader_is_in_the_right_plural(page, server, lang, typed, said):
    page.goto(f"{server}/{lang}/")
    page.locator("#q").press_sequentially(typed, delay=30)
    options(page)
    expect(page.locator(".combo [role=status]")).to_have_text(said)


def test_a_suggestion_chosen_then_left_is_not_sent(page, server):
    """Escape then the arrow again reopened the list with the old option still marked chosen,
    while Enter sent the words typed; and words typed after choosing an option were replaced
    by it on a quick Enter. Now a reopened list shows nothing chosen, typing unchooses, and
    Enter sends what is in the box."""
    page.goto(f"{server}/es/")
    box = page.locator("#q")
    box.press_sequentially("trata de", delay=30)
    expect(options(page).first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("listbox")).to_be_visible()
    assert page.locator("[role=option][aria-selected=true]").count() == 0
    assert box.get_attribute("aria-activedescendant") is None
    # chosen, then typed on and sent at once: what was typed is searched
    box.fill("")
    box.press_sequentially("hondu", delay=30)
    expect(options(page).first).to_be_visible()
    page.keyboard.press("ArrowDown")
    box.press_sequentially("ras migrantes", delay=10)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/es/search\?q="))
    assert box.input_value() == "hondur" + "as migrantes"
