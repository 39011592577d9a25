"""Text pasted from PDFs, word processors and web pages: decomposed accents ("o" and a combining
acute for "ó"), soft hyphens and zero-width spaces inside words, bidirectional marks. In a query
or in a release, the word is the word as it would be typed."""

import pytest

from index.build import reindex
from index.readers import jsonl
from search.engine import Archive
from search.params import parse_params

from .helpers import release, write_jsonl

SOFT_HYPHEN, ZERO_WIDTH_SPACE, WORD_JOINER, LEFT_TO_RIGHT = "\u00ad", "\u200b", "\u2060", "\u200e"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("invisible")
    records = [
        release(
            id="es-migracion",
            lang="es",
            title="Migración y niñez en Tapachula",
            body="La OIM atiende a la niñez migrante en Tapachula y apoya la migración regular.",
        ),
        release(
            id="en-pasted",
            title="Shelters in Guatemala",
            body=f"IOM opened shel{SOFT_HYPHEN}ters in Guate{ZERO_WIDTH_SPACE}mala for re{WORD_JOINER}turnees.",
        ),
    ]
    reindex([write_jsonl(root / "r.jsonl", records)], root / "ix", progress=False)
    return Archive(root / "ix")


def found(archive, text):
    return [h.id for h in archive.search(parse_params({"q": text, "separate": "1"})).hits]


@pytest.mark.parametrize(
    "typed",
    [
        "migracio\u0301n",  # decomposed, as macOS and many PDFs write it
        f"migra{SOFT_HYPHEN}ción",
        f"migra{ZERO_WIDTH_SPACE}ción",
        f"{LEFT_TO_RIGHT}migración{LEFT_TO_RIGHT}",
        "nin\u0303ez",
    ],
)
def test_a_pasted_word_is_the_word_typed(archive, typed):
    assert found(archive, typed) == ["es-migracion"]


def test_the_query_is_echoed_as_it_is_searched():
    assert parse_params({"q": f"migracio\u0301n  hai{ZERO_WIDTH_SPACE}ti"}).q == "migración haiti"


def test_a_release_s_invisible_characters_do_not_split_its_words(archive):
    for word in ("shelters", "Guatemala", "returnees"):
        assert found(archive, word) == ["en-pasted"], word
    (hit,) = archive.search(parse_params({"q": "shelters"})).hits
    assert "<mark>shelters</mark>" in " ".join(hit.snippets)


def test_the_reader_drops_them_and_keeps_the_rest():
    line = (
        '{"id":"a","lang":"es","date":"2020-01-02","title":"Ni\\u00f1ez\\u200b","body":"migracio\\u0301n '
        'y refu\\u00adgio \\u2014 \\u201cbien\\u201d"}'
    )
    (r,) = jsonl.parse(line, "x").releases
    assert (r.title, r.body) == ("Niñez", "migración y refugio \u2014 \u201cbien\u201d")


def test_suggestions_read_a_decomposed_prefix(archive):
    composed = [s.text for s in archive.suggest("migraci\u00f3", ui="es")]
    assert composed and [s.text for s in archive.suggest("migracio\u0301", ui="es")] == composed
