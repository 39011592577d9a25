"""Real bilingual news (NTREX-128, read from ../shared) indexed and found in both languages."""

import json

import pytest

from index.build import reindex
from search.engine import Archive
from search.params import SearchParams

from .helpers import shared_path, write_jsonl


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    articles = shared_path("datasets", "ntrex-128-en-es", "articles.jsonl")
    records = []
    for line in articles.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        records.append(
            {
                "id": f"{article['doc']}-{article['lang']}".replace("/", "_"),
                "lang": article["lang"],
                "date": "2019-01-01",
                "title": article["title"],
                "body": article["body"].replace("\n", "\n\n"),
                # Spain's Spanish pairs with the English original; the Mexican version stands alone.
                "translation_key": article["doc"] if article["lang"] in ("en", "es") else "",
            }
        )
    tmp = tmp_path_factory.mktemp("ntrex")
    summary = reindex([write_jsonl(tmp / "ntrex.jsonl", records)], tmp / "ix", progress=False)
    assert not summary.rejected and summary.releases == 369
    assert summary.pairs.explicit == 123
    return Archive(tmp / "ix")


def top_ids(archive, text, **params):
    result = archive.search(SearchParams(q=text, per_page=5, separate=True, **params))
    return [hit.id for hit in result.hits]


@pytest.mark.parametrize(
    "query, lang, expected",
    [
        ("shark lobster", "en", "upi.176266"),
        ("tiburón langostas", "es", "upi.176266"),
        ("tiburon langosta", "es", "upi.176266"),  # no accent, singular
        ("TIBURÓN", "es", "upi.176266"),
        ("Cromwell statue parliament", "en", "telegraph.405401"),
        ("estatua de Cromwell", "es", "telegraph.405401"),
        ("campanas San Martín Harlem", "es", "nytimes.184853"),
        ("campanas san martin harlem", "es", "nytimes.184853"),
    ],
)
def test_found_in_each_language_with_and_without_accents(archive, query, lang, expected):
    # Both Spanish versions (Spain and Mexico) are Spanish releases; either may come first.
    ids = top_ids(archive, query, langs=(lang,))
    assert ids and ids[0].startswith(f"{expected}-{lang}")


def test_spanish_query_finds_both_spanish_versions(archive):
    ids = top_ids(archive, "tiburon langostas")
    assert {"upi.176266-es", "upi.176266-es-MX"} <= set(ids)


def test_a_pair_is_one_hit_shown_in_the_interface_language(archive):
    pair = {"euronews-en.153835-en", "euronews-en.153835-es"}
    for ui, shown, other in (
        ("en", "euronews-en.153835-en", "euronews-en.153835-es"),
        ("es", "euronews-en.153835-es", "euronews-en.153835-en"),
    ):
        result = archive.search(SearchParams(q="tsunami indonesia 832", ui=ui, per_page=50))
        hits = [h for h in result.hits if h.id in pair]
        assert [h.id for h in hits] == [shown]
        assert hits[0].translation.id == other and hits[0].translation.matched
    both = archive.search(SearchParams(q="tsunami indonesia 832", separate=True, per_page=50))
    assert pair <= {h.id for h in both.hits}
    # Shown separately, every version that matched is a hit of its own: a merged hit whose
    # translation matched too counts twice.
    assert result.total == len(result.hits)
    assert both.total == sum(2 if h.translation and h.translation.matched else 1 for h in result.hits)
