"""The archive's bilingual glossary (``data/glossary.toml``), used to expand queries.

Each entry lists terms that mean the same thing, in English and Spanish (and
spelling variants such as labour / labor).  A query word or phrase that matches one
term of an entry is also searched as the entry's other terms, scored lower than the
words the visitor typed.
"""

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.analysis import LANGUAGES, terms
from index.config import DATA_DIR


def glossary_file() -> Path:
    value = os.environ.get("GLOSSARY_FILE")
    return Path(value) if value else DATA_DIR / "glossary.toml"


@dataclass(frozen=True)
class Term:
    lang: str
    text: str
    key: tuple[str, ...]  # analysed with its own language's analyser


@dataclass
class Glossary:
    entries: list[list[Term]]

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
                    key = tuple(terms(text, lang))
                    if key:
                        group.append(Term(lang, text, key))
            if len(group) > 1:
                entries.append(group)
        return cls(entries)

    def expand(self, analysed: dict[str, tuple[str, ...]]) -> list[Term]:
        """Other terms for a word or phrase, given its analysis in each language."""
        found: list[Term] = []
        for group in self.entries:
            if any(analysed.get(t.lang) == t.key for t in group):
                found += [t for t in group if analysed.get(t.lang) != t.key and t not in found]
        return found

    def longest_match(self, analysed_words: list[dict[str, tuple[str, ...]]], start: int) -> int:
        """How many consecutive query words from ``start`` form a multi-word glossary term (0 if none)."""
        best = 0
        for group in self.entries:
            for t in group:
                if len(t.key) < 2:
                    continue
                joined: tuple[str, ...] = ()
                for end in range(start, len(analysed_words)):
                    joined += analysed_words[end].get(t.lang, ())
                    if joined == t.key:
                        best = max(best, end - start + 1)
                        break
                    if len(joined) >= len(t.key) or joined != t.key[:len(joined)]:
                        break
        return best


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()
