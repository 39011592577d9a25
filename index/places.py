"""Finding the countries a release talks about, as ISO 3166-1 alpha-2 codes.

Names come from Babel's CLDR territory names in English and Spanish, plus the
editable gazetteer ``data/places.toml`` (aliases, case-sensitive acronyms,
demonyms, cities).  Matching is on whole words, accent- and case-insensitive
(acronyms excepted), and the longest name at a position wins, so "New Mexico"
tags the United States and not Mexico.
"""

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
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


@dataclass
class Gazetteer:
    folded: dict[tuple, str]  # lower-cased word tuple -> code
    exact: dict[tuple, str]  # case-kept word tuple (acronyms) -> code
    first_words: dict[str, tuple[int, ...]]  # lower-cased first word of a name -> name lengths, longest first
    longest: int
    cities: frozenset = frozenset()  # keys that name a city or province, not the country itself

    @classmethod
    def load(cls, path: Path | None = None) -> "Gazetteer":
        path = path or config.places_file()
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        ignored = {tuple(w.lower() for w in _words(n)) for n in data.get("ignore", {}).get("names", [])}
        folded: dict[tuple, str] = {}
        for lang in NAME_LANGUAGES:
            territories = Locale(lang).territories
            for code in country_codes():
                key = tuple(w.lower() for w in _words(territories.get(code, "")))
                if key and key not in ignored:
                    folded.setdefault(key, code)
        exact: dict[tuple, str] = {}
        cities: set[tuple] = set()
        for code, entry in data.items():
            if code == "ignore":
                continue
            code = code.upper()
            if code not in country_codes():
                raise ValueError(f"{path}: [{code}] is not an ISO 3166-1 alpha-2 country code")
            for key_name in GAZETTEER_KEYS:
                for name in entry.get(key_name, []):
                    key = tuple(w.lower() for w in _words(name))
                    if key:
                        folded[key] = code
                        if key_name == "cities":
                            cities.add(key)
            for name in entry.get("acronyms", []):
                key = tuple(_words(name))
                if key:
                    exact[key] = code
        keys = list(folded) + list(exact)
        lengths: dict[str, set[int]] = {}
        for key in keys:
            lengths.setdefault(key[0].lower(), set()).add(len(key))
        return cls(
            folded=folded, exact=exact,
            first_words={word: tuple(sorted(n, reverse=True)) for word, n in lengths.items()},
            longest=max((len(k) for k in keys), default=1),
            cities=frozenset(cities),
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

    def _matches(self, words: list[str], lower: list[str] | None = None):
        """``(first word, after last word, code)`` of each place name, longest first at each position."""
        if lower is None:
            lower = _lower_all(words)
        n = len(words)
        after = 0  # the first word not yet part of a name
        first_words, exact, folded = self.first_words, self.exact, self.folded
        for i in [i for i, w in enumerate(lower) if w in first_words]:
            if i < after:
                continue
            for length in first_words[lower[i]]:
                if i + length > n:
                    continue
                code = exact.get(tuple(words[i:i + length])) or folded.get(tuple(lower[i:i + length]))
                if code:
                    yield i, i + length, code
                    after = i + length
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
