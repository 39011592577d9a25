"""Reading release dates written the way the news listings write them, in English or Spanish.

Month names come from Babel's CLDR data for each language (wide and abbreviated,
format and stand-alone forms), so ``7 August, 2019``, ``7 de agosto de 2019``,
``7 Agosto, 2019``, ``Aug. 7, 2019`` and ``7-ago-2019`` are all understood, with a weekday
before them (``Monday, August 12, 2019``), an ordinal day (``August 13th, 2019``, ``1º de
agosto de 2019``), ``setiembre`` and ``7 de agosto del 2019``.
"""

import datetime as dt
import re
from functools import cache

from .analysis import fold

DATE_LANGUAGES = ("en", "es")


@cache
def month_table() -> dict[str, dict[int, set[str]]]:
    """Folded month name -> {month number: languages that use that name}."""
    from babel.dates import get_month_names  # imported here: ISO dates need none of Babel

    table: dict[str, dict[int, set[str]]] = {}
    for lang in DATE_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, lang).items():
                    key = fold(name).strip(".")
                    table.setdefault(key, {}).setdefault(number, set()).add(lang)
    for key, number, lang in MONTH_VARIANTS:
        table.setdefault(key, {}).setdefault(number, set()).add(lang)
    return table


# Spellings CLDR does not give: "setiembre", as Costa Rica, Uruguay and Peru write September,
# and its abbreviation; "Sept.", as English writes it too (CLDR has it only as Spanish's).
MONTH_VARIANTS = (("setiembre", 9, "es"), ("set", 9, "es"), ("sept", 9, "en"))


@cache
def weekday_names() -> frozenset:
    """Folded weekday names of both languages, wide and abbreviated ("monday", "lun")."""
    from babel.dates import get_day_names

    return frozenset(
        fold(name).strip(".")
        for lang in DATE_LANGUAGES
        for width in ("wide", "abbreviated")
        for context in ("format", "stand-alone")
        for name in get_day_names(width, context, lang).values()
    )


# A day may carry an ordinal ending: "13th", "1st", "1ro", "1º", "1°".
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|ro|\.?º|°)?"
_DAY_FIRST = re.compile(
    rf"^{_DAY}(?:\s*de)?[\s.\-/]+(?P<month>[^\W\d_]+)\.?(?:\s*del?|\s*,|[\s.\-/])?\s*(?P<year>\d{{4}})$"
)
_MONTH_FIRST = re.compile(rf"^(?P<month>[^\W\d_]+)\.?\s+{_DAY},?\s+(?P<year>\d{{4}})$")
_WEEKDAY = re.compile(r"^(?P<weekday>[^\W\d_]+)\.?,?\s+(?P<rest>.+)$")
# A time after the date ("8 de agosto de 2019 10:00", "Aug. 7, 2019, 3:15 p.m. EST"): read past.
_TIME_AFTER = re.compile(
    r",?\s+(?:at\s+|a\s+las\s+)?\d{1,2}(?:[:.h]\d{2}){1,2}\s*(?:[ap]\.?\s?m\.?|h|hrs?|horas)?"
    r"(?:\s*\(?(?:[a-z]{2,5}|utc[+-]\d{1,2})\)?)?$"
)
# The longest line read as a date: one with a label, a weekday and a time is under it
# ("Publicado el miércoles 9 de septiembre de 2019 a las 10:00 horas (GMT-6)").
_LONGEST_LINE = 90
# Numbers alone with the year last ("16/03/2018", "03.16.18"): the day and the month cannot be
# told apart, so a listing does not read them.
_NUMERIC_DATE = re.compile(r"^\d{1,2}([/.\-])\d{1,2}\1\d{2}(?:\d{2})?$")
# A date and more after a dash or a bar ("9 August, 2019 – San José"): a dateline, not a date line.
_DATE_AND_MORE = re.compile(r"^(?P<date>.+?)\s+[-\u2013\u2014|]\s+\S.*$")
_YEAR_IN_LINE = re.compile(r"\b(?:1[89]|2[01])\d\d\b")
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", re.I)


class DateError(ValueError):
    """A line that has the shape of a date but names no real day."""


class ImpossibleDate(DateError):
    """A well-formed date that names no real day (``2019-02-30``)."""


class YearOutOfRange(DateError):
    """A real day of a year no release can have (``0219-08-07``, a typo): a date of a page's
    metadata that is one is passed over for the date the page shows."""


# The years a release may be dated in, and a search filtered by (``search.params``).
MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_date_line(line: str) -> tuple[dt.date, str | None] | None:
    """Parse a listing's date line.

    Returns ``(date, language)`` where language is the one whose month names the
    line uses (``None`` for ISO dates or names both languages share), or ``None``
    when the line is not a date at all.  Raises :class:`DateError` for a line
    shaped like a date that names an impossible day (``31 June, 2019``).
    """
    if len(line) > _LONGEST_LINE:  # a paragraph (the HTML reader asks of each): not folded for nothing
        return None
    text = _TIME_AFTER.sub("", " ".join(fold(line).split()))
    if not text or len(text) > 40:
        return None
    match = _ISO.match(text) or _YEAR_FIRST.match(text)  # "2021-08-14"; "2021-8-14", "2021/08/14"
    if match:
        return _make_date(int(match["year"]), int(match["month"]), int(match["day"]), line), None
    match = _DAY_FIRST.match(text) or _MONTH_FIRST.match(text)
    weekday = _WEEKDAY.match(text) if not match else None
    if weekday and weekday["weekday"] in weekday_names():  # "Monday, August 12, 2019"
        text = weekday["rest"]  # ("mar" is Tuesday's and March's: the whole line is tried first)
        match = _DAY_FIRST.match(text) or _MONTH_FIRST.match(text)
    if not match:
        return None
    numbers = month_table().get(match["month"].strip("."))
    if not numbers or len(numbers) != 1:
        return None
    ((month, langs),) = numbers.items()
    lang = next(iter(langs)) if len(langs) == 1 else None
    if lang is None and " de " in f" {text} ":
        lang = "es"
    return _make_date(int(match["year"]), month, int(match["day"]), line), lang


# Words a page may put before the date it shows ("Published on Aug. 14, 2021", "Publicado el
# 14 de agosto de 2021", "Fecha: 14/08/2021" aside): the date is read after them.
_DATE_LABEL = re.compile(
    r"^(?:(?:first\s+)?(?:published|posted|released|issued|date(?:d)?|publicad[oa]|fecha(?:\s+de\s+publicacion)?"
    r"|publicacion|emitid[oa])\b)\s*(?:on\b|el\b|:)?\s*(?:the\b|:)?\s*",
    re.I,
)


_DATE_AUTHOR = re.compile(r"\s*(?:\||,)?\s+(?:by|por)\s+[^\d]+$")  # "... 2021 by IOM", "... 2021 por la OIM"


def parse_labelled_date(line: str) -> tuple[dt.date, str | None] | None:
    """``parse_date_line`` of a page's date, with or without a label before it ("Published on",
    "Publicado el", "Fecha:")."""
    found = parse_date_line(line)
    if found is not None:
        return found
    text = " ".join(fold(line).split())
    label = _DATE_LABEL.match(text)
    if not label or label.end() == len(text):
        return None
    text = _DATE_AUTHOR.sub("", text[label.end() :])
    return parse_date_line(text)


def mistyped_date(line: str) -> str | None:
    """Why a line no date pattern read is a date line a listing cannot read, or None: it has a
    date line's whole shape, a day, a month word and a year, with a word no language names a
    month ("Agust 14, 2019", "14 de agosot de 2019", after a weekday or not); it is numbers alone
    with the year last ("16/03/2018"); it is a date with more after a dash ("9 August, 2019 – San
    José"). A listing rejects the release under such a line. A body's sentence never has that
    shape ("12 migrants rescued in 2019" has more words than it)."""
    text = " ".join(fold(line).split())
    label = _DATE_LABEL.match(text)
    if label and label.end() < len(text):  # "Fecha: 16/03/2018" is the date after the label
        text = _DATE_AUTHOR.sub("", text[label.end() :])
    if not text or len(text) > 40:
        return None
    if _NUMERIC_DATE.match(text):
        return "is a date in numbers alone, whose day and month cannot be told apart"
    more = _DATE_AND_MORE.match(text)
    if more and _a_date(more["date"]):
        return "has more than a date on its line"
    weekday = _WEEKDAY.match(text)
    rests = [text] + ([weekday["rest"]] if weekday and weekday["weekday"] in weekday_names() else [])
    if any(_DAY_FIRST.match(rest) or _MONTH_FIRST.match(rest) for rest in rests):
        return "has a date line's shape but no month's name"
    return None


def _a_date(text: str) -> bool:
    try:
        return parse_date_line(text) is not None or mistyped_date(text) is not None
    except DateError:
        return True


def looks_like_date(line: str) -> bool:
    """Whether a line no date pattern read still looks like one: a few words with a year, that
    start with a day's number or a month or weekday name ("Sept 12th 2019?", "August 2019",
    "12 of Agust 2019"): a listing warns of such a line, which would otherwise be read as text
    of the release above it (and rejects the release under it when it is a
    :func:`mistyped_date`)."""
    text = " ".join(fold(line).split())
    if not text or len(text) > 40 or len(text.split()) > 6 or not _YEAR_IN_LINE.search(text):
        return False
    if _DAY_FIRST.match(text) or _MONTH_FIRST.match(text):
        return True  # a date's shape, with a word no language names a month ("Agust 14, 2019")
    if re.match(r"\d{1,2}\b|\d{1,2}(?:st|nd|rd|th|ro)\b", text):
        return True
    first = re.match(r"[^\W\d_]+", text)
    return first is not None and (first.group() in month_table() or first.group() in weekday_names())


def parse_iso_date(value: str) -> dt.date:
    """An ISO date or date-time (``2019-08-07``, ``2019-08-07T10:00:00Z``) as a date."""
    match = _ISO.match(value.strip())
    if not match:
        raise DateError(f"date {value!r} is not an ISO date (YYYY-MM-DD)")
    return _make_date(int(match["year"]), int(match["month"]), int(match["day"]), value)


_YEAR_FIRST = re.compile(r"^(?P<year>\d{4})([/.\-])(?P<month>\d{1,2})\2(?P<day>\d{1,2})$")
# The year of an RFC 2822 date-time, before its time, or of a C ctime() one, after it.
_RFC2822_YEAR = re.compile(r"(?<!\d)(\d{2}|\d{4})\s+\d{1,2}:\d{2}|\d{1,2}:\d{2}(?::\d{2})?\s+(\d{4})\s*$")
# A year-first date with a time in any of the ways databases and exports write one
# ("2019-08-07 10:00:00+00", "2019-08-07 10:00 UTC"): the date is read as written.
_YEAR_FIRST_TIMED = re.compile(
    r"^(?P<date>\d{4}([/.\-])\d{1,2}\2\d{1,2})[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.I,
)
_NUMERIC = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:[T ,]+\d{1,2}:\d{2}.*)?$")


def parse_stated_date(value: str) -> dt.date:
    """A date as a record or a page's metadata states it: ISO (``2019-08-07``, with a time or
    not; ``2019-8-7`` and ``2019/08/07`` too), as a listing writes it (``7 August 2019``,
    ``7 de agosto de 2019``, ``Aug. 7, 2019``), or as feeds and e-mail do (``Wed, 07 Aug 2019
    10:00:00 +0000``). Numbers alone (``07/08/2019``) are refused: the day and the month could
    be either way round."""
    text = value.strip()
    if _ISO.match(text):
        return parse_iso_date(text)
    timed = _YEAR_FIRST_TIMED.match(text)
    if timed:
        text = timed["date"]
    year_first = _YEAR_FIRST.match(text)
    if year_first:  # "2019-8-7", "2019/08/07": the year first is never read the other way round
        return _make_date(int(year_first["year"]), int(year_first["month"]), int(year_first["day"]), text)
    parsed = parse_date_line(text)  # raises DateError for "31 June 2019"
    if parsed is not None:
        return parsed[0]
    if _NUMERIC.match(text):
        raise DateError(
            f"date {text[:40]!r} is in numbers alone, day/month in Spanish and month/day in US "
            "English: write it as YYYY-MM-DD (or as '7 August 2019')"
        )
    stated = _rfc2822(text)
    if stated is not None:
        return stated
    raise DateError(f"date {text[:40]!r} is not a date: write it as YYYY-MM-DD (or as '7 August 2019')")


def _rfc2822(text: str) -> dt.date | None:
    """The day of an RFC 2822 date-time (RSS's and e-mail's), as written, whatever its zone."""
    from email.utils import parsedate_tz

    # a time, as RFC 2822 requires, and a year of four digits or two (RFC 822's): no loose guesses
    shape = _RFC2822_YEAR.search(text)
    if shape is None:
        return None
    parts = parsedate_tz(text)
    if parts is None:
        return None
    written = shape.group(1) or shape.group(2)
    # A year of four digits is the year: the parser reads "0001" (a zero time) as 2001.
    year = int(written) if len(written) == 4 else parts[0]
    return _make_date(year, parts[1], parts[2], text)


def _make_date(year: int, month: int, day: int, original: str) -> dt.date:
    shown = original.strip()[:40]
    try:
        date = dt.date(year, month, day)
    except (ValueError, OverflowError):  # a number too big for C: a year of twenty digits
        raise ImpossibleDate(f"{shown!r} is not a real date") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise YearOutOfRange(f"{shown!r} is dated in {year}: a release's year is from {MIN_YEAR} to {MAX_YEAR}")
    return date
