"""Spelling correction word by word: the words as typed, then the corrected query, and only then
any of the words; a word the archive knows in either language is never replaced."""

import json

import pytest

from index.build import reindex
from search import cli
from search.correction import FAR_MORE
from search.engine import Archive
from search.params import ParamError, SearchParams, parse_params
from search.spelling import one_slip

from .helpers import archive_of, release, write_jsonl

# A word the archive's own text misspells once, beside the word it stands for used far more.
COMMON = FAR_MORE + 4

RELEASES = [
    release(
        id="remit-gt-en",
        lang="en",
        date="2021-03-02",
        translation_key="remit-gt",
        title="Remittances sustain families in Guatemala",
        body="Remittances sent by relatives abroad reach thousands of families in Guatemala, "
        "who spend them on food and school.",
    ),
    release(
        id="remit-gt-es",
        lang="es",
        date="2021-03-02",
        translation_key="remit-gt",
        title="Las remesas sostienen a las familias de Guatemala",
        body="Las remesas que envían los familiares desde el exterior llegan a miles de familias "
        "de Guatemala, que las gastan en comida y escuela.",
    ),
    release(
        id="remit-hn-en",
        lang="en",
        date="2020-05-04",
        title="Remittances to Honduras fall during the pandemic",
        body="Remittances to Honduras fell in the first months of the pandemic.",
    ),
    release(
        id="gt-border-en",
        lang="en",
        date="2019-07-01",
        title="Border officials in Guatemala trained",
        body="Border officials in Guatemala completed a course on the protection of migrants.",
    ),
    release(
        id="shelters-hurricane-en",
        lang="en",
        date="2022-09-12",
        title="Shelters open as the hurricane nears",
        body="Emergency shelters opened along the coast as the hurricane approached.",
    ),
    release(
        id="shelters-north-en",
        lang="en",
        date="2022-02-10",
        title="Shelters for migrants in the north",
        body="Migrant shelters in the north received hygiene kits and water tanks.",
    ),
    release(
        id="hurricane-season-en",
        lang="en",
        date="2023-06-01",
        title="Hurricane season: communities prepare",
        body="Coastal communities drew up evacuation plans before the hurricane season.",
    ),
    # Spanish that writes "climáticos", never "climático" itself.
    release(
        id="climate-es",
        lang="es",
        date="2024-03-07",
        title="Los efectos climáticos en el Corredor Seco",
        body="Los efectos climáticos y el cambio de las lluvias empujan a familias del Corredor Seco a migrar.",
    ),
    # English only: the Spanish "deportación" is known to the glossary, one letter from "deportation".
    release(
        id="deport-1-en",
        lang="en",
        date="2019-02-01",
        title="Deportation flights resume",
        body="Deportation flights resumed and IOM received the returnees at the airport.",
    ),
    release(
        id="deport-2-en",
        lang="en",
        date="2019-04-01",
        title="Support after deportation",
        body="People returned after deportation receive food and transport.",
    ),
    # A correct word used once, whose neighbour "border" is not used far more.
    release(
        id="boarder-en",
        lang="en",
        date="2020-01-15",
        title="A boarder's story",
        body="A boarder at a migrant hostel tells of the journey.",
    ),
    # The archive's own slip, and the word it stands for in many releases.
    release(
        id="goverment-en",
        lang="en",
        date="2017-05-05",
        title="Local officials trained",
        body="The goverment of the province and IOM trained local officials.",
    ),
] + [
    release(
        id=f"gov-{n}",
        lang="en",
        date=f"2018-01-{n + 1:02d}",
        title=f"Government and IOM sign accord {n}",
        body=f"The government signed accord number {n} with IOM on migration data.",
    )
    for n in range(COMMON)
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("correction")
    reindex([write_jsonl(folder / "releases.jsonl", RELEASES)], folder / "ix", progress=False)
    return Archive(folder / "ix")


@pytest.fixture(scope="module")
def index_dir(archive):
    return archive.store.root


def search(archive, q, **params):
    return archive.search(SearchParams(q=q, **params))


def ids(result):
    return [h.id for h in result.hits]


def marked(hit) -> str:
    return hit.title_html + " ".join(hit.snippets)


# --- the order: all the words, the corrected words, then any of them ---------------------------


@pytest.mark.parametrize("ui,first", [("en", "remit-gt-en"), ("es", "remit-gt-es")])
def test_a_misspelt_word_among_matching_words_is_searched_corrected(archive, ui, first):
    result = search(archive, "remesas guatemla", ui=ui)
    assert result.query == "remesas guatemla"
    assert result.corrected and result.searched_for == "remesas guatemala"
    # The one release with every corrected word leads (not any release of the typed words) ...
    assert ids(result)[0] == first
    assert "<mark>Guatemala</mark>" in marked(result.hits[0])  # the corrected word is highlighted
    # ... and the list is the one typing the corrected query gives: that one, then those with some words.
    typed = search(archive, "remesas guatemala", ui=ui)
    assert ids(result) == ids(typed) and result.total == typed.total
    assert [n["code"] for n in result.notices] == ["corrected", "few_all_words"]
    assert result.notices[1]["all_words"] == 1
    assert result.facets == typed.facets  # each count is what ticking the value would list


def test_the_any_word_fallback_comes_after_the_correction(archive):
    result = search(archive, "huricane shelters")
    assert result.corrected and result.searched_for == "hurricane shelters"
    # The release with both corrected words first, not the shelters without a hurricane ...
    assert ids(result)[0] == "shelters-hurricane-en"
    assert result.notices[0]["code"] == "corrected"
    # ... then, as for the corrected words typed, the releases with one of them.
    assert ids(result) == ids(search(archive, "hurricane shelters"))


def test_without_a_release_of_every_corrected_word_any_of_the_corrected_words(archive):
    result = search(archive, "shelters guatemla", separate=True)
    assert result.corrected and result.searched_for == "shelters guatemala" and result.matched_any
    assert {"gt-border-en", "remit-gt-en", "shelters-north-en"} <= set(ids(result))
    assert [n["code"] for n in result.notices] == ["corrected", "any_word"]
    guatemala = next(h for h in result.hits if h.id == "gt-border-en")
    assert "<mark>Guatemala</mark>" in marked(guatemala)


def test_any_word_results_found_as_typed_give_way_only_to_a_slip(archive):
    # "hostel" finds one release; no release has "hostel" and "hurricane".
    slip = search(archive, "hostel huricane")  # one letter left out
    assert slip.corrected and slip.searched_for == "hostel hurricane" and slip.matched_any
    assert {"boarder-en", "shelters-hurricane-en", "hurricane-season-en"} <= set(ids(slip))
    # Two letters off, the nearest archive word may as well be another word: the typed words stay.
    far = search(archive, "hostel huricanne")
    assert not far.corrected and far.searched_for == "hostel huricanne" and ids(far) == ["boarder-en"]


@pytest.mark.parametrize(
    "typed,word,slip",
    [
        ("guatemla", "guatemala", True),
        ("earthqauke", "earthquake", True),
        ("hurricanee", "hurricane", True),
        ("migrantez", "migrantes", True),
        ("huricanne", "hurricane", False),
        ("jugador", "jugaron", False),
        ("trafiking", "trafficking", False),
    ],
)
def test_one_slip_is_a_letter_left_out_added_mistyped_or_swapped(typed, word, slip):
    assert one_slip(typed, word) is slip and one_slip(word, typed) is slip


def test_a_word_with_no_word_near_it_leaves_the_query_as_typed(archive):
    result = search(archive, "shelters zqxwv")
    assert not result.corrected and result.searched_for == "shelters zqxwv" and result.matched_any
    assert result.suggestion is None


def test_capitals_are_kept(archive):
    assert archive.correct("Guatemla Remesas") == "Guatemala Remesas"
    assert search(archive, "Huricane").searched_for == "Hurricane"


def test_a_misspelt_stop_word_is_corrected_to_itself_and_left_out(archive):
    """A slip in a stop word ("ofr") is read as the stop word, which is not searched for; the
    other words are searched as typed. A correction that leaves only stop words beside a filter
    finds nothing ("country:GT Grand" read as "country:GT And" listed every GT release)."""
    assert archive.correct("ofr shelters") == "of shelters"
    assert search(archive, "ofr shelters").searched_for == "of shelters"
    assert search(archive, "shelters").total == search(archive, "ofr shelters").total
    every = search(archive, "country:GT").total
    assert every > 0
    assert search(archive, "country:GT And").total == 0
    assert search(archive, "country:GT Grand").total < every


# --- what is never replaced --------------------------------------------------------------------


def test_a_word_known_through_its_analysis_in_either_language_is_never_replaced(archive):
    # "climático" is not written, but "climáticos" is: the Spanish analysis finds it.
    assert archive.correct("cambio climático") is None
    result = search(archive, "cambio climático", ui="es")
    assert ids(result) == ["climate-es"] and not result.corrected and result.suggestion is None


def test_a_glossary_word_of_the_other_language_is_never_replaced(archive):
    # "deportación" is one letter from the archive's "deportation", and finds it through the glossary.
    assert archive.correct("deportación") is None
    result = search(archive, "deportación", ui="es")
    assert result.total == 2 and not result.corrected and result.suggestion is None


def test_a_trace_of_a_word_beside_a_far_commoner_one_is_read_as_a_slip(archive):
    # Alone, the one release with the slip is shown, and the word it stands for offered.
    alone = search(archive, "goverment")
    assert ids(alone) == ["goverment-en"] and not alone.corrected
    assert alone.suggestion == "government"
    # With a word the slip's release lacks, the corrected query is searched.
    joined = search(archive, "goverment accord")
    assert joined.corrected and joined.searched_for == "government accord" and joined.total == COMMON
    # A rare but correct word whose neighbour is not used far more stays.
    assert archive.correct("boarder") is None


# --- spell=0: exactly as typed -------------------------------------------------------------------


def test_spell_0_searches_exactly_as_typed_and_offers_the_correction(archive):
    result = search(archive, "huricane shelters", spell=False)
    assert not result.corrected and result.searched_for == "huricane shelters"
    assert result.matched_any and "shelters-north-en" in ids(result)
    assert result.suggestion == "hurricane shelters"
    assert not any("<mark>hurricane" in marked(h).lower() for h in result.hits)  # not searched, not marked


def test_the_spell_parameter():
    assert parse_params({}).spell and parse_params({"spell": "1"}).spell
    assert not parse_params({"spell": "0"}).spell
    assert ("spell", "0") in parse_params({"q": "x", "spell": "0"}).to_query()
    assert "spell" not in dict(parse_params({"q": "x", "spell": "1"}).to_query())
    for bad in ("2", "no", "false", "off"):
        with pytest.raises(ParamError) as caught:
            parse_params({"spell": bad})
        assert caught.value.param == "spell"


# --- scripts/search ------------------------------------------------------------------------------


def run_cli(capsys, *args):
    code = cli.main(list(args))
    return code, capsys.readouterr().out


def test_scripts_search_json_says_what_was_searched(index_dir, capsys):
    code, out = run_cli(capsys, "huricane shelters", "--index", str(index_dir), "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["query"], data["searched_for"], data["corrected"]) == ("huricane shelters", "hurricane shelters", True)
    code, out = run_cli(capsys, "huricane shelters", "--index", str(index_dir), "--json", "--spell", "0")
    data = json.loads(out)
    assert (data["searched_for"], data["corrected"], data["matched_any"]) == ("huricane shelters", False, True)
    code, out = run_cli(capsys, "huricane", "--index", str(index_dir), "--json", "--spell", "yes")
    assert code == 2 and json.loads(out)["error"]["param"] == "spell"


def test_scripts_search_text_says_it_in_one_line(index_dir, capsys):
    code, out = run_cli(capsys, "huricane shelters", "--index", str(index_dir))
    assert code == 0
    assert (
        out.splitlines()[0] == "showing results for: hurricane shelters (search instead for 'huricane shelters' "
        "with --spell 0)"
    )
    assert "did you mean" not in out and "showing results for" not in "\n".join(out.splitlines()[1:])


NEIGHBOURS = [
    release(
        id="n1",
        title="Remittances reach Baja California",
        body="Families near the border in Baja California receive remittances.",
    ),
    release(
        id="n2", title="A basic package of support", body="A basic package for months: meses of support near Honduras."
    ),
]


@pytest.mark.parametrize("name", ["Obama", "Neymar", "Brasil", "Macron"])
def test_a_name_no_release_has_is_not_respelt_two_slips_away(tmp_path, name):
    """A short word is corrected only for one slip: "Obama" was searched as "Baja", "Neymar" as
    "Near", "Brasil" as "Basic". It is named as missing instead."""
    reindex([write_jsonl(tmp_path / "r.jsonl", NEIGHBOURS)], tmp_path / "ix", progress=False)
    result = search(Archive(tmp_path / "ix"), name)
    assert not result.corrected and result.searched_for == name and result.total == 0
    assert [n["missing"] for n in result.notices if n["code"] == "missing_words"] == [[name]]


@pytest.mark.parametrize("typed,meant", [("Hnoduras", "Honduras"), ("Baja Califronia", "Baja California")])
def test_two_letters_swapped_are_still_one_slip(tmp_path, typed, meant):
    reindex([write_jsonl(tmp_path / "r.jsonl", NEIGHBOURS)], tmp_path / "ix", progress=False)
    assert search(Archive(tmp_path / "ix"), typed).searched_for == meant


FORMS = [
    release(id="f1", lang="es", title="Desastres en Honduras", body="Los desastres golpean Honduras cada año."),
    release(id="f2", title="The end of apartheid", body="After apartheid, a partie of friends met."),
]


@pytest.mark.parametrize(
    "typed,meant",
    [
        ("desatre", "desastres"),  # one slip from "desastre", which the archive writes only in the plural
        ("Hundoras", "Honduras"),  # two letters apart swapped
        ("apartied", "apartheid"),
    ],
)
def test_a_slip_from_another_form_or_two_letters_swapped_apart_is_corrected(tmp_path, typed, meant):
    """Reading short words for one slip only (6a4827a) had stopped these."""
    reindex([write_jsonl(tmp_path / "r.jsonl", FORMS)], tmp_path / "ix", progress=False)
    assert search(Archive(tmp_path / "ix"), typed).searched_for == meant


PLACES = [
    release(id="p1", title="A call for volunteers", body="The call for volunteers in Honduras is open."),
    release(id="p2", lang="es", title="Una cuenta para migrantes", body="Abrir una cuenta bancaria en Honduras."),
]


@pytest.mark.parametrize("name", ["Cali", "Cuenca", "cali"])
def test_a_place_of_the_world_no_release_names_is_not_respelt(tmp_path, name):
    """A place's name one slip from an archive word was searched as that word: "Cali" as
    "Call", "Cuenca" as "Cuenta". It is named as missing instead."""
    reindex([write_jsonl(tmp_path / "r.jsonl", PLACES)], tmp_path / "ix", progress=False)
    result = search(Archive(tmp_path / "ix"), name)
    assert not result.corrected and result.total == 0
    assert [n["missing"] for n in result.notices if n["code"] == "missing_words"] == [[name]]


def test_a_slip_of_a_place_name_is_still_corrected(tmp_path):
    reindex([write_jsonl(tmp_path / "r.jsonl", PLACES)], tmp_path / "ix", progress=False)
    assert search(Archive(tmp_path / "ix"), "Hondruas").searched_for == "Honduras"


@pytest.mark.parametrize("typed", ["Port-au-Prince", "zqx-wvy", "123456", "xy", "COVID-19"])
def test_a_hyphenated_word_or_a_number_no_release_has_is_named_as_missing(tmp_path, typed):
    """Only words of letters were named: "Port-au-Prince" or "123456" found nothing and the
    visitor was told nothing. A word of several parts is named even when a release uses a part
    ("port", "prince"), since none holds them together."""
    records = [*PLACES, release(id="p3", title="The port reopens", body="The Prince of the port spoke.")]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    result = search(archive, typed)
    assert result.total == 0
    assert [n["missing"] for n in result.notices if n["code"] == "missing_words"] == [[typed]]
    beside = search(archive, f"Honduras {typed}")
    assert beside.total and [n["missing"] for n in beside.notices if n["code"] == "any_word"] == [[typed]]


NAMESAKES = [
    release(id="b1", lang="es", title="Becas para todo el año", body="Las becas cubren todo el curso en Honduras."),
    release(id="b2", lang="es", title="Más becas", body="Becas y apoyo para todo estudiante migrante."),
]


@pytest.mark.parametrize("typed", ['"Bocas del Toro"', "Bocas del Toro", "bocas del toro"])
def test_a_place_name_of_several_words_typed_whole_is_not_respelt(tmp_path, typed):
    """Each word of "Bocas del Toro" (a province of Panama) is one slip from an archive word, and
    the name was searched as "Becas del Todo": a name of the world's places typed whole keeps
    its words, and no release naming it is said."""
    reindex([write_jsonl(tmp_path / "r.jsonl", NAMESAKES)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    result = search(archive, typed)
    assert not result.corrected and result.total == 0 and result.suggestion is None
    assert any(n["code"] == "missing_words" for n in result.notices)
    assert search(archive, "Bocas").searched_for == "Becas"  # alone, a slip of a word


ACRONYM_NEIGHBOURS = [
    release(id="a1", title="Mind the gap", body="The gap between wages in Honduras and abroad is wide."),
    release(id="a2", title="Sent in USD", body="Families in Honduras receive USD 300 a month."),
]


@pytest.mark.parametrize("typed", ["GDP", "USA", "OIM"])
def test_a_short_word_in_capitals_is_an_acronym_not_a_slip(tmp_path, typed):
    """ "GDP" was searched as "GAP" and "USA" as "USD": typed in capitals, a short word is an
    acronym, as the search reads it (a name as written). It is named as missing instead; a
    longer word typed in capitals is still corrected."""
    archive = archive_of(ACRONYM_NEIGHBOURS, tmp_path)
    result = search(archive, typed)
    assert not result.corrected and result.searched_for == typed and result.suggestion is None
    assert [n["missing"] for n in result.notices if n["code"] == "missing_words"] == [[typed]]
    assert search(archive, "HONDRUAS").searched_for == "HONDURAS"
    assert search(archive, "gdp").searched_for == "gap"  # in small letters, a slip like any


JOINED = [
    release(id="c1", title="COVID-19 testing at the border", body="Migrants at the border are tested for COVID-19."),
    release(
        id="c2", date="2021-02-02", title="H-2B visas for Guatemalans", body="Guatemalan workers receive H-2B visas."
    ),
]


@pytest.mark.parametrize(
    "typed, meant", [("COVID19", "COVID-19"), ("covid19", "covid-19"), ("H2B visas", "H-2B visas")]
)
def test_a_name_of_letters_and_digits_typed_joined_is_searched_as_the_releases_write_it(tmp_path, typed, meant):
    """ "COVID19" and "H2B" found nothing where releases write "COVID-19" and "H-2B": such a
    word that no release has is searched with a hyphen where letters meet digits, as a
    correction the visitor sees (and may undo)."""
    archive = archive_of(JOINED, tmp_path)
    result = search(archive, typed)
    assert result.corrected and result.searched_for == meant and result.total >= 1
    assert search(archive, "G20").total == 0 and not search(archive, "G20").corrected  # nothing to meet


def test_names_of_letters_and_digits_leave_the_words_their_corrections(tmp_path):
    """Tokens such as "A1" or "G20" that no release has used up the corrections' lookups, and
    a slip after four of them went uncorrected."""
    result = search(archive_of([*JOINED, *PLACES], tmp_path), "A1 B2 C3 D4 Hondruas")
    assert result.searched_for == "A1 B2 C3 D4 Honduras"


def test_a_slip_of_a_glossary_word_no_release_writes_is_corrected_to_it(tmp_path):
    """An archive whose English releases never say "trafficking": "trafiking" was corrected to
    "tracking" and "trafficing" named as missing, though the glossary finds the Spanish releases
    on "trata de personas". A glossary word that no release writes in any form is a candidate,
    used as much as its entry's words are; one whose other form is written is not ("desastre",
    where releases say "desastres", stays the archive's word)."""
    archive = archive_of(
        [
            release(id="es-trata", lang="es", title="Honduras contra la trata de personas", body="Víctimas de trata."),
            release(id="en-track", date="2016-10-14", title="IOM tracks displacement", body="Teams are tracking."),
        ],
        tmp_path,
    )
    for typed in ("trafiking", "trafficing"):
        result = search(archive, typed)
        assert result.corrected and result.searched_for == "trafficking" and ids(result) == ["es-trata"], typed
    assert search(archive, "trakcing").searched_for == "tracking"


def test_a_nationality_word_of_either_language_is_never_replaced(tmp_path):
    """Where no release writes "hondureños", "tabaco hondureños" offered "Did you mean tabaco
    hondurans?": a correct Spanish word swapped for the English one, one slip apart."""
    archive = archive_of(
        [
            release(id="cu", lang="es", title="Cuba exporta tabaco", body="El tabaco de Pinar del Río."),
            release(id="hn", date="2021-03-01", title="Hondurans return home", body="Hondurans came back."),
            release(id="hn2", date="2021-04-01", title="More Hondurans return", body="Hondurans came back again."),
        ],
        tmp_path,
    )
    for typed in ("tabaco hondureños", "hondureños"):
        result = search(archive, typed)
        assert not result.corrected and result.suggestion is None, typed


def test_a_dictionary_word_that_finds_nothing_is_offered_a_near_archive_word(tmp_path):
    """Typed "Mathew" is a name the word lists know, so it is never replaced; when it found nothing,
    nothing was offered either, though the archive says "Matthew" (a hurricane). It is offered,
    not searched in its stead."""
    archive = archive_of(
        [
            release(id="m1", date="2016-10-06", title="Hurricane Matthew hits Haiti", body="Matthew destroyed homes."),
            release(id="m2", date="2016-10-09", title="After Matthew, shelters open", body="Families left homeless."),
        ],
        tmp_path,
    )
    result = search(archive, "Mathew")
    assert result.total == 0 and not result.corrected and result.suggestion == "Matthew"
    assert search(archive, "Matthew").suggestion is None
