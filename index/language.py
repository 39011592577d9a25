"""Telling English from Spanish with the lingua detector, restricted to those two languages."""

from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

_CODES = {Language.ENGLISH: "en", Language.SPANISH: "es"}
MIN_CONFIDENCE = 0.6


@lru_cache(maxsize=1)
def _detector():
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


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


def _sample(text: str) -> str:
    return " ".join(text.split())[:2000]


def _best(sample: str) -> tuple[str, float]:
    """The likelier language of ``sample`` and how sure the detector is of it."""
    best = _detector().compute_language_confidence_values(sample)[0]
    return _CODES[best.language], best.value
