"""The archive's own words, with the number of releases using each: for corrections and autocomplete.

Computed at index time from the folded (lower-cased, accent-free), unstemmed words of
every release and saved beside the index in each generation, so that "did you mean"
and autocomplete offer words the archive really uses, without indexing every word a
second time.

The file is a marshal of the counts and the written forms (``vocabulary.bin``): an
incremental build reads and rewrites it, and marshal does that several times faster than
JSON (docs/benchmarks.md, "Measurements behind design choices").
"""

import marshal
from collections import Counter
from pathlib import Path

from .analysis import _fold_all, words_and_folded

FILE = "vocabulary.bin"
MAX_WORD = 40


def words_of(text: str) -> set[str]:
    return {w for w in words_and_folded(text)[1] if 1 < len(w) <= MAX_WORD}


class Tally:
    """The vocabulary of releases as they are read: releases per folded word, and how often each
    accented form is written.  A build that analyses the text anyway adds each release's words
    as it goes (``index.segments``); tallies of parts of an archive add up (``merge``)."""

    def __init__(self):
        self._counts: Counter = Counter()  # every folded word, the too short and too long too
        self.written: Counter = Counter()

    @property
    def counts(self) -> dict[str, int]:
        """Releases per folded word, for the words of the vocabulary's lengths."""
        return {w: n for w, n in self._counts.items() if 1 < len(w) <= MAX_WORD}

    def add(self, words: list[str], folded: list[str], ascii: bool = False) -> None:
        """One release's words as the analyser's tokenizer finds them, and the same folded
        (``ascii``: the text they come from is all ASCII, so no word has an accented form)."""
        # Counted as they come and sorted out once at the end: one set per release, made in C.
        self._counts.update(set(folded))
        if not ascii:
            self.written.update([w.lower() for w in words if not w.isascii()])

    def add_text(self, text: str) -> None:
        self.add(*words_and_folded(text), text.isascii())

    def merge(self, other: "Tally") -> None:
        self._counts.update(other._counts)
        self.written.update(other.written)

    def forms(self, forms: dict[str, str] | None = None) -> dict[str, str]:
        """Folded word -> its commonest written (accented, lower-case) form, for words with
        accents, so suggestions read "migración", not "migracion"; over ``forms`` if given."""
        out = dict(forms or {})
        best: dict[str, int] = {}
        for form, n in self.written.items():
            key = _fold_all([form])[0]
            if n > best.get(key, 0):
                best[key], out[key] = n, form
        return out


def tally(releases) -> Tally:
    out = Tally()
    for release in releases:
        out.add_text(f"{release.title}\n{release.body}")
    return out


def written_forms(releases, forms: dict[str, str] | None = None) -> dict[str, str]:
    """Folded word -> its commonest written form, for the accented words of ``releases``."""
    return tally(releases).forms(forms)


def update(counts: dict[str, int], removed: list[dict], added) -> dict[str, int]:
    """The vocabulary after an incremental build: the words of the removed (and updated)
    releases' old versions taken out (``removed``: their stored fields, as the generation
    they were in holds them) and the new versions' words added."""
    delta: Counter = Counter()
    for fields in removed:
        delta.subtract(words_of(f"{fields['title']}\n{fields['body']}"))
    for release in added:
        delta.update(words_of(f"{release.title}\n{release.body}"))
    counts = dict(counts)
    for word, change in delta.items():
        n = counts.get(word, 0) + change
        if n > 0:
            counts[word] = n
        else:
            counts.pop(word, None)
    return counts


def save(directory: Path, vocabulary: dict[str, int], forms: dict[str, str] | None = None) -> None:
    data = {"format": 3, "counts": vocabulary, "forms": forms or {}}
    (directory / FILE).write_bytes(marshal.dumps(data))


def _read(directory: Path) -> dict:
    try:
        data = marshal.loads((directory / FILE).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # missing or damaged: no suggestions rather than no search
        return {"counts": {}, "forms": {}}
    return data if isinstance(data, dict) and data.get("format") == 3 else {"counts": {}, "forms": {}}


def load(directory: Path) -> dict[str, int]:
    return _read(directory)["counts"]


def load_both(directory: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The counts and the written forms, from one reading of the file."""
    data = _read(directory)
    return data["counts"], data["forms"]
