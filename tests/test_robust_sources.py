"""Bad source files, format by format: each bad record is rejected with file, line and reason, or
read correctly; every good record beside it is indexed; ``scripts/reindex`` exits 1 when some were
rejected.

What ``test_listing.py``, ``test_jsonl.py``, ``test_html.py`` and ``test_reindex_cli.py`` already
prove is not repeated: here are the files staff really get -- Latin-1 exports with Spanish month
names and Windows line ends, files with a byte-order mark, files cut short (also in the middle of a
character), duplicates across files, dates that do not exist, pages with no body, no title or a
wrong charset -- run through the script, and the index checked afterwards.
"""

import codecs
import datetime as dt
import json
import re

from index.build import reindex
from index.readers import read_sources
from index.schema import stored_day

from .helpers import rejections, release, run_reindex, stored, write_jsonl

BOM = codecs.BOM_UTF8
MOJIBAKE = ("Ã", "Â", "\ufffd")


def no_mojibake(releases: dict) -> None:
    for fields in releases.values():
        for name in ("title", "body"):
            assert not any(bad in fields[name] for bad in MOJIBAKE), (fields["id"], fields[name][:120])


def by_title(releases: dict) -> dict[str, dict]:
    return {fields["title"]: fields for fields in releases.values()}


def cut_inside_last(data: bytes, char: str) -> bytes:
    """``data`` cut in the middle of the last ``char`` (a multi-byte UTF-8 character)."""
    encoded = char.encode("utf-8")
    assert len(encoded) > 1
    return data[: data.rindex(encoded) + 1]


# --- listing text --------------------------------------------------------------------------------

SPANISH_LISTING = """7 de agosto de 2019

La OIM publica datos sobre la migración extrarregional en Panamá

En los primeros seis meses de 2019, Panamá recibió más personas migrantes de América del Sur que en
todo 2018, según los datos que la OIM recoge en las estaciones de recepción migratoria de Darién.

30 de febrero de 2019
Un comunicado con una fecha que no existe
Cuerpo del comunicado sobre la niñez migrante.

16 Marzo, 2020
La OIM entrega kits de higiene a personas retornadas en Honduras
San Pedro Sula. Unas 500 personas retornadas recibieron kits de higiene y orientación sobre salud.

3 de septiembre de 2021

Niñez migrante: más de 500 niñas y niños cruzaron la selva de Darién en agosto

La OIM y UNICEF atienden a las familias en las estaciones de recepción con agua, alimentos y atención
psicosocial, y piden vías regulares para la migración de las familias con niñas y niños pequeños.
"""
SPANISH_GOOD = {
    "La OIM publica datos sobre la migración extrarregional en Panamá": dt.date(2019, 8, 7),
    "La OIM entrega kits de higiene a personas retornadas en Honduras": dt.date(2020, 3, 16),
    "Niñez migrante: más de 500 niñas y niños cruzaron la selva de Darién en agosto": dt.date(2021, 9, 3),
}

ENGLISH_LISTING = """7 August, 2019

IOM publishes the first data of 2019 on extra-regional migrants in Panama

Los Planes, Panama. In the first six months of 2019 Panama received more migrants from South America
than in the whole of 2018.

31 June, 2019
A release dated a day that does not exist
Its body about migrant workers.

Aug. 21, 2019
Caribbean countries and IOM address climate change and human mobility
Port of Spain. Officials from twelve Caribbean countries met to plan for people displaced by storms.
"""
ENGLISH_GOOD = {
    "IOM publishes the first data of 2019 on extra-regional migrants in Panama": dt.date(2019, 8, 7),
    "Caribbean countries and IOM address climate change and human mobility": dt.date(2019, 8, 21),
}

CUT_LISTING = """2 July, 2019
IOM trains border officials in Guatemala and Honduras
Border officials from Guatemala and Honduras completed a course on integrated border management.

3 July, 2019
IOM and Mexico open a migrant information centre in Tapachula
Tapachula, Mexico. The centre offers information on regular migration pathways, asylum and health services.

10 July, 2019
"""


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def shifted(text: str) -> str:
    """The same releases dated other years, so their ids differ."""
    return text.replace("2019", "2017").replace("2020", "2016").replace("2021", "2015")


def test_listings_latin1_bom_and_cut_short_through_the_script(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    # A Latin-1 export from a Windows tool: Spanish month names, CRLF line ends, one impossible date.
    (src / "latin1.txt").write_bytes(SPANISH_LISTING.replace("\n", "\r\n").encode("latin-1"))
    # UTF-8 with a byte-order mark in front of the first date line.
    (src / "bom.txt").write_bytes(BOM + ENGLISH_LISTING.encode("utf-8"))
    # Cut short: after a date line; and in the middle of a character of the last summary.
    (src / "cut-after-date.txt").write_text(CUT_LISTING, encoding="utf-8")
    (src / "cut-in-char.txt").write_bytes(cut_inside_last(shifted(SPANISH_LISTING).encode("utf-8"), "ñ"))

    done = run_reindex(src, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 1, done.stderr
    assert rejections(done.stderr) == {
        ("latin1.txt", line_of(SPANISH_LISTING, "30 de febrero de 2019")): "'30 de febrero de 2019' is not a real date",
        ("bom.txt", line_of(ENGLISH_LISTING, "31 June, 2019")): "'31 June, 2019' is not a real date",
        ("cut-after-date.txt", line_of(CUT_LISTING, "10 July, 2019")): "date line with no title after it",
        (
            "cut-in-char.txt",
            line_of(SPANISH_LISTING, "30 de febrero de 2019"),
        ): "'30 de febrero de 2017' is not a real date",
    }
    assert re.search(r"^warning: .*/latin1\.txt:\d+: not valid UTF-8; read as Windows-1252", done.stderr, re.M)
    assert "cut-in-char.txt:" in done.stderr and "ends in the middle of a UTF-8 character" in done.stderr

    releases = stored(tmp_path / "ix")
    no_mojibake(releases)
    expected = {
        **SPANISH_GOOD,
        **ENGLISH_GOOD,
        "IOM trains border officials in Guatemala and Honduras": dt.date(2019, 7, 2),
        "IOM and Mexico open a migrant information centre in Tapachula": dt.date(2019, 7, 3),
    }
    expected = set(expected.items()) | {
        (title, date.replace(year={2019: 2017, 2020: 2016, 2021: 2015}[date.year]))
        for title, date in SPANISH_GOOD.items()
    }
    assert {(f["title"], stored_day(f["date"])) for f in releases.values()} == expected
    assert {f["lang"] for f in releases.values() if f["title"] in SPANISH_GOOD} == {"es"}
    assert {f["lang"] for f in releases.values() if f["title"] in ENGLISH_GOOD} == {"en"}
    for fields in releases.values():
        assert "\r" not in fields["body"]
    # The release the cut went through keeps the text before the cut.
    (cut,) = [f for f in releases.values() if stored_day(f["date"]) == dt.date(2015, 9, 3)]
    assert "atención psicosocial" in cut["body"] and "pequeños" not in cut["body"]


def test_listing_exported_twice_rejects_the_copies_and_keeps_one(tmp_path):
    twice = ENGLISH_LISTING + "\n" + ENGLISH_LISTING.split("31 June")[0]
    (tmp_path / "a.txt").write_text(ENGLISH_LISTING, encoding="utf-8")
    (tmp_path / "b.txt").write_text(twice, encoding="utf-8")
    summary = reindex([tmp_path / "a.txt", tmp_path / "b.txt"], tmp_path / "ix", progress=False)
    duplicates = [r for r in summary.rejected if r.reason.startswith("duplicate id")]
    date_lines = [n for n, line in enumerate(twice.splitlines(), 1) if line in ("7 August, 2019", "Aug. 21, 2019")]
    assert [(r.source.rsplit("/", 1)[-1], r.line) for r in duplicates] == [("b.txt", n) for n in date_lines]
    assert len(date_lines) == 3
    assert all("(first at " in r.reason and "a.txt:" in r.reason for r in duplicates)
    assert {f["title"] for f in stored(tmp_path / "ix").values()} == set(ENGLISH_GOOD)


# --- JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_cut_short_duplicates_and_bad_dates_through_the_script(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    first = [
        release(
            id="ninez-darien", lang="es", title="Niñez migrante en Darién", body="Más de 500 niñas y niños cruzaron."
        ),
        release(
            id="retornados",
            lang="es",
            title="Atención a personas retornadas en Honduras",
            body="San Pedro Sula. Orientación y kits de higiene para 500 personas retornadas.",
        ),
        release(
            id="cut-here", lang="es", title="Migración y clima en Centroamérica", body="Las sequías del Corredor Seco."
        ),
    ]
    data = write_jsonl(tmp_path / "first.jsonl", first).read_bytes()
    (src / "a-cut.jsonl").write_bytes(cut_inside_last(data, "í"))  # cut inside the last "í", on line 3
    lines = [
        json.dumps(release(id="ninez-darien", title="A duplicate of the first file's first line")),
        json.dumps(release(id="leap", date="2019-02-29", title="Not a leap year")),
        json.dumps(release(id="april", date="2021-04-31", title="April has thirty days")),
        json.dumps(release(id="good-en", title="IOM helps migrant workers in Belize", body="Belmopan. Training.")),
        json.dumps(release(id="no-title", title=None)),
        json.dumps(
            release(id="good-es", lang="es-MX", title="Trabajadoras migrantes en México", body="Ciudad de México.")
        ),
    ]
    # Windows line ends, and a BOM: both fine.
    (src / "b-more.jsonl").write_bytes(BOM + "\r\n".join(lines).encode("utf-8") + b"\r\n")

    done = run_reindex(src, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 1, done.stderr
    found = rejections(done.stderr)
    assert set(found) == {
        ("a-cut.jsonl", 3),
        ("b-more.jsonl", 1),
        ("b-more.jsonl", 2),
        ("b-more.jsonl", 3),
        ("b-more.jsonl", 5),
    }
    assert found[("a-cut.jsonl", 3)].startswith("invalid JSON")
    assert found[("b-more.jsonl", 1)].startswith("duplicate id 'ninez-darien' (first at ")
    assert found[("b-more.jsonl", 1)].endswith("a-cut.jsonl:1)")
    assert "not a real date" in found[("b-more.jsonl", 2)] and "not a real date" in found[("b-more.jsonl", 3)]
    assert found[("b-more.jsonl", 5)] == "required field empty: title"  # ("title": null)
    releases = stored(tmp_path / "ix")
    assert sorted(releases) == ["good-en", "good-es", "ninez-darien", "retornados"]
    no_mojibake(releases)
    assert releases["ninez-darien"]["title"] == "Niñez migrante en Darién"  # not read as Latin-1
    assert releases["good-es"]["lang"] == "es"


def test_jsonl_dates_written_as_people_write_them_are_read_and_numbers_alone_refused(tmp_path):
    """A CMS or a spreadsheet exports dates its own way: each written form of 7 August 2019 is
    that day; "07/08/2019" is 7 August in Spanish and 8 July in US English, so it is refused
    with its line, and the other records are indexed."""
    forms = [
        "2019-08-07",
        "2019-08-07T23:30:00-05:00",
        "2019-8-7",
        "2019/08/07",
        "7 August 2019",
        "August 7th, 2019",
        "7 de agosto de 2019",
        "miércoles, 7 de agosto de 2019",
        "Wed, 07 Aug 2019 10:00:00 +0000",
        "Wed, 07 Aug 19 10:00:00 GMT",
        "2019-08-07 10:00:00+00",
        "2019-08-07 10:00 UTC",
        "2019/08/07 10:00",
        "Wed Aug  7 10:00:00 2019",  # C's ctime()
    ]
    records = [release(id=f"d{i}", date=form, title=f"Release {i}") for i, form in enumerate(forms)]
    refused = {
        "07/08/2019": "month/day",
        "07/08/2019 10:00": "month/day",
        "last Wednesday": "YYYY-MM-DD",
        # typos in the year: a digit lost or a paste of many; neither is read as some other year
        "Wed, 07 Aug 219 10:00:00 +0000": "YYYY-MM-DD",
        "0219-08-07": "from 1900 to 2100",
        "7 August 2219": "from 1900 to 2100",
        "Wed, 07 Aug 9999999999 10:00:00 +0000": "YYYY-MM-DD",
        "Mon, 01 Jan 0001 00:00:00 UTC": "from 1900 to 2100",  # a zero time, not 2001
    }
    records += [release(id=f"bad{i}", date=date) for i, date in enumerate(refused)]
    done = run_reindex(write_jsonl(tmp_path / "dates.jsonl", records), "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    found = rejections(done.stderr)
    assert set(found) == {("dates.jsonl", len(forms) + 1 + i) for i in range(len(refused))}
    for i, said in enumerate(refused.values()):
        assert said in found[("dates.jsonl", len(forms) + 1 + i)], found[("dates.jsonl", len(forms) + 1 + i)]
    releases = stored(tmp_path / "ix")
    assert {stored_day(releases[f"d{i}"]["date"]) for i in range(len(forms))} == {dt.date(2019, 8, 7)}


def test_jsonl_escaped_surrogates_nul_and_controls_are_cleaned_not_fatal(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"id": "s1", "lang": "en", "date": "2020-01-02", "title": "Migrants \\ud800 in Panama", '
                '"body": "Lone \\udfff surrogate and \\u0000 NUL \\u001b[31m escape."}',
                '{"id": "s2", "lang": "en", "date": "2020-01-02", "title": "\\u0000\\u0001", "body": "Only controls."}',
                '{"id": "s3\\u0000", "lang": "en", "date": "2020-01-02", "title": "T", "body": "B"}',
                '{"id": "s4", "lang": "en", "date": "2020-01-02", "title": "Fine", '
                '"body": "Fine body about migrants."}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    summary = reindex([path], tmp_path / "ix", progress=False)
    assert {r.line: r.reason for r in summary.rejected} == {
        2: "title is empty",
        3: "id 's3\\x00' may hold only letters, digits, '.', '_' and '-' (at most 160)",
    }
    releases = stored(tmp_path / "ix")
    assert sorted(releases) == ["s1", "s4"]
    assert releases["s1"]["title"] == "Migrants \ufffd in Panama"
    assert "\x00" not in releases["s1"]["body"] and "\x1b" not in releases["s1"]["body"]


def test_empty_and_blank_files_are_not_errors(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_bytes(BOM + b"\n\r\n   \n")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = read_sources([tmp_path])
    assert not result.releases and not result.rejected


# --- HTML pages ---------------------------------------------------------------------------------


def page(title: str, paragraphs: list[str], *, lang="es", date="2021-02-03", head="", charset="") -> str:
    meta_date = f'<meta property="article:published_time" content="{date}">' if date else ""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>{meta_charset}\n<title>{title} | OIM</title>\n{meta_date}\n'
        f'{head}</head>\n<body>\n<nav><a href="/">Inicio</a> <a href="/noticias">Noticias</a></nav>\n'
        f"<article>\n<h1>{title}</h1>\n{body}\n</article>\n<footer>OIM Oficina Regional</footer>\n</body>\n</html>\n"
    )


ES_PARAGRAPHS = [
    "Ciudad de Panamá. Más de 500 niñas y niños cruzaron la selva de Darién en enero, según los datos que la "
    "OIM y UNICEF recogen en las estaciones de recepción migratoria de la provincia.",
    "Las familias reciben agua, alimentos, atención médica y apoyo psicosocial; muchas viajan desde hace meses "
    "y llegan con niñas y niños pequeños que necesitan vacunas y controles de salud.",
    "La OIM pide a los países de la región que abran vías regulares para la migración de las familias y que "
    "refuercen la protección de la niñez en tránsito.",
]
EN_PARAGRAPHS = [
    "Panama City. More than 500 children crossed the Darien jungle in January, according to the figures that "
    "IOM and UNICEF collect at the migrant reception stations of the province.",
    "Families receive water, food, medical care and psychosocial support; many have travelled for months and "
    "arrive with small children who need vaccines and health checks.",
    "IOM calls on the countries of the region to open regular pathways for families and to strengthen the "
    "protection of children on the move.",
]


def test_html_pages_in_the_wrong_encoding_cut_short_or_incomplete_through_the_script(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    # Latin-1 with no charset declaration at all; and Latin-1 that claims to be UTF-8.
    (src / "latin1-no-charset.html").write_bytes(page("Niñez migrante en Darién", ES_PARAGRAPHS).encode("latin-1"))
    (src / "latin1-says-utf8.html").write_bytes(
        page("Atención a la niñez en Panamá", ES_PARAGRAPHS[1:], date="2021-02-04", charset="utf-8").encode("latin-1")
    )
    # UTF-8 with a BOM; and the same page saved twice.
    bom_page = BOM + page("Children cross the Darien in record numbers", EN_PARAGRAPHS, lang="en").encode("utf-8")
    (src / "bom.html").write_bytes(bom_page)
    (src / "bom-copy.html").write_bytes(bom_page)
    # Cut short in the middle of the article (inside a character), and in the <head>.
    full = page("La OIM amplía la atención en Darién", ES_PARAGRAPHS, date="2021-02-05").encode("utf-8")
    (src / "cut-in-article.html").write_bytes(cut_inside_last(full[: full.index(b"refuercen")], "ñ"))
    (src / "cut-in-head.html").write_bytes(full[:70])
    # No body, no title, a date that does not exist (and no other date).
    (src / "no-body.html").write_text(page("Una página sin texto", []), encoding="utf-8")
    (src / "no-title.html").write_text(page("", ES_PARAGRAPHS).replace("<title> | OIM</title>", ""), encoding="utf-8")
    (src / "bad-date.html").write_text(page("Una fecha imposible", ES_PARAGRAPHS, date="2019-02-30"), encoding="utf-8")

    done = run_reindex(src, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 1, done.stderr
    found = rejections(done.stderr)
    assert set(found) == {
        ("bom.html", 1),
        ("cut-in-head.html", 1),
        ("no-body.html", 1),
        ("no-title.html", 1),
        ("bad-date.html", 1),
    }, found
    assert found[("bom.html", 1)].startswith("duplicate id") and "bom-copy.html:1" in found[("bom.html", 1)]
    assert "no body text" in found[("cut-in-head.html", 1)]
    assert "no body text" in found[("no-body.html", 1)]
    assert "no title" in found[("no-title.html", 1)]
    assert found[("bad-date.html", 1)] == "page's publication date '2019-02-30' is not a real date"
    for name in ("latin1-no-charset.html", "latin1-says-utf8.html"):
        assert re.search(rf"^warning: .*/{name}:\d+: not valid UTF-8; read as Windows-1252", done.stderr, re.M)

    releases = stored(tmp_path / "ix")
    no_mojibake(releases)
    titles = by_title(releases)
    assert set(titles) == {
        "Niñez migrante en Darién",
        "Atención a la niñez en Panamá",
        "Children cross the Darien in record numbers",
        "La OIM amplía la atención en Darién",
    }
    assert "niñas y niños" in titles["Niñez migrante en Darién"]["body"]
    assert titles["Children cross the Darien in record numbers"]["lang"] == "en"
    cut = titles["La OIM amplía la atención en Darién"]
    assert stored_day(cut["date"]) == dt.date(2021, 2, 5)
    assert "psicosocial" in cut["body"] and "refuercen" not in cut["body"]
    for fields in releases.values():
        assert "Inicio" not in fields["body"] and "OIM Oficina Regional" not in fields["body"]


def test_a_file_of_utf8_and_latin1_lines_reads_each_line_in_its_own_encoding(tmp_path):
    """A JSON Lines file put together from two exports: its UTF-8 lines are not garbled, and
    each Latin-1 line is named."""
    records = [
        release(id=f"r{n}", lang="es", title=f"Niñez migrante {n}", body=f"La niñez de Honduras, año {n}.")
        for n in range(8)
    ]
    data = b"".join(
        json.dumps(r, ensure_ascii=False).encode("cp1252" if n in (1, 3) else "utf-8") + b"\n"
        for n, r in enumerate(records)
    )
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(data)
    done = run_reindex(source, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 0, done.stderr
    warned = re.findall(r"^warning: .*/mixed\.jsonl:(\d+): not valid UTF-8 while other lines are", done.stderr, re.M)
    assert warned == ["2", "4"]
    titles = {i: fields["title"] for i, fields in stored(tmp_path / "ix").items()}
    assert titles == {f"r{n}": f"Niñez migrante {n}" for n in range(8)}


def test_a_file_with_a_bom_and_latin1_lines_reads_them_as_latin1_and_says_so(tmp_path):
    """A BOM says UTF-8, but a file put together from two exports may have one and Latin-1
    lines: "estadísticas" was stored as "estad\ufffdsticas", unsaid, and could not be found."""
    records = [
        release(id=f"r{n}", lang="es", title=f"Estadísticas migratorias {n}", body=f"La niñez, año {n}.")
        for n in range(4)
    ]
    data = BOM + b"".join(
        json.dumps(r, ensure_ascii=False).encode("cp1252" if n == 2 else "utf-8") + b"\n" for n, r in enumerate(records)
    )
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(data)
    done = run_reindex(source, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 0, done.stderr
    assert re.findall(r"^warning: .*/mixed\.jsonl:(\d+): not valid UTF-8", done.stderr, re.M) == ["3"]
    titles = {i: fields["title"] for i, fields in stored(tmp_path / "ix").items()}
    assert titles == {f"r{n}": f"Estadísticas migratorias {n}" for n in range(4)}


def test_a_latin1_file_with_many_latin1_lines_is_warned_of_once(tmp_path):
    records = [release(id=f"r{n}", lang="es", title=f"Niñez {n}", body="La niñez de Honduras.") for n in range(9)]
    source = tmp_path / "latin.jsonl"
    source.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode("cp1252") + b"\n" for r in records))
    done = run_reindex(source, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 0
    assert len(re.findall(r"^warning: ", done.stderr, re.M)) == 1
    assert "not valid UTF-8; read as Windows-1252" in done.stderr
    assert stored(tmp_path / "ix")["r4"]["title"] == "Niñez 4"


def test_a_latin1_line_that_is_valid_utf8_by_chance_is_read_as_latin1(tmp_path):
    """ "Ú–" in Windows-1252 is the bytes of an Arabic letter in UTF-8: the line is still Latin-1."""
    text = (
        "7 August, 2019\n\nPERÚ–Chile: a new route for migrants\n\nLima, Peru. IOM studies a new route.\n\n"
        "8 de agosto de 2019\n\nNiñez migrante en Guatemala\n\nCiudad de Guatemala. La niñez migrante recibe apoyo.\n"
    )
    source = tmp_path / "latin.txt"
    source.write_bytes(text.encode("cp1252"))
    done = run_reindex(source, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 0, done.stderr
    assert len(re.findall(r"^warning: ", done.stderr, re.M)) == 1
    titles = sorted(fields["title"] for fields in stored(tmp_path / "ix").values())
    assert titles == ["Niñez migrante en Guatemala", "PERÚ–Chile: a new route for migrants"]


def test_text_decoded_wrongly_before_the_export_is_repaired_and_warned_of(tmp_path):
    """A file of valid UTF-8 holding "MÃ©xico" (UTF-8 once read as Windows-1252) was indexed
    as written: shown garbled, not tagged Mexico, not found by "México", without a word."""
    jsonl = write_jsonl(
        tmp_path / "moji.jsonl",
        [
            release(
                id="moji",
                lang="es",
                title="La OIM apoya a personas migrantes en MÃ©xico y PanamÃ¡",
                body="Ciudad de MÃ©xico. La OrganizaciÃ³n entregÃ³ ayuda a la niÃ±ez del paÃ\u00ads.",
            ),
            release(id="clean", lang="es", date="2021-01-01", title="SÃO PAULO recibe migrantes", body="Texto."),
        ],
    )
    listing = tmp_path / "moji.txt"
    listing.write_text("March 5, 2020\n\nLa OIM en MÃ©xico\n\nCiudad de MÃ©xico. Texto del comunicado.\n", "utf-8")
    result = read_sources([jsonl, listing])
    by_id = {r.id: r for r in result.releases}
    assert by_id["moji"].title == "La OIM apoya a personas migrantes en México y Panamá"
    # ("í" garbles to "Ã" and a soft hyphen, which the cleaning drops from a word elsewhere)
    assert by_id["moji"].body == "Ciudad de México. La Organización entregó ayuda a la niñez del país."
    assert by_id["clean"].title == "SÃO PAULO recibe migrantes"  # Portuguese in capitals: no mistake
    (listed,) = [r for r in result.releases if r.source == str(listing)]
    assert listed.title == "La OIM en México" and "mexico" in listed.id  # its id made from the repaired title
    assert [(w.source, w.line) for w in result.warnings] == [(str(jsonl), 1), (str(listing), 1)]
    assert all("'MÃ©xico' read as 'México'" in w.message for w in result.warnings)
