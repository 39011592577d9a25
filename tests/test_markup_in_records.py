"""A JSON Lines field holding HTML (a content system's export) is read as HTML: its tags are
neither searched nor shown, its entities are the characters they name, its blocks are
paragraphs. Text that only mentions "<" or "&" is left as written."""

import pytest

from index.build import reindex
from index.readers import jsonl
from index.readers.markup import has_markup, read_field
from search.engine import Archive
from search.params import parse_params

from .helpers import release, write_jsonl


def read(record: dict):
    import json

    (found,) = jsonl.parse(json.dumps(record, ensure_ascii=False), "x.jsonl").releases
    return found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<p>Hola</p>", True),
        ("Line one<br/>line two", True),
        ('See <a href="https://example.org">the report</a>.', True),
        ("Migrants &amp; refugees", True),
        ("caf&eacute;", True),
        ("it&#8217;s", True),
        ("a < b and c > d", False),
        ("AT&T and R&D; teams", False),
        ("I <3 Panama", False),
        ("plain text", False),
    ],
)
def test_markup_is_told_from_text_that_mentions_brackets(text, expected):
    assert has_markup(text) == expected


def test_blocks_become_paragraphs_and_tags_go():
    found = read(
        release(
            title="Migrants &amp; <em>refugees</em> in Dari&eacute;n",
            body=(
                '<p>IOM <strong>supports</strong> families in <a href="https://example.org/darien">'
                "Dari&eacute;n</a>.</p><p>Second&nbsp;paragraph<br>on two lines.</p>"
                "<ul><li>shelter</li><li>water</li></ul><script>var tracking = 1;</script>"
            ),
        )
    )
    assert found.title == "Migrants & refugees in Darién"
    assert found.body.split("\n\n") == [
        "IOM supports families in Darién.",
        "Second paragraph on two lines.",
        "shelter",
        "water",
    ]
    assert found.summary == "IOM supports families in Darién."


def test_text_that_only_mentions_brackets_is_kept_as_written():
    found = read(release(body="A score of 5 < 7 and AT&T; R&D is not markup.\n\nSecond paragraph."))
    assert found.body == "A score of 5 < 7 and AT&T; R&D is not markup.\n\nSecond paragraph."


def test_entities_alone_keep_the_paragraphs():
    assert read_field("Uno &amp; dos.\n\nTres &#8212; cuatro.") == "Uno & dos.\n\nTres \u2014 cuatro."


def test_a_body_of_empty_markup_is_rejected_as_empty():
    result = jsonl.parse('{"id":"a","lang":"en","date":"2020-01-02","title":"T","body":"<p> </p><br>"}', "x")
    assert not result.releases
    assert [r.reason for r in result.rejected] == ["body is empty"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("markup")
    records = [
        release(
            id="html",
            title="Shelter &amp; water for returnees",
            body=(
                '<div class="article"><p>IOM delivered <strong>water</strong> to shelters in '
                '<a href="https://example.org/strongholds">Tegucigalpa</a>.</p>'
                "<p>Families received hygiene kits.</p></div>"
            ),
        ),
        release(id="plain", title="Hygiene kits", body="IOM handed out hygiene kits to families in Honduras."),
    ]
    reindex([write_jsonl(root / "r.jsonl", records)], root / "ix", progress=False)
    return Archive(root / "ix")


def search(archive, text):
    return archive.search(parse_params({"q": text, "ui": "en"}))


def test_tags_and_attributes_are_not_searched(archive):
    for word in ("strong", "div", "href", "article", "strongholds", "amp"):
        assert search(archive, word).total == 0, word


def test_snippets_show_the_text_not_the_tags(archive):
    result = search(archive, "water")
    (hit,) = result.hits
    shown = " ".join(hit.snippets)
    assert "<mark>water</mark>" in shown
    assert "&lt;" not in shown and "<p" not in shown and "strong" not in shown
    assert hit.title == "Shelter & water for returnees"
    assert hit.title_html == "Shelter &amp; <mark>water</mark> for returnees"
