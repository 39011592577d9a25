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


def written_forms(releases, forms: dict[str, str] | None = None) -> dict[str, str]:
    """Folded word -> its commonest written (accented, lower-case) form, for words with accents,
    so suggestions read "migración", not "migracion"."""
    seen: Counter = Counter()
    for release in releases:
        for word in _TOKEN.findall(f"{release.title}\n{release.body}"):
            if not word.isascii():
                seen[word.lower()] += 1
    out = dict(forms or {})
    best: dict[str, int] = {}
    for form, n in seen.items():
        key = _fold_all([form])[0]
        if n > best.get(key, 0):
            best[key], out[key] = n, form
    return out


def update(counts: dict[str, int], old_generation: Path, removed_ids: list[str], added) -> dict[str, int]:
    """The vocabulary after an incremental build: the removed (and updated) releases' old words
    taken out, read from the generation they were in, and the new versions' words added."""
    from whoosh import index as whoosh_index
    counts = Counter(counts)
    if removed_ids:
        with whoosh_index.open_dir(str(old_generation)).searcher() as searcher:
            for release_id in removed_ids:
                fields = searcher.document(id=release_id)
                if fields:
                    counts.subtract(words_of(f"{fields['title']}\n{fields['body']}"))
    for release in added:
        counts.update(words_of(f"{release.title}\n{release.body}"))
    return {word: n for word, n in counts.items() if n > 0}


def save(directory: Path, vocabulary: dict[str, int], forms: dict[str, str] | None = None) -> None:
    data = {"format": 2, "counts": vocabulary, "forms": forms or {}}
    (directory / FILE).write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def _read(directory: Path) -> dict:
    try:
        data = json.loads((directory / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"counts": {}, "forms": {}}
    # The first format was the bare word -> count table.
    return data if data.get("format") == 2 else {"counts": data, "forms": {}}


def load(directory: Path) -> dict[str, int]:
    return _read(directory)["counts"]


def load_forms(directory: Path) -> dict[str, str]:
    return _read(directory)["forms"]


def load_both(directory: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The counts and the written forms, from one reading of the file."""
    data = _read(directory)
    return data["counts"], data["forms"]
