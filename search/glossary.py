"""The archive's bilingual glossary (``data/glossary.toml``), used to expand queries.

Each entry lists terms that mean the same thing, in English and Spanish (and
spelling variants such as labour / labor).  A query word or phrase that matches one
term of an entry is also searched as the entry's other terms, scored lower than the
words the visitor typed.
"""

import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from index.analysis import LANGUAGES, american_spelling, fold, terms
from index.config import DATA_DIR

# A word in capitals this long is an acronym, a name as written ("AIDS" is not "aid"); a longer one
# is more likely a word typed in capitals ("HURRICANE", "HONDRUAS", Caps Lock on), read as any word.
ACRONYM_UP_TO = 5


def acronym(word: str) -> bool:
    """A word of three to ``ACRONYM_UP_TO`` letters written in capitals ("AIDS", "UNHCR")."""
    return 3 <= len(word) <= ACRONYM_UP_TO and word.isupper() and word.isalpha()


def glossary_file() -> Path:
    value = os.environ.get("GLOSSARY_FILE")
    return Path(value) if value else DATA_DIR / "glossary.toml"


@dataclass(frozen=True)
class Term:
    lang: str
    text: str
    key: tuple[str, ...]  # analysed with its own language's analyser
    # An acronym ("AIDS", "SIDA"), or a word the file writes in quotes ('"trata"'): a word as
    # written, its folded form. Its stem is another word's ("aid"; "tratadas", treated), so it is
    # met only by a word written so, and searched as written.
    written: str = ""
    quoted: bool = False  # written in quotes: searched as written, each word singular or plural


@dataclass
class Glossary:
    entries: list[list[Term]]
    # Indexes built from the entries, so that a query word costs lookups, not a scan of the glossary.
    _by_key: dict = field(init=False, repr=False)  # (lang, key) -> indexes of the entries with that term
    _by_first: dict = field(init=False, repr=False)  # (lang, first term) -> keys of two terms or more

    def __post_init__(self):
        self._by_key, self._by_first = {}, {}
        for index, group in enumerate(self.entries):
            for t in group:
                self._by_key.setdefault((t.lang, t.key), []).append(index)
                if len(t.key) >= 2:
                    keys = self._by_first.setdefault((t.lang, t.key[0]), [])
                    if t.key not in keys:
                        keys.append(t.key)

    @classmethod
    def load(cls, path: Path | None = None) -> "Glossary":
        path = path or glossary_file()
        if not path.exists():
            return cls([])
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = []
        for entry in data.get("entry", []):
            group = []
            for lang in LANGUAGES:
                for text in entry.get(lang, []):
                    text = text.strip()
                    quoted = len(text) > 1 and text[0] == text[-1] == '"'
                    text = text.strip('"').strip() if quoted else text
                    key = tuple(terms(text, lang))
                    if key:
                        one_word = quoted and len(text.split()) == 1
                        written = american_spelling(fold(text)) if acronym(text) or one_word else ""
                        group.append(Term(lang, text, key, written, quoted))
            if len(group) > 1:
                entries.append(group)
        return cls(entries)

    @cached_property
    def words(self) -> dict[str, tuple[str, ...]]:
        """Each term of one word (not an acronym), folded, and the folded words of its entry's
        terms: words of either language a misspelling may be of, though no release writes them
        ("trafficking", where releases say "trata de personas"), and what they would find."""
        out: dict[str, set[str]] = {}
        for group in self.entries:
            found = {w for t in group for w in fold(t.text).split() if terms(w, t.lang)}  # stop words aside
            for t in group:
                if " " not in t.text and not acronym(t.text):
                    out.setdefault(fold(t.text), set()).update(found)
        return {word: tuple(sorted(found)) for word, found in sorted(out.items())}

    def expand(self, analysed: dict[str, tuple[str, ...]], folded: str | None = None) -> list[Term]:
        """Other terms for a word or phrase, given its analysis in each language; ``folded``:
        the word as written, folded, which an acronym of the glossary must be ("aid" is not "AIDS")."""
        indexes = sorted({i for lang, key in analysed.items() for i in self._by_key.get((lang, key), ())})
        found: list[Term] = []
        for group in (self.entries[i] for i in indexes):
            met = [t for t in group if analysed.get(t.lang) == t.key]
            if all(t.written and t.written != folded for t in met):
                continue  # met only through the stem of an acronym
            found += [t for t in group if t not in met and t not in found]
        return found

    def spans(self, analysed_words: list[dict[str, tuple[str, ...]]]) -> list[int]:
        """For each query word, how many consecutive words from it form a multi-word glossary term
        (0 if none).  Words that analyse to nothing in a language (stop words) are skipped inside
        a term of that language, and taken into the span before it.

        Linear in the words: each word with terms is read against the few terms that start
        with its first term, once, however many stop words come before it.
        """
        best = [0] * len(analysed_words)
        for lang in LANGUAGES:
            words = [a.get(lang, ()) for a in analysed_words]
            following = _next_nonempty(words)
            ends: dict[int, int | None] = {}  # word with terms -> last word of the longest term from it
            for start, first in enumerate(following):
                if first is None:
                    break  # nothing but stop words of this language from here on
                if first not in ends:
                    ends[first] = self._longest_end(lang, words, following, first)
                end = ends[first]
                if end is not None:
                    best[start] = max(best[start], end - start + 1)
        return best

    def _longest_end(self, lang: str, words, following, first: int) -> int | None:
        """The last word of the longest multi-word term of ``lang`` read from word ``first``, or None."""
        ends = [_match_end(words, following, first, key) for key in self._by_first.get((lang, words[first][0]), ())]
        return max((end for end in ends if end is not None), default=None)


def _next_nonempty(words: list[tuple[str, ...]]) -> list[int | None]:
    """For each position, the first position from it whose word has terms (None: none left)."""
    out: list[int | None] = [None] * len(words)
    following = None
    for i in range(len(words) - 1, -1, -1):
        if words[i]:
            following = i
        out[i] = following
    return out


def _match_end(words, following, first: int, key: tuple[str, ...]) -> int | None:
    """The last word of ``key`` read from word ``first`` on (stop words skipped), or None."""
    joined: tuple[str, ...] = ()
    position: int | None = first
    while position is not None:
        joined += words[position]
        if joined == key:
            return position
        if len(joined) >= len(key) or joined != key[: len(joined)]:
            return None
        position = following[position + 1] if position + 1 < len(words) else None
    return None
