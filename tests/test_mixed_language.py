"""A release whose title and text are in different languages (issue 22: "A listing item with an
English title and a Spanish summary is labelled Spanish and its English title analysed as
Spanish"): its title is found and highlighted as words of the title's own language, and the
release stays filed under its text's language, which is what the reader will read.

The archive is built by a real reindex from a listing file, as staff export it.  The queries
match the titles only through their own language's stemming: "growing" has the English stem
of the title's "Grow" (read as Spanish, neither word is stemmed); "retornados" the Spanish
stem of the title's "retornadas" (read as English, they differ in a letter).  The texts hold
no translation of either word, so that the titles alone can find their releases.
"""

import datetime as dt
import re

import pytest

from index.build import reindex
from index.enrich import Enricher
from index.language import title_language
from index.records import Release
from search import query as q
from search.engine import Archive
from search.params import SearchParams

from .helpers import release, write_jsonl
from .test_contract_scoring import assert_as_whoosh
from .test_incremental import assert_same_as_full, index_content

ENGLISH_TITLE = "es-2021-03-04-remittances-to-central-america-grow-bcd90588"
SPANISH_TITLE = "en-2022-09-09-mujeres-retornadas-abren-negocios-en-san-pedro-sula-81d76479"

LISTING = """\
4 de marzo de 2021

Remittances to Central America Grow

Las familias de Guatemala, Honduras y El Salvador que reciben dinero de parientes en Estados \
Unidos lo destinan sobre todo a alimentación, salud y educación, según un informe presentado \
hoy por la OIM y el Banco Central de Guatemala.

9 September, 2022

Mujeres retornadas abren negocios en San Pedro Sula

Forty women who came back from Mexico and the United States last year have opened bakeries, \
beauty salons and small shops in San Pedro Sula, Honduras, with seed capital and training from IOM.

15 June, 2020

Hurricane Season: Shelters Ready in Southern Jamaica

Kingston, Jamaica. Emergency shelters in four parishes have been inspected and stocked with \
water, hygiene kits and bedding ahead of the hurricane season.

21 de octubre de 2020

Ferias de empleo para personas migrantes en Costa Rica

San José, Costa Rica. Más de 300 personas migrantes y refugiadas participaron en tres ferias \
de empleo organizadas con el Ministerio de Trabajo.
"""


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "listing.txt").write_text(LISTING, encoding="utf-8")
    summary = reindex([folder / "listing.txt"], folder / "ix", progress=False)
    assert summary.releases == 4 and not summary.rejected
    return folder / "ix"


@pytest.fixture(scope="module")
def archive(index_dir):
    return Archive(index_dir)


def search(archive, text, **params):
    return archive.search(SearchParams(q=text, **params))


def ids(result):
    return [h.id for h in result.hits]


def language_facet(result) -> dict[str, int]:
    return {v.value: v.count for v in result.facets["lang"]}


def test_an_english_title_over_a_spanish_text_is_found_in_english(archive):
    result = search(archive, "growing")
    assert ids(result) == [ENGLISH_TITLE]
    assert not result.corrected and not result.matched_any  # found as typed, by its only word
    hit = result.hits[0]
    assert hit.title_html == "Remittances to Central America <mark>Grow</mark>"
    assert hit.lang == "es"  # what the reader will read


def test_a_spanish_title_over_an_english_text_is_found_in_spanish(archive):
    result = search(archive, "retornados", ui="es")
    assert ids(result) == [SPANISH_TITLE]
    assert not result.corrected and not result.matched_any
    hit = result.hits[0]
    assert hit.title_html == "Mujeres <mark>retornadas</mark> abren negocios en San Pedro Sula"
    assert hit.lang == "en"


def test_a_topic_named_only_in_a_title_of_the_other_language_is_given(archive):
    """ "Remittances" is said only in the English title of a Spanish text: the title's keywords
    are those of its own language, so the release is filed under migration and development."""
    assert ENGLISH_TITLE in ids(search(archive, "", topics=("migration-development",)))
    spanish = Release(
        id="x",
        lang="es",
        date=dt.date(2021, 3, 4),
        title="Remittances to Central America Grow",
        body="Las familias de Guatemala reciben dinero de parientes.",
    )
    assert "migration-development" in Enricher.load().enrichment(spanish)[2]
    spanish.title = "Las remesas a Centroamérica crecen"  # the same keyword in the text's own language
    assert "migration-development" in Enricher.load().enrichment(spanish)[2]


@pytest.mark.parametrize(
    "path, title_lang, text_lang",
    [
        ("/en/search?q=growing", "en", "es"),
        ("/es/search?q=retornados", "es", "en"),
        (f"/en/releases/{ENGLISH_TITLE}", "en", "es"),
        (f"/es/releases/{SPANISH_TITLE}", "es", "en"),
    ],
)
def test_pages_mark_the_title_in_its_own_language(index_dir, path, title_lang, text_lang):
    """A screen reader reads the title in the language it is written in, the text in its own."""
    from tests.web.conftest import compile_catalogs
    from web import create_app

    compile_catalogs()
    page = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "RATE_LIMIT": "off"}).test_client().get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    title = re.search(r'<h[12][^>]* class="(?:hit|release)-title"[^>]* lang="(\w+)"', html)
    text = re.search(r'<(?:p class="snippet"|div class="release-body") lang="(\w+)"', html)
    assert (title.group(1), text.group(1)) == (title_lang, text_lang)


@pytest.mark.parametrize(
    "text, release_id, lang", [("growing", ENGLISH_TITLE, "es"), ("retornados", SPANISH_TITLE, "en")]
)
def test_the_language_facet_and_filter_go_by_the_text(archive, text, release_id, lang):
    other = "en" if lang == "es" else "es"
    assert language_facet(search(archive, text)) == {lang: 1}
    assert ids(search(archive, text, langs=(lang,))) == [release_id]
    assert search(archive, text, langs=(other,)).total == 0
    everything = language_facet(search(archive, ""))
    assert everything == {"en": 2, "es": 2}  # each listed under its text's language, once


def test_a_title_search_finds_the_title_in_its_own_language(archive):
    assert ids(search(archive, "title:growing")) == [ENGLISH_TITLE]
    assert ids(search(archive, "title:retornados", ui="es")) == [SPANISH_TITLE]


def test_the_text_is_still_searched_and_marked_in_its_own_language(archive):
    spanish = search(archive, "familia", ui="es")  # Spanish stemming: "familias"
    assert ids(spanish) == [ENGLISH_TITLE]
    assert "<mark>familias</mark>" in spanish.hits[0].snippets[0]
    english = search(archive, "bakery")  # English stemming: "bakeries"
    assert ids(english) == [SPANISH_TITLE]
    assert "<mark>bakeries</mark>" in english.hits[0].snippets[0]


def test_title_and_text_words_together_find_the_release(archive):
    result = search(archive, "growing familias")
    assert ids(result) == [ENGLISH_TITLE] and not result.matched_any


@pytest.mark.parametrize(
    "text",
    [
        "growing",
        "retornados",
        "growing familias",
        "title:growing",
        "central",
        "San Pedro Sula",
        '"san pedro sula"',
        "shelters",
        "migrantes",
        "lang:es growing",
    ],
)
def test_the_fast_scorer_agrees_with_whoosh(archive, text):
    snap = archive.snapshot()
    compiled = archive.compiler.compile(q.parse(text), snap.lexicon)
    for query in (compiled.query, compiled.any_query):
        if query is not None:
            assert_as_whoosh(snap, query, snap.scorer.evaluate(snap.searcher, query))


def test_a_short_or_unclear_title_follows_the_text():
    assert title_language("Remittances to Central America Grow", "es") == "en"
    assert title_language("Mujeres retornadas abren negocios en San Pedro Sula", "en") == "es"
    # Too few words to tell (mostly names, which the detector takes for Spanish).
    assert title_language("IOM in Honduras", "en") == "en"
    assert title_language("Honduras 2020", "es") == "es"
    # English, but the detector is not sure (60 %) of it: the text's language.
    assert (
        title_language("Migrant Information Centre Opens in Dajabón, on the Dominican Border with Haiti", "es") == "es"
    )


def test_a_title_with_its_text_s_function_words_keeps_the_text_s_language():
    # Spanish by its words ("se", "en"), though the detector reads the names as English.
    assert title_language("Trump se reúne en West Virginia", "es") == "es"
    # One function word of the other language is enough to ask the detector.
    assert title_language("Remittances to Central America Grow in the Year", "es") == "en"


@pytest.mark.parametrize(
    "title, text_lang, title_lang",
    [
        # Title Case: "El", "Al", "Sea", "Era" are names and nouns, not Spanish function words.
        ("UN Envoy Visits El Salvador Prisons", "es", "en"),
        ("UN Agency Warns Sea Levels Rising Fast", "es", "en"),
        ("RED SEA SHIPPING ENTERS NEW ERA", "es", "en"),
        ("El Niño, La Niña Threaten Crops Across Region", "es", "en"),
        # English "once" is Spanish for eleven.
        ("Crisis in situ: once migrantes rescatados", "en", "es"),
    ],
)
def test_names_and_homographs_are_not_taken_for_function_words(title, text_lang, title_lang):
    assert title_language(title, text_lang) == title_lang


def test_an_incremental_build_gives_what_a_full_one_gives(tmp_path):
    """Mixed releases added, edited, and one rewritten because its pair changed (it is read
    again without being enriched), against full rebuilds: every field, term and word count
    (a word of both the title and the text counts once for its release)."""
    sources = tmp_path / "sources"
    sources.mkdir()
    listing = sources / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    jsonl = sources / "releases.jsonl"
    mixed = release(
        id="hn-shelters-es",
        lang="es",
        date="2021-06-01",
        translation_key="hn-shelters",
        title="Shelters for Returned Children Open in San Pedro Sula",
        body="San Pedro Sula, Honduras. Dos albergues para niñas y niños retornados abrieron "
        "esta semana en San Pedro Sula.",
    )
    write_jsonl(jsonl, [mixed, release(id="plain-en", date="2021-02-01")])
    root = tmp_path / "ix"
    reindex([sources], root, progress=False)
    assert index_content(root)["docs"]["hn-shelters-es"]["title_lang"] == "en"

    # Its translation pairs with the mixed release; a mixed title is edited; a mixed release is added.
    write_jsonl(
        jsonl,
        [
            mixed,
            release(id="plain-en", date="2021-02-01"),
            release(
                id="hn-shelters-en",
                lang="en",
                date="2021-06-01",
                translation_key="hn-shelters",
                title="Shelters for Returned Children Open in San Pedro Sula",
                body="San Pedro Sula, Honduras. Two shelters for returned children opened this week.",
            ),
            release(
                id="gt-fairs-en",
                lang="en",
                date="2021-07-01",
                title="Ferias de empleo para jóvenes en Guatemala",
                body="Guatemala City, Guatemala. Three job fairs for young people were held this month.",
            ),
        ],
    )
    listing.write_text(LISTING.replace("abren negocios", "abren panaderías"), encoding="utf-8")
    summary = reindex([sources], root, mode="incremental", progress=False)
    assert summary.mode == "incremental" and summary.written
    # The edited listing item has a new id (ids of listing items come from their titles), the
    # mixed release its pair: rewritten after it was read again.
    assert (summary.added, summary.updated, summary.deleted) == (3, 1, 1)
    assert_same_as_full(tmp_path, [sources], root, summary)
    docs = index_content(root)["docs"]
    assert docs["hn-shelters-es"]["pair"] == "hn-shelters-en" and docs["hn-shelters-es"]["title_lang"] == "en"
    assert docs["gt-fairs-en"]["title_lang"] == "es" and "title_lang" not in docs["hn-shelters-en"]
