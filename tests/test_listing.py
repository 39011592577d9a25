import datetime as dt

import pytest

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


def test_date_lines_as_newsrooms_also_write_them():
    assert parse_date_line("12 setiembre, 2019") == (dt.date(2019, 9, 12), "es")  # Costa Rica's September
    assert parse_date_line("August 13th, 2019") == (dt.date(2019, 8, 13), "en")
    assert parse_date_line("1º de agosto de 2019")[0] == dt.date(2019, 8, 1)
    assert parse_date_line("1ro de agosto de 2019")[0] == dt.date(2019, 8, 1)
    assert parse_date_line("Monday, August 12, 2019") == (dt.date(2019, 8, 12), "en")
    assert parse_date_line("lunes, 12 de agosto de 2019") == (dt.date(2019, 8, 12), "es")
    assert parse_date_line("Marcha de migrantes en 2019") is None
    # "mar." is Tuesday's short name in Spanish and March's in both languages
    assert parse_date_line("Mar 12, 2019") == (dt.date(2019, 3, 12), None)
    assert parse_date_line("mar. 12 2019")[0] == dt.date(2019, 3, 12)
    assert parse_date_line("martes 12 de marzo de 2019") == (dt.date(2019, 3, 12), "es")
    assert parse_date_line("7 de agosto del 2019") == (dt.date(2019, 8, 7), "es")
    # "Sept." is English's as well as Spanish's: the text alone tells the language
    assert parse_date_line("Sept. 3, 2019") == (dt.date(2019, 9, 3), None)
    assert parse_date_line("3 de sept. de 2019") == (dt.date(2019, 9, 3), "es")
    # the year first, with one-digit parts or slashes: a date line too (it was read as text of
    # the release above, whose body took the next release's title and text)
    assert parse_date_line("2021-8-14") == (dt.date(2021, 8, 14), None)
    assert parse_date_line("2021/08/14") == (dt.date(2021, 8, 14), None)


ODD_DATES = """Sept. 12, 2019

Officials trained in Belize

Belmopan, Belize. IOM trained officials in Belize on the protection of migrants.

12 setiembre, 2019

Funcionarios capacitados en Costa Rica

San José, Costa Rica. La OIM capacitó a funcionarios de migración en la protección de personas migrantes.

Agust 14, 2019

Diaspora partners meet in Jamaica

Kingston, Jamaica. IOM met the Jamaican diaspora on migration and development.
"""


def test_each_date_line_starts_its_release_and_one_not_read_rejects_the_release_under_it():
    """A mistyped date line ("Agust 14, 2019") is a rejected record, named by its line: its
    release is not read silently as text of the one above, which keeps only its own."""
    result = listing.parse(ODD_DATES, "odd.txt")
    assert [(r.date, r.title) for r in result.releases] == [
        (dt.date(2019, 9, 12), "Officials trained in Belize"),
        (dt.date(2019, 9, 12), "Funcionarios capacitados en Costa Rica"),
    ]
    assert all("Jamaica" not in r.body for r in result.releases)
    (rejected,) = result.rejected
    assert rejected.line == 13 and "Agust 14, 2019" in rejected.reason
    assert not result.warnings


def test_a_title_that_mentions_a_month_and_year_is_not_warned_of():
    text = (
        "7 August, 2019\nMayo 2019\nIOM in Panama reports on migrants in May.\n\n"
        "8 August, 2019\n5 things about 2019\nText.\n"
    )
    result = listing.parse(text, "titles.txt")
    assert [r.title for r in result.releases] == ["Mayo 2019", "5 things about 2019"]
    assert not result.warnings and not result.rejected


@pytest.mark.parametrize("line", ["12 migrants rescued in 2019", "August 2019", "Marzo de 2020", "12 of Agust 2019"])
def test_a_short_body_line_with_a_year_is_kept_as_text_and_warned_of(line):
    """Only a date line's whole shape with a mistyped month rejects the release under it; a
    body's short line that merely starts with a number or a month and holds a year stays the
    release's text (a warning says it might have been a date)."""
    text = f"7 August, 2019\nIOM helps returnees\nFirst paragraph.\n\n{line}\n\nLast paragraph.\n"
    result = listing.parse(text, "body.txt")
    (release,) = result.releases
    assert line in release.body and "Last paragraph." in release.body
    assert not result.rejected
    (warning,) = result.warnings
    assert warning.line == 5 and "line 1" in warning.message


def test_date_lines_with_a_label_or_a_time_start_their_release():
    """ "Published on August 8, 2019", "Publicado el 9 de agosto de 2019" and "8 de agosto de 2019
    10:00" were read as text of the release above, which took the next releases' titles and text
    as its own, without a warning."""
    text = (
        "August 7, 2019\n\nHonduras opens a centre for returned children\n\nSan Pedro Sula. First text.\n\n"
        "Published on August 8, 2019\n\nGuatemala trains border officials\n\nTecún Umán. Second text.\n\n"
        "Publicado el 9 de agosto de 2019\n\nEl Salvador abre un centro\n\nSan Salvador. Tercer texto.\n\n"
        "10 de agosto de 2019 10:00\n\nPanamá recibe a personas migrantes\n\nCiudad de Panamá. Cuarto texto.\n\n"
        "Aug. 11, 2019, 3:15 p.m. EST\n\nBelize hosts a forum\n\nBelmopan. Fifth text.\n"
    )
    result = listing.parse(text, "labelled.txt")
    assert [(r.date.day, r.title.split()[0]) for r in result.releases] == [
        (7, "Honduras"),
        (8, "Guatemala"),
        (9, "El"),
        (10, "Panamá"),
        (11, "Belize"),
    ]
    assert result.releases[0].body == "San Pedro Sula. First text."
    assert not result.rejected and not result.warnings


@pytest.mark.parametrize(
    "line, reason",
    [
        ("16/03/2018", "numbers alone"),
        ("03.16.18", "numbers alone"),
        ("9 August, 2019 – San José", "more than a date"),
        ("9 de agosto de 2019 - Tegucigalpa", "more than a date"),
        ("Fecha: 16/03/2018", "numbers alone"),  # a label before it changes nothing
    ],
)
def test_a_date_line_no_listing_reads_rejects_the_release_under_it(line, reason):
    """A numeric date or a date with a place after it was read, with a warning at most, as text
    of the release above: the release under it was lost into another."""
    text = (
        "15 March, 2018\n\nBarbados trains immigration officers\n\nBridgetown. Officers completed a course.\n\n"
        f"{line}\n\nJamaica opens a resource centre\n\nKingston. Another release.\n"
    )
    result = listing.parse(text, "dates.txt")
    (release,) = result.releases
    assert "Jamaica" not in release.body
    (rejected,) = result.rejected
    assert rejected.line == 7 and reason in rejected.reason and line in rejected.reason


def test_markup_pasted_into_a_listing_is_read_as_text():
    text = (
        "March 5, 2020\n\n<b>Honduras</b> opens a centre for children &amp; families\n\n"
        'San Pedro Sula.&nbsp;The centre <a href="http://x">opened</a> today.<br>It serves children.\n'
    )
    (release,) = listing.parse(text, "markup.txt").releases
    assert release.title == "Honduras opens a centre for children & families"
    assert "<" not in release.body and "href" not in release.body and "nbsp" not in release.body
    assert "amp" not in release.id and "-b-" not in release.id


def test_a_byline_under_a_title_is_not_a_release_of_its_own():
    """ "Published on August 8, 2019" under a title of that day, as a site prints it, started a
    release of its own, titled with the first paragraph of the text."""
    text = (
        "August 8, 2019\n\nGuatemala trains border officials\n\nPublished on August 8, 2019\n\n"
        "Tecún Umán. The training covered 40 officials.\n\nIt lasted a week.\n"
    )
    result = listing.parse(text, "byline.txt")
    (release,) = result.releases
    assert release.title == "Guatemala trains border officials"
    assert release.body == "Tecún Umán. The training covered 40 officials.\n\nIt lasted a week."
    assert not result.warnings and not result.rejected
