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
    sample = " ".join(text.split())[:2000]
    if len(sample) < 12:
        return fallback
    values = _detector().compute_language_confidence_values(sample)
    best = values[0]
    if best.value < MIN_CONFIDENCE and fallback:
        return fallback
    return _CODES[best.language]


def clearly(text: str, confidence: float) -> str | None:
    """``"en"`` or ``"es"`` when the detector is at least ``confidence`` sure of it, else None
    (short queries often are neither: "Honduras 2020", "migrantes")."""
    sample = " ".join(text.split())[:2000]
    if not sample:
        return None
    best = _detector().compute_language_confidence_values(sample)[0]
    return _CODES[best.language] if best.value >= confidence else None
