"""Highlighted titles and snippets for the hits shown, from the stored text.

Only the hits on the page are highlighted.  The stored text is analysed once with the
same fused analyser the index uses (so stemmed and accent-folded forms match), the
character spans of the words whose terms the query looks for in that field are taken,
and up to three windows of about 200 characters with the most matches become snippets.
Everything outside ``<mark>`` is HTML-escaped.
"""

import re
from functools import lru_cache

from markupsafe import escape
from whoosh import query as wq
from whoosh.support.charset import accent_map

from index.analysis import analyzer, fold

SNIPPET_CHARS = 200
SNIPPETS = 3


def positive_terms(query) -> dict[str, set[str]]:
    """Field name -> terms the query looks for, leaving out excluded (``-word``) parts."""
    out: dict[str, set[str]] = {}

    def walk(q):
        if isinstance(q, wq.AndNot):
            walk(q.a)
        elif isinstance(q, wq.Not):
            return
        elif isinstance(q, wq.Term):
            out.setdefault(q.fieldname, set()).add(q.text)
        elif isinstance(q, wq.Phrase):
            out.setdefault(q.fieldname, set()).update(q.words)
        else:
            for child in q.children():
                walk(child)

    if query is not None:
        walk(query)
    return out


def _folding_to() -> dict[str, str]:
    """Folded character -> every character that folds to it (``e`` -> ``eEéÉèÈ...``)."""
    out: dict[str, set[str]] = {}
    candidates = {chr(c) for c in range(32, 0x250)} | {chr(c) for c in accent_map}
    for ch in candidates:
        for form in (ch, ch.upper(), ch.lower()):
            folded = fold(form)
            if len(folded) == 1:
                out.setdefault(folded, set()).add(form)
    return {k: "".join(sorted(v)) for k, v in out.items()}


_FOLDING_TO = _folding_to()
# A token starts where a word character follows neither a word character nor a word and an
# inner dot or apostrophe (the analyser's tokens are ``\w+(?:[.'’]\w+)*``). The check comes
# after the first character, so that the regular expression engine can skip ahead to it.
_AFTER_TOKEN_START = r"(?<!\w.)(?<!\w[.'’].)"
_TOKEN_REST = r"\w*(?:[.'’]\w+)*"


@lru_cache(maxsize=512)
def _candidates(heads: frozenset) -> re.Pattern:
    """A pattern for the whole tokens whose folded form starts with one of the letters ``heads``."""
    first = "".join(sorted({ch for head in heads for ch in _FOLDING_TO.get(head, head)}))
    return re.compile(f"[{re.escape(first)}]{_AFTER_TOKEN_START}{_TOKEN_REST}")


def _spans(text: str, lang: str, terms: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose analysed term is one of ``terms``.

    Snowball stemming never changes a word's first letter, so only the words whose folded
    form starts like one of the terms are found, by one regular expression, and analysed:
    a few dozen of a release's hundreds of words.
    """
    if not terms:
        return []
    matches = list(_candidates(frozenset(t[:1] for t in terms)).finditer(text))
    if not matches:
        return []
    kept = analyzer(lang).items[0]._analyse([m.group() for m in matches])
    return [matches[j].span() for term, j in kept if term in terms]


def _mark(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, position = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(str(escape(text[position:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        position = e
    out.append(str(escape(text[position:end])))
    return "".join(out)


def title(text: str, lang: str, terms: set[str]) -> str:
    return _mark(text, _spans(text, lang, terms), 0, len(text))


def snippets(text: str, lang: str, terms: set[str], size: int = SNIPPET_CHARS, top: int = SNIPPETS) -> list[str]:
    """Up to ``top`` escaped fragments of about ``size`` characters around the best clusters of matches."""
    spans = _spans(text, lang, terms)
    if not spans:
        return []
    windows = []
    j = 0
    for i, (s, _) in enumerate(spans):  # for each match, the matches within one window after it
        while j < len(spans) and spans[j][1] - s <= size:
            j += 1
        distinct = len({text[a:b].lower() for a, b in spans[i:j]})
        windows.append((distinct, j - i, -s, i, j))
    chosen: list[tuple[int, int]] = []
    for _, _, _, i, j in sorted(windows, reverse=True):
        first, last = spans[i][0], spans[j - 1][1]
        pad = max(0, size - (last - first)) // 2
        start, end = _word_start(text, max(0, first - pad)), _word_end(text, min(len(text), last + pad))
        if any(start < b and a < end for a, b in chosen):
            continue
        chosen.append((start, end))
        if len(chosen) == top:
            break
    out = []
    for start, end in sorted(chosen):
        fragment = _mark(text, spans, start, end)
        out.append(" ".join(fragment.split()))
    return out


def _word_start(text: str, position: int) -> int:
    if position <= 0:
        return 0
    space = text.rfind(" ", max(0, position - 30), position)
    return space + 1 if space >= 0 else position


def _word_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.find(" ", position, position + 30)
    return space if space >= 0 else position
