"""The search entry point on the sample archive: query language, facets, highlights, pairs."""

import datetime as dt
import json
import re

import numpy as np
import pytest

from index.build import reindex
from index.config import SAMPLES_DIR
from search import query as q
from search.engine import FEW_ALL_WORDS, Archive
from search.params import ParamError, SearchParams, parse_params


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("search") / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    return Archive(root)


def search(archive, q="", **params):
    params.setdefault("per_page", 50)
    return archive.search(SearchParams(q=q, **params))


def ids(result):
    return [h.id for h in result.hits]


# --- query language ----------------------------------------------------------------------


def test_all_words_rank_first_and_title_weighs_more(archive):
    result = search(archive, "hurricane shelters jamaica")
    assert ids(result)[0] == "2024-07-17-jamaica-hurricane-beryl-shelters-en"
    assert not any(n["code"] == "any_word" for n in result.notices)


def test_a_few_releases_with_all_the_words_lead_those_with_some(archive):
    """Fewer than FEW_ALL_WORDS releases have every word: they come first, the releases with some
    of the words follow, and the count and the notice say so."""
    text = "hurricane shelters jamaica"
    for separate in (True, False):
        result = search(archive, text, separate=separate)
        notice = next(n for n in result.notices if n["code"] == "few_all_words")
        leading = notice["all_words"]
        assert 0 < leading < FEW_ALL_WORDS and leading < result.total
        assert result.matched_any and len(result.hits) == min(result.total, 50)
    snap = archive.snapshot()
    every = snap.scorer.evaluate(snap.searcher, archive.compiler.compile(q.parse(text), snap.lexicon).query)
    with_all = {snap.searcher.stored_fields(int(d))["id"] for d in np.flatnonzero(every.mask)}
    result = search(archive, text, separate=True)
    assert set(ids(result)[: len(with_all)]) == with_all
    assert next(n for n in result.notices if n["code"] == "few_all_words")["all_words"] == len(with_all)


def test_falls_back_to_any_word_and_says_so(archive):
    result = search(archive, "hurricane zzzqqq")
    assert result.total > 0 and result.matched_any
    assert any(n["code"] == "any_word" for n in result.notices)


def test_exact_phrase(archive):
    loose = search(archive, "border management")
    exact = search(archive, '"border management"')
    assert 0 < exact.total <= loose.total
    for hit in exact.hits:
        text = re.sub("</?mark>", "", hit.title_html + " " + " ".join(hit.snippets))
        assert re.search(r"border management|gestión (integrada )?de fronteras", text, re.I)


def test_or_and_exclusion(archive):
    both = search(archive, "hurricane OR earthquake")
    hurricane, earthquake = search(archive, "hurricane"), search(archive, "earthquake")
    assert both.total >= max(hurricane.total, earthquake.total)
    without = search(archive, "hurricane OR earthquake -Haiti")
    assert "2021-09-23-haiti-earthquake-response-en" not in ids(without)
    assert without.total < both.total


def test_field_prefixes(archive):
    in_title = search(archive, "title:Tapachula", separate=True)
    assert set(ids(in_title)) == {
        "2022-11-16-tapachula-child-friendly-spaces-en",
        "2022-11-16-tapachula-espacios-amigables-ninez-es",
    }
    by_code = search(archive, "country:HT", separate=True)
    by_name = search(archive, "país:Haití", separate=True)
    by_english = search(archive, "country:haiti", separate=True)
    assert by_code.total == by_name.total == by_english.total > 0
    assert all("HT" in [c.value for c in h.countries] for h in by_code.hits)
    topic = search(archive, "topic:children", separate=True)
    assert topic.total > 0 and all("children" in [t.value for t in h.topics] for h in topic.hits)
    assert search(archive, "tema:niñez", separate=True).total == topic.total
    spanish = search(archive, "lang:es", separate=True)
    assert spanish.total > 0 and {h.lang for h in spanish.hits} == {"es"}


def test_a_prefix_that_is_no_field_is_two_words(archive):
    """ "foo:hurricane" is read as "foo hurricane": two words, each searched on its own (no
    release has "foo", so the releases with "hurricane" are listed), not one phrase."""
    assert q.parse("foo:hurricane").tree == q.parse("foo hurricane").tree
    typed, spaced = search(archive, "foo:hurricane"), search(archive, "foo hurricane")
    assert spaced.total > 0
    assert ids(typed) == ids(spaced) and typed.total == spaced.total


def test_an_excluded_prefix_that_is_no_field_excludes_both_words(archive):
    """ "-foo:hurricane" leaves out what "foo:hurricane" would find, as "-(foo hurricane)":
    the minus takes both words, not "foo" alone with "hurricane" then required."""
    assert q.parse("-foo:hurricane").tree == q.parse("-(foo hurricane)").tree
    assert q.parse("NOT foo:hurricane").tree == q.parse("-(foo hurricane)").tree
    left = search(archive, "hurricane -dominica:haiti")
    assert ids(left) == ids(search(archive, "hurricane -(dominica haiti)"))
    assert not any(n["code"] == "few_all_words" for n in left.notices)  # "haiti" is not required
    dominica = "2017-10-03-dominica-maria-shelters-dtm-en"  # names Dominica, not Haiti: kept
    assert dominica in ids(left) and dominica not in ids(search(archive, "hurricane -dominica"))


@pytest.mark.parametrize(
    "typed,plain",
    [
        ("date:2019-12-31..2019-01-01", "date:2019-01-01..2019-12-31"),  # backwards: the right way round
        ("date:2019..2019", "date:2019-01-01..2019-12-31"),
        ("date:2017..2019", "2017..2019"),
        ("date:2019-06..2019-06", "date:2019-06-01..2019-06-30"),
        ("fecha:2019-06", "date:2019-06-01..2019-06-30"),
        ("date:2019-07..2019-06", "date:2019-06-01..2019-07-31"),
        ("2019-06-01..2019-06-30", "date:2019-06-01..2019-06-30"),  # bare, as a bare year range
        ("date:..2017-12", "date:..2017-12-31"),
    ],
)
def test_date_ranges_of_days_months_and_years_in_either_order(archive, typed, plain):
    result, expected = search(archive, typed, separate=True), search(archive, plain, separate=True)
    assert expected.total > 0
    assert ids(result) == ids(expected) and result.total == expected.total


@pytest.mark.parametrize(
    "typed",
    [
        "date:2019-00",
        "date:2019-02-30..2019-03",
        "fecha:2019-13",
        "2019-02-30..2019-03-31",
        "year:٢٠١٩",  # digits of another script: the address's year parameter refuses them too
        "año:２０１９..２０２０",
    ],
)
def test_a_day_or_month_that_does_not_exist_is_read_as_typed(typed):
    assert q.parse(typed).tree.nodes == [q.Word(typed.partition(":")[2] or typed)]


def test_an_excluded_prefix_that_is_no_field_keeps_its_minus_at_any_depth(archive):
    nested = "(" * q.MAX_DEPTH + "hurricane -dominica:haiti" + ")" * q.MAX_DEPTH
    assert ids(search(archive, nested)) == ids(search(archive, "hurricane -dominica:haiti"))


def test_two_years_typed_are_either_year_as_two_ticked(archive):
    """A release has one date: "year:2017 year:2019" finds the releases of either year, as the
    two years ticked do; ranges that meet still narrow each other."""
    typed = search(archive, "year:2017 year:2019", separate=True)
    ticked = search(archive, "", years=(2017, 2019), separate=True)
    assert typed.total == ticked.total > 0
    assert {h.date[:4] for h in typed.hits} == {"2017", "2019"}
    assert q.parse("year:2017 year:2019").tree == q.parse("year:2017 OR year:2019").tree
    narrowed = search(archive, "date:2019-01.. date:..2019-06", separate=True)
    assert ids(narrowed) == ids(search(archive, "date:2019-01-01..2019-06-30", separate=True))
    # two that meet and one that meets neither: read as written (nothing), not as any of them
    assert search(archive, "date:2019-01.. date:..2019-06 year:2017", separate=True).total == 0


def test_years_and_ranges(archive):
    one = search(archive, "year:2019", separate=True)
    assert one.total > 0 and {h.date[:4] for h in one.hits} == {"2019"}
    rng = search(archive, "2017..2018", separate=True)
    assert {h.date[:4] for h in rng.hits} == {"2017", "2018"}
    dates = search(archive, "date:2019-06-01..2019-06-30", separate=True)
    assert dates.total > 0 and all(h.date.startswith("2019-06") for h in dates.hits)


# What was typed, and the plain query whose releases it finds (None: no plainer equivalent).
MALFORMED = [
    ('"unbalanced quote', "unbalanced quote"),
    ("(open paren", "open paren"),
    ("close paren)", "close paren"),
    ("(((((((((((((hurricane)))))))))))))", "hurricane"),
    ("\x00\x07hurricane", "hurricane"),
    ("OR hurricane OR", "hurricane"),
    ("country:", "country"),
    # operators alone operate on nothing: the words they are, as common words find nothing (not
    # every release, as for an empty box)
    ("AND OR", "and or"),
    ("NOT NOT NOT", "not not not"),
    # foo: is no field: its value is read as words, and no release has them all (nor "foo")
    ("foo:bar hurricane", "foo bar hurricane"),
    ("- -", None),
    ("title:", None),
    ("country:atlantis", None),
    ("year:abcd", None),
]


@pytest.mark.parametrize("q,plain", MALFORMED)
def test_malformed_queries_never_raise(archive, q, plain):
    result = search(archive, q)
    assert len(result.hits) == min(result.total, 50)  # the count agrees with the releases listed
    if plain is not None:
        expected = search(archive, plain)
        assert ids(result) == ids(expected) and result.total == expected.total, (q, plain)


def test_long_query_cut_with_notice(archive):
    result = search(archive, "hurricane " * 100)
    assert any(n["code"] == "truncated" for n in result.notices)
    assert len(result.query) == 1000 and result.total > 0


def test_sorting(archive):
    newest = search(archive, "migrants", sort="newest")
    oldest = search(archive, "migrants", sort="oldest")
    dates = [h.date for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    assert [h.date for h in oldest.hits] == sorted(dates)


# --- bilingual ---------------------------------------------------------------------------


def test_accent_free_spanish_and_english_query_find_the_same_pair(archive):
    accent_free = ids(search(archive, "huracan albergues", ui="es"))
    assert "2017-10-03-dominica-maria-albergues-dtm-es" in accent_free[:3]
    english = ids(search(archive, "hurricane shelters dominica"))
    assert english[0] == "2017-10-03-dominica-maria-shelters-dtm-en"


def test_glossary_expands_across_languages_below_literal_words(archive):
    result = search(archive, "trafficking", langs=("es",), separate=True)
    assert result.total > 0  # Spanish releases say "trata de personas", never "trafficking"
    english = search(archive, "trafficking", separate=True)
    scores = {h.id: h.score for h in english.hits}
    top_en = max(s for i, s in scores.items() if english.hits[[h.id for h in english.hits].index(i)].lang == "en")
    top_es = max(s for i, s in scores.items() if english.hits[[h.id for h in english.hits].index(i)].lang == "es")
    assert top_en > top_es


def test_women_are_not_girls_in_the_glossary(tmp_path):
    """The glossary held "women" and "girls" as one term, so "women" found releases about
    girls, and, through the Spanish stem "niñ" of "niñas", about boys ("niños")."""
    from .helpers import release, write_jsonl

    records = [
        release(id="boys", lang="es", title="Escuela para niños", body="Los niños migrantes vuelven a la escuela."),
        release(id="women", lang="es", title="Mujeres emprendedoras", body="Las mujeres migrantes abren negocios."),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert ids(search(archive, "women", separate=True)) == ["women"]
    assert "women" not in ids(search(archive, "niños", separate=True))


def test_the_glossary_s_terms_of_migration_work_find_their_other_language(tmp_path):
    """The lexicon gave "return" only "regresar" and "censo" no English word: IOM's own terms
    are in the glossary, each found in the other language."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(id="es-avr", lang="es", title="Retorno voluntario asistido desde Panamá", body="Diez familias."),
            release(id="en-census", date="2021-03-01", title="A census of Guatemalans abroad", body="It counts them."),
            release(id="es-masks", lang="es", date="2021-04-01", title="Entregan mascarillas", body="En albergues."),
            release(id="en-pandemic", date="2021-05-01", title="The pandemic closes borders", body="Flights stop."),
            release(id="es-maras", lang="es", date="2021-06-01", title="Huyen de las maras", body="En Honduras."),
            release(id="en-caribbean", date="2017-09-01", title="Storms in the Caribbean", body="Islands prepare."),
            release(id="es-centroam", lang="es", date="2018-02-01", title="Flujos en Centroamérica", body="Datos."),
        ],
        tmp_path,
    )
    assert ids(search(archive, "voluntary return", separate=True)) == ["es-avr"]
    assert ids(search(archive, "censo", separate=True)) == ["en-census"]
    assert ids(search(archive, "face masks", separate=True)) == ["es-masks"]
    assert ids(search(archive, "pandemia", separate=True)) == ["en-pandemic"]
    assert ids(search(archive, "gangs", separate=True)) == ["es-maras"]
    assert ids(search(archive, "Caribe", separate=True)) == ["en-caribbean"]
    assert ids(search(archive, "Central America", separate=True)) == ["es-centroam"]


def test_a_topic_named_by_a_keyword_lists_first_the_releases_that_say_it(tmp_path):
    """``topic:covid`` listed the one COVID-19 release last of the health releases: they were
    ranked by how much they said of the topic's keywords, the one typed no more than the rest."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(id="covid", date="2020-04-01", title="COVID-19: migrants stranded in Panama", body="Food given."),
            release(
                id="clinic",
                date="2021-04-01",
                title="Mobile clinics bring health care to migrants",
                body="Primary health care, vaccination, mental health support, psychosocial aid and HIV tests.",
            ),
        ],
        tmp_path,
    )
    assert ids(search(archive, "topic:covid")) == ["covid", "clinic"]
    assert ids(search(archive, "topic:migration-health")) == ["clinic", "covid"]  # by id: the most said


def test_maras_is_a_word_not_a_slip_of_maria(tmp_path):
    """No dictionary of the lexicon has "maras" (the region's street gangs): in an archive that
    does not use it, it was searched as "María", a hurricane's name; the glossary makes it a word."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(id="en-maria", date="2017-09-20", title="Hurricane Maria hits Dominica", body="Shelters opened."),
            release(id="en-gangs", date="2021-05-01", title="Young people leave the gangs", body="A new programme."),
        ],
        tmp_path,
    )
    result = search(archive, "maras", separate=True)
    assert not result.corrected and ids(result) == ["en-gangs"]


def test_british_and_american_spelling_meet(archive):
    assert set(ids(search(archive, "labour migration"))) == set(ids(search(archive, "labor migration")))


def test_pairs_are_one_hit_in_the_interface_language(archive):
    english = search(archive, "Tapachula", ui="en")
    spanish = search(archive, "Tapachula", ui="es")
    both = search(archive, "Tapachula", separate=True)
    assert ids(english) == ["2022-11-16-tapachula-child-friendly-spaces-en"]
    assert ids(spanish) == ["2022-11-16-tapachula-espacios-amigables-ninez-es"]
    assert english.hits[0].translation.id == "2022-11-16-tapachula-espacios-amigables-ninez-es"
    assert both.total == 2 and english.total == 1


QUERIES_IN_BOTH_LANGUAGES = [
    "migrants",
    "migrantes",
    "trata de personas",
    "human trafficking",
    "remesas",
    "hurricane shelters",
    "niñez migrante",
    "returnees Honduras",
    "climate change",
    "cambio climático",
    "Venezuelan",
    "COVID-19 albergues",
    "labour migration",
]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("q", [*QUERIES_IN_BOTH_LANGUAGES, "trabajadores", ""])
def test_a_pair_has_one_rank_whatever_the_interface_language(archive, q, sort):
    """The same results in the same order on /en/ and /es/: only the version shown differs.
    Releases of one day too: "trabajadores" finds two pairs of 2019-06-27, one only by its
    Spanish version, and they were listed by the ids of the versions shown."""

    def groups(ui):
        snap = archive.snapshot()
        return [snap.docs.groups[snap.docs.docnum_by_id[h.id]] for h in search(archive, q, ui=ui, sort=sort).hits]

    assert groups("en") == groups("es")


def test_a_pair_ranks_by_the_version_that_matched(archive):
    """Both versions match (any of the words), the Spanish one better: on the English interface
    the English version is shown, ranked by the Spanish version's score (before, by its own)."""
    q = "Tapachula amigables niñez qqqzzz"
    spanish, english = search(archive, q, ui="es"), search(archive, q, ui="en")
    assert english.matched_any and spanish.hits[0].id == "2022-11-16-tapachula-espacios-amigables-ninez-es"
    assert english.hits[0].id == "2022-11-16-tapachula-child-friendly-spaces-en"
    assert english.hits[0].translation.matched
    assert english.hits[0].score == spanish.hits[0].score
    alone = search(archive, q, separate=True)
    assert {h.id: h.score for h in alone.hits}["2022-11-16-tapachula-child-friendly-spaces-en"] < english.hits[0].score


@pytest.mark.parametrize("q", ["Corridor", "Rican", "remesas", "trafficking"])
def test_an_excluded_word_no_release_has_changes_nothing(archive, q):
    """The query's language is told from the words sought: "Corridor -xyzzy" was told from all
    of it, read as Spanish, and "Corridor" was then not translated from English as it is alone."""
    alone = search(archive, q, separate=True)
    excluded = search(archive, f"{q} -xyzzy", separate=True)
    assert ids(excluded) == ids(alone) and alone.total


def test_only_the_matching_version_is_shown(archive):
    # Only the Spanish version says "trinitenses" (there is no English one): shown in Spanish even on the English UI.
    result = search(archive, "trinitenses", ui="en")
    assert result.hits and result.hits[0].lang == "es"


# --- facets ------------------------------------------------------------------------------


def facet(result, name):
    return {v.value: v.count for v in result.facets[name]}


def test_facet_counts_cover_all_matches_and_pairs_count_once(archive):
    result = search(archive, "", per_page=1)
    assert sum(facet(result, "lang").values()) >= result.total  # a pair has two languages
    assert sum(facet(result, "year").values()) == result.total
    separate = search(archive, "", per_page=1, separate=True)
    assert separate.total > result.total
    assert len(result.hits) == 1


def test_facets_or_within_and_across_with_own_selection_removed(archive):
    base = search(archive, "")
    years = facet(base, "year")
    one = search(archive, "", years=(2019,))
    two = search(archive, "", years=(2019, 2020))
    assert one.total == years["2019"]
    assert two.total == years["2019"] + years["2020"]  # OR within a facet
    # The year facet's counts ignore the year selection, so other years keep their counts.
    assert facet(one, "year") == years
    assert {v.value for v in one.facets["year"] if v.selected} == {"2019"}
    both = search(archive, "", years=(2019,), countries=("MX",))
    assert both.total == facet(one, "country")["MX"]  # AND across facets
    assert facet(both, "country") == facet(one, "country")


def test_facet_labels_in_both_languages(archive):
    result = search(archive, "", ui="es")
    panama = next(v for v in result.facets["country"] if v.value == "PA")
    assert panama.label == "Panamá" and panama.labels["en"] == "Panama"
    topic = next(v for v in result.facets["topic"] if v.value == "children")
    assert topic.labels["en"] != topic.labels["es"]


def test_date_range_filter(archive):
    result = search(archive, "", date_from=__import__("datetime").date(2023, 1, 1), separate=True)
    assert result.total > 0 and all(h.date >= "2023" for h in result.hits)


# --- highlights --------------------------------------------------------------------------


def test_snippets_mark_stemmed_and_folded_forms_and_titles(archive):
    result = search(archive, "migracion", ui="es", langs=("es",))
    marked = " ".join(result.hits[0].snippets + [result.hits[0].title_html])
    assert re.search(r"<mark>migraci[oó]n(es)?</mark>", marked, re.I)
    hit = search(archive, "hurricane shelters").hits[0]
    assert "<mark>" in hit.title_html
    assert 1 <= len(hit.snippets) <= 3
    assert all(len(re.sub("</?mark>", "", s)) <= 320 for s in hit.snippets)


def test_glossary_matches_are_highlighted(archive):
    result = search(archive, "trafficking", langs=("es",), separate=True)
    assert any("<mark>" in " ".join(h.snippets) for h in result.hits)


def test_markup_in_queries_and_releases_is_escaped(archive, tmp_path):
    from .helpers import release, write_jsonl

    source = write_jsonl(
        tmp_path / "evil.jsonl",
        [
            release(
                id="evil",
                # markup as text (character references), then markup read as HTML
                title="&lt;script&gt;alert(1)&lt;/script&gt; migrants &lt;b&gt;bold&lt;/b&gt;",
                body='Migrants <img src=x onerror="alert(2)"> and <a href="javascript:alert(3)">link</a>.',
            )
        ],
    )
    reindex([source], tmp_path / "ix", progress=False)
    evil = Archive(tmp_path / "ix")
    result = evil.search(SearchParams(q="migrants <script>x</script>"))
    hit = result.hits[0] if result.hits else evil.search(SearchParams(q="migrants")).hits[0]
    html = hit.title_html + " ".join(hit.snippets)
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<b>" not in html
    assert "&lt;" in html and "alert(1)" in html
    assert set(re.findall(r"<(/?\w+)", html)) <= {"mark", "/mark"}


# --- suggestions, related, pagination ----------------------------------------------------


def test_did_you_mean_uses_the_archives_words(archive):
    result = search(archive, "hurracane")
    assert result.suggestion == "hurricane"
    assert search(archive, "migrantez").suggestion in ("migrantes", "migrants")


def test_autocomplete_from_terms_and_titles(archive):
    suggestions = archive.suggest("tapach")
    assert suggestions[0].text == "Tapachula"  # a name, written as the releases write it
    assert any(s.kind == "title" and "Tapachula" in s.text for s in suggestions)
    assert archive.suggest("") == [] and archive.suggest("   ") == []


def test_related_releases_exclude_the_translation(archive):
    release = archive.release("2021-09-23-haiti-earthquake-response-en")
    related = [r.id for r in release.related]
    assert related and "2021-09-23-haiti-terremoto-respuesta-es" not in related
    assert release.id not in related
    assert release.translation.id == "2021-09-23-haiti-terremoto-respuesta-es"


def test_pagination_is_stable_and_complete(archive):
    everything = search(archive, "migrants", separate=True)
    count = archive.search(SearchParams(q="migrants", separate=True, per_page=5)).pages
    pages = [
        ids(archive.search(SearchParams(q="migrants", separate=True, per_page=5, page=n))) for n in range(1, count + 2)
    ]
    flat = [i for page in pages for i in page]
    assert flat == ids(everything)
    assert len(set(flat)) == len(flat)


def test_parameters_checked():
    assert parse_params({"per_page": "50"}).per_page == 50
    for bad in (
        {"per_page": "51"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "x"},
        {"sort": "best"},
        {"lang": "fr"},
        {"year": "19999"},
        {"from": "2020", "to": "2019"},
        {"from": "2019-02-30"},
        {"country": "Panama"},
        {"translations": "both"},
    ):
        with pytest.raises(ParamError):
            parse_params(bad)


def test_a_filter_value_given_twice_in_two_cases_counts_once():
    """``country=PA&country=pa`` was two values (two chips, another ETag), as lang and topic are not."""
    assert parse_params({"country": ["PA", "pa"]}).countries == ("PA",)
    assert parse_params({"country": "pa,PA,cr"}).countries == ("PA", "CR")
    assert parse_params({"lang": ["EN", "en"], "topic": ["Trafficking", "trafficking"]}).langs == ("en",)


def test_new_generation_seen_without_restart(archive, tmp_path):
    from .helpers import release, write_jsonl

    root = tmp_path / "ix"
    reindex([write_jsonl(tmp_path / "a.jsonl", [release(id="first")])], root, progress=False)
    live = Archive(root)
    searcher = live.snapshot().searcher
    assert live.search(SearchParams()).total == 1
    assert live.snapshot().searcher is searcher  # reused across requests
    reindex([write_jsonl(tmp_path / "a.jsonl", [release(id="first"), release(id="second")])], root, progress=False)
    assert live.search(SearchParams()).total == 2
    assert live.status()["generation"] == "gen-000002"


def test_a_stop_word_of_either_language_is_not_required(archive):
    result = search(archive, "online job platform for migrants")
    assert not any(n["code"] == "any_word" for n in result.notices)  # a release has all the words
    assert ids(result)[0].startswith("en-2019-08-07-iom-backs-an-online-job-matching")
    spanish = search(archive, "gestion de fronteras", ui="es", separate=True)
    assert "2020-10-27-curso-gestion-integrada-fronteras-es" in ids(spanish)


def test_a_misspelled_query_that_finds_nothing_shows_the_corrected_results(archive):
    result = search(archive, "trafiking")
    assert result.total > 0 and result.suggestion == "trafficking"
    assert result.notices[0]["code"] == "corrected" and result.query == "trafiking"


def test_country_words_also_find_releases_tagged_with_the_country(archive):
    # "venezolanos" (a Spanish demonym) finds the English Guyana release tagged VE.
    result = search(archive, "venezolanos", langs=("en",), separate=True)
    assert "2023-08-30-guyana-region-one-dtm-en" in ids(result)
    # A city stands for itself, not for its country.
    assert search(archive, "Tapachula", separate=True).total == 2


def test_country_prefix_ranks_by_how_much_a_release_is_about_the_country(archive):
    result = search(archive, "country:HT")
    assert result.sort == "relevance"
    assert ids(result)[0] == "2021-09-23-haiti-earthquake-response-en"


def test_pairs_count_once_after_an_incremental_build_moves_them_apart(tmp_path):
    from .helpers import release, write_jsonl

    records = [
        release(id="a-en", lang="en", translation_key="a", title="Shelters after the hurricane"),
        release(
            id="a-es", lang="es", translation_key="a", title="Albergues tras el huracán", body="Huracán y albergues."
        ),
        release(id="b-en", lang="en", title="Another hurricane release"),
    ]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    reindex([source], tmp_path / "ix", progress=False)
    records[1]["body"] = "Huracán, albergues y más personas en los albergues."
    write_jsonl(source, records)
    reindex([source], tmp_path / "ix", mode="incremental", progress=False)
    moved = Archive(tmp_path / "ix")
    assert moved.snapshot().docs.partners  # the updated Spanish version now sits apart from its partner
    for ui in ("en", "es"):
        result = moved.search(SearchParams(q="hurricane", ui=ui))
        assert result.total == 2
        assert {h.id for h in result.hits} == {f"a-{ui}", "b-en"}
        assert sum(v.count for v in result.facets["year"]) == 2
    assert moved.search(SearchParams(q="hurricane", separate=True)).total == 3


def test_suggestions_and_corrections_keep_accents(archive):
    assert any(s.text == "migración" for s in archive.suggest("migrac"))
    assert search(archive, "migrazión").suggestion == "migración"


def test_one_archive_serves_many_threads_at_once(archive):
    """gunicorn's threaded workers share one Archive: searches, release pages (more-like-this)
    and suggestions from several threads at once must not disturb each other."""
    import threading

    ids_ = sorted(archive.snapshot().docs.docnum_by_id)
    errors = []

    def work(offset):
        try:
            for n in range(25):
                release_id = ids_[(offset * 7 + n) % len(ids_)]
                assert archive.release(release_id).id == release_id
                archive.search(
                    SearchParams(q=["migrantes", "hurricane", "trata", "border"][n % 4], page=1 + n % 2, per_page=5)
                )
                archive.suggest("mig"[: 1 + n % 3])
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []


def test_a_replaced_generation_is_closed_after_a_grace_period(tmp_path, monkeypatch):
    import search.engine as engine

    from .helpers import release, write_jsonl

    source = write_jsonl(tmp_path / "a.jsonl", [release(id="a")])
    reindex([source], tmp_path / "ix", progress=False)
    live = Archive(tmp_path / "ix")
    live.search(SearchParams(q="migrant"))
    reindex([source], tmp_path / "ix", progress=False)
    live.search(SearchParams(q="migrant"))
    old = live._retired[0]
    assert old.results == {}  # its caches went when it was replaced
    monkeypatch.setattr(engine, "RETIRED_GRACE", 0.0)
    assert live.search(SearchParams(q="migrant", page=1)).total == 1
    assert live._retired == [] and old._opened == []


def test_highlight_finds_every_word_that_analyses_to_a_term():
    """Highlighting analyses only words starting like a query term: it must find the same words
    as analysing every word (irregular stems such as dying -> die included)."""
    from index.analysis import _TOKEN, analyzer
    from search import highlight

    rows = [
        json.loads(line)
        for line in (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows.append({"lang": "en", "title": "Dying, lying and tying", "body": "People dying; the U.S. l'homme's d'Ivoire."})
    rows.append(
        {"lang": "es", "title": "ÉXODO y Éxodo", "body": "Migración, MIGRACIÓN, ñandú Ñandú; Öland, 3.5 e.g. x_y."}
    )
    for row in rows:
        text = f"{row['title']}\n{row['body']}"
        tokenizer = analyzer(row["lang"]).items[0]
        words = list(_TOKEN.finditer(text))
        every = tokenizer._analyse([m.group() for m in words])
        for term in {t for t, _ in every}:
            expected = [words[i].span() for t, i in every if t == term]
            assert highlight._spans(text, row["lang"], highlight.Wanted(frozenset({term}))) == expected


def test_a_spanish_word_finds_its_plural(archive):
    """ "ciudad" finds the release that says only "ciudades" (the stemmer made them two stems)."""
    found = ids(search(archive, "ciudad", ui="es", separate=True))
    assert "2023-10-11-el-salvador-emprendedores-diaspora-es" in found


def test_an_excluded_word_leaves_out_the_whole_pair(archive):
    """The Dajabón pair: its Spanish version says "información", its English one "information".
    With pairs merged, excluding either word leaves the release out, in either interface;
    shown separately, each version answers for itself."""
    alone = search(archive, "Dajabón", separate=True)
    spanish = next(h.id for h in alone.hits if h.lang == "es")
    english = next(h.id for h in alone.hits if h.lang == "en")
    for word in ("información", "information"):
        for ui in ("en", "es"):
            assert search(archive, f"Dajabón -{word}", ui=ui).total == 0
            # a group AND-ed in the query is read in its place
            assert search(archive, f"(Dajabón -{word})", ui=ui).total == 0
    assert ids(search(archive, "Dajabón -información", separate=True)) == [english]
    assert ids(search(archive, "Dajabón -information", separate=True)) == [spanish]


@pytest.mark.parametrize("q", ["-lang:es", "migrants -lang:es", "-year:2019", "hurricane -idioma:inglés"])
def test_an_excluded_language_or_year_leaves_out_versions_not_pairs(archive, q):
    """Excluding "lang:es" lists the English versions of pairs: only an excluded word, country or topic
    leaves a pair out whole."""
    merged = search(archive, q)
    alone = search(archive, q, separate=True)
    assert merged.total > 0 and {h.id for h in merged.hits} <= {h.id for h in alone.hits}
    kept = {archive.snapshot().docs.groups[archive.snapshot().docs.docnum_by_id[h.id]] for h in alone.hits}
    assert merged.total == len(kept)


def test_a_release_found_for_its_country_has_the_country_marked(archive):
    """ "Dominican" finds the Spanish legislators' forum for its country, Dominican Republic:
    Spanish stems "Dominican" and "Dominicana" apart, so nothing in its snippet was marked and
    the visitor could not see why it was listed."""
    found = search(archive, "Dominican", separate=True)
    (forum,) = [h for h in found.hits if h.id == "2018-10-24-foro-legisladores-gobernanza-migratoria-es"]
    assert "<mark>República Dominicana</mark>" in " ".join(str(s) for s in forum.snippets)
    for hit in found.hits:  # and every other hit shows a mark too
        assert "<mark>" in str(hit.title_html) + " ".join(str(s) for s in hit.snippets), hit.id


@pytest.mark.parametrize("separate", [False, True], ids=["merged", "separate"])
def test_a_filter_typed_twice_ranks_as_typed_once(archive, separate):
    """The topic's keywords add to the score once: typed twice, they outweighed the words."""
    once = search(archive, "shelters topic:emergencies", separate=separate)
    twice = search(archive, "shelters topic:emergencies topic:Emergencies", separate=separate)
    assert once.total > 1
    assert [(h.id, round(h.score, 6)) for h in twice.hits] == [(h.id, round(h.score, 6)) for h in once.hits]
    # one country, named two ways
    once = search(archive, "migrants country:US", separate=separate)
    twice = search(archive, 'migrants country:US country:"Estados Unidos"', separate=separate)
    assert once.total >= 1
    assert [(h.id, round(h.score, 6)) for h in twice.hits] == [(h.id, round(h.score, 6)) for h in once.hits]


@pytest.mark.parametrize("q", ["the OR a country:US", "(the OR de) lang:es"])
def test_stop_words_in_a_group_beside_a_filter_find_nothing_as_alone(archive, q):
    found = search(archive, q)
    assert found.total == 0 and [n["code"] for n in found.notices] == ["common_words"]


def test_a_pair_dated_apart_has_one_place_in_a_date_sort_in_both_interfaces(tmp_path):
    """A translation published days after its original: newest and oldest first listed the pair
    by the date of the version shown, so /en/ and /es/ gave two orders. It is placed by its
    first version's date; shown separately, each version by its own."""
    from .helpers import release, write_jsonl

    records = [
        release(id="late-en", date="2020-05-01", translation_key="late", title="Migrant workers in Belize"),
        release(
            id="late-es",
            lang="es",
            date="2020-05-09",
            translation_key="late",
            title="Trabajadores migrantes en Belice",
            body="La OIM apoya a los trabajadores migrantes de la región con formación e información.",
        ),
        release(id="mid-en", date="2020-05-05", title="Migrant workers in Panama"),
        release(
            id="mid-es",
            lang="es",
            date="2020-05-06",
            title="Trabajadores migrantes en Honduras",
            body="La OIM apoya a los trabajadores migrantes de Honduras con formación.",
        ),
    ]
    root = tmp_path / "ix"
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], root, progress=False)
    archive = Archive(root)
    for sort in ("newest", "oldest"):
        orders = {}
        for ui in ("en", "es"):
            found = archive.search(SearchParams(ui=ui, sort=sort))
            orders[ui] = [h.id.removesuffix("-en").removesuffix("-es") for h in found.hits]
        assert orders["en"] == orders["es"], sort
        assert orders["en"] == (["mid", "mid", "late"] if sort == "newest" else ["late", "mid", "mid"])
    alone = archive.search(SearchParams(sort="newest", separate=True))
    assert [h.id for h in alone.hits] == ["late-es", "mid-es", "mid-en", "late-en"]
    # a filter that leaves the first version out: the pair is placed by the version it keeps
    for ui in ("en", "es"):
        found = archive.search(SearchParams(ui=ui, sort="newest", date_from=dt.date(2020, 5, 2)))
        assert [h.id for h in found.hits] == ["late-es", "mid-es", "mid-en"]
        assert [h.date for h in found.hits] == sorted((h.date for h in found.hits), reverse=True)


def test_warming_up_loads_the_language_detector_a_first_search_needs(tmp_path):
    """A served worker warms up before its first request; the language detector was left to
    its first search, which then took about 0.3 s instead of milliseconds. Checked in a fresh
    process: this one may have built the detector already."""
    import subprocess
    import sys

    root = tmp_path / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    script = (
        "import sys\n"
        "from index import language\n"
        "from search.engine import Archive\n"
        "assert language._detector.cache_info().currsize == 0\n"
        "Archive(sys.argv[1]).warm()\n"
        "assert language._detector.cache_info().currsize == 1\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_possessive_with_a_curly_apostrophe_is_found_excluded_and_marked(tmp_path):
    """Typeset text writes "mayor’s": its term was "mayor’", so "mayor" did not find it and
    "-mayor" let it through, though "mayor's" with a straight apostrophe was both."""
    from .helpers import release, write_jsonl

    records = [
        release(id="curly", title="Volunteers at the mayor’s office", body="The mayor’s office trained volunteers."),
        release(id="straight", title="Volunteers at the mayor's office", body="The mayor's office trained volunteers."),
        release(id="none", title="Volunteers at the clinic", body="The clinic trained volunteers."),
    ]
    root = tmp_path / "ix"
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], root, progress=False)
    archive = Archive(root)
    assert set(ids(archive.search(SearchParams(q="mayor")))) == {"curly", "straight"}
    assert set(ids(archive.search(SearchParams(q="mayor’s")))) == {"curly", "straight"}
    assert ids(archive.search(SearchParams(q="volunteers -mayor"))) == ["none"]
    (hit,) = [h for h in archive.search(SearchParams(q="mayor")).hits if h.id == "curly"]
    assert "<mark>mayor’s</mark>" in hit.title_html


def test_country_filter_marks_the_names_and_demonyms_the_places_file_gives_it(tmp_path):
    """`country:US` marked only the CLDR names ("United States", "Estados Unidos"): a release
    that says "estadounidenses" or "EE. UU." showed no mark and its summary instead."""
    from .helpers import release, write_jsonl

    body = (
        "La OIM, agencia de las Naciones Unidas, apoyó a familias que viajaban hacia Estados Unidos. "
        "Muchas personas contaron que tenían parientes estadounidenses esperando su llegada."
    )
    records = [
        release(id="es-us", lang="es", title="Familias en camino", body=body, countries=["US"]),
        release(id="en-us", title="Families on the move", body="Relatives in the EE. UU. helped.", countries=["US"]),
        release(
            id="es-ag",
            lang="es",
            title="Un antiguo puerto",
            body="El sábado, en el antiguo puerto de Antigua y Barbuda, la OIM entregó kits.",
            countries=["AG"],
        ),
    ]
    root = tmp_path / "ix"
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], root, progress=False)
    found = {h.id: " ".join(h.snippets) for h in Archive(root).search(SearchParams(q="country:US")).hits}
    assert "<mark>estadounidenses</mark>" in found["es-us"]
    assert "<mark>EE. UU</mark>" in found["en-us"]
    # "Estados Unidos" is "unid" alone in Spanish ("estados" is a stop word): not a name to mark
    assert "<mark>Unidas" not in found["es-us"]
    assert "Estados <mark>Unidos</mark>" in found["es-us"]  # "estados" is a Spanish stop word
    # a name is marked as written, not by its stem: "Antigua" is "antigu", as "antiguo" is
    antigua = Archive(root).search(SearchParams(q="country:AG")).hits[0]
    marked = antigua.title_html + " ".join(antigua.snippets)
    assert "<mark>Antigua y Barbuda</mark>" in marked or "<mark>Antigua</mark>" in marked
    assert "<mark>antiguo</mark>" not in marked


def test_a_release_found_through_a_translation_has_it_marked(archive):
    """ "workers" finds "Cincuenta trabajadores de salud…" through its translation (stem
    "trabaj"), which the glossary's "trabajo" shares: marked only as the glossary writes it,
    "trabajadores" stayed unmarked, and that release showed no mark at all."""
    found = search(archive, "workers", separate=True)
    spanish = [h for h in found.hits if h.lang == "es"]
    assert spanish
    assert any("<mark>trabajadores</mark>" in h.title_html for h in spanish)
    for hit in found.hits:
        assert "<mark>" in hit.title_html + " ".join(hit.snippets), hit.id


def test_estados_unidos_is_not_every_release_that_names_the_united_nations(archive):
    """ "estados" is a Spanish stop word, so "Estados Unidos" was searched as "unidos" in any
    form: every Spanish release naming the "Naciones Unidas" was listed for it."""
    found = ids(search(archive, "Estados Unidos", ui="es", separate=True))
    assert "2023-10-11-el-salvador-emprendedores-diaspora-es" in found  # lives in Estados Unidos
    assert "2017-10-03-dominica-maria-albergues-dtm-es" not in found  # "fondos de las Naciones Unidas"
    assert "2018-10-24-foro-legisladores-gobernanza-migratoria-es" not in found
    hit = search(archive, "Estados Unidos", ui="es", separate=True).hits[0]
    assert "<mark>Unidos</mark>" in " ".join(hit.snippets) + hit.title_html


@pytest.mark.parametrize("typed", ["Grand Anse", "Anse", "Grand'Anse", "Grand’Anse", '"grand anse"'])
def test_a_name_written_with_an_apostrophe_is_found_however_it_is_typed(archive, typed):
    """The apostrophe of "Grand'Anse" (a department of Haiti) parts two words, as "d'Ivoire"'s
    does: typed apart, or one of them alone, they found nothing."""
    result = search(archive, typed)
    assert "2021-09-23-haiti-earthquake-response-en" in ids(result)
    (hit,) = [h for h in result.hits if h.id == "2021-09-23-haiti-earthquake-response-en"]
    assert any("Anse</mark>" in snippet for snippet in hit.snippets)


@pytest.mark.parametrize("typed,meant", [("Grand'Ansse", "Grand'Anse"), ("Grand’Ansse", "Grand’Anse")])
def test_a_misspelt_word_beside_an_apostrophe_is_corrected(archive, typed, meant):
    """The words an apostrophe parts are corrected one by one, the apostrophe kept: the token as
    a whole was never a word to correct, and the search found nothing."""
    result = search(archive, typed)
    assert result.corrected and result.searched_for == meant
    assert "2021-09-23-haiti-earthquake-response-en" in ids(result)


def test_a_word_beside_an_apostrophe_that_no_release_has_is_named(archive):
    result = search(archive, "Grand'Zqxwvy hurricane")
    (notice,) = [n for n in result.notices if n["code"] == "any_word"]
    assert notice["missing"] == ["Zqxwvy"]


def test_a_word_with_a_star_finds_every_word_of_the_archive_it_begins(tmp_path):
    """``migra*`` and ``remes*`` found nothing and said nothing; a star after three letters or
    more is a prefix: any word of the archive it begins, in either language."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(id="en-migration", title="Migration data for the region", body="A report on migration."),
            release(id="en-migrants", title="Migrants cross the Darien", body="Migrants walked for days."),
            release(id="es-migracion", lang="es", title="Datos de migración", body="Un informe sobre migración."),
            release(id="es-remesas", lang="es", title="Crecen las remesas", body="Las remesas crecieron."),
            release(id="en-mines", title="Mines and minerals", body="A mining region."),
        ],
        tmp_path,
    )

    def found(text, **more):
        return sorted(h.id for h in archive.search(parse_params({"q": text, "translations": "separate", **more})).hits)

    assert found("migra*") == ["en-migrants", "en-migration", "es-migracion"]
    assert found("remes*") == ["es-remesas"]
    assert found("migra* -migrants") == ["en-migration", "es-migracion"]
    assert found("datos -migra*") == []
    assert found("Migra*") == found("migra*")
    assert q.parse("mi*").tree.nodes == [q.Word("mi*")]  # two letters begin too many words
    nothing = archive.search(parse_params({"q": "zzqx*"}))
    assert nothing.total == 0 and nothing.notices[0]["missing"] == ["zzqx"]
    marked = archive.search(parse_params({"q": "migra*"})).hits
    assert any("<mark>" in h.title_html for h in marked)
    # a prefix that begins words is not named as missing beside one that begins none
    partly = archive.search(parse_params({"q": "migra* zzqx*"}))
    assert [n.get("missing") for n in partly.notices if n["code"] == "any_word"] == [["zzqx"]]
    assert q.words_of(q.parse("migra* -remes*").tree) == ["migra*"]  # the star kept, as typed


def test_a_star_after_title_finds_the_words_it_begins_in_titles(tmp_path):
    """``title:migra*`` was ``title:migra``, which no title holds: the star was dropped without a
    word. It is a prefix as ``migra*`` is, matched in titles only."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(id="en-migration", title="Migration data for the region", body="A report."),
            release(id="es-migracion", lang="es", title="Datos de migración", body="Un informe."),
            release(id="en-body", title="A border report", body="Migration rose along the border."),
            release(id="en-mines", title="Mines and minerals", body="A mining region."),
        ],
        tmp_path,
    )

    def found(text):
        return sorted(h.id for h in archive.search(parse_params({"q": text, "translations": "separate"})).hits)

    assert found("title:migra*") == ["en-migration", "es-migracion"]  # not the release saying it in its body
    assert found("title:migra* -título:datos*") == ["en-migration"]
    assert q.parse("title:mi*").tree.nodes == [q.Field("title", "mi*")]  # two letters begin too many words
    marked = archive.search(parse_params({"q": "title:migra*"})).hits
    assert all("<mark>" in h.title_html for h in marked)


def test_a_year_typed_among_the_words_finds_the_releases_of_that_year(tmp_path):
    """``hurricane 2016`` said "no release contains 2016" and ranked Hurricane Matthew, of 2016,
    below hurricanes of other years; ``2019`` alone found only the release that wrote it."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(id="matthew", date="2016-10-06", title="Hurricane Matthew hits Haiti", body="Shelters opened."),
            release(id="maria", date="2017-09-20", title="Hurricane Maria hits Dominica", body="Shelters opened."),
            release(id="beryl", date="2024-07-02", title="Hurricane Beryl", body="Unlike in 2016, shelters held."),
            release(id="census", date="2019-03-01", title="A census of migrants", body="Counted in March."),
            release(id="plan", date="2019-11-01", title="A plan for returnees", body="Returnees get training."),
        ],
        tmp_path,
    )
    result = archive.search(parse_params({"q": "hurricane 2016"}))
    ids = [h.id for h in result.hits]
    assert sorted(ids[:2]) == ["beryl", "matthew"]  # both words; then hurricanes of other years
    assert [n["code"] for n in result.notices] == ["few_all_words"] and result.notices[0]["all_words"] == 2
    assert sorted(h.id for h in archive.search(parse_params({"q": "2019"})).hits) == ["census", "plan"]
    assert [h.id for h in archive.search(parse_params({"q": "hurricane 2016,"})).hits] == ids
    # left out, the year is the word: "-2016" keeps Matthew, of 2016, which does not write it
    assert sorted(h.id for h in archive.search(parse_params({"q": "hurricane -2016"})).hits) == ["maria", "matthew"]
    # and so under "-" or NOT whatever groups it: the words, not the years
    for text in ("hurricane -(2016 OR 2017)", "hurricane NOT (beryl OR 2017)"):
        assert sorted(h.id for h in archive.search(parse_params({"q": text})).hits) == ["maria", "matthew"], text
    # two years typed are either year, as two ticked are: a release is of one (it said "no release
    # contains all the words")
    either = archive.search(parse_params({"q": "hurricane 2016 2017"}))
    assert sorted(h.id for h in either.hits) == ["beryl", "maria", "matthew"] and not either.notices
    older = archive.search(parse_params({"q": "hurricane 2003"}))  # a year no release is of, nor says
    assert older.notices[0]["code"] == "any_word" and older.notices[0]["missing"] == ["2003"]


def test_related_releases_reach_across_languages(tmp_path):
    """A Spanish release about hurricanes listed only Spanish releases (and pairs) as related:
    its key words are looked for in the other language too, through their translations."""
    from .helpers import archive_of, release

    archive = archive_of(
        [
            release(
                id="es-huracan",
                lang="es",
                title="Huracanes dejan miles de familias en albergues",
                body="Los huracanes destruyeron viviendas y miles de familias viven en albergues temporales.",
            ),
            release(
                id="en-hurricane",
                date="2021-01-05",
                title="Hurricane leaves families in shelters",
                body="The hurricane destroyed homes and thousands of families live in temporary shelters.",
            ),
            release(
                id="es-remesas",
                lang="es",
                date="2021-02-05",
                title="Crecen las remesas familiares",
                body="Las familias reciben más remesas desde el exterior.",
            ),
        ],
        tmp_path,
    )
    related = [b.id for b in archive.release("es-huracan").related]
    assert related[0] == "en-hurricane", related


def test_several_prefixes_share_the_query_s_budget_of_terms(archive):
    """Each prefix took eight words of the 32 terms a query is searched for: the fifth and the
    words after it were left out ("only the first 32 terms...")."""
    result = archive.search(parse_params({"q": "mig* org* cen* pro* tra* fam* hon*"}))
    assert "too_many_terms" not in [n["code"] for n in result.notices]
