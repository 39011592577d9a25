"""The parameters every search takes, read and checked the same way for pages, API and CLI."""

import datetime as dt
import re
from dataclasses import dataclass, replace

from index.dates import MAX_YEAR, MIN_YEAR
from index.records import normal_text

from .query import straight_quotes

LANGUAGES = ("en", "es")
SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 10
MAX_PAGE = 1000
MAX_VALUES = 50  # values of one repeatable parameter
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# ASCII digits only, as the API documents: Python's \d and int() also take "٢٠١٩" and "５".
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})-([0-9]{2}))?$")
# Every parameter parse_params reads, in the order the API documents them.
PARAM_NAMES = (
    "q",
    "lang",
    "year",
    "from",
    "to",
    "country",
    "topic",
    "sort",
    "page",
    "per_page",
    "ui",
    "translations",
    "spell",
)
# Control characters (but tab and line ends): no search term holds one, and HTML may not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """``text`` with each control character a space, as a query's words are read."""
    return _CONTROL.sub(" ", text)


def query_text(text: str) -> str:
    """A query as it is read: as a release's text is (a query pasted with decomposed accents,
    "migración" as "o" and a combining accent, or a soft hyphen inside a word finds the word),
    control characters as spaces, curly quotes straight, and one line, its words one space
    apart (pasted tabs, line ends and runs of spaces are one space, so that "a%0Ab" and "a b"
    are one search, with one address, never echoed broken)."""
    return " ".join(straight_quotes(without_controls(normal_text(text))).split())


def typed_prefix(text: str) -> str:
    """What a visitor has typed so far (autocomplete), read as a query is, but a space after its
    last word kept: it says the word is whole ("San Pedro " against "San Pedro")."""
    clean = query_text(text)
    return clean + " " if clean and without_controls(normal_text(text))[-1:].isspace() else clean


class ParamError(ValueError):
    """A parameter the caller must fix; the message says how."""

    def __init__(self, param: str, message: str):
        # The value it quotes is shown as a query is read: no control, invisible or bidi
        # character (a right-to-left override would turn the rest of the line round).
        message = query_text(message)
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    langs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    ui: str = "en"
    separate: bool = False  # show both versions of a translation pair as separate hits
    spell: bool = True  # a misspelt query may be searched for corrected ("spell=0": exactly as typed)

    def with_(self, **changes) -> "SearchParams":
        return replace(self, **changes)

    def toggled(self, field: str, value) -> tuple:
        """The values of a repeatable filter (langs, years, countries, topics) with ``value``
        added, or removed when it is there; years stay in order."""
        typed = int(value) if field == "years" else value
        current = getattr(self, field)
        changed = tuple(v for v in current if v != typed) if typed in current else current + (typed,)
        return tuple(sorted(changed)) if field == "years" else changed

    def to_dict(self) -> dict:
        """The parameters, normalised, as the API echoes them and a result carries them: every
        parameter named as in an address, a repeatable filter as the list of its values."""
        pairs = dict(self.to_query())
        return {
            "q": self.q,
            "lang": list(self.langs),
            "year": list(self.years),
            "from": pairs.get("from"),
            "to": pairs.get("to"),
            "country": list(self.countries),
            "topic": list(self.topics),
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "ui": self.ui,
            "translations": "separate" if self.separate else "merged",
            "spell": int(self.spell),
        }

    def to_query(self) -> list[tuple[str, str]]:
        """The parameters as URL query pairs, in a stable order (for links and caches)."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        pairs += [("lang", v) for v in self.langs]
        pairs += [("year", str(v)) for v in self.years]
        if self.date_from:
            pairs.append(("from", _date_param(self.date_from, start=True)))
        if self.date_to:
            pairs.append(("to", _date_param(self.date_to, start=False)))
        pairs += [("country", v) for v in self.countries]
        pairs += [("topic", v) for v in self.topics]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(self.per_page)))
        if self.separate:
            pairs.append(("translations", "separate"))
        if not self.spell:
            pairs.append(("spell", "0"))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return pairs


def _date_param(value: dt.date, start: bool) -> str:
    if start and (value.month, value.day) == (1, 1):
        return str(value.year)
    if not start and (value.month, value.day) == (12, 31):
        return str(value.year)
    return value.isoformat()


def _values(args, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        values = args.getlist(name)
    else:
        value = args.get(name)
        values = [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    # Read as a query's words are: an invisible character pasted with a value ("\u200b2019") is
    # dropped, not kept to fail the value under a message that cannot show it.
    values = [query_text(str(v)) for v in values]
    # "a,b" is accepted as two values as well as repeated parameters.
    values = [part.strip() for v in values for part in v.split(",")]
    values = [v for v in values if v]
    if len(values) > MAX_VALUES:
        raise ParamError(name, f"at most {MAX_VALUES} values of '{name}' are allowed")
    return list(dict.fromkeys(values))


def _single(args, name: str) -> str | None:
    values = (
        args.getlist(name)
        if hasattr(args, "getlist")
        else ([args[name]] if name in args and args[name] is not None else [])
    )
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = list(values[0])
    values = [query_text(str(v)) for v in values]
    values = [v for v in values if v]
    if len(set(values)) > 1:
        raise ParamError(name, f"give '{name}' once (got {len(values)} different values)")
    return values[0] if values else None


def whole_number(raw: str) -> int | None:
    """``raw`` as a whole number of at most nine ASCII digits, else None: Python's ``int`` and
    ``str.isdigit`` also take every script's digits ("٢٠١٩", "５"), which the API documents not."""
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def _int(args, name: str, default: int, low: int, high: int) -> int:
    raw = _single(args, name)
    if raw is None:
        return default
    value = whole_number(raw)
    if value is None:
        raise ParamError(name, f"'{name}' must be a whole number from {low} to {high}")
    if not low <= value <= high:
        raise ParamError(name, f"'{name}' must be from {low} to {high} (got {value})")
    return value


def _date(raw: str | None, name: str, start: bool) -> dt.date | None:
    if raw is None:
        return None
    match = _DATE.match(raw)
    if not match:
        raise ParamError(name, f"'{name}' must be a year (2019) or a date (2019-08-07)")
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ParamError(name, f"'{name}' must be a year from {MIN_YEAR} to {MAX_YEAR}")
    if match.group(2):
        try:
            return dt.date(year, int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise ParamError(name, f"'{name}' is not a real date: {raw}") from None
    return dt.date(year, 1, 1) if start else dt.date(year, 12, 31)


def parse_ui(args, default: str = "en") -> str:
    """The interface language an address names with ``ui`` (``default`` when it names none)."""
    value = (_single(args, "ui") or default).lower()
    if value not in LANGUAGES:
        raise ParamError("ui", "'ui' must be 'en' or 'es'")
    return value


def parse_params(args, ui: str | None = None, known_topics=None, known_countries=None) -> SearchParams:
    """Read search parameters from a mapping (a Flask ``request.args`` or a dict).

    Raises :class:`ParamError` with a message that says what to fix.
    """
    q = query_text(_single(args, "q") or "")
    if len(q) > 2000:
        raise ParamError("q", "the query is too long: at most 2,000 characters, of which the first 500 are searched")
    # Names of values are read whatever their case, as country codes are ("EN", "Newest").
    langs = list(dict.fromkeys(v.lower() for v in _values(args, "lang")))
    for lang in langs:
        if lang not in LANGUAGES:
            raise ParamError("lang", f"'lang' must be 'en' or 'es' (got '{lang[:20]}')")
    years = []
    for raw in _values(args, "year"):
        if not re.fullmatch(r"[0-9]{4}", raw) or not MIN_YEAR <= int(raw) <= MAX_YEAR:
            raise ParamError(
                "year", f"'year' must be a four-digit year from {MIN_YEAR} to {MAX_YEAR} (got '{raw[:20]}')"
            )
        years.append(int(raw))
    date_from = _date(_single(args, "from"), "from", start=True)
    date_to = _date(_single(args, "to"), "to", start=False)
    if date_from and date_to and date_from > date_to:
        raise ParamError("from", "'from' must not be after 'to'")
    countries = []
    for raw in _values(args, "country"):
        code = raw.upper()
        if not _COUNTRY.match(raw) or (known_countries is not None and code not in known_countries):
            raise ParamError("country", f"'country' must be an ISO 3166 two-letter code such as PA (got '{raw[:20]}')")
        if code not in countries:  # "PA" and "pa" are one value
            countries.append(code)
    topics = []
    for raw in dict.fromkeys(v.lower() for v in _values(args, "topic")):
        if not _TOPIC.match(raw) or (known_topics is not None and raw not in known_topics):
            hint = f"; one of: {', '.join(sorted(known_topics))}" if known_topics else ""
            raise ParamError("topic", f"unknown topic '{raw[:40]}'{hint}")
        topics.append(raw)
    sort = (_single(args, "sort") or "relevance").lower()
    if sort not in SORTS:
        raise ParamError("sort", f"'sort' must be one of: {', '.join(SORTS)}")
    ui_value = parse_ui(args, ui or "en")
    translations = (_single(args, "translations") or "merged").lower()
    if translations not in ("merged", "separate"):
        raise ParamError("translations", "'translations' must be 'merged' or 'separate'")
    spell = _single(args, "spell") or "1"
    if spell not in ("0", "1"):
        raise ParamError(
            "spell", "'spell' must be 1 (search misspelt words corrected, the default) or 0 (exactly as typed)"
        )
    return SearchParams(
        q=q,
        langs=tuple(langs),
        years=tuple(sorted(set(years))),
        date_from=date_from,
        date_to=date_to,
        countries=tuple(countries),
        topics=tuple(topics),
        sort=sort,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        ui=ui_value,
        separate=translations == "separate",
        spell=spell == "1",
    )
