"""British and American spellings of English meet: "labour" and "labor" are one term."""

import pytest

from index import spelling
from index.analysis import terms
from search.params import parse_params

from .helpers import archive_of, release
from .system_packages import require


@pytest.mark.parametrize(
    "british, american",
    [
        ("labour", "labor"),
        ("centres", "centers"),
        ("organised", "organized"),
        ("neighbourhoods", "neighborhoods"),
        ("programme", "program"),
        ("travelled", "traveled"),
        ("defence", "defense"),
        ("paediatric", "pediatric"),
        ("analyse", "analyze"),
        # a family's other forms too, which split from it when only the listed forms were read
        ("centred", "centered"),
        ("centring", "centering"),
        ("moulds", "molds"),
        ("ploughed", "plowed"),
        ("catalogued", "cataloged"),
    ],
)
def test_a_british_spelling_is_the_american_one_s_term(british, american):
    assert terms(british, "en") == terms(american, "en")


def test_words_alike_in_both_spellings_and_spanish_words_are_left_as_they_are():
    """Only English is respelt: the Spanish analyser reads "labour" as written. And no rule of
    the derivation makes a word another ("shoe" is no "she", "precise" no "precize")."""
    assert terms("labour", "es") != terms("labor", "es")
    assert terms("labour", "en") == terms("labor", "en")
    assert spelling.american().get("shoe") is None and spelling.american().get("precise") is None


def test_the_derivation_takes_respellings_of_one_list_s_words_into_the_other_s_alone():
    british = {"labour", "centre", "snowshoed", "colour", "hour", "mantoes"}
    american = {"labor", "center", "snowshed", "color", "hour", "mantes"}
    assert spelling.derive(british, american) == {"labour": "labor", "centre": "center", "colour": "color"}


def test_the_derived_file_is_what_the_word_lists_give():
    """data/spelling-scowl.txt is written from Debian's wbritish and wamerican: run
    ``python -m index.spelling`` when they change."""
    require("wbritish", "wamerican")
    lines = [line for line in spelling.DERIVED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    derived = dict(line.split("\t") for line in lines)
    words = spelling._words  # the reading the file was written with
    assert derived == spelling.derive(words(spelling.BRITISH_LIST), words(spelling.AMERICAN_LIST))


def test_an_american_spelling_finds_a_release_written_the_british_way_and_the_reverse(tmp_path):
    archive = archive_of(
        [
            release(
                id="uk",
                title="Labour rights at the migrant resource centre",
                body="Workers organised a programme in the neighbourhood centre.",
            ),
            release(id="us", date="2021-01-05", title="A program for labor migration", body="The center organized it."),
        ],
        tmp_path,
    )

    def found(q):
        return sorted(h.id for h in archive.search(parse_params({"q": q})).hits)

    assert found("center") == ["uk", "us"]
    assert found('"labor rights"') == ["uk"]
    assert found('"labour migration"') == ["us"]
    assert found("organized programme") == ["uk", "us"]
    result = archive.search(parse_params({"q": "neighborhood center"}))
    marked = " ".join(" ".join(h.snippets) + h.title_html for h in result.hits if h.id == "uk").lower()
    assert "<mark>neighbourhood</mark>" in marked and "<mark>centre</mark>" in marked
    quoted = archive.search(parse_params({"q": '"labor rights"'}))
    assert "<mark>labour rights</mark>" in quoted.hits[0].title_html.lower()
