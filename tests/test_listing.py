import datetime as dt

from index.dates import parse_date_line
from index.readers import listing, read_sources
from index.records import derived_id

from .helpers import shared_path

SEED = ("seeds", "000_cf1ddc2b1b257911.txt")


def test_seed_listing_parses_into_its_ten_releases():
    result = read_sources([shared_path(*SEED)])
    assert not result.rejected
    assert len(result.releases) == 10
    first, last = result.releases[0], result.releases[-1]
    assert first.date == dt.date(2019, 8, 7)
    assert first.title == "IOM publishes the first data from 2019 on the profile of extra-regional migrants in Panama"
    assert first.body.startswith("Los Planes, Panama.")
    assert last.date == dt.date(2019, 6, 11)
    assert last.title == "Caribbean countries and IOM address climate change and human mobility challenges"
    assert [r.date.isoformat() for r in result.releases] == [
        "2019-08-07",
        "2019-08-07",
        "2019-07-19",
        "2019-06-28",
        "2019-06-27",
        "2019-06-27",
        "2019-06-27",
        "2019-06-21",
        "2019-06-13",
        "2019-06-11",
    ]
    assert all(r.lang == "en" for r in result.releases)
    assert len({r.id for r in result.releases}) == 10
    # The summary of the FOPREL release spans several blank lines; the next release starts cleanly.
    assert result.releases[8].title.startswith("IOM and FOPREL lay the foundation")
    assert result.releases[8].line > result.releases[7].line


def test_date_lines_in_both_languages():
    assert parse_date_line("7 August, 2019") == (dt.date(2019, 8, 7), "en")
    assert parse_date_line("7 de agosto de 2019") == (dt.date(2019, 8, 7), "es")
    assert parse_date_line("7 Agosto, 2019") == (dt.date(2019, 8, 7), "es")
    assert parse_date_line("18 de septiembre de 2023")[0] == dt.date(2023, 9, 18)
    assert parse_date_line("Aug. 7, 2019")[0] == dt.date(2019, 8, 7)
    assert parse_date_line("Los Planes, Panama.") is None


SPANISH = """
7 de agosto de 2019


La OIM publica datos sobre la migración extrarregional en Panamá

En los primeros seis meses de 2019, Panamá recibió 34% más personas migrantes de América del Sur
que en todo 2018.



16 Marzo, 2020
La OIM entrega kits de higiene a personas retornadas en Honduras
San Pedro Sula. Unas 500 personas retornadas recibieron kits de higiene y orientación.

Un segundo párrafo del resumen.
"""


def test_spanish_listing_with_varying_blank_lines():
    result = listing.parse(SPANISH, "es.txt")
    assert not result.rejected
    first, second = result.releases
    assert (first.lang, first.date) == ("es", dt.date(2019, 8, 7))
    assert first.title == "La OIM publica datos sobre la migración extrarregional en Panamá"
    assert "34% más personas migrantes" in first.body
    assert (second.date, second.line) == (dt.date(2020, 3, 16), 12)
    assert second.body.count("\n\n") == 1


def test_ids_are_stable_and_ignore_punctuation_and_case():
    a = derived_id("en", dt.date(2019, 6, 11), "IOM´s E-Campus offers free course")
    b = derived_id("en", dt.date(2019, 6, 11), "IOM's E-campus offers free course ")
    c = derived_id("es", dt.date(2019, 6, 11), "IOM's E-campus offers free course")
    assert a == b != c
    assert a.startswith("en-2019-06-11-iom-s-e-campus")


def test_reexport_updates_not_duplicates():
    once = listing.parse(SPANISH, "a.txt").releases
    again = listing.parse(SPANISH.replace("Un segundo párrafo", "Otro párrafo"), "a.txt").releases
    assert [r.id for r in once] == [r.id for r in again]
    assert once[1].content_hash() != again[1].content_hash()


def test_bad_records_are_rejected_with_line_and_the_rest_kept():
    text = (
        "Stray text before any date\n\n31 June, 2019\nImpossible date title\nBody.\n\n"
        "2 July, 2019\nGood title about migrants\nGood body about migrants in Mexico.\n\n3 July, 2019\n"
    )
    result = listing.parse(text, "bad.txt")
    reasons = {(r.line, r.reason.split(" ")[0]) for r in result.rejected}
    assert (1, "text") in reasons
    assert any(r.line == 3 and "not a real date" in r.reason for r in result.rejected)
    assert any(r.line == 11 and "no title" in r.reason for r in result.rejected)
    assert [r.title for r in result.releases] == ["Good title about migrants"]
