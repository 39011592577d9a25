"""A stop word of one language that is an ordinary word of the other ("sea", "era", English
"once", Spanish for eleven) is searched as that word when it is what was asked, and a word
that finds nothing is named though the lexicon knows it."""

import pytest

from index.analysis import HOMOGRAPHS, stop_words
from index.build import reindex
from search.engine import Archive
from search.params import parse_params

from .helpers import release, write_jsonl

RELEASES = [
    release(
        id="en-sea",
        title="Migrants rescued off Aruba",
        body="Coast guards rescued forty migrants at sea near Aruba after their boat sank.",
    ),
    release(
        id="es-mar",
        lang="es",
        date="2022-11-03",  # months apart: no translation of "en-sea"
        title="Rescatan a migrantes frente a Aruba",
        body="Los guardacostas rescataron a treinta migrantes en el mar Caribe frente a Aruba.",
    ),
    release(
        id="es-marido",
        lang="es",
        date="2020-06-15",
        title="Denuncias de violencia en el hogar",
        body="Una mujer denunció a su marido por violencia en el hogar ante la fiscalía de Aruba.",
    ),
    release(
        id="es-documentos",
        lang="es",
        title="Personas sin documentos reciben orientación",
        body="Las personas migrantes sin documentos reciben orientación legal en Tapachula.",
    ),
    release(
        id="en-sin",
        date="2019-02-01",
        title="Documents of the past",
        body="Forgetting the documents of history is the original sin of any policy on documents.",
    ),
    release(
        id="en-era",
        title="Labour mobility agreement signed",
        body="The agreement opens a new era for labour mobility between the two countries.",
    ),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("homographs")
    reindex([write_jsonl(root / "r.jsonl", RELEASES)], root / "ix", progress=False)
    return Archive(root / "ix")


def found(archive, text, ui="en"):
    result = archive.search(parse_params({"q": text, "ui": ui, "separate": "1"}))
    return result, [h.id for h in result.hits]


def test_the_list_holds_stop_words_of_one_language_only():
    for lang, words in HOMOGRAPHS.items():
        other = "es" if lang == "en" else "en"
        assert words <= stop_words(lang) and not words & stop_words(other)


@pytest.mark.parametrize("text", ["sea", "the sea is ours", "at sea"])
def test_a_homograph_alone_is_searched_in_the_language_it_is_a_word_of(archive, text):
    """ "sea" is a Spanish stop word ("que sea"): it was dropped, and "the sea is ours" found
    nothing, "only very common words"."""
    result, ids = found(archive, text)
    assert "en-sea" in ids
    assert "common_words" not in [n["code"] for n in result.notices]


def test_a_homograph_finds_its_translation_in_the_other_language(archive):
    assert {"en-sea", "es-mar"} <= set(found(archive, "sea")[1])
    # Through "mar", not "marido" (husband), which Snowball stems as "mar".
    assert "es-marido" not in found(archive, "sea")[1]
    assert found(archive, "era")[1] == ["en-era"]


def test_beside_other_words_a_homograph_is_not_required(archive):
    """In "sin documentos" the Spanish "without" is the stop word it is in Spanish: the release
    is found though it holds no English "sin" (nor "pecado")."""
    assert found(archive, "sin documentos", ui="es")[1][:1] == ["es-documentos"]
    assert found(archive, "migrantes sin documentos", ui="es")[1][:1] == ["es-documentos"]


def test_a_known_word_no_release_has_is_named(archive):
    """ "drought" is a word of the lexicon, so never a misspelling; it was not named either."""
    result, ids = found(archive, "drought")
    assert not ids
    (notice,) = [n for n in result.notices if n["code"] == "missing_words"]
    assert notice["missing"] == ["drought"]


@pytest.mark.parametrize("text", ["que sea", "lo que era", "hay que"])
def test_a_homograph_among_its_own_language_s_stop_words_is_a_stop_word(archive, text):
    """ "que sea" is Spanish: "sea" there is no English noun."""
    result, ids = found(archive, text, ui="es")
    assert not ids and [n["code"] for n in result.notices] == ["common_words"]


def test_a_homograph_beside_other_words_of_an_unclear_query_adds_nothing(archive):
    """ "sin documentos" is Spanish even when the detector cannot tell: the English release
    that says "sin" (and "documents", the translation) does not come first for it."""
    assert found(archive, "sin documentos", ui="es")[1][:1] == ["es-documentos"]
    assert found(archive, "sin documentos", ui="en")[1][:1] == ["es-documentos"]


def test_a_stop_word_beside_other_words_is_never_named_as_missing(archive):
    result, _ = found(archive, "migrantes con zqxwvy", ui="es")
    (notice,) = [n for n in result.notices if n["code"] == "any_word"]
    assert notice["missing"] == ["zqxwvy"]


def test_a_word_in_capitals_is_searched_as_written(tmp_path):
    """ "AIDS" is not "aid" (the English stem of both), nor its translation "ayuda": it listed
    releases about economic aid among those about the disease."""
    records = [
        release(id="aids", title="Fighting AIDS in the region", body="Clinics treat people living with AIDS."),
        release(id="aid", title="Food aid arrives", body="Humanitarian aid reached the families."),
        release(
            id="ayuda", lang="es", date="2021-03-01", title="Llega la ayuda", body="La ayuda llegó a las familias."
        ),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert found(archive, "AIDS")[1] == ["aids"]
    assert set(found(archive, "aid")[1]) >= {"aids", "aid"}  # in lower case, the word's forms as ever


def test_a_long_word_in_capitals_is_a_word_typed_with_caps_lock(tmp_path):
    """ "HURRICANE" was a name as written, as "AIDS" is, and missed "Hurricanes Eta and Iota": a
    word in capitals longer than an acronym's five letters is read as any word."""
    records = [
        release(id="one", title="Hurricane Matthew hits Haiti", body="Shelters opened."),
        release(id="two", date="2020-11-20", title="Hurricanes Eta and Iota", body="Families displaced."),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert sorted(found(archive, "HURRICANE")[1]) == sorted(found(archive, "hurricane")[1]) == ["one", "two"]


def test_a_homograph_left_out_is_left_out(archive):
    """ "-sea" was dropped as a Spanish stop word: the release about the sea stayed."""
    assert "en-sea" in found(archive, "rescued Aruba")[1]
    assert "en-sea" not in found(archive, "rescued Aruba -sea")[1]


def test_a_homograph_in_an_or_of_its_stop_word_language_stays_a_stop_word(archive):
    """In "migrantes (sin OR con) documentos" they are the Spanish prepositions: read as English
    words and required, they found nothing."""
    result, ids = found(archive, "personas (sin OR con) documentos", ui="es")
    assert ids[:1] == ["es-documentos"] and "any_word" not in [n["code"] for n in result.notices]


def test_a_homograph_as_an_alternative_is_searched(archive):
    """ "sea OR era" found only "era": the alternative that is a Spanish stop word was dropped."""
    assert {"en-sea", "en-era"} <= set(found(archive, "sea OR era")[1])
    assert "en-sea" in found(archive, "(sea OR ocean) Aruba")[1]


def test_an_acronym_finds_its_equivalent_in_the_other_language(tmp_path):
    """ "SIDA" found only Spanish releases: searched as written, it had no translation."""
    records = [
        release(
            id="aids-en", title="Clinics for people living with AIDS", body="Clinics treat people with AIDS and HIV."
        ),
        release(
            id="sida-es",
            lang="es",
            date="2019-04-02",
            title="Clínicas para personas con SIDA",
            body="Las clínicas atienden a personas con VIH.",
        ),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert set(found(archive, "SIDA", ui="es")[1]) == {"aids-en", "sida-es"}
    assert set(found(archive, "HIV")[1]) == {"aids-en", "sida-es"}


def test_an_acronym_s_equivalent_is_a_name_as_written_too(tmp_path):
    """ "AIDS" found Spanish releases saying "ha sido" (been), through the Spanish stem of its
    equivalent "SIDA", and "SIDA" English releases about first aid, through the English stem of
    "AIDS"; "sida" itself found every "ha sido"."""
    records = [
        release(id="aid", title="First aid for returnees", body="Volunteers gave first aid at the border."),
        release(
            id="sido",
            lang="es",
            date="2019-04-02",
            title="Un año de retornos",
            body="El año ha sido difícil para las familias retornadas.",
        ),
        release(
            id="sida-es",
            lang="es",
            date="2019-04-03",
            title="Clínicas para personas con sida",
            body="Las clínicas atienden a personas con sida en la frontera.",
        ),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert found(archive, "AIDS")[1] == ["sida-es"]
    assert found(archive, "sida", ui="es")[1] == ["sida-es"]
    assert found(archive, "SIDA", ui="es")[1] == ["sida-es"]
    assert found(archive, "aid")[1] == ["aid"]
