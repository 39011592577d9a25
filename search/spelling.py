"""Spelling corrections: the archive word nearest a word the archive does not use.

Whoosh's list corrector walks a Levenshtein automaton over the whole sorted vocabulary, in
Python, most of the time for the automaton of two edits.  ``best`` gives what
``suggest(word, limit=1)`` gives for a small part of that (docs/benchmarks.md, "Measurements
behind design choices"): it stops at the first distance with a match, and reads only the
words that can be that near -- a length within reach, and enough of the word's letter pairs
(an index of the vocabulary's letter pairs finds them) -- checking them one by one when they
are few, with the automaton when they are many.
"""

import bisect
import difflib

import numpy as np

from index.whoosh_internals import RankedListCorrector, levenshtein_matches

# Up to this many candidates are checked one by one; beyond, building the automaton and walking it
# over them costs less (the crossover is measured in docs/benchmarks.md).
DIRECT_CHECKS = 100


class VocabularyCorrector(RankedListCorrector):
    """Whoosh's list corrector over the archive's vocabulary.

    Among words at the same edit distance, the most similar spelling wins (so "trafiking"
    becomes "trafficking", not "tracking"), then the word more releases use.
    """

    def __init__(self, words: list[str], counts: dict[str, int]):
        super().__init__(words)
        self.counts = counts
        self.lengths = np.fromiter(map(len, words), np.int32, len(words))
        self.pairs = _pair_index(words)

    def rank(self, score: int, text: str, word: str, extra: dict[str, int] | None = None) -> float:
        """Minus the distance (``score``), plus what ranks words at one distance: similarity of
        spelling, then use (the two add less than 0.5)."""
        count = max(self.counts.get(word, 0), (extra or {}).get(word, 0))
        similarity = difflib.SequenceMatcher(None, text, word).ratio()
        return score + 0.4 * similarity + 0.1 * count / (count + 1)

    def best(
        self, text: str, maxdist: int, other: bool = False, accept=None, extra: dict[str, int] | None = None
    ) -> str | None:
        """The word ``suggest(text, limit=1, maxdist=maxdist)`` returns, or None; with ``other``,
        the best word other than ``text`` itself (the neighbour of a word the vocabulary holds);
        with ``accept``, the best of the words it accepts; ``extra``: words the vocabulary may
        lack that are candidates too (the glossary's), with the use each is ranked by.

        A word one edit away always outscores one two edits away (``rank`` adds less than
        0.5 to minus the distance), so words two edits away, the costly search, are only
        looked for when no word is one edit away.
        """
        for distance in range(1, maxdist + 1):
            within = self._within(text, distance)
            within += [word for word in extra or () if _near(text, word, distance) and word not in within]
            found = [word for word in within if not (other and word == text) and (accept is None or accept(word))]
            if found:
                return max((self.rank(0 - distance, text, word, extra), word) for word in found)[1]
        return None

    def _within(self, text: str, distance: int) -> list[str]:
        """The words at most ``distance`` edits from ``text``."""
        candidates = self._candidates(text, distance)
        if len(candidates) <= DIRECT_CHECKS:
            return [word for word in candidates if _near(text, word, distance)]
        return levenshtein_matches(text, distance, _FirstFrom(candidates))

    def _candidates(self, text: str, distance: int) -> list[str]:
        """The words that may be at most ``distance`` edits from ``text``, in order: those whose
        length is within reach and that share enough of its letter pairs.

        An edit changes at most two of a word's letter pairs (``_pairs``: its ends marked), so
        two words ``distance`` edits apart share all but ``2 * distance`` of the pairs of each.
        """
        near = np.abs(self.lengths - len(text)) <= distance
        pairs = _pairs(text)
        needed = np.maximum(self.lengths, len(text)) + 1 - 2 * distance
        postings = [self.pairs[p] for p in pairs if p in self.pairs]
        shared = np.bincount(np.concatenate(postings), minlength=len(self.wordlist)) if postings else 0
        return [self.wordlist[i] for i in np.flatnonzero(near & (shared >= needed))]


def _near(word: str, other: str, distance: int) -> bool:
    """Whether ``other`` is at most ``distance`` insertions, deletions or substitutions from
    ``word`` (the Levenshtein distance, as Whoosh's automaton counts it)."""
    if abs(len(word) - len(other)) > distance:
        return False
    previous = list(range(len(other) + 1))
    for i, char in enumerate(word, 1):
        current = [i]
        for j, other_char in enumerate(other, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other_char)))
        if min(current) > distance:
            return False  # every later row is at least as far
        previous = current
    return previous[-1] <= distance


def one_slip(word: str, other: str) -> bool:
    """Whether ``other`` is ``word`` with at most one slip of the keyboard: a letter left out,
    added or mistyped, or two neighbouring letters swapped (the commonest misspellings)."""
    if word == other:
        return True
    if len(word) == len(other):
        differ = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
        return len(differ) == 1 or (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and word[differ[0]] == other[differ[1]]
            and word[differ[1]] == other[differ[0]]
        )
    shorter, longer = sorted((word, other), key=len)
    if len(longer) - len(shorter) != 1:
        return False
    # the longer word's last letter has no counterpart: then it is the letter added
    at = next((i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter))
    return shorter[at:] == longer[at + 1 :]


def _pairs(word: str) -> list[str]:
    """The word's pairs of consecutive letters, its first and last letters marked; a pair met
    again is numbered ("ab", "ab2"), so that two words share as many as they have in common."""
    marked = f"\x02{word}\x03"
    seen: dict[str, int] = {}
    out = []
    for i in range(len(marked) - 1):
        pair = marked[i : i + 2]
        seen[pair] = seen.get(pair, 0) + 1
        out.append(pair if seen[pair] == 1 else f"{pair}{seen[pair]}")
    return out


def _pair_index(words: list[str]) -> dict[str, np.ndarray]:
    """Letter pair -> the positions in ``words`` of the words that have it."""
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        for pair in _pairs(word):
            index.setdefault(pair, []).append(position)
    return {pair: np.array(positions, np.int32) for pair, positions in index.items()}


class _FirstFrom:
    """The lookup an automaton walk needs: the first of a sorted list of words at or after a key."""

    def __init__(self, words: list[str]):
        self.words = words

    def __call__(self, key: str) -> str | None:
        at = bisect.bisect_left(self.words, key)
        return self.words[at] if at < len(self.words) else None
