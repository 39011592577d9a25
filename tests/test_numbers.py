"""Numbers as a visitor types them: however a release groups its digits or marks its decimals."""

import pytest

from index.alignment import learn
from index.build import reindex
from search.engine import Archive
from search.params import parse_params

from .helpers import release, write_jsonl


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("numbers")
    records = [
        release(
            id="darien-es",
            lang="es",
            title="La OIM y el ACNUR atienden a 1.250 migrantes en Darién",
            body="Los equipos atendieron a 1.250 migrantes. El sismo fue de magnitud 7,2 y dejó 302.203 personas "
            "afectadas.",
        ),
        release(
            id="darien-en",
            date="2021-03-02",
            title="IOM and UNHCR Assist 1,250 Migrants in Darién",
            body="Teams assisted 1,250 migrants after the 7.2 magnitude earthquake; 302,203 people were affected.",
        ),
        release(
            id="other-en",
            date="2021-03-03",
            title="UNHCR opens a new office",
            body="The office will serve 40 families.",
        ),
    ]
    reindex([write_jsonl(tmp / "r.jsonl", records)], tmp / "ix", progress=False)
    return Archive(tmp / "ix")


def ids(archive, q, **more):
    return {h.id for h in archive.search(parse_params({"q": q, "translations": "separate", **more})).hits}


@pytest.mark.parametrize("typed", ["302203", "302.203", "302,203", "1.250", "1,250"])
def test_a_number_finds_it_however_the_release_groups_its_digits(archive, typed):
    assert ids(archive, typed) == {"darien-es", "darien-en"}


def test_four_digits_grouped_are_a_quantity_not_a_year(archive):
    assert ids(archive, "1250") == set()  # the year 1250


def test_decimals_with_a_comma_or_a_point_meet(archive):
    assert ids(archive, "7,2") == ids(archive, "7.2") == {"darien-es", "darien-en"}


def test_the_number_is_marked_as_the_release_writes_it(archive):
    result = archive.search(parse_params({"q": "1,250", "translations": "separate"}))
    marked = {h.id: " ".join(h.snippets) for h in result.hits}
    assert "<mark>1.250</mark>" in marked["darien-es"]
    assert "<mark>1,250</mark>" in marked["darien-en"]
    assert "<mark>20</mark>" not in marked["darien-es"]


def test_a_number_is_never_learnt_as_a_word_s_translation(archive):
    """The pair's titles both hold "1,250" and an agency's acronym: the acronym is not the number."""
    assert ids(archive, "1.250", lang="en") == {"darien-en"}  # not "other-en", through "UNHCR"
    en = ["iom", "unhcr", "assist", "1250", "migrant"]
    es = ["oim", "acnur", "atiend", "1250", "migrant"]
    learnt = learn([(en, es), (en[1:], es[1:]), (["unhcr", "1250"], ["acnur", "1250"])])
    assert "1250" not in learnt.en_es.get("unhcr", {}) and "unhcr" not in learnt.es_en.get("1250", {})
