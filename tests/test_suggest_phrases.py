"""Autocomplete suggests what the archive holds: phrases (glossary terms, places, topics, words of
titles), one form per word, and says which part of each suggestion was typed."""

import re
import time

import pytest

from index.analysis import fold
from index.build import reindex
from index.config import SAMPLES_DIR
from search.engine import Archive
from search.params import SearchParams

from .helpers import archive_of, release, write_jsonl


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("suggest") / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    return Archive(root)


def texts(archive, prefix, ui="en", kind="term"):
    return [s.text for s in archive.suggest(prefix, ui=ui) if s.kind == kind]


def folded_text(text):
    return " ".join(re.findall(r"\w+", fold(text)))


def releases_holding(archive, phrase):
    """Releases whose title or text holds the phrase, as written (case and accents aside)."""
    snap = archive.snapshot()
    wanted = folded_text(phrase)
    found = set()
    for d in range(snap.docs.size):
        fields = snap.searcher.stored_fields(d)
        if wanted in folded_text(f"{fields['title']}\n{fields['body']}"):
            found.add(fields["id"])
    return found


@pytest.mark.parametrize("prefix", ["trata de", "trata d", "trata de ", "Trata De Per"])
def test_trata_de_completes_to_the_phrase_the_archive_holds(archive, prefix):
    terms = texts(archive, prefix, ui="es")
    assert terms[0] == "trata de personas"
    assert not {"trata del", "trata desde", "trata después", "trata de"} & set(terms)


@pytest.mark.parametrize("ui", ["en", "es"])
def test_one_form_per_word(archive, ui):
    terms = texts(archive, "migrant", ui=ui)
    forms = {"migrant", "migrants", "migrante", "migrantes"}
    assert len(forms & set(terms)) == 1  # the commonest of the four, once
    assert {"migrant workers", "migrant smuggling"} <= set(terms)  # glossary terms the archive holds


def test_every_term_suggested_is_held_by_a_release(archive):
    for prefix in [
        "trata de",
        "migrant",
        "climate ch",
        "personas migr",
        "trabajadores agr",
        "costa r",
        "retorn",
        "hurricane she",
        "lucha",
        "remes",
        "niñ",
    ]:
        for ui in ("en", "es"):
            for text in texts(archive, prefix, ui=ui):
                if " " in text.strip():
                    assert releases_holding(archive, text) or _is_label(archive, text), (prefix, text)


def _is_label(archive, text):
    """A topic label or a country name (it finds the releases tagged with it, whatever their words)."""
    from index.places import country_name

    snap = archive.snapshot()
    labels = {label for topic in archive.taxonomy.topics.values() for label in topic.labels.values()}
    labels |= {country_name(code, lang) for code in snap.docs.values["country"] for lang in ("en", "es")}
    return text in labels


def test_phrases_from_titles_glossary_places_and_topics(archive):
    assert "climate change" in texts(archive, "climate ch")  # glossary
    assert "personas migrantes" in texts(archive, "personas migr", ui="es")  # words of titles
    assert "trabajadores agrícolas" in texts(archive, "trabajadores agr", ui="es")
    assert texts(archive, "costa r") == ["Costa Rica"]  # a place
    assert "Lucha contra la trata de personas" in texts(archive, "lucha", ui="es")  # a topic
    # a place is named as the interface language writes it
    assert "Panama" in texts(archive, "panam", ui="en") and "Panamá" in texts(archive, "panam", ui="es")
    # words the archive never writes together are not suggested together
    assert texts(archive, "returned mig") == []
    assert texts(archive, "remesas guate") == []


def test_stop_words_are_not_completions(archive):
    assert not {"de", "del", "desde"} & set(texts(archive, "de", ui="es"))


def test_each_suggestion_says_what_was_typed(archive):
    for prefix, ui in [("trata de per", "es"), ("migrac", "es"), ("costa r", "en"), ("Guatem", "en")]:
        for s in archive.suggest(prefix, ui=ui):
            assert "".join(text for text, _ in s.parts) == s.text
            if s.kind == "term":
                typed = "".join(text for text, typed in s.parts if typed)
                assert s.parts[0][1] and folded_text(typed) == folded_text(prefix), (prefix, s)
                assert not s.parts[-1][1] or folded_text(s.text) == folded_text(prefix)
    completion = archive.suggest("migrac", ui="es")[0]
    assert completion.parts == [("migrac", True), ("ión", False)]
    title = next(s for s in archive.suggest("tapach") if s.kind == "title")
    assert ("Tapach", True) in title.parts


def test_a_title_is_suggested_once(archive):
    titles = texts(archive, "migrantes", kind="title")
    assert titles and len(titles) == len(set(titles))


def test_query_syntax_is_left_alone(archive):
    assert archive.suggest('"climate change"') == []
    assert archive.suggest("trafficking -") == []
    assert archive.suggest("") == [] and archive.suggest("   ") == []


def test_suggestions_stay_fast(archive):
    """A keystroke's suggestions, worked out afresh, cost less than an ordinary search: each is
    timed against the other in turn, so a busy machine slows both (about a seventh, on the
    samples). Milliseconds per keystroke, at scale, are in the benchmark (docs/benchmarks-history.md)."""
    archive.suggest("mi")  # the generation's one-off work
    snap = archive.snapshot()
    prefixes = [w[:n] for w in snap.words[:: max(1, len(snap.words) // 100)] for n in (2, 4)][:200]
    searches = Archive(archive.store.root, cache_size=0)  # no result cache: every search does the work
    searches.search(SearchParams(q="migrant workers"))

    def per_suggestion() -> float:
        started = time.perf_counter()
        for prefix in prefixes:
            snap.suggestions.clear()
            archive.suggest(prefix)
        return (time.perf_counter() - started) / len(prefixes)

    def per_search() -> float:
        started = time.perf_counter()
        for _ in range(20):
            searches.search(SearchParams(q="migrant workers"))
        return (time.perf_counter() - started) / 20

    ratios = [per_suggestion() / per_search() for _ in range(3)]
    assert min(ratios) < 1, ratios


@pytest.mark.parametrize(
    "typed, wanted, unwanted",
    [
        ("niñ", {"niñez", "niñas"}, {"ningún"}),  # ñ is a letter of its own
        ("migració", {"migración"}, set()),
    ],
)
def test_a_letter_typed_with_its_accent_is_kept_in_every_completion(archive, typed, wanted, unwanted):
    completions = texts(archive, typed, ui="es")
    assert wanted <= set(completions) and not unwanted & set(completions)
    assert all(fold(c)[: len(fold(typed))] == fold(typed) for c in completions)
    assert all(typed in c.lower() for c in completions), completions


@pytest.mark.parametrize(
    "typed, ui, expected", [("Haití", "en", "Haití"), ("Haiti", "en", "Haiti"), ("Haití", "es", "Haití")]
)
def test_a_name_written_otherwise_in_the_interface_language_completes_as_typed(archive, typed, ui, expected):
    """On the English site a place is named as English writes it, unless its accent was typed."""
    assert texts(archive, typed, ui=ui)[:1] == [expected]


def test_plain_letters_still_complete_to_accented_words(archive):
    assert {"niñez", "ningún"} <= set(texts(archive, "nin", ui="es"))


def test_a_word_with_an_apostrophe_is_completed_as_written(archive):
    """ "IOM's" was read as "IOM" and a new word "s" ("IOM' scales"); "Grand'Ans" as "Grand'" and
    "ans", completed with a space between."""
    found = [s.text for s in archive.suggest("IOM's", ui="en")]
    assert found and not [t for t in found if re.search(r"['’] ", t)]
    assert [s.text for s in archive.suggest("Grand'Ans", ui="en")] == ["Grand'Anse"]


@pytest.mark.parametrize(
    "typed, ui, expected", [("tapa", "en", "Tapachula"), ("dari", "es", "Darién"), ("dajab", "es", "Dajabón")]
)
def test_a_name_completes_as_the_archive_writes_it(archive, typed, ui, expected):
    """A word the archive writes with a capital within its sentences is completed so; it was
    offered in lower case ("tapachula", "darién")."""
    assert texts(archive, typed, ui=ui)[:1] == [expected]


def test_a_common_word_completes_in_lower_case(archive):
    assert texts(archive, "remes", ui="es")[:1] == ["remesas"]
    assert "trafficking" in texts(archive, "traffick", ui="en")


def test_a_capital_that_starts_a_sentence_does_not_make_a_name(tmp_path):
    body = (
        "Meanwhile, shelters opened near Zacapa. Meanwhile the roads to Zacapa stayed closed. "
        "Crews reached Zacapa on Monday.\nCrews from Zacapa worked with local crews."
    )
    source = write_jsonl(tmp_path / "r.jsonl", [release(body=body), release(id="r2", body=body)])
    reindex([source], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert texts(archive, "zaca")[:1] == ["Zacapa"]
    assert texts(archive, "meanwh")[:1] == ["meanwhile"]  # capitalised only where a sentence starts
    assert texts(archive, "crew")[:1] == ["crews"]  # after a full stop, a line break, and within


def test_a_banner_a_list_or_a_title_in_capitals_makes_no_name(tmp_path):
    """Capitals after a bullet, a list's "1)" or in a banner start a sentence or shout; a stop
    word of a Title Case title stays a stop word ("El Norte" in a phrase is "el norte")."""
    body = (
        "PLEASE SEND DONATIONS TODAY. PLEASE SEND DONATIONS NOW. Volunteers sorted the donations. "
        "1) Volunteers met the families; 2) Volunteers left. • Convoys arrived. - Convoys waited, "
        "and the convoys left. In El Salvador and in El Salvador again, the rains fell."
    )
    records = [
        release(body=body),
        release(id="r2", body=body),
        release(id="r3", lang="es", title="Lluvias Golpean El Norte De Honduras", body="Llueve en el norte."),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert texts(archive, "donat")[:1] == ["donations"]
    assert texts(archive, "volunt")[:1] == ["volunteers"]
    assert texts(archive, "convo")[:1] == ["convoys"]
    assert "lluvias golpean el norte" in texts(archive, "lluvias golpean ", ui="es")


def test_a_name_keeps_the_accents_typed(tmp_path):
    """Releases write "Africa" more often than "África": the Spanish form typed is capitalised,
    not replaced."""
    records = [
        release(body="Migrants from Africa and from West Africa reach the Americas."),
        release(id="r2", body="Routes from Africa, and from East Africa, cross the Atlantic."),
        release(id="r3", lang="es", title="Migración desde África", body="Personas de África cruzan el Darién."),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert texts(archive, "áfri", ui="es")[:1] == ["África"]


def test_a_name_keeps_its_capitals_inside(tmp_path):
    records = [release(body="Migrants reached McAllen, and in McAllen shelters opened near the river.")]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    assert texts(Archive(tmp_path / "ix"), "mcal")[:1] == ["McAllen"]


def test_words_a_text_ran_together_are_no_completion(tmp_path):
    """ "Geneva.3" and "security.in", a full stop without its space, were offered as words."""
    body = "Talks in Geneva.3 Delegates spoke of security.in the region, and of security again in Geneva."
    reindex([write_jsonl(tmp_path / "r.jsonl", [release(body=body)])], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert texts(archive, "secur") == ["security"] and texts(archive, "genev") == ["Geneva"]


@pytest.mark.parametrize(
    "prefix, ui, expected",
    [
        ("-hai", "en", "-Haiti"),
        ("migrants -hai", "en", "migrants -Haiti"),
        ("migrants (hai", "en", "migrants (Haiti"),
        ("migrants OR hai", "en", "migrants OR Haiti"),
        ("-cos", "es", '-"Costa Rica"'),  # a phrase after syntax is quoted, to be taken whole
        ('"cos', "es", '"Costa Rica'),  # unless a quote is open
    ],
)
def test_a_word_typed_inside_query_syntax_keeps_the_syntax(archive, prefix, ui, expected):
    """ "-hai" offered "Haití" (in Spanish, on the English site), which searched for Haiti: what the
    minus was typed to leave out. Titles are not offered there: the syntax may exclude them."""
    suggestions = archive.suggest(prefix, ui=ui)
    assert expected in [s.text for s in suggestions]
    assert all(s.kind == "term" and s.text.startswith(prefix[:-3]) for s in suggestions)
    chosen = next(s for s in suggestions if s.text == expected)
    typed_part = "".join(text for text, was_typed in chosen.parts if was_typed)
    assert folded_text(typed_part) == folded_text(prefix)
    # what it searches for is what the syntax says: with the minus, no release about Haiti
    if prefix == "migrants -hai":
        excluded = archive.search(SearchParams(q=expected, separate=True))
        assert excluded.total and "haiti" not in " ".join(h.title.lower() for h in excluded.hits)


def test_a_word_seen_only_at_a_sentence_s_start_keeps_the_capital_typed(tmp_path):
    """ "Bocas" is written only at the start of a dateline ("Bocas del Toro, Panamá."), so the
    archive cannot tell whether it is a name, and `Bocas` offered "bocas": a word typed with a
    capital is offered with it; typed in small letters, it stays so."""
    records = [
        release(
            id="bocas",
            lang="es",
            title="Cosecha de café",
            body="Bocas del Toro, Panamá. Trabajadores ngäbe reciben documentos para la cosecha.",
        ),
        release(
            id="bocas-2",
            lang="es",
            date="2020-02-02",
            title="Ferias de empleo",
            body="Bocas del Toro, Panamá. Una feria de empleo reúne a 300 personas.",
        ),
    ]
    archive = archive_of(records, tmp_path)
    assert [s.text for s in archive.suggest("Bocas", ui="es") if s.kind == "term"][:1] == ["Bocas"]
    assert [s.text for s in archive.suggest("bocas", ui="es") if s.kind == "term"][:1] == ["bocas"]


def test_the_capitals_typed_stay_in_a_phrase_completed(tmp_path):
    """ "San Pe" offered "San pedro" where the archive's text writes "SAN PEDRO" only in capitals,
    at a dateline's start: in a name, the first letters typed as capitals stay so; "HOND" is not "HONDuras"."""
    records = [
        release(
            id="sps",
            title="Returned Migrant Children Receive Care In San Pedro Sula",
            body="SAN PEDRO SULA, Honduras – Children returned from Mexico now receive care at a centre.",
        ),
    ]
    archive = archive_of(records, tmp_path)
    offered = [s.text for s in archive.suggest("San Pe", ui="en") if s.kind == "term"]
    assert offered and all(text.startswith("San Pedro") for text in offered), offered
    assert [s.text for s in archive.suggest("HOND", ui="en") if s.kind == "term"][:1] == ["Honduras"]


def test_words_typed_without_their_accents_are_offered_with_them(tmp_path):
    """ "Penas B" offered "Penas Blancas", the words typed as typed: the title's accents are
    given back to them ("Peñas Blancas"), their case as typed."""
    records = [
        release(id="p1", title="Migrants stranded at Peñas Blancas", body="At Peñas Blancas, 500 people wait."),
        release(id="p2", date="2020-02-02", title="Peñas Blancas reopens", body="The border post reopens."),
    ]
    archive = archive_of(records, tmp_path)
    assert "Peñas Blancas" in [s.text for s in archive.suggest("Penas B") if s.kind == "term"]


def test_a_name_s_first_words_typed_whole_offer_the_whole_name(tmp_path):
    """ "San Pedro" offered only "San Pedro" (with a space after it, "San Pedro Sula"): the words
    of a name that follow in a title are offered too, as far as they are a name's."""
    records = [
        release(
            id="s1",
            lang="es",
            title="Centro de recepción en San Pedro Sula atiende a personas retornadas",
            body="San Pedro Sula, Honduras. El centro atiende a 12.450 personas.",
        ),
        release(
            id="s2",
            lang="es",
            date="2020-02-02",
            title="Feria de empleo en San Pedro Sula",
            body="San Pedro Sula, Honduras. Una feria reúne a 300 personas.",
        ),
    ]
    offered = [s.text for s in archive_of(records, tmp_path).suggest("San Pedro", ui="es") if s.kind == "term"]
    assert "San Pedro Sula" in offered
    assert not any("atiende" in text for text in offered)  # not beyond the name


@pytest.mark.parametrize(
    "ui, first, other",
    [
        ("en", "Migration and development", "Migración y desarrollo"),
        ("es", "Migración y desarrollo", "Migration and development"),
    ],
)
def test_a_topic_is_offered_in_the_interface_language_first(archive, ui, first, other):
    """ "migr" on the English site offered "Migración y desarrollo" and "Migración y salud"
    (the alphabet put them first) and no English topic: among phrases as common, those of the
    interface's language come first."""
    offered = [s.text for s in archive.suggest("migr", ui=ui) if s.kind == "term"]
    assert first in offered
    assert other not in offered or offered.index(first) < offered.index(other)
