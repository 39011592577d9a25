"""Word translations learnt from parallel text: IBM Model 1, trained in both directions.

Given segments (sentences, titles, paragraphs) in English with their Spanish translation,
already analysed into terms, Model 1's expectation-maximisation learns for every pair of terms
the probability that one translates the other.  A pair is kept when each direction gives it
at least ``MIN_PROBABILITY``: the intersection of the two directions drops most of the
chance co-occurrences that either alone keeps ("the president said" teaches "dij" for
"said", not for "president").

Each iteration is a handful of array operations over every co-occurrence of a term pair in a
segment, so that a few thousand sentence pairs train in about a second.
"""

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

ITERATIONS = 5
MIN_PROBABILITY = 0.1
# A term seen in one source only teaches nothing reliable: a line of parallel text, or a release
# pair of the archive, all of whose segments (title, paragraphs) count as one source. Counted
# by segment, a name in one pair's title and paragraphs was learnt as the words beside it
# ("Sula" as "psicosocial", "COVID" as "higiene").
MIN_SEGMENTS = 2
MAX_SEGMENT_TERMS = 120  # longer segments are not sentence-aligned: their co-occurrences are noise
NULL = "\0"  # the empty word Model 1 lets a term come from
# Terms left out of training: numbers (a digit) and abbreviations with an inner dot ("u.s",
# "e.g"). A number is written alike in both languages and its own translation; either, trained,
# took a share of what the words beside it explain ("1,250" was learnt as "UNHCR").
_NOT_A_WORD = re.compile(r"[^\w~]|\d")


# What the training's outcome depends on besides its segments (the lexicon's cache is keyed by it).
SETTINGS = f"{ITERATIONS} {MIN_PROBABILITY} {MIN_SEGMENTS} {MAX_SEGMENT_TERMS} {_NOT_A_WORD.pattern}"


@dataclass(frozen=True)
class Learnt:
    """Translation probabilities learnt from parallel text, each direction: {term: {translation: p}}."""

    en_es: dict[str, dict[str, float]]
    es_en: dict[str, dict[str, float]]


def learn(segments: list[tuple[list[str], list[str]]], origins: list | None = None) -> Learnt:
    """Translations of the terms of English/Spanish segment pairs (each a list of terms per side).
    ``origins``, one per segment, names where each comes from (segments of one origin count as
    one source for ``MIN_SEGMENTS``; ``None``, or no list: a source of its own)."""
    kept = []
    for i, (english, spanish) in enumerate(segments):
        english = [t for t in english if not _NOT_A_WORD.search(t)]
        spanish = [t for t in spanish if not _NOT_A_WORD.search(t)]
        if english and spanish and len(english) <= MAX_SEGMENT_TERMS and len(spanish) <= MAX_SEGMENT_TERMS:
            origin = origins[i] if origins is not None and origins[i] is not None else ("segment", i)
            kept.append((english, spanish, origin))
    if not kept:
        return Learnt({}, {})
    segments = [(english, spanish) for english, spanish, _ in kept]
    es_given_en = _model1(segments)
    en_given_es = _model1([(es, en) for en, es in segments])
    seen_en = _sources(kept, 0)
    seen_es = _sources(kept, 1)
    en_es: dict[str, dict[str, float]] = {}
    es_en: dict[str, dict[str, float]] = {}
    for (es, en), p in es_given_en.items():
        q = en_given_es.get((en, es), 0.0)
        if p < MIN_PROBABILITY or q < MIN_PROBABILITY or en == NULL:
            continue
        if seen_en[en] < MIN_SEGMENTS or seen_es[es] < MIN_SEGMENTS:
            continue
        en_es.setdefault(en, {})[es] = round(p, 4)
        es_en.setdefault(es, {})[en] = round(q, 4)
    return Learnt(en_es, es_en)


def _sources(kept: list, side: int) -> Counter:
    """{term: how many distinct origins have it on ``side`` (0 English, 1 Spanish)}."""
    return Counter(t for t, _ in {(t, segment[2]) for segment in kept for t in segment[side]})


def _model1(segments: list[tuple[list[str], list[str]]]) -> dict[tuple[str, str], float]:
    """P(target term | source term) for the segment pairs (source, target), as {(target, source): p}."""
    sources: dict[str, int] = {NULL: 0}
    targets: dict[str, int] = {}
    pair_ids: dict[tuple[int, int], int] = {}
    cooccurring, positions = [], []  # per co-occurrence: its term pair, and the target word it explains
    position = 0
    for source, target in segments:
        s_ids = [0] + [sources.setdefault(t, len(sources)) for t in source]
        for term in target:
            f = targets.setdefault(term, len(targets))
            for e in s_ids:
                cooccurring.append(pair_ids.setdefault((f, e), len(pair_ids)))
                positions.append(position)
            position += 1
    pairs = np.array(cooccurring, dtype=np.int64)
    words = np.array(positions, dtype=np.int64)
    source_of = np.empty(len(pair_ids), dtype=np.int64)
    for (_, e), i in pair_ids.items():
        source_of[i] = e
    t = np.ones(len(pair_ids))
    for _ in range(ITERATIONS):
        share = t[pairs]
        share /= np.bincount(words, weights=share)[words]  # each target word's unit spread over its sources
        counts = np.bincount(pairs, weights=share, minlength=len(pair_ids))
        totals = np.bincount(source_of, weights=counts, minlength=len(sources))
        t = counts / totals[source_of]
    source_names = list(sources)
    target_names = list(targets)
    return {(target_names[f], source_names[e]): float(t[i]) for (f, e), i in pair_ids.items()}
