"""The bundled sample archive, read through the real readers and enrichment."""

import pytest

from index.build import prepare
from index.readers import source_files
from index.topics import Taxonomy


@pytest.fixture(scope="module")
def prepared(request):
    from index.config import SAMPLES_DIR

    return prepare([SAMPLES_DIR])


def test_every_reader_is_exercised_and_nothing_is_rejected(prepared, samples_dir):
    releases, summary = prepared
    assert not summary.rejected and not summary.warnings
    formats = {kind for _, kind in source_files([samples_dir])[0]}
    assert formats == {"listing", "jsonl", "html"}
    sources = {r.source.rsplit(".", 1)[-1] for r in releases}
    assert sources == {"txt", "jsonl", "html"}


def test_size_languages_years_and_pairs(prepared):
    releases, summary = prepared
    assert len(releases) >= 30
    assert {r.lang for r in releases} == {"en", "es"}
    assert {r.year for r in releases} == set(range(2017, 2025))
    assert summary.pairs.total >= 12
    assert summary.pairs.automatic >= 3
    unpaired = {r.lang for r in releases if not r.pair}
    assert unpaired == {"en", "es"}  # some releases exist in one language only
    by_id = {r.id: r for r in releases}
    for release in releases:
        if release.pair:
            partner = by_id[release.pair]
            assert partner.pair == release.id and partner.lang != release.lang and partner.date == release.date


def test_countries_and_topics_covered(prepared):
    releases, _ = prepared
    assert len({c for r in releases for c in r.countries}) >= 10
    assert {t for r in releases for t in r.topics} == set(Taxonomy.load().topics)
