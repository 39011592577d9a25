"""Telling English from Spanish with the lingua detector, restricted to those two languages."""

import re
import unicodedata
from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

_CODES = {Language.ENGLISH: "en", Language.SPANISH: "es"}
MIN_CONFIDENCE = 0.6
# Words of letters a title needs for its own language to be told: shorter titles are mostly
# names ("IOM in Honduras", "Dry Corridor"), which the detector takes for Spanish.
MIN_TITLE_WORDS = 4
_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def _detector():
    # Its models loaded as it is built (``ready``), not at its first use.
    return LanguageDetectorBuilder.from_languages(*_CODES).with_preloaded_language_models().build()


def ready() -> None:
    """Build the detector and load its models now, about 0.3 s that a served site's first
    search in each worker would otherwise wait for."""
    _detector()


def detect(text: str, fallback: str | None = None) -> str | None:
    """``"en"`` or ``"es"`` for ``text``; ``fallback`` when the text is too short or unclear."""
    sample = _sample(text)
    if len(sample) < 12:
        return fallback
    lang, confidence = _best(sample)
    return fallback if confidence < MIN_CONFIDENCE and fallback else lang


def clearly(text: str, confidence: float) -> str | None:
    """``"en"`` or ``"es"`` when the detector is at least ``confidence`` sure of it, else None
    (short queries often are neither: "Honduras 2020", "migrantes")."""
    sample = _sample(text)
    if not sample:
        return None
    lang, found = _best(sample)
    return lang if found >= confidence else None


# The distinct function words only the other language has that a text must hold for the detector
# to be asked: a one-sentence release ("La OIM apoya a las personas migrantes retornadas en
# Guatemala con atención psicosocial") has four; five let it pass unsaid. The detector must still
# be 0.9 sure.
MIN_OTHER_STOPS = 3


def contradicts(text: str, declared: str) -> str | None:
    """The other language, when ``text`` is clearly written in it rather than in the one its
    source ``declared`` (a Spanish release exported with ``"lang": "en"``); else None.

    The distinct words only one language's stop list has are counted first, in the text's first
    400 characters (a few microseconds), and only a text with ``MIN_OTHER_STOPS`` of the other
    language's, outnumbering the declared one's four to one, goes to the detector.
    """
    words = text[:400].lower().split()
    other_count = len(_ONLY_STOPS["es" if declared == "en" else "en"].intersection(words))
    if other_count < MIN_OTHER_STOPS or other_count < 4 * len(_ONLY_STOPS[declared].intersection(words)):
        return None
    found = clearly(text[:1500], 0.9)
    return found if found is not None and found != declared else None


def declared_warning(title: str, body: str, declared: str) -> str | None:
    """What to tell staff when a release's text is clearly in the other language than the one
    its source declares (it is indexed as declared), else None."""
    other = contradicts(body, declared)
    if other is None:
        return None
    return (
        f"declared {_NAMES[declared]} ({declared!r}) but its text reads as {_NAMES[other]}: "
        "is its language right? It is indexed as declared"
    )


_NAMES = {"en": "English", "es": "Spanish"}


def _only_stops() -> dict[str, frozenset]:
    from whoosh.lang import stopwords_for_language

    from .analysis import HOMOGRAPHS

    english, spanish = (frozenset(stopwords_for_language(name)) for name in ("en", "es"))
    return {"en": english - spanish - HOMOGRAPHS["en"], "es": spanish - english - HOMOGRAPHS["es"]}


_ONLY_STOPS = _only_stops()


def title_language(title: str, body_lang: str) -> str:
    """The language a release's title is written in: the one the detector gives the title alone
    when it is long enough to tell and clearly in it (as ``detect`` is sure of a text), else
    the body's (a short or ambiguous title follows the body).

    A listing item may have an English title over a Spanish summary.  The detector may take a
    text for Spanish only because some of its names carry accents ("Amazon rainforest: ...
    (Portuguese: Floresta Amazônica or Amazônia; Spanish: Selva Amazónica, Amazonía...", certain
    of Spanish): a title is taken for the other language only when it still reads so without
    them.  A title with two of the function words only its text's language has and none of the
    other's is in that language without asking the detector (``_reads_as``), which would have
    read "Trump se reúne en West Virginia" as English for its names.  By this rule no title of
    the sample archive, the enrichment and pairing fixtures or the English headlines of
    NTREX-128 changes language; of NTREX's 246 Spanish headlines two read as English, both
    mostly English names ("Elite League: Dundee Stars 5-3 Belfast Giants").  Changing the rule
    changes what is indexed: bump ``index.schema.SCHEMA_VERSION`` with it.
    """
    words = _WORD.findall(title)
    if len(words) < MIN_TITLE_WORDS or _reads_as(words, body_lang):
        return body_lang
    lang = clearly(title, MIN_CONFIDENCE)
    if lang is None or lang == body_lang or clearly(_without_accents(title), MIN_CONFIDENCE) != lang:
        return body_lang
    return lang


def _reads_as(words: list[str], lang: str) -> bool:
    """Whether a title's words include at least two of the function words only ``lang`` has
    ("the", "with"; "los", "para") and none only the other has: then it is written in ``lang``,
    without the detector (about 0.2 ms a title, a third of enriching a release).

    Only words written in lower case count: in a headline in Title Case or capitals "El", "La"
    and "Al" are mostly names ("UN Envoy Visits El Salvador"), which the detector reads better.
    """
    lowered = {w for w in words if w.islower()}
    other = "es" if lang == "en" else "en"
    return len(_ONLY_STOPS[lang].intersection(lowered)) >= 2 and _ONLY_STOPS[other].isdisjoint(lowered)


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _sample(text: str) -> str:
    return " ".join(text.split())[:2000]


def _best(sample: str) -> tuple[str, float]:
    """The likelier language of ``sample`` and how sure the detector is of it."""
    best = _detector().compute_language_confidence_values(sample)[0]
    return _CODES[best.language], best.value
