"""A word that is part of a set phrase of function words ("sin embargo", "in order to", "as well
as", "of course", "llevar a cabo") is not the word itself: it neither finds the release nor
teaches the lexicon a translation."""

import pytest

from index.analysis import analyzer, terms, words_and_folded
from index.build import reindex
from search.engine import Archive
from search.params import parse_params

from .helpers import release, write_jsonl


@pytest.mark.parametrize(
    "text, lang, word, kept",
    [
        ("Sin embargo, la ayuda llegó", "es", "embarg", False),
        ("el embargo contra el país", "es", "embarg", True),
        ("La OIM llevó a cabo un taller", "es", "cab", False),
        ("se llevarán a cabo", "es", "cab", False),
        ("un viaje a Cabo Verde", "es", "cab", True),
        ("fueron llevados a Cabo Haitiano", "es", "cab", True),
        ("los llevaron a Cabo Verde", "es", "cab", True),
        ("La OIM ha llevado a Cabo Delgado kits de higiene", "es", "cab", True),
        ("in order to reach the border", "en", "order", False),
        ("an executive order on asylum", "en", "order", True),
        ("in order of arrival", "en", "order", True),
        ("shelters as well as clinics", "en", "well", False),
        ("they drilled a well", "en", "well", True),
        ("such as well-being and health", "en", "well", True),
        ("and, of course, the families", "en", "cours", False),
        ("a training course for officials", "en", "cours", True),
        ("Se trata de la primera reubicación", "es", "trat", False),
        ("la trata de personas", "es", "trat", True),
        ("víctimas de trata", "es", "trat", True),
    ],
)
def test_a_word_of_a_set_phrase_is_no_term(text, lang, word, kept):
    assert (word in terms(text, lang)) == kept
    # The same through the Whoosh analyser (queries, highlighting) and on the non-ASCII path.
    assert (word in [t.text for t in analyzer(lang)(text)]) == kept
    assert (word in terms(text + " ñ", lang)) == kept


@pytest.mark.parametrize(
    "text, word, expected",
    [
        ("Sin embargo, el embargo", "embargo", True),  # the first of the two
        ("el embargo y sin embargo", "embargo", False),
        ("sin d’embargo", "embargo", True),  # an elided letter is no word between them
        ("shelters as well as clinics", "well", True),
        ("a well, as in wells", "well", False),
    ],
)
def test_the_highlighter_reads_a_word_s_context_as_the_index_does(text, word, expected):
    from index.analysis import in_set_phrase

    at = text.index(word)
    assert in_set_phrase(text, at, at + len(word)) == expected


def test_the_phrase_s_words_keep_their_places():
    """The word is read as a stop word, not removed: the words and their folded forms stay in
    step (the highlighter marks a word by its place)."""
    words, folded = words_and_folded("Sin embargo, el embargo")
    assert len(words) == len(folded) == 4
    assert folded[2:] == ["el", "embargo"]


RELEASES = [
    release(
        id="es-however",
        lang="es",
        title="Llegan familias a Tapachula",
        body="Sin embargo, las familias llegaron a Tapachula y la OIM llevó a cabo un censo.",
    ),
    release(
        id="es-embargo",
        lang="es",
        date="2021-05-02",
        title="Debate sobre el embargo comercial",
        body="El embargo comercial afecta a las familias de la isla.",
    ),
    release(
        id="en-as-well",
        date="2019-02-01",
        title="Clinics open in Choluteca",
        body="The clinics, as well as the shelters, are open in order to serve returnees.",
    ),
    release(
        id="es-about",
        lang="es",
        date="2024-06-03",
        title="Reubicación de Gardi Sugdub",
        body="Se trata de la primera reubicación de una comunidad por el clima en Panamá.",
    ),
    release(
        id="es-trata",
        lang="es",
        date="2018-07-30",
        title="Honduras contra la trata",
        body="Las víctimas de trata reciben apoyo en Honduras.",
    ),
    release(
        id="en-well",
        date="2018-07-09",
        title="A new well for the shelter",
        body="Volunteers drilled a water well for the shelter in Choluteca.",
    ),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("set-phrases")
    reindex([write_jsonl(root / "r.jsonl", RELEASES)], root / "ix", progress=False)
    return Archive(root / "ix")


def found(archive, text, ui="en"):
    return [h.id for h in archive.search(parse_params({"q": text, "ui": ui, "separate": "1"})).hits]


def test_however_is_not_an_embargo(archive):
    """Every Spanish release saying "sin embargo" (however) was found by "embargo"."""
    assert found(archive, "embargo", ui="es") == ["es-embargo"]


def test_as_well_as_is_not_a_well(archive):
    assert found(archive, "well") == ["en-well"]
    assert found(archive, "order") == []


def test_it_is_about_is_not_trafficking(archive):
    """The "se trata de" of "it is about" was read as "trata" (trafficking): the glossary found every
    Spanish release saying so for "trafficking", and the phrase "trata de personas" too."""
    assert found(archive, "trafficking") == ["es-trata"]
    assert found(archive, "trata", ui="es") == ["es-trata"]
    assert found(archive, "reubicación", ui="es") == ["es-about"]


def test_the_rest_of_a_release_with_a_set_phrase_is_found(archive):
    assert found(archive, "censo", ui="es") == ["es-however"]
    assert found(archive, "shelters returnees")[:1] == ["en-as-well"]


def test_only_the_word_itself_is_highlighted(tmp_path):
    """A release found for its well has "as well as" marked no more than the index read it."""
    records = [
        release(
            id="both",
            title="Water for the shelter",
            body="Volunteers, as well as staff, drilled a well for the shelter. Sin embargo, faltan fondos.",
        )
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    (hit,) = Archive(tmp_path / "ix").search(parse_params({"q": "well", "separate": "1"})).hits
    text = " ".join(hit.snippets)
    assert "drilled a <mark>well</mark>" in text
    assert "as well as" in text and "<mark>well</mark> as" not in text
