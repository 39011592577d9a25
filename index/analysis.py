"""Per-language Whoosh analysers: tokenise, lower-case, fold accents, drop stop words, stem.

Accents are folded *before* stemming, so that a query typed without accents
(``migracion``) and the accented text (``migración``, ``migraciones``) pass through
exactly the same Snowball stemmer input and meet on one stem.  The stemmers are
the C Snowball implementations from PyStemmer (Whoosh's ``PyStemmerFilter``).
"""

from functools import lru_cache

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    PyStemmerFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

LANGUAGES = ("en", "es")
SNOWBALL_NAMES = {"en": "english", "es": "spanish"}

# Words, with inner dots and apostrophes kept ("U.S", "3.5", "IOM's"); numbers are words.
TOKEN_PATTERN = r"\w+(?:[.'’]\w+)*"


def fold(text: str) -> str:
    """Lower-case and strip accents the same way the analysers do."""
    return text.lower().translate(accent_map)


def stop_words(lang: str) -> frozenset:
    return frozenset(fold(w) for w in stopwords_for_language(lang))


@lru_cache(maxsize=None)
def analyzer(lang: str):
    """The Whoosh analyser for text in ``lang`` ("en" or "es")."""
    if lang not in SNOWBALL_NAMES:
        raise ValueError(f"no analyser for language {lang!r}")
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=stop_words(lang), minsize=1)
        | PyStemmerFilter(SNOWBALL_NAMES[lang], cachesize=100_000)
    )


@lru_cache(maxsize=None)
def word_analyzer():
    """Unstemmed, accent-folded words: for spelling corrections and autocomplete."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def terms(text: str, lang: str) -> list[str]:
    """The analysed terms of ``text`` in order (stop words removed)."""
    return [t.text for t in analyzer(lang)(text)]
