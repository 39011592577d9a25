"""The archive's own words, with the number of releases using each: for corrections and autocomplete.

Computed at index time from the folded (lower-cased, accent-free), unstemmed words of
every release and saved beside the index in each generation, so that "did you mean"
and autocomplete offer words the archive really uses, without indexing every word a
second time.
"""

import json
from collections import Counter
from pathlib import Path

from .analysis import _TOKEN, _fold_all

FILE = "vocabulary.json"
MAX_WORD = 40


def words_of(text: str) -> set[str]:
    return {w for w in _fold_all(_TOKEN.findall(text)) if 1 < len(w) <= MAX_WORD}


def build(releases) -> dict[str, int]:
    counts: Counter = Counter()
    for release in releases:
        counts.update(words_of(f"{release.title}\n{release.body}"))
    return dict(counts)


def save(directory: Path, vocabulary: dict[str, int]) -> None:
    (directory / FILE).write_text(json.dumps(vocabulary, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def load(directory: Path) -> dict[str, int]:
    try:
        return json.loads((directory / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
