"""What the English and the Spanish version of one release have in common.

A translation changes the words but keeps the figures, the names and the places; many
words survive as cognates (``información``/``information``) and the bilingual glossary
(``data/glossary.toml``) names the equivalents of the archive's own terms.  Each release is
reduced to a set of such language-neutral features, each with a weight by its kind, and
two releases are compared by the cosine of their weighted sets: the share of all the
evidence of both that they have in common, so that long and short releases compare alike.

Everything here depends on the release alone (and the glossary): the score of two
releases does not change with the rest of the archive, which keeps incremental pairing
exact (see ``index.pairing``).
"""

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from math import sqrt
from pathlib import Path

from .config import DATA_DIR

# Text read from a body: enough for the lead and the figures of any release (a release of the
# office is two to four thousand characters); a longer body costs no more to compare.
MAX_BODY = 6000

# Each kind of evidence is compared on its own (the cosine of the two releases' weighted
# sets of it), and the score is the weighted mean over the kinds either release has: a long
# list of names that the translation renders in other words must not drown the figures.
# Figures and names survive translation and tell one event from another; the title and the
# cognates too, less surely; glossary terms, countries and topics mostly tell the subject,
# which releases about other events share.
CHANNELS = {
    "figures": 3.0,
    "names": 3.0,
    "title": 2.0,
    "cognates": 2.0,
    "glossary": 0.5,
    "countries": 0.5,
    "topics": 0.25,
}
SHORT_SIDE = 0.75

# A figure of three digits or more weighs four times a year or a small number (squared: 4 and 0.25),
# which text may write in words, or within other tokens ("SS19", "COVID-19").
STRONG_FIGURE, WEAK_FIGURE = 2.0, 0.5
# Figures and names count fully once each release has the weight of one strong figure, of two
# names; fewer are weaker evidence either way (a "19" on one side, a "2019" on the other; one
# council both name).
FULL = {"figures": STRONG_FIGURE ** 2, "names": 2.0}


def glossary_file() -> Path:
    """The bilingual glossary (``GLOSSARY_FILE``, default ``data/glossary.toml``), as search reads it."""
    value = os.environ.get("GLOSSARY_FILE")
    return Path(value) if value else DATA_DIR / "glossary.toml"


def _fold_table() -> dict[int, str]:
    """Accented Latin letters to their base letter, case kept (``Á`` -> ``A``, ``ñ`` -> ``n``)."""
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[:1]
        if base.isascii() and base.isalpha():
            table[code] = base
    table.update({ord("ß"): "ss", ord("Æ"): "AE", ord("æ"): "ae", ord("Ø"): "O", ord("ø"): "o"})
    return table


_FOLD = _fold_table()

# Spelling differences between English words and their Spanish cognates, made alike on both
# sides before words are cut to their first five letters: national / nacional -> nasional,
# community / comunidad -> comun, physical / físico -> fisic.
_COGNATE_SPELLING = (("ph", "f"), ("th", "t"), ("qu", "c"), ("k", "c"), ("y", "i"), ("z", "s"),
                     ("ci", "si"), ("ti", "si"), ("ss", "s"), ("mm", "m"), ("nn", "n"), ("tt", "t"),
                     ("ll", "l"), ("cc", "c"), ("ff", "f"), ("pp", "p"), ("rr", "r"))

_STEM = re.compile(r"\b([a-z]{5})[a-z]*")  # a word of five letters or more, as its first five
_SHORT = re.compile(r"\b[a-z]{3,4}\b")
# A name: a capitalised word or an acronym inside a sentence (a word that starts one may be
# any word), or an acronym in brackets: "in San Pedro Sula, Honduras", "(CAMR)".
_NAME = re.compile(r"(?:(?<=[A-Za-z0-9,;] )|(?<=\())(?:[A-Z][a-z]{2,}|[A-Z]{2,}[a-z]?)\b")
# A figure: digits grouped by commas, dots or (thin, no-break) spaces, with a decimal part.
_FIGURE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)|\d+(?:[.,]\d+)*")
_NOT_DIGIT = re.compile(r"\D")

# Capitalised words that are no name: sentence starts in either language, and the words
# every release of the archive uses (the organisation's initials in each language).
_NOT_NAMES = frozenset("""
    the this these those that there their they its his her our we you he she it an and but or
    in on at for from with by as after before since during between about over under into
    more most many some all each every both other such one two three four five six seven
    according while when where what which who how however also already although if not no
    new last first next today yesterday
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    la el los las un una unos unas en de del con por para desde durante entre tras segun
    antes despues ademas sin sobre este esta estos estas ese esa esos esas su sus al lo le
    les se que como cuando donde mas muchas muchos mayoria hoy ayer mientras tambien pero
    otras otros otra otro cada todas todos ambos ello ellos ellas nosotros ya si asi
    iom oim un onu
""".split())

# Words of five letters or more (as stems) too common in both languages to tell anything.
_NOT_STEMS = frozenset("""
    about after their there these those which where while would could other since under
    entre sobre desde donde cuand tambi segun parte areas mient otros otras ademas
    migra perso organ inter nasio
""".split())


# Capitalised words of the names of institutions, in both languages: the same words name the
# ministries, councils and programmes of every release (they still count as cognates).
_INSTITUTION_WORDS = """
    ministry ministerio minister ministra secretariat secretaria secretary directorate direccion
    director general national nacional public publica social assistance asistencia institute
    instituto commission comision council consejo agency agencia office oficina department
    departamento municipal municipality municipalidad alcaldia regional international
    internacional service servicio programme program programa centre center centro unit unidad
    federal government gobierno health salud labour labor trabajo migration migracion affairs
    relaciones foreign exteriores development desarrollo security seguridad protection proteccion
    family familia population poblacion human humanos rights derechos committee comite system
    sistema network mission mision chief jefe jefa head embassy embajada authority autoridad
    university universidad cross cruz red roja organization organizacion
"""


@lru_cache(maxsize=1)
def _not_name_stems() -> frozenset:
    """Stems no name is taken for: the words of institutions' names, and of countries' names
    in English and Spanish (the countries a release is about are compared as countries)."""
    from babel import Locale
    words = set(_INSTITUTION_WORDS.split())
    for lang in ("en", "es"):
        for name in Locale.parse(lang).territories.values():
            words.update(re.findall(r"[a-z]+", name.translate(_FOLD).lower()))
    return frozenset(_stem(w) for w in words if len(w) > 2)


class Evidence:
    """A release's features, by channel: each a dict feature -> squared weight, with its sum."""

    __slots__ = ("channels",)

    def __init__(self, channels: dict[str, tuple[dict, float]]):
        self.channels = channels


def evidence(title: str, body: str, lang: str, countries=(), topics=(), glossary_=None) -> Evidence:
    """The language-neutral features of a release."""
    glossary_ = glossary_ or glossary()
    title, body = title.translate(_FOLD), body[:MAX_BODY].translate(_FOLD)
    lowered = _cognate_spelling(body.lower())
    stems = set(_STEM.findall(lowered))
    words = stems | set(_SHORT.findall(lowered))
    title_lowered = _cognate_spelling(title.lower())
    title_words = {s for s in _STEM.findall(title_lowered) if s not in _NOT_STEMS}
    title_words.update(w for w in _SHORT.findall(title_lowered) if w not in _NOT_NAMES)
    names = {_stem(w) for w in _NAME.findall(body) if w.lower() not in _NOT_NAMES}
    # A name is a word the text writes only with a capital: "Emergency Operations Centre" is
    # no name in a text that speaks of an emergency.
    names -= set(_STEM.findall(_cognate_spelling(body)))
    names -= _not_name_stems()
    channels = {
        "figures": _weighted_figures(body),
        "names": _plain(names),
        "title": _plain(title_words | set(_figures(title))),
        "cognates": _plain(stems - _NOT_STEMS),
        "glossary": _plain(glossary_.entries_in(words, lang)),
        "countries": _plain(countries or ()),
        "topics": _plain(topics or ()),
    }
    return Evidence({name: channel for name, channel in channels.items() if channel[1]})


def _plain(values) -> tuple[dict, float]:
    features = dict.fromkeys(values, 1.0)
    return features, float(len(features))


def _stem(word: str) -> str:
    """A name as its cognate stem (Agency / Agencia, Caribbean / Caribe); an acronym as it is."""
    if word.isupper():
        return word.lower()
    return _cognate_spelling(word.lower())[:5]


def _cognate_spelling(text: str) -> str:
    for old, new in _COGNATE_SPELLING:
        if old in text:
            text = text.replace(old, new)
    return text


def _figures(text: str) -> list[str]:
    """The figures of a text as their digits ("1,450", "1.450" and "1 450" alike)."""
    return [_NOT_DIGIT.sub("", f).lstrip("0") or "0" for f in _FIGURE.findall(text)]


def _weighted_figures(text: str) -> tuple[dict, float]:
    strong, weak = STRONG_FIGURE ** 2, WEAK_FIGURE ** 2
    features = {f: strong if len(f) >= 3 and not _is_year(f) else weak for f in _figures(text)}
    return features, sum(features.values())


def _is_year(figure: str) -> bool:
    return len(figure) == 4 and figure[:2] in ("19", "20")


def similarity(a: Evidence, b: Evidence) -> float:
    """The weighted mean, over the kinds of evidence both releases have, of how much of that
    kind they share (see ``SHORT_SIDE``): 1 when they share all their evidence."""
    total = weights = 0.0
    ca, cb = a.channels, b.channels
    for name in ca.keys() | cb.keys():
        weight = CHANNELS[name]
        if name in ca and name in cb:
            (fa, na), (fb, nb) = ca[name], cb[name]
            small_n, large_n = (na, nb) if na <= nb else (nb, na)
            full = FULL.get(name)
            if full and small_n < full:
                weight *= small_n / full
            small, large = (fa, fb) if len(fa) <= len(fb) else (fb, fa)
            shared = sum(small[f] for f in small.keys() & large.keys())
            total += weight * shared / (small_n ** SHORT_SIDE * large_n ** (1 - SHORT_SIDE))
        elif name in FULL:
            continue  # figures or names on one side only: a summary may have none of its page's
        weights += weight
    return total / weights if weights else 0.0


def shared(a: Evidence, b: Evidence) -> dict[str, list[str]]:
    """The features two releases share, by kind (to explain a score)."""
    return {name: sorted(a.channels[name][0].keys() & b.channels[name][0].keys())
            for name in a.channels.keys() & b.channels.keys()}


# --- the glossary ----------------------------------------------------------------------------

class Glossary:
    """The glossary's entries as the stems of their terms' words, to find in a release's words."""

    def __init__(self, terms: list[tuple[int, str, frozenset]]):
        self.by_word: dict[tuple[str, str], list[tuple[int, frozenset]]] = {}
        for entry, lang, words in terms:
            first = min(words)
            self.by_word.setdefault((lang, first), []).append((entry, words))

    def entries_in(self, words: set, lang: str) -> set[int]:
        """The entries one of whose terms in ``lang`` has all its words among ``words``."""
        found = set()
        for word in words:
            for entry, term in self.by_word.get((lang, word), ()):
                if entry not in found and term <= words:
                    found.add(entry)
        return found


def term_words(text: str) -> frozenset:
    """The stems (and short words) of a glossary term, as ``evidence`` takes them from a text."""
    lowered = _cognate_spelling(text.translate(_FOLD).lower())
    return frozenset([*_STEM.findall(lowered), *(w for w in _SHORT.findall(lowered) if w not in _NOT_NAMES)])


@lru_cache(maxsize=4)
def _load_glossary(path: Path, mtime: float) -> Glossary:
    if not path.exists():
        return Glossary([])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for number, entry in enumerate(data.get("entry", [])):
        for lang in ("en", "es"):
            for text in entry.get(lang, []):
                words = term_words(text)
                if words:
                    terms.append((number, lang, words))
    return Glossary(terms)


def glossary() -> Glossary:
    path = glossary_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _load_glossary(path, mtime)
