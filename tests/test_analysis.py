import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.analysis import _TOKEN, _fold_all, fold, terms, words_and_folded


def test_spanish_accents_and_plurals_meet():
    stems = {terms(word, "es")[0] for word in ("migración", "migracion", "migraciones", "MIGRACIÓN")}
    assert len(stems) == 1


def test_spanish_gender_and_number_meet():
    assert len({terms(w, "es")[0] for w in ("niños", "niñas", "ninos")}) == 1
    assert terms("migrantes", "es") == terms("migrante", "es")


def test_english_plurals_meet():
    assert terms("migrants", "en") == terms("migrant", "en")
    assert terms("trafficking", "en") == terms("traffickers", "en")


def test_stop_words_dropped_and_numbers_kept():
    assert terms("the migrants of the region", "en") == terms("migrants region", "en")
    assert terms("las personas de la región", "es") == terms("personas región", "es")
    assert "2019" in terms("In 2019, 34% more", "en")
    assert "3.5" in terms("3.5 million", "en")
    assert "9" in terms("9 people", "en")


@pytest.mark.parametrize(
    ("texts", "term"),
    [
        (("1.250 migrantes", "1,250 migrants"), "1,250"),
        (("302.203 personas", "302,203 people", "302203"), "302203"),
        (("1.250.000", "1,250,000", "1250000"), "1250000"),
        (("1.250,5 dólares", "US$1,250.5"), "1,250.5"),
        (("7,2 grados", "7.2 magnitude"), "7.2"),
    ],
)
def test_a_number_is_one_term_however_its_digits_are_grouped(texts, term):
    """A Spanish release writes "302.203" and "7,2" where an English one writes "302,203" and
    "7.2": each is one term, the same in both, and the same as the number typed without
    separators, but for four digits grouped, a quantity, which is no year."""
    for text in texts:
        for lang in ("en", "es"):
            assert term in terms(text, lang), (text, lang)
    assert terms("2,019 personas", "es") != terms("2019", "es")
    assert terms("0.250", "en") == ["0.250"]  # a leading zero: a decimal
    assert terms("2019, 2020 y 2021", "es") == ["2019", "2020", "2021"]  # a list, spaced


def test_fold_strips_accents_and_case():
    assert fold("Panamá NIÑOS Haití") == "panama ninos haiti"


# Pieces of text: ASCII and accented letters, other scripts, digits and underscores, the dots and
# apostrophes that join words, curly quotes and dashes, spaces of several kinds.
PIECES = st.sampled_from(
    [
        "a",
        "B",
        "z",
        "_",
        "0",
        "9",
        ".",
        "'",
        "’",
        "..",
        ",",
        ",,",
        "‘",
        "“",
        "—",
        " ",
        "\n",
        "é",
        "É",
        "ñ",
        "İ",
        "ß",
        "\u0301",
        "α",
        "Ж",
        "٠",
        "²",
        "\u00a0",
        "\u2028",
        "U.S.",
        "IOM’s",
        "a_.b",
        "ǅ",
        "ﬁ",
        "K",
        "migration",
        "Migración",
        "s",
        "T",
        "re",
        "lL",
        "ve",
        "Anse",
        "d’",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_fast_split_gives_the_tokenizers_words(text):
    """Text without letters beyond ASCII is split without the regular expression; its words and
    their folded forms must be exactly the tokenizer's."""
    words = _TOKEN.findall(text)
    assert words_and_folded(text) == (words, _fold_all(words))


def test_the_exact_forms_are_the_folded_unstemmed_words_the_stemming_changes():
    from index.analysis import exact_analyzer

    # "migración" is its own stem in Spanish, "data" in English: their postings would be the stem's.
    words = [t.text for t in exact_analyzer("es")("Los farmacéuticos de la migración se disculpó")]
    assert words == ["farmaceuticos", "disculpo"]
    assert [t.text for t in exact_analyzer("en")("The Pharmacies and their data")] == ["pharmacies"]


@pytest.mark.parametrize(
    "singular, plural",
    [
        ("ciudad", "ciudades"),
        ("libertad", "libertades"),
        ("comunidad", "comunidades"),
        ("mujer", "mujeres"),
        ("hogar", "hogares"),
        ("lugar", "lugares"),
        ("joven", "jóvenes"),
        ("ley", "leyes"),
        ("red", "redes"),
        ("año", "años"),
        ("día", "días"),
        ("línea", "líneas"),
        ("isla", "islas"),
        ("gobierno", "gobiernos"),
        ("grande", "grandes"),
        ("padre", "padres"),
        ("clase", "clases"),
        ("nación", "naciones"),
        ("país", "países"),
        ("mes", "meses"),
    ],
)
def test_a_spanish_plural_stems_as_its_singular(singular, plural):
    assert terms(plural, "es") == terms(singular, "es")


@pytest.mark.parametrize("singular, plural", [("kit", "kits"), ("test", "tests"), ("club", "clubs"), ("ONG", "ONGs")])
def test_a_borrowed_word_s_plural_meets_its_singular(singular, plural):
    """Spanish keeps the "-s" of a plural after a consonant, which only borrowed words and
    acronyms have: "kit de higiene" found no release about "kits de higiene"."""
    assert terms(plural, "es") == terms(singular, "es")
    assert terms(f"{plural} de higiene", "es") == terms(f"{singular} de higiene", "es")


@pytest.mark.parametrize("word", ["bíceps", "fórceps", "crisis", "virus"])
def test_a_spanish_singular_ending_in_s_keeps_it(word):
    assert terms(word, "es")[0].endswith("s")


@pytest.mark.parametrize(
    "plural, feminine", [("franceses", "francesa"), ("escoceses", "escocesas"), ("daneses", "danesa")]
)
def test_a_plural_in_eses_stems_as_its_feminine_not_as_a_stressed_singular(plural, feminine):
    """Read as its singular, "daneses" stemmed as "danés" does, "dan", which "daños" shares,
    and "escoceses" parted from "escocesa"."""
    assert terms(plural, "es") == terms(feminine, "es")
    assert terms("daneses", "es") != terms("daños", "es")


def test_first_person_plural_verbs_keep_their_stem():
    assert terms("trabajamos", "es") == terms("trabajar", "es") == terms("trabajan", "es")


@pytest.mark.parametrize(
    "word, other", [("atrás", "atraer"), ("tras", "traer"), ("Mercedes", "mercado"), ("Dios", "dio")]
)
def test_a_spanish_word_that_only_looks_plural_keeps_its_own_stem(word, other):
    assert terms(word, "es") != terms(other, "es")


def test_a_student_is_not_a_study():
    """Snowball stems "estudiantes" as "estudio": `students`, through its translation, listed
    every release about a study."""
    students = {terms(w, "es")[0] for w in ("estudiante", "estudiantes", "Estudiantes")}
    studies = {terms(w, "es")[0] for w in ("estudio", "estudios")}
    assert len(students) == 1 and len(studies) == 1 and students != studies


def test_spanish_sport_and_deportation_stem_apart():
    """Snowball stems "deportivas" as "deportados": a search for deportees listed sports leagues."""
    sport = {terms(w, "es")[0] for w in ("deporte", "deportes", "deportivas", "Deportivo", "deportistas")}
    deportation = {terms(w, "es")[0] for w in ("deportados", "deportación", "deportar", "deportada")}
    assert len(sport) == 1 and len(deportation) == 1
    assert sport != deportation


@pytest.mark.parametrize(
    "word, other",
    [("marido", "mar"), ("maridos", "mares"), ("maras", "mar"), ("mara", "mares")],
)
def test_a_spanish_word_snowball_stems_as_another_s_has_a_stem_of_its_own(word, other):
    """ "marido" (husband) was "mar" (sea), and so were "maras" (gangs)."""
    assert terms(word, "es") != terms(other, "es")
    assert terms(word, "es") == terms(word.removesuffix("s"), "es")


@pytest.mark.parametrize(
    "text,words",
    [
        ("Grand'Anse", ["Grand", "Anse"]),
        ("Côte d’Ivoire", ["Côte", "Ivoire"]),
        ("N'Djamena", ["Djamena"]),
        ("rock'n'roll", ["rock", "roll"]),
        ("I'd'Anse", ["I'd", "Anse"]),
        ("IOM's staff don’t say we're done", ["IOM's", "staff", "don’t", "say", "we're", "done"]),
        ("O'BRIEN'S", ["BRIEN'S"]),
        ("the shelters' roofs", ["the", "shelters", "roofs"]),
    ],
)
def test_an_apostrophe_joins_a_clitic_and_parts_other_words(text, words):
    """An elision or a name's apostrophe parts two words, each found alone ("Ivoire", "Anse"),
    and an elided letter is no word; English's clitics stay with their word (the stemmer takes
    the possessive off)."""
    assert words_and_folded(text)[0] == words
    assert _TOKEN.findall(text) == words


def test_a_country_named_with_an_elision_keeps_its_name_terms():
    """ "Côte d’Ivoire" is ranked and marked by its name for ``country:CI``: a lone "d" would
    have left it no name terms."""
    from index.analysis import name_terms

    for lang in ("en", "es"):
        assert [word for _, word in name_terms("Côte d’Ivoire", lang)] == ["cote", "ivoire"]
