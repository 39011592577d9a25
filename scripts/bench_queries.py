"""The searches ``scripts/bench`` asks: a stream of distinct searches, and a short fixed list.

The distinct stream is what visitors meet: searches nobody asked before, so no result
cache can answer them. It is generated from the benchmark archive itself, with a fixed
seed (the same archive gives the same stream, run after run):

- words from the archive's vocabulary (``index.vocabulary``: folded words and the number of
  releases using each), stop words left out; half drawn from its 2,000 most used words
  (long posting lists, the costly searches), half from every word in 20 releases or more;
- one word, or two or three words (all must match) or a two-word phrase cut from one
  release's own text, so that the search finds that release at least;
- some with a year or a country (a search cut from a release: that release's year or one of
  its countries; a one-word search: any year of the archive or one of the 30 countries it
  tags most), some asking for a later page (2 to 5), some sorted newest or oldest first.

No two searches of the stream are alike, even with their words reordered; the HTTP levels
and the engines' warm-up take disjoint slices of it.
"""

import random
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from index.analysis import stop_words

# (query, filters): single words, two and three words, phrases, with and without a year or
# country: the short list of earlier runs, asked round after round (a secondary figure: after
# the first round a result cache answers them).
FIXED = [
    ("development", {}),
    ("terrorism", {}),
    ("refugees", {}),
    ("climate", {}),
    ("nuclear", {}),
    ("peace security", {}),
    ("human rights", {}),
    ("climate change", {}),
    ("economic crisis", {}),
    ("nuclear weapons disarmament", {}),
    ("sustainable development goals", {}),
    ("small island states", {}),
    ('"human rights"', {}),
    ('"climate change"', {}),
    ('"international community"', {}),
    ('"weapons of mass destruction"', {}),
    ("development", {"years": (1995,)}),
    ("terrorism", {"years": (2002,)}),
    ("peace security", {"years": (1975,)}),
    ("climate change", {"years": (2015,)}),
    ("refugees", {"countries": ("US",)}),
    ("debt", {"countries": ("MX",)}),
    ("human rights", {"countries": ("CU",)}),
    ("migration", {}),
    ("migración", {}),
    ("cambio climático", {}),
]

SEED = 19
COMMON_WORDS = 2000  # "most used" words: the head of the vocabulary
MIN_RELEASES = 20  # a word in fewer releases is too rare to be typed often
SHARE = {"year": 0.15, "country": 0.10, "later page": 0.15, "newest": 0.12, "oldest": 0.04}
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Search:
    """One search of a stream: what every engine is asked (``filters``: years, countries)."""

    q: str
    filters: dict = field(default_factory=dict, hash=False, compare=False)
    page: int = 1
    sort: str = "relevance"

    def key(self) -> tuple:
        words = tuple(sorted(self.q.lower().split())) if '"' not in self.q else (self.q.lower(),)
        return (words, tuple(sorted(self.filters.items())), self.page, self.sort)

    def params(self) -> dict:
        """The arguments of ``SearchParams`` for it."""
        return {"q": self.q, "per_page": 10, "page": self.page, "sort": self.sort, **self.filters}

    def path(self, endpoint: str) -> str:
        pairs = (
            [("q", self.q)]
            + [("year", str(y)) for y in self.filters.get("years", ())]
            + [("country", c) for c in self.filters.get("countries", ())]
        )
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return endpoint + "?" + urllib.parse.urlencode(pairs)


def fixed_searches() -> list[Search]:
    return [Search(q, f) for q, f in FIXED]


def distinct_searches(
    words: dict[str, int],
    releases: list[tuple[str, int, tuple]],
    years: list[int],
    countries: list[str],
    count: int,
    seed: int = SEED,
) -> list[Search]:
    """``count`` searches no two alike, as the module says. ``words``: the archive's vocabulary;
    ``releases``: (text, year, countries) of releases the searches of several words are cut from;
    ``years``, ``countries``: values to filter a one-word search by."""
    rng = random.Random(seed)
    stop = stop_words("en") | stop_words("es")
    usable = sorted(w for w, n in words.items() if n >= MIN_RELEASES and w.isalpha() and len(w) >= 3 and w not in stop)
    if not usable:
        return []
    common = sorted(usable, key=lambda w: (-words[w], w))[:COMMON_WORDS]
    head, known = set(common), set(usable)

    def word() -> str:
        return rng.choice(common if rng.random() < 0.5 else usable)

    def from_release(n: int, phrase: bool):
        """``n`` words of one release (so the search finds it at least), or a phrase of two."""
        text, year, tagged = rng.choice(releases)
        start = rng.randrange(max(1, len(text) - 300))
        tokens = [t.lower() for t in _WORD.findall(text[start : start + 600])]
        if phrase:
            pairs = [(a, b) for a, b in pairwise(tokens) if a not in stop and b not in stop]
            return (f'"{" ".join(rng.choice(pairs))}"' if pairs else None), year, tagged
        picks = sorted({t for t in tokens if t in known and (t in head or rng.random() < 0.5)})
        return (" ".join(rng.sample(picks, n)) if len(picks) >= n else None), year, tagged

    out, seen, tries = [], set(), 0
    while len(out) < count and tries < count * 20:
        tries += 1
        kind = rng.random()
        if kind < 0.3 or not releases:
            q, year, tagged = word(), rng.choice(years) if years else None, [rng.choice(countries)] if countries else []
        else:
            q, year, tagged = from_release(2 if kind < 0.65 else 3 if kind < 0.75 else 0, phrase=kind >= 0.75)
            if q is None:
                continue
        filters = {}
        if rng.random() < SHARE["year"] and year:
            filters["years"] = (year,)
        if rng.random() < SHARE["country"] and tagged:
            filters["countries"] = (rng.choice(sorted(tagged)),)
        page = rng.randint(2, 5) if rng.random() < SHARE["later page"] else 1
        luck = rng.random()
        sort = (
            "newest"
            if luck < SHARE["newest"]
            else "oldest"
            if luck < SHARE["newest"] + SHARE["oldest"]
            else "relevance"
        )
        search = Search(q, filters, page, sort)
        if search.key() not in seen:
            seen.add(search.key())
            out.append(search)
    return out


def top_countries(releases, limit: int = 30) -> list[str]:
    """The countries the archive tags most, for filters that select something."""
    tally = Counter(c for r in releases for c in (r.countries or ()))
    return [c for c, _ in tally.most_common(limit)]


def describe() -> str:
    """How the stream is made, in one paragraph for the benchmark's results."""
    return (
        f"Distinct searches: generated from the benchmark archive's own vocabulary with a fixed seed "
        f"({SEED}), stop words left out: one word (30 %), or two words (35 %), three (10 %) or a two-word "
        f"phrase (25 %) cut from one release's text (so that each finds one release at least); words from "
        f"the {COMMON_WORDS:,} most used or any in {MIN_RELEASES} releases or more; {SHARE['year']:.0%} with a year, "
        f"{SHARE['country']:.0%} with a country, {SHARE['later page']:.0%} asking for page 2 to 5, "
        f"{SHARE['newest']:.0%} newest first and {SHARE['oldest']:.0%} oldest first; no two alike and each "
        f"asked once, so no result cache can answer them."
    )
