"""A facet count is the number of results that ticking its value gives, for every facet, in both
interface languages, with translation pairs merged or shown separately.

With pairs merged, a pair counts under a value when either version has it (its language, a
topic or country only one version was tagged with), and ticking the value keeps the pair,
shown in the version that has it.
"""

import datetime as dt
import html
import re
from urllib.parse import urlencode

import pytest

from index.build import reindex
from index.config import SAMPLES_DIR
from search.engine import Archive
from search.params import SearchParams

FIELDS = {"year": "years", "country": "countries", "topic": "topics", "lang": "langs"}

QUERIES = [
    "",
    "migrantes",
    "remesas",
    "trata",
    "trafficking",
    "hurricane",
    "covid",
    "niños",
    "border management",
    "Guatemala",
    "climate change",
    "returnees",
    "zzzqqq",
    "hurricane zzzqqq",
    "country:MX",
    "lang:es",
    # corrected and any-word readings: a ticked value may bring the words as typed back
    "trafiking",
    "huricane shelters",
    "remesas guatemla",
    "Carribean diaspora",
    # all the words find a few, more than a correction is looked for at: under a value where
    # they find none, ticking it searches the correction, and its count must say so
    "country: hurricane OR guatemla",
]
FILTERS = [
    {},
    {"langs": ("es",)},
    {"langs": ("en",)},
    {"years": (2019,)},
    {"countries": ("GT",)},
    {"topics": ("counter-trafficking",)},
    {"countries": ("MX", "US"), "langs": ("es",)},
    {"years": (2020, 2023), "topics": ("migration-health",)},
    {"date_from": dt.date(2019, 6, 1)},
    {"topics": ("emergencies",), "langs": ("en",)},
    {"countries": ("GT",), "langs": ("es",)},
    {"spell": False, "years": (2019,)},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("facet-counts") / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    return root


@pytest.fixture(scope="module")
def archive(index_dir):
    return Archive(index_dir, cache_size=0)


def ticked(params: SearchParams, facet: str, value: str) -> SearchParams:
    """The search with ``value`` ticked and no other value of its facet."""
    typed = int(value) if facet == "year" else value
    return params.with_(**{FIELDS[facet]: (typed,), "page": 1})


@pytest.mark.parametrize("separate", [False, True], ids=["merged", "separate"])
def test_few_and_many_results_are_counted_alike(archive, monkeypatch, separate):
    """A few results are counted from their own values, many from every value's documents
    (``search.docvalues.SPARSE_FROM``): both ways give the same counts, at every share of the
    archive, with pairs whose two versions are both, one or neither among the results."""
    import random

    import numpy as np

    from search import docvalues

    docs = archive.snapshot().docs
    rng = random.Random(8)
    live = np.array([bool(docs.live >> d & 1) for d in range(docs.size)])
    for share in (0.0, 0.02, 0.1, 0.3, 0.6, 1.0):
        mask = np.array([rng.random() < share for _ in range(docs.size)]) & live
        found = {}
        for way, sparse_from in (("few", 0), ("many", docs.size + 1)):
            monkeypatch.setattr(docvalues, "SPARSE_FROM", sparse_from)
            found[way] = {facet: docs.facet_counts(facet, mask, separate) for facet in docvalues.FACETS}
        # The way for groups of more than two versions, on the same pairs.
        coded = docs.coded
        monkeypatch.setattr(docs, "coded", {f: c._replace(pairs_only=False) for f, c in coded.items()})
        monkeypatch.setattr(docvalues, "SPARSE_FROM", 0)
        found["groups"] = {facet: docs.facet_counts(facet, mask, separate) for facet in docvalues.FACETS}
        monkeypatch.setattr(docs, "coded", coded)
        assert found["few"] == found["many"] == found["groups"], share
        assert share == 0.0 or any(found["few"].values())


@pytest.mark.parametrize("separate", [False, True], ids=["merged", "separate"])
@pytest.mark.parametrize("ui", ["en", "es"])
def test_every_count_is_the_total_that_ticking_it_gives(archive, ui, separate):
    checked = 0
    for q in QUERIES:
        for filters in FILTERS:
            params = SearchParams(q=q, ui=ui, separate=separate, per_page=50, **filters)
            result = archive.search(params)
            for facet, values in result.facets.items():
                for value in values:
                    narrowed = archive.search(ticked(params, facet, value.value))
                    assert narrowed.total == value.count, (q, filters, facet, value.value)
                    if not getattr(params, FIELDS[facet]):
                        # ticking a value of a facet with nothing ticked is exactly this search
                        assert value.selected is False
                    checked += 1
                    if facet == "lang":
                        # a pair kept by its version in a language is shown in that version
                        assert {h.lang for h in narrowed.hits} <= {value.value}
    assert checked > 500


def test_a_pair_counts_under_each_language_it_is_in(archive):
    result = archive.search(SearchParams(ui="es"))
    langs = {v.value: v.count for v in result.facets["lang"]}
    separate = archive.search(SearchParams(ui="es", separate=True))
    pairs = separate.total - result.total
    assert pairs > 0
    assert langs["es"] + langs["en"] == result.total + pairs  # each pair once under each language
    spanish = archive.search(SearchParams(ui="es", langs=("es",), per_page=50))
    assert spanish.total == langs["es"] and all(h.lang == "es" for h in spanish.hits)


def test_a_pair_passes_a_topic_either_version_has_in_either_language(archive):
    """The Mexico shelters pair of 2020-05-19: only its Spanish version is tagged with
    emergencies. Ticking the topic and English lists it in English; it dropped out, as the two
    filters were each applied to one version."""
    english, spanish = (
        "2020-05-19-mexico-northern-border-shelters-covid-en",
        "2020-05-19-mexico-frontera-norte-albergues-covid-es",
    )
    pair = {english, spanish}
    fields = {i: archive.snapshot().docs.topics[archive.snapshot().docs.docnum_by_id[i]] for i in pair}
    assert sorted("emergencies" in topics for topics in fields.values()) == [False, True]
    for lang in ("en", "es"):
        found = archive.search(SearchParams(topics=("emergencies",), langs=(lang,), per_page=50))
        (hit,) = [h for h in found.hits if h.id in pair]
        assert hit.lang == lang
        assert {v.value: v.count for v in found.facets["lang"]}[lang] == found.total
        assert "emergencies" in [t.value for t in hit.topics]  # the pair's, as the filter took it
    alone = archive.search(SearchParams(topics=("emergencies",), separate=True, per_page=50))
    assert [h.id for h in alone.hits if h.id in pair] == [spanish]
    shown = archive.search(SearchParams(langs=("en",), separate=True, per_page=50))
    (english_alone,) = [h for h in shown.hits if h.id == english]
    assert "emergencies" not in [t.value for t in english_alone.topics]  # its own, shown separately


@pytest.mark.parametrize("separate", [False, True], ids=["merged", "separate"])
@pytest.mark.parametrize("ui", ["en", "es"])
def test_a_typed_country_or_topic_finds_what_its_checkbox_finds(archive, ui, separate):
    """``topic:emergencies lang:en`` lists the same releases as the checkboxes: with pairs
    merged, the Mexico shelters pair (only its Spanish version tagged) is among them; the typed
    filter was met version by version and lost it."""
    docs = archive.snapshot().docs
    differing = 0
    for facet in ("country", "topic"):
        for value in {v for values in getattr(docs, FIELDS[facet]) for v in values}:
            for words in ("", "lang:en", "lang:es", "migrantes", "hurricane -Haiti", "the", "de la"):
                params = SearchParams(q=words, ui=ui, separate=separate, per_page=100)
                boxes = archive.search(params.with_(**{FIELDS[facet]: (value,)}))
                typed = archive.search(params.with_(q=f"{words} {facet}:{value}"))
                # the same releases, ranked by the value's names too when typed
                assert typed.total == boxes.total, (facet, value, words)
                assert {h.id for h in typed.hits} == {h.id for h in boxes.hits}, (facet, value, words)
                differing += len({h.id for h in boxes.hits} - _versions_tagged(archive, boxes, facet, value))
    # the check means something: with pairs merged, some are listed through an untagged version
    assert (differing > 0) is not separate


def _versions_tagged(archive, result, facet, value) -> set[str]:
    """The ids of the listed hits whose own version has the value."""
    docs = archive.snapshot().docs
    values = getattr(docs, FIELDS[facet])
    return {h.id for h in result.hits if value in values[docs.docnum_by_id[h.id]]}


def test_a_spanish_hit_is_counted_as_spanish(archive):
    result = archive.search(SearchParams(q="remesas", ui="es", langs=("es",)))
    assert result.total >= 1 and result.hits[0].lang == "es"
    spanish = next(v for v in result.facets["lang"] if v.value == "es")
    assert spanish.selected and spanish.count == result.total


# --- what a visitor sees -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(index_dir):
    from tests.web.conftest import compile_catalogs
    from web import create_app

    compile_catalogs()
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "RATE_LIMIT": "off"}).test_client()


FACET_ITEM = re.compile(
    r'<input type="checkbox" id="f-(?P<param>\w+)-(?P<value>[^"]+)" name="(?P=param)" '
    r'value="(?P=value)"[^>]*>\s*<label[^>]*>.*?<span class="facet-count">(?P<count>.*?)</span></label>',
    re.S,
)
COUNT = re.compile(r'<p id="result-count"[^>]*>(.*?)</p>', re.S)


def shown_total(page: str) -> int:
    """The number of results a results page states ("1–10 de 21 resultados", "3 results")."""
    text = re.sub(r"<[^>]+>", " ", COUNT.search(page)[1])
    text = re.sub(r"\(.*?\)", " ", html.unescape(text))  # the seconds
    numbers = [int(n.replace(",", "").replace(".", "")) for n in re.findall(r"\d[\d.,]*", text)]
    return numbers[-1] if numbers else 0


def shown_counts(page: str) -> dict[tuple[str, str], int]:
    out = {}
    for item in FACET_ITEM.finditer(page):
        count = re.sub(r"<[^>]+>|[().,\s]", "", item["count"])
        out[(item["param"], html.unescape(item["value"]))] = int(count)
    return out


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize(
    "query", [{}, {"q": "migrantes"}, {"q": "remesas", "lang": "es"}, {"q": "trata", "country": "GT"}]
)
def test_the_count_beside_a_checkbox_is_the_count_of_results_it_gives(client, lang, query):
    page = client.get(f"/{lang}/search?{urlencode(query)}").get_data(as_text=True)
    counts = shown_counts(page)
    assert any(param == "lang" for param, _ in counts)
    for (param, value), count in counts.items():
        if param in query:
            continue  # ticking another value of a facet in use adds to it (OR)
        ticked_page = client.get(f"/{lang}/search?{urlencode({**query, param: value})}").get_data(as_text=True)
        assert shown_total(ticked_page) == count, (param, value)


@pytest.mark.parametrize("lang, words", [("en", "counting translations"), ("es", "contando las traducciones")])
def test_home_page_counts_releases_as_the_results_do(client, lang, words):
    home = client.get(f"/{lang}/").get_data(as_text=True)
    lead = re.sub(r"\s+", " ", re.search(r'<p class="hero-lead">(.*?)</p>', home, re.S)[1]).strip()
    everything = client.get(f"/{lang}/search").get_data(as_text=True)
    total = shown_total(everything)
    separate = shown_total(client.get(f"/{lang}/search?translations=separate").get_data(as_text=True))
    assert total < separate
    numbers = [int(n) for n in re.findall(r"\d+", lead) if len(n) < 4]
    assert numbers[:2] == [total, separate], lead
    assert words in lead
