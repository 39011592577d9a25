"""What the English and the Spanish version of one release have in common.

A translation changes the words but keeps the figures, the names and the places; many
words survive as cognates (``información``/``information``) and the bilingual glossary
(``data/glossary.toml``) names the equivalents of the archive's own terms.  Each release is
reduced to language-neutral features of seven kinds (figures, names, title words, cognate
stems, glossary entries, countries, topics), and two releases are compared kind by kind:
how much of each kind they share, the shorter release's share counting most, averaged
with a weight per kind.

The score of two releases depends on them alone (and on the glossary), never on the rest
of the archive: that keeps incremental pairing exact (see ``index.pairing``).
"""

import os
import re
import tomllib
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .config import DATA_DIR

# Text read from a body: the office's releases are two to four thousand characters; what a
# longer one adds is not needed to tell its translation.
MAX_BODY = 6000

# The kinds of evidence, with their weights in the mean.  Figures and names survive
# translation and tell one event from another; the title and the cognates too, less surely;
# glossary terms, countries and topics mostly tell the subject, which releases about other
# events share.
KINDS = ("figures", "names", "title", "cognates", "glossary", "countries", "topics")
WEIGHTS = (3.0, 3.0, 2.0, 2.0, 0.5, 0.5, 0.25)
FIGURES, NAMES = 0, 1
# How much two releases share of one kind: shared / (smaller ** SHORT_SIDE * larger ** (1 - SHORT_SIDE)).
# 0.5 would be the cosine; 0.75 lets a listing's summary, or a version a paragraph shorter,
# be found in its longer translation (measured: see index.pairing).
SHORT_SIDE = 0.75
# A figure of three digits or more weighs 4, a year or a number under 100 a quarter (text
# writes small numbers in words, or inside other tokens: "SS19", "COVID-19").
STRONG_FIGURE, WEAK_FIGURE = 4.0, 0.25
# Figures and names count fully once each release has one strong figure, two names; fewer
# are weaker evidence either way (a "19" on one side, a "2019" on the other; one council
# both name).  When only one release has any, they do not count: a summary may have none
# of the figures or names of its page.
FULL = {FIGURES: STRONG_FIGURE, NAMES: 2.0}


def glossary_file() -> Path:
    """The bilingual glossary (``GLOSSARY_FILE``, default ``data/glossary.toml``), as search reads it."""
    value = os.environ.get("GLOSSARY_FILE")
    return Path(value) if value else DATA_DIR / "glossary.toml"


def fold(text: str) -> str:
    """Accents and other marks off, case kept; characters with no ASCII form dropped (in C: a
    translation table in Python costs ten times as much over a release)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# Spelling differences between English words and their Spanish cognates, made alike on both
# sides before words are cut to their first five letters: national / nacional -> nasional,
# community / comunidad -> comun, physical / físico -> fisic.
_COGNATE_SPELLING = (
    ("ph", "f"),
    ("th", "t"),
    ("qu", "c"),
    ("k", "c"),
    ("y", "i"),
    ("z", "s"),
    ("ci", "si"),
    ("ti", "si"),
    ("ss", "s"),
    ("mm", "m"),
    ("nn", "n"),
    ("tt", "t"),
    ("ll", "l"),
    ("cc", "c"),
    ("ff", "f"),
    ("pp", "p"),
    ("rr", "r"),
)


def cognate_spelling(word: str) -> str:
    for old, new in _COGNATE_SPELLING:
        if old in word:
            word = word.replace(old, new)
    return word


class _Stems(dict):
    """Word (lower case, folded) -> its cognate stem: the first five letters after
    ``cognate_spelling``, a shorter word whole; each word worked out once per process."""

    def __missing__(self, word: str) -> str:
        stem = self[word] = cognate_spelling(word)[:5]
        return stem


_STEMS = _Stems()
_stem_of = _STEMS.__getitem__

# The patterns are the cheapest found that do the work (each pass over a release counts).
_LONG_WORD = re.compile(r"[A-Za-z]{5,}")
_WORD = re.compile(r"[A-Za-z]{3,}")
# A figure: digits grouped by commas, dots or spaces, with a decimal part ("1,450", "1.450",
# "700 000", "3,5").
_FIGURE = re.compile(r"\d[\d.,]*(?: \d{3}(?!\d))*")
# A name: a capitalised word or an acronym inside a sentence (a word that starts one may be
# any word), or an acronym in brackets: "in San Pedro Sula, Honduras", "(CAMR)".
_CAPITALISED = re.compile(r" ([A-Z]\w+)")
_SENTENCE_START = re.compile(r"[.!?:\"\u201c] ([A-Z]\w+)")
_BRACKETED = re.compile(r"\(([A-Z]{2,}[a-z]?)\)")

# Capitalised words that are no name: sentence starts in either language, and the
# organisation's initials that every release uses.
_NOT_NAMES = frozenset(
    """
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
""".split()
)

# Words of the names of institutions, in both languages: the same words name the ministries,
# councils and programmes of every release (they still count as cognates).
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

# Words too common in both languages to tell anything by their stems.
_NOT_STEMS = frozenset(
    map(
        _stem_of,
        """
    about after their there these those which where while would could other since under
    entre sobre desde donde cuando tambien segun parte areas mientras otros otras ademas
    migrants migration migrantes migracion personas persons organization organizacion
    international internacional national nacional
""".split(),
    )
)


@lru_cache(maxsize=1)
def _not_name_stems() -> frozenset:
    """Stems no name is taken for: the words of institutions' names, and of countries' names
    in English and Spanish (the countries a release is about are compared as countries)."""
    from babel import Locale

    words = set(_INSTITUTION_WORDS.split())
    for lang in ("en", "es"):
        for name in Locale.parse(lang).territories.values():
            words.update(re.findall(r"[a-z]{3,}", fold(name).lower()))
    return frozenset(map(_stem_of, words))


class Evidence:
    """A release's features: for each kind (``KINDS``), a set (a dict of weights for figures)
    and its size (their weight), or None when the release has none of that kind."""

    __slots__ = ("kinds",)

    def __init__(self, kinds: tuple):
        self.kinds = kinds

    def shared(self, other: "Evidence") -> dict[str, list[str]]:
        """The features two releases share, by kind (to explain a score)."""
        return {
            name: sorted(map(str, set(mine[0]) & set(theirs[0])))
            for name, mine, theirs in zip(KINDS, self.kinds, other.kinds, strict=True)
            if mine and theirs
        }


def evidence(title: str, body: str, lang: str, countries=(), topics=(), glossary_=None) -> Evidence:
    """The language-neutral features of a release."""
    glossary_ = glossary_ or glossary()
    body = fold(body[:MAX_BODY])
    long = set(_LONG_WORD.findall(body))
    lower = {w for w in long if w.islower()}
    lower_stems = set(map(_stem_of, lower))
    stems = lower_stems.union(map(_stem_of, map(str.lower, long - lower)))
    # A name is a word the text writes only with a capital: "Emergency Operations Centre" is
    # no name in a text that speaks of an emergency.
    names = _names(body) - lower_stems - _not_name_stems()
    title = fold(title).lower()
    title_words = set(map(_stem_of, set(_WORD.findall(title)) - _NOT_NAMES)) - _NOT_STEMS
    title_words.update(_figures(title))
    return Evidence(
        (
            _weighted_figures(_FIGURE.findall(body)),
            _plain(names),
            _plain(title_words),
            _plain(stems - _NOT_STEMS),
            _plain(glossary_.entries_in(stems, lang)),
            _plain(countries or ()),
            _plain(topics or ()),
        )
    )


def _names(body: str) -> set[str]:
    """The names of a text as stems, acronyms whole (lower case)."""
    inside = Counter(_CAPITALISED.findall(body))
    inside.subtract(_SENTENCE_START.findall(body))
    names = {
        w.lower() if w.isupper() else _stem_of(w.lower())
        for w, n in inside.items()
        if n > 0 and len(w) > 2 and w.lower() not in _NOT_NAMES
    }
    names.update(w.lower() for w in _BRACKETED.findall(body))
    return names


def _plain(values) -> tuple | None:
    values = frozenset(values)
    return (values, len(values)) if values else None


def _figures(text: str) -> set[str]:
    """The figures of a text as their digits ("1,450", "1.450" and "1 450" alike)."""
    return _digits(_FIGURE.findall(text))


def _digits(figures) -> set[str]:
    found = set()
    for figure in figures:
        if " " in figure and len(figure.split(" ", 1)[0].rstrip(",.")) > 3:
            found.update(_digits(figure.split(" ")))  # "in 2019 100 people": two figures
            continue
        found.add(figure.rstrip(",.").replace(",", "").replace(".", "").replace(" ", "").lstrip("0") or "0")
    return found


def _weighted_figures(found) -> tuple | None:
    figures = {
        f: STRONG_FIGURE if len(f) >= 3 and not (len(f) == 4 and f[:2] in ("19", "20")) else WEAK_FIGURE
        for f in _digits(found)
    }
    return (figures, sum(figures.values())) if figures else None


def similarity(a: Evidence, b: Evidence) -> float:
    """The weighted mean, over the kinds of evidence the two releases have, of how much of that
    kind they share (see ``SHORT_SIDE``, ``FULL``): 1 when they share all their evidence."""
    total = weights = 0.0
    kind = 0
    for mine, theirs in zip(a.kinds, b.kinds, strict=True):
        weight = WEIGHTS[kind]
        if mine is None or theirs is None:
            if mine is not theirs and kind not in FULL:
                weights += weight
        else:
            (features, n), (other, m) = (mine, theirs) if mine[1] <= theirs[1] else (theirs, mine)
            if kind == FIGURES:
                shared = sum(features[f] for f in features.keys() & other.keys())
            else:
                shared = len(features & other)
            if kind in FULL and n < FULL[kind]:
                weight *= n / FULL[kind]
            if shared:
                total += weight * shared / (n**SHORT_SIDE * m ** (1 - SHORT_SIDE))
            weights += weight
        kind += 1
    return total / weights if weights else 0.0


# --- the glossary ----------------------------------------------------------------------------


class Glossary:
    """The glossary's terms as the stems of their words, to find among a release's stems."""

    def __init__(self, terms: list[tuple[int, str, frozenset]]):
        self.by_word: dict[tuple[str, str], list[tuple[int, frozenset]]] = {}
        for entry, lang, words in terms:
            self.by_word.setdefault((lang, min(words)), []).append((entry, words))
        self.firsts = {lang: frozenset(w for language, w in self.by_word if language == lang) for lang in ("en", "es")}

    def entries_in(self, words: set, lang: str) -> set[int]:
        """The entries one of whose terms in ``lang`` has all its words among ``words``."""
        found = set()
        for word in words & self.firsts.get(lang, frozenset()):
            for entry, term in self.by_word[lang, word]:
                if entry not in found and term <= words:
                    found.add(entry)
        return found


@lru_cache(maxsize=4)
def _load_glossary(path: Path, mtime: float) -> Glossary:
    if not path.exists():
        return Glossary([])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for number, entry in enumerate(data.get("entry", [])):
        for lang in ("en", "es"):
            for text in entry.get(lang, []):
                # A term by the stems of its words of five letters or more ("humanitarian aid" by
                # "human"; "jobs" not at all): short words cost a pass over each release to find.
                words = _LONG_WORD.findall(fold(text).lower())
                if words:
                    terms.append((number, lang, frozenset(map(_stem_of, words))))
    return Glossary(terms)


def glossary() -> Glossary:
    """The glossary as its file now is (read again when it changes)."""
    path = glossary_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _load_glossary(path, mtime)
