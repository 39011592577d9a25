"""The terms of each language's body field in a generation, kept beside it (``body_terms.bin``).

The lexicon keeps only translations into terms some release uses (``Lexicon.pruned``). Listing
those terms from Whoosh's merged term lists took most of a second at 100,000 releases, in every
incremental build too; kept in a file, an incremental build reads them and adds only the terms
of the segments it wrote. A deleted release's terms stay listed, as they stay in Whoosh's term
lists until a merge: a translation kept for them matches nothing.
"""

import marshal
import os
from pathlib import Path

from whoosh import index as whoosh_index

from .analysis import LANGUAGES
from .whoosh_internals import segment_of

FILE = "body_terms.bin"


def body_terms(directory: Path, base: Path | None = None) -> dict[str, set[str]]:
    """{language: the terms of its body field} of the index written in ``directory``; with
    ``base`` (the generation it was copied from), that generation's file and the terms of the
    segments it does not hold."""
    known = _load(base) if base is not None else None
    held = _segment_ids(base) if base is not None and known is not None else set()
    found = known or {lang: set() for lang in LANGUAGES}
    with whoosh_index.open_dir(str(directory)).reader() as reader:
        for leaf in (leaf for leaf, _ in reader.leaf_readers() if _segment_id(leaf) not in held):
            for lang in LANGUAGES:
                found[lang].update(term.decode("utf-8") for term in leaf.lexicon(f"body_{lang}"))
    return found


def save(directory: Path, terms: dict[str, set[str]]) -> None:
    """Write the file, as a new file: an incremental build's folder starts as hard links to the
    live generation's files, which must not change."""
    path = directory / FILE
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(marshal.dumps({lang: sorted(found) for lang, found in terms.items()}))
    os.replace(temporary, path)


def _load(directory: Path) -> dict[str, set[str]] | None:
    try:
        data = marshal.loads((directory / FILE).read_bytes())
        return {lang: set(data[lang]) for lang in LANGUAGES}
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None  # a generation written before the file, or a damaged one: listed again


def _segment_ids(directory: Path) -> set:
    with whoosh_index.open_dir(str(directory)).reader() as reader:
        return {_segment_id(leaf) for leaf, _ in reader.leaf_readers()}


def _segment_id(reader):
    segment = segment_of(reader)
    return segment.segment_id() if segment is not None else None
