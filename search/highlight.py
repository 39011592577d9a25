"""Highlighted titles and snippets for the hits shown, from the stored text.

Only the hits on the page are highlighted.  The stored text is analysed with the same fused
analyser the index uses (so stemmed and accent-folded forms match), and what the query looks
for in that field is marked:

- a word the visitor typed, wherever a word analyses to its term;
- a phrase (typed in quotes, a ``title:`` phrase, a multi-word glossary equivalent) only where
  its words follow one another in order, with only stop words between them, as the index's
  positions have them; its words alone are not marked;
- a glossary equivalent the visitor did not type only where the text writes it as the glossary
  does, up to case, accents and a plural ending (what the glossary promises to ignore), not
  every word sharing its stem: for "trafficking", "trata" and "trata de personas" are marked
  but not "tratadas", nor a lone "personas".

Up to three windows of about 200 characters with the most matches become snippets.
Everything outside ``<mark>`` is HTML-escaped.
"""

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

from markupsafe import escape
from whoosh import query as wq
from whoosh.support.charset import accent_map

from index.analysis import (
    CLITIC_PATTERN,
    CLITICS,
    LANGUAGES,
    TOKEN_PATTERN,
    TOKEN_TAIL,
    american_spelling,
    analyzer,
    fold,
    in_set_phrase,
    name_terms,
    number_forms,
    terms,
    words_and_folded,
)
from index.places import country_name
from index.schema import stored_title_lang

from .translated import Translated

SNIPPET_CHARS = 200
SNIPPETS = 3
_WORD = re.compile(TOKEN_PATTERN)  # the analyser's words

# One word of a pattern: its term, and the folded ways it may be written (None: any word with
# that term).  A pattern is one word or a phrase: a tuple of these.
Step = tuple[str, frozenset | None]


@dataclass(frozen=True)
class Wanted:
    """What to mark in the text of one field."""

    words: frozenset = frozenset()  # terms marked wherever a word analyses to one of them
    # first term -> the patterns starting with it
    patterns: dict[str, tuple[tuple[Step, ...], ...]] = field(default_factory=dict)

    def __or__(self, other: "Wanted") -> "Wanted":
        if not other.words and not other.patterns:
            return self
        if not self.words and not self.patterns:
            return other
        patterns = {
            t: tuple(dict.fromkeys(self.patterns.get(t, ()) + other.patterns.get(t, ())))
            for t in self.patterns.keys() | other.patterns.keys()
        }
        return Wanted(self.words | other.words, patterns)

    @cached_property
    def heads(self) -> frozenset:
        """How the terms a match can start with begin: their first two characters (one for a
        term of one, or of a number, whose second character a text may write as a separator:
        "1250" is "1.250" or "1,250")."""
        return frozenset(t[:1] if t[:1].isdigit() else t[:2] for t in self.words | self.patterns.keys())


NOTHING = Wanted()


def wanted(query, typed=(), glossary=None, country_names=None, quoted=()) -> dict[str, Wanted]:
    """Field name -> what to mark, for the positive parts of ``query`` (not ``-word`` ones).

    ``typed``: the word and phrase texts the visitor typed; ``glossary``: the one the query was
    expanded with; ``country_names``: a country code's names (``Gazetteer.names_of``), marked
    where the query matches releases by their country (its CLDR names without it).  A term or
    phrase of ``query`` that is a glossary term's analysis but not what was typed is a glossary
    equivalent, marked only as the glossary writes it.  Other nodes (translations, for one) are
    read through their ``children()``. ``quoted``: the phrases typed in quotes, "the exact
    phrase", marked only as written (case and accents aside).
    """
    typed_keys = {(lang, tuple(terms(text, lang))) for text in typed for lang in LANGUAGES}
    exact = _quoted_forms(tuple(quoted))
    written = _written_forms(glossary) if glossary is not None else {}
    found: dict[str, tuple[set, dict]] = {}

    def add(fieldname: str, key: tuple[str, ...], free: bool = False, forms=None):
        """``free``: marked in any form, even where a glossary term has the same analysis (a
        word's translation, a country's name: no glossary equivalent); ``forms``: only in these
        (per word of ``key``, a set of folded forms)."""
        lang = fieldname.rpartition("_")[2]
        if not key or lang not in LANGUAGES:
            return
        words, patterns = found.setdefault(fieldname, (set(), {}))
        if forms is None and len(key) > 1:
            forms = exact.get((lang, key))
        if forms is None:
            forms = None if free or (lang, key) in typed_keys else written.get((lang, key))
        if forms is None and len(key) == 1:
            words.add(key[0])
        else:
            pattern = tuple(zip(key, forms or (None,) * len(key), strict=True))
            patterns.setdefault(key[0], {})[pattern] = None

    def walk(q):
        # what is left out, or only required beside (a quoted phrase's words as written), is not marked
        if isinstance(q, (wq.AndNot, wq.Require)):
            walk(q.a)
        elif isinstance(q, wq.Not):
            return
        elif isinstance(q, wq.Term) and q.fieldname == "countries":
            # A release matched for its country (a place name typed, "country:"): its names are
            # marked, as each language writes them, where the words typed may not be ("Dominican"
            # and "República Dominicana" stem apart in Spanish).
            names = country_names(q.text) if country_names is not None else ()
            names = names or tuple(country_name(q.text, lang) for lang in LANGUAGES)
            for fieldname, key, forms in _name_keys(names):
                add(fieldname, key, forms=forms)
        elif isinstance(q, Translated):
            # A word's learnt translations: "workers" matches "trabajadores" by its stem, which
            # the glossary's "trabajo" shares; marked in any form, as it matched.
            for term, _ in q.alternatives:
                add(q.fieldname, (term,), free=True)
        elif isinstance(q, wq.Term) and q.fieldname.startswith("exact_"):
            # A word sought only as written (a place name's word beside a stop word): marked
            # where the text writes it so, not in every form of its stem.
            lang = q.fieldname.removeprefix("exact_")
            stem = terms(q.text, lang) if lang in LANGUAGES else []
            if len(stem) == 1:
                add(f"body_{lang}", (stem[0],), forms=(frozenset({q.text}),))
        elif isinstance(q, wq.Term):
            add(q.fieldname, (q.text,))
        elif isinstance(q, wq.Phrase):
            add(q.fieldname, tuple(q.words))
        else:
            for child in q.children():
                walk(child)

    if query is not None:
        walk(query)
    out = {}
    for fieldname, (words, patterns) in found.items():
        # A one-word pattern adds nothing to a term marked wherever it is.
        kept = {t: tuple(p for p in ps if len(p) > 1 or t not in words) for t, ps in patterns.items()}
        out[fieldname] = Wanted(frozenset(words), {t: ps for t, ps in kept.items() if ps})
    return out


def _quoted_forms(quoted: tuple[str, ...]) -> dict[tuple[str, tuple[str, ...]], tuple[frozenset, ...]]:
    """(language, analysed phrase) -> for each of its words, the folded forms it is written in
    between the quotes, singular or plural (``number_forms``)."""
    out = {}
    for text in quoted:
        for lang in LANGUAGES:
            found = phrase_forms(text, lang)
            if len(found) > 1:
                out[lang, tuple(term for term, _ in found)] = tuple(frozenset(number_forms(f)) for _, f in found)
    return out


def phrase_forms(text: str, lang: str) -> list[tuple[str, str]]:
    """Each term of ``text`` analysed in ``lang``, with the word it comes from as written, folded
    (a quoted phrase's: the compiler requires those forms, the highlighter marks them)."""
    words = words_and_folded(text)[0]
    return [(term, american_spelling(fold(words[index]))) for term, index in analyzer(lang).items[0]._analyse(words)]


@lru_cache(maxsize=256)  # a country's names, analysed once: a few dozen countries are asked for
def _name_keys(names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...], tuple[frozenset, ...]], ...]:
    """(field, terms, forms) of each name in each language's analysis, of the words it keeps
    (``index.analysis.name_terms``), each word marked only as the name writes it, or with an
    English possessive: a name's stem is often a common word's ("Saba" is "sab" in Spanish, as
    "sábado" is; "Antigua" is "antiguo"'s)."""
    out: dict[tuple[str, tuple[str, ...]], tuple[frozenset, ...]] = {}
    for name in names:
        for lang in LANGUAGES:
            # the words the language keeps, each as written: "Estados Unidos" marks "Unidos" in
            # Spanish ("estados" is a stop word), never the "Unidas" of "Naciones Unidas"
            found = name_terms(name, lang)
            if not found:
                continue
            key = tuple(term for term, _ in found)
            written = tuple(frozenset({w, f"{w}'s"}) for _, w in found)
            known = out.get((f"body_{lang}", key))  # names of one analysis: each's forms ("haitiano", "haitianos")
            out[f"body_{lang}", key] = written if known is None else tuple(map(frozenset.union, known, written))
    return tuple((field, key, forms) for (field, key), forms in out.items())


_WRITTEN: dict[int, tuple[object, dict]] = {}  # id(glossary) -> (glossary, its written forms)


def _written_forms(glossary) -> dict[tuple[str, tuple[str, ...]], tuple[frozenset, ...]]:
    """(language, analysed term) -> for each of its words, the folded forms the glossary's
    terms with that analysis are written in; computed once per glossary."""
    cached = _WRITTEN.get(id(glossary))
    if cached is not None and cached[0] is glossary:
        return cached[1]
    out: dict[tuple[str, tuple[str, ...]], list[set]] = {}
    for group in glossary.entries:
        for term in group:
            words = _WORD.findall(term.text)
            analysed = analyzer(term.lang).items[0]._analyse(words)
            if tuple(t for t, _ in analysed) != term.key:
                continue  # not analysed as the glossary did: mark it by its terms
            forms = out.setdefault((term.lang, term.key), [set() for _ in term.key])
            for position, (_, index) in enumerate(analysed):
                forms[position] |= number_forms(american_spelling(fold(words[index])))
    written = {key: tuple(frozenset(f) for f in forms) for key, forms in out.items()}
    if len(_WRITTEN) > 8:  # one glossary per open generation: a few at most, unless many are loaded
        _WRITTEN.clear()
    _WRITTEN[id(glossary)] = (glossary, written)
    return written


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
# inner dot, nor a digit and a comma where it is a digit ("20,4" is one token), nor a word and
# an apostrophe where a clitic starts, and is not a letter elided
# before an apostrophe (the analyser's tokens, ``index.analysis.TOKEN_PATTERN``: "IOM's" is one,
# "Grand'Anse" two, "d'Ivoire" one). The check comes after the first character, so that the
# regular expression engine can skip ahead to it.
_NOT_ELIDED = rf"(?!['’](?!{CLITIC_PATTERN}(?!\w))\w)"
_AFTER_TOKEN_START = (
    r"(?<!\w.)(?<!\w\..)(?<!\d,\d)"
    + _NOT_ELIDED
    + "".join(rf"(?!(?<=\w['’](?i:{c[0]})){''.join(f'(?i:{x})' for x in c[1:])}(?!\w))" for c in CLITICS)
)
_TOKEN_REST = r"\w*" + TOKEN_TAIL
# What else a token's second character may be, for a stem's second character: Snowball's English
# stems dying, lying, tying and vying to die, lie, tie and vie; and it reads a curly apostrophe
# as a straight one. Otherwise neither stemmer changes the first two characters of a folded
# word (tests/test_highlight_phrases.py checks every word of the sample archive and of NTREX).
_SECOND_ALSO = {"i": "y", "'": "’", "’": "'"}


@cache  # one per folded letter: a few dozen, compiled once
def _starting_with(head: str) -> re.Pattern:
    """A pattern for the whole tokens whose folded form starts with the letter ``head``."""
    return re.compile(f"[{re.escape(_FOLDING_TO.get(head, head))}]{_AFTER_TOKEN_START}{_TOKEN_REST}")


@cache  # one per folded character met as a second character: a few dozen
def _written_as(folded: str) -> frozenset:
    """The characters a token may have where its folded form has ``folded`` (those of the
    folding table; :func:`_second_fits` checks the others one by one)."""
    return frozenset(
        c for also in (folded, *_SECOND_ALSO.get(folded, "")) for c in (also, *_FOLDING_TO.get(also, also))
    )


def _second_fits(character: str, allowed: frozenset, wanted: set[str]) -> bool:
    """Whether a token's second ``character`` may fold to one of ``wanted``: from the table of
    the usual ones (``allowed``), else by folding it (a Greek or Cyrillic capital, µ's Greek
    twin, a letter that folds to two: none is in the table)."""
    if character in allowed:
        return True
    if character.isascii():
        return False
    folded = fold(character)[:1]
    return folded in wanted or any(folded in _SECOND_ALSO.get(w, "") for w in wanted)


def _candidates(text: str, heads: frozenset) -> list[re.Match]:
    """The whole tokens of ``text`` whose folded form starts as one of ``heads`` does (its first
    two characters, or one), in order.

    A pattern per first letter, not one for all the heads: a stream of new queries brings new
    sets without end, and compiling a pattern (its character classes are large) costs about
    half a millisecond, more than the scans of the ten snippets it would serve. Each character
    folds to one letter, and a match starts only where a token does, so the letters' matches
    never overlap. Of those, only the tokens whose second character can be a wanted term's are
    kept: most of the others would each be analysed for nothing."""
    seconds: dict[str, set[str]] = {}
    for head in heads:
        seconds.setdefault(head[:1], set()).add(head[1:2])  # "": a term of one character
    found: list[re.Match] = []
    for first, wanted in seconds.items():
        matches = _starting_with(first).finditer(text)
        if "" in wanted:
            found.extend(matches)
        else:
            allowed = frozenset().union(*map(_written_as, wanted)) if len(wanted) > 1 else _written_as(*wanted)
            found.extend(m for m in matches if _second_fits(m.group()[1:2], allowed, wanted))
    if len(seconds) > 1:
        found.sort(key=lambda m: m.start())
    return found


def _spans(text: str, lang: str, wanted: Wanted) -> list[tuple[int, int]]:
    """Character spans of what ``wanted`` marks in ``text``, in order, none overlapping.

    Snowball stemming never changes a word's first letter, so only the words whose folded
    form starts like a wanted word or the first word of a wanted phrase are found, by a
    regular expression for each first letter, and analysed: a few dozen of a release's hundreds of words.  A phrase
    is followed word by word from its first word.
    """
    words, patterns = wanted.words, wanted.patterns
    if not words and not patterns:
        return []
    matches = _candidates(text, wanted.heads)
    if not matches:
        return []
    tokenizer = analyzer(lang).items[0]
    spans: list[tuple[int, int]] = []
    # The candidates are not consecutive words: a word of a set phrase is found by its context.
    for term, j in tokenizer._analyse([m.group() for m in matches], phrases=False):
        match = matches[j]
        end = match.end() if term in words else 0
        for pattern in patterns.get(term, ()):
            forms = pattern[0][1]
            if forms is not None and american_spelling(fold(match.group())) not in forms:
                continue
            if len(pattern) == 1:
                end = max(end, match.end())
            else:
                end = max(end, _phrase_end(text, match.end(), pattern[1:], tokenizer) or 0)
        if not end or in_set_phrase(text, match.start(), match.end()):
            continue
        if spans and match.start() < spans[-1][1]:  # inside a phrase already marked: one mark
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((match.start(), end))
    return spans


def _phrase_end(text: str, position: int, steps, tokenizer) -> int | None:
    """Where the rest of a phrase (``steps``) ends if it follows ``position`` in ``text``, or None.

    Stop words between its words are passed over, and the words of set phrases: the index gives
    them no position, so "trata de las personas" is a match for the phrase "trata de personas".
    """
    for term, forms in steps:
        while True:
            match = _WORD.search(text, position)
            if match is None:
                return None
            position = match.end()
            if in_set_phrase(text, match.start(), position):
                continue  # a stop word there ("as well as"): no position either
            analysed = tokenizer._analyse([match.group()])
            if analysed:
                break
        if analysed[0][0] != term or (forms is not None and american_spelling(fold(match.group())) not in forms):
            return None
    return position


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


def title(text: str, lang: str, wanted: Wanted) -> str:
    return _mark(text, _spans(text, lang, wanted), 0, len(text))


def release_title(fields: dict, wanted: dict[str, Wanted]) -> str:
    """A hit's title (its stored ``fields``), marked as analysed in the language it is written
    in: the release's, or its ``title_lang`` when the title is in the other language than the
    text (``index.schema``).  That language's body field holds the title: its terms are the
    title's too."""
    lang = stored_title_lang(fields)
    return title(fields["title"], lang, wanted.get(f"title_{lang}", NOTHING) | wanted.get(f"body_{lang}", NOTHING))


def snippets(text: str, lang: str, wanted: Wanted, size: int = SNIPPET_CHARS, top: int = SNIPPETS) -> list[str]:
    """Up to ``top`` escaped fragments of about ``size`` characters around the best clusters of
    matches (a phrase is one match)."""
    spans = _spans(text, lang, wanted)
    if not spans:
        return []
    windows = []
    j = 0
    # Each match as a window counts it (case and spacing aside), read once rather than once a
    # window: a common word matches dozens of times in a long release.
    matched = [" ".join(text[a:b].lower().split()) for a, b in spans]
    for i, (s, _) in enumerate(spans):  # for each match, the matches within one window after it
        j = max(j, i + 1)  # a match longer than a window is a window of its own
        while j < len(spans) and spans[j][1] - s <= size:
            j += 1
        distinct = len(set(matched[i:j]))
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


_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")
_SPACE = re.compile(r"\s")
WORD_REACH = 30  # characters a snippet's edge moves at most to a word's edge (a long address is cut)


def _word_start(text: str, position: int) -> int:
    """Where the word at ``position`` starts: the text's start when that is near (the first
    word, a dateline's "TAPACHULA", is not cut), else after the space before it."""
    if position <= 0:
        return 0
    low = max(0, position - WORD_REACH)
    space = _LAST_SPACE.search(text, low, position)
    if space is not None:
        return space.end()
    return 0 if low == 0 else position


def _word_end(text: str, position: int) -> int:
    """Where the word at ``position`` ends (before a space or a line break, or the text's end)."""
    if position >= len(text):
        return len(text)
    high = min(len(text), position + WORD_REACH)
    space = _SPACE.search(text, position, high)
    if space is not None:
        return space.start()
    return len(text) if high == len(text) else position
