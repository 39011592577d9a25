"""Automatic translation pairs measured on releases labelled by hand (tests/fixtures/pairing),
and on real bilingual news (NTREX-128, from ../shared): the pairs found, and what a visitor
sees of them, one hit per release in two languages."""

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from index.build import prepare, reindex
from search.engine import Archive
from search.params import parse_params

from .helpers import FIXTURES, shared_path, write_jsonl

RELEASES = FIXTURES / "pairing" / "releases.txt"


def labelled() -> tuple[list[dict], set[frozenset]]:
    """The fixture's releases (JSON Lines records) and its true pairs, as pairs of ids."""
    records, groups = [], {}
    for block in RELEASES.read_text(encoding="utf-8").split("\n=== ")[1:]:
        header, text = block.split("\n", 1)
        release_id, lang, date, pair = (part.strip() for part in header.split("|"))
        title, body = text.strip().split("\n\n", 1)
        records.append({"id": release_id, "lang": lang, "date": date, "title": title, "body": body})
        if pair != "-":
            groups.setdefault(pair, set()).add(release_id)
    assert all(len(ids) == 2 for ids in groups.values())
    return records, {frozenset(ids) for ids in groups.values()}


def found_pairs(records: list[dict], tmp_path: Path) -> set[frozenset]:
    """The pairs the reindex's preparation (readers, enrichment, pairing) finds in ``records``."""
    releases, summary = prepare([write_jsonl(tmp_path / "releases.jsonl", records)])
    assert not summary.rejected
    pairs = {frozenset((r.id, r.pair)) for r in releases if r.pair}
    assert summary.pairs.automatic == len(pairs)
    return pairs


def assert_pairs(found: set, true: set, recall: float = 0.9) -> None:
    assert not found - true, f"false pairs: {sorted(map(sorted, found - true))}"
    assert len(found & true) >= recall * len(true), f"missed: {sorted(map(sorted, true - found))}"


def test_the_labelled_set_is_as_described():
    records, pairs = labelled()
    languages = [r["lang"] for r in records]
    assert languages.count("en") >= 30 and languages.count("es") >= 30
    dates = {r["id"]: dt.date.fromisoformat(r["date"]) for r in records}
    gaps = {abs((dates[a] - dates[b]).days) for a, b in pairs}
    assert gaps == {0, 1, 2, 3}
    assert len(pairs) >= 20


def test_true_pairs_found_and_no_false_pair(tmp_path):
    records, pairs = labelled()
    assert_pairs(found_pairs(records, tmp_path), pairs)


def test_english_versions_cut_to_their_lead_as_a_listing_gives_them(tmp_path):
    records, pairs = labelled()
    for record in records:
        if record["lang"] == "en":
            record["body"] = record["body"].split("\n\n")[0]
    assert_pairs(found_pairs(records, tmp_path), pairs)


@pytest.mark.parametrize("seed", range(3))
def test_a_release_whose_translation_is_missing_pairs_with_nothing(tmp_path, seed):
    """One version of about half the pairs taken away: the versions left alone stay alone,
    though releases of the same country and subject are dated around them."""
    records, pairs = labelled()
    rng = random.Random(seed)
    dropped = {rng.choice(sorted(pair)) for pair in sorted(pairs, key=sorted) if rng.random() < 0.5}
    kept = {pair for pair in pairs if not pair & dropped}
    assert_pairs(found_pairs([r for r in records if r["id"] not in dropped], tmp_path), kept)


def test_next_weeks_report_is_not_taken_for_a_translation(tmp_path):
    """A weekly report's English version of one week and Spanish version of the week before,
    five days apart, share their place names and subject: they are not one release."""
    records, pairs = labelled()
    records = [r for r in records if r["id"] not in ("pa-darien-week23-en", "pa-darien-week24-es")]
    found = found_pairs(records, tmp_path)
    assert not {pair for pair in found if pair & {"pa-darien-week24-en", "pa-darien-week23-es"}}


def test_a_pair_found_by_a_reindex_is_one_hit_with_its_translation(tmp_path):
    records, pairs = labelled()
    reindex([write_jsonl(tmp_path / "releases.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    # Versions dated two and three days apart, with a sentence, a country or a topic more on one side.
    for query, pair in (
        ("Ouanaminthe 3,100", {"ht-ouanaminthe-returns-en", "ht-ouanaminthe-returns-es"}),
        ("Tecún Umán primeros auxilios psicológicos", {"gt-first-aid-en", "gt-first-aid-es"}),
        ("Peñas Blancas binational health fair", {"cr-ni-health-fair-en", "cr-ni-health-fair-es"}),
    ):
        assert frozenset(pair) in pairs
        result = archive.search(parse_params({"q": query}))
        hits = [hit for hit in result.hits if hit.id in pair]
        assert len(hits) == 1, [hit.id for hit in result.hits]
        assert hits[0].translation is not None and {hits[0].id, hits[0].translation.id} == pair


def ntrex(seed: int = 0) -> tuple[list[dict], set[frozenset]]:
    """NTREX-128's articles in English and in Spain's Spanish, three a day, each Spanish version
    dated the same day or one or two days before or after its English original."""
    path = shared_path("datasets", "ntrex-128-en-es", "articles.jsonl")
    articles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    docs = sorted({a["doc"] for a in articles})
    day = {doc: dt.date(2019, 3, 1) + dt.timedelta(days=n // 3) for n, doc in enumerate(docs)}
    rng = random.Random(seed)
    records = []
    for article in articles:
        if article["lang"] not in ("en", "es"):
            continue
        date = day[article["doc"]]
        if article["lang"] == "es":
            date += dt.timedelta(days=rng.choice((-2, -1, 0, 0, 1, 2)))
        records.append(
            {
                "id": f"{article['doc']}-{article['lang']}".replace("/", "_"),
                "lang": article["lang"],
                "date": date.isoformat(),
                "title": article["title"],
                "body": article["body"].replace("\n", "\n\n"),
            }
        )
    ids = {r["id"] for r in records}
    pairs = {frozenset((f"{doc}-en", f"{doc}-es")) for doc in docs}
    assert all(pair <= ids for pair in pairs)
    return records, pairs


@pytest.mark.parametrize("seed", range(2))
def test_ntrex_articles_days_apart_pair_with_their_translation(tmp_path, seed):
    records, pairs = ntrex(seed)
    assert len(pairs) == 123
    assert_pairs(found_pairs(records, tmp_path), pairs)
