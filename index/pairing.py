"""Linking each English release to its Spanish translation.

An explicit ``translation_key`` shared by one English and one Spanish release pairs them.

Releases without a key, or with a key no other release has, are paired by what their texts
share (``index.shared_evidence``): figures, names, places, title words, cognates, glossary
terms, countries and topics.  The
two versions of a real release are often dated a day or two apart, one may name a country
or give a sentence the other does not, and their titles are translations, not copies; so
every English and Spanish release at most ``WINDOW`` days apart is a candidate pair, and
candidates are linked best first, each release to one partner at most, down to the score
``PAIR_AT``.  Candidates left between ``UNCERTAIN_AT`` and ``PAIR_AT`` (or tied for a
release) are not linked but reported, for staff to give a key to those that are pairs.

A score depends on the two releases alone, and linking best first only ever sets releases
against candidates they score at least ``PAIR_AT`` with: the pairing of a group of releases
so connected does not depend on any other release.  An incremental build therefore pairs
again only the groups a new, changed or deleted release touches (reading their releases in
full), and every other release keeps the pair the last build gave it.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import forked, records, shared_evidence
from .records import Unread, Warning_
from .shared_evidence import KINDS, Evidence, evidence, glossary, similarity

# Candidates are releases at most this many days apart.  The versions of the office's
# releases come at most two or three days apart (on the labelled set, 8, 19, 24 and 26 of its
# 26 pairs are found within 0, 1, 2 and 3 days); the same recurring event comes back five to
# seven days later (a weekly report's two weeks score 0.43: only the window keeps them apart).
WINDOW = 3
# Scores at or above which candidates are linked, and from which those left are reported.
# Measured (tests/test_pairing_labelled.py): within the window, the true pairs of
# tests/fixtures/pairing score 0.42 and more and their other candidates 0.32 at most (0.36 and
# 0.23 with the English versions cut to their first paragraph, as listings give them); NTREX's
# true pairs 0.33 and more (one under 0.35), other articles on the same story up to 0.42 (each
# loses to its own translation).  With one version of half the pairs taken away, nothing pairs
# falsely at 0.35 in either set, at 0.30 two releases in each do; 0.25 keeps every true pair
# missed in view.
PAIR_AT = 0.35
UNCERTAIN_AT = 0.25
_DIGITS = 6  # scores are compared rounded: equal evidence gives equal scores in any build
_COUNTRIES = KINDS.index("countries")
_KEPT = 20_000  # releases whose evidence is kept at a time (8 kB each)


def pairing_sources() -> tuple[Path, ...]:
    """The files automatic pairs depend on (the glossary, the scoring code, how two translation
    keys are one: ``records.pairing_key``): a change to one changes the enrichment's fingerprint,
    so no build keeps pairs that the last one made with other files (see ``index.known``)."""
    return shared_evidence.glossary_file(), Path(__file__), Path(shared_evidence.__file__), Path(records.__file__)


@dataclass
class Uncertain:
    """A candidate pair not linked: its score is below ``PAIR_AT``, or it tied with another."""

    english: str
    spanish: str
    score: float
    en: int = field(default=-1, repr=False, compare=False)  # their places in the releases paired
    es: int = field(default=-1, repr=False, compare=False)
    tied: bool = False


@dataclass
class PairReport:
    explicit: int = 0
    automatic: int = 0
    warnings: list[Warning_] = field(default_factory=list)
    uncertain: list[Uncertain] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.explicit + self.automatic


def pair_releases(releases: list, known=None, procs: int = 1, min_slice: int = 1) -> PairReport:
    """Link translations (each release's ``pair``).

    With ``known`` (the live generation's ``index.known.Known``), ``releases`` may hold
    :class:`~index.records.Unread` releases: those in a group that may pair differently from
    that generation are read in full in place, the others keep their pair.  Without, every
    candidate pair is scored, in up to ``procs`` forked processes (each with the English
    releases of at least ``min_slice`` releases' days).
    """
    report = PairReport()
    alone = _pair_by_key(releases, report)
    # A key no other release has pairs nothing (the other version may carry none, or not be
    # out yet): that release is paired by what the versions share, as one without a key is.
    candidates = [
        p
        for p, r in enumerate(releases)
        if (not r.translation_key or r.pairing_key in alone) and r.lang in ("en", "es")
    ]
    pairer = _Pairer(releases, candidates)
    if known is None:
        pairer.pair(candidates, pairer.all_edges(candidates, procs, min_slice), report)
    else:
        seeds = _seeds(releases, candidates, known)
        if seeds:
            pairer.pair(*pairer.closure(seeds), report)
    report.automatic = sum(1 for p in candidates if releases[p].lang == "en" and releases[p].pair)
    report.uncertain.sort(key=lambda u: (-u.score, u.english, u.spanish))
    report.warnings += [_uncertain_warning(u, releases) for u in report.uncertain]
    return report


def _pair_by_key(releases: list, report: PairReport) -> set[str]:
    """Link the releases that share a ``translation_key``; the keys that only one release has."""
    by_key: dict[str, list] = {}
    for release in releases:
        if release.translation_key:
            by_key.setdefault(release.pairing_key, []).append(release)
    alone = set()
    for key, members in by_key.items():
        if len(members) == 1:
            alone.add(key)
            continue
        english = [r for r in members if r.lang == "en"]
        spanish = [r for r in members if r.lang == "es"]
        if len(english) == 1 and len(spanish) == 1:
            _link(english[0], spanish[0])
            report.explicit += 1
            continue
        for release in members:
            if release.pair:
                release.pair = ""
        if len(members) > 1 or english and spanish:
            first = members[0]
            report.warnings.append(
                Warning_(
                    first.source,
                    first.line,
                    (
                        f"translation_key {first.translation_key!r} is shared by {len(english)} English and "
                        f"{len(spanish)} Spanish releases; a pair needs exactly one of each, so none of them was paired"
                    ),
                )
            )
    return alone


def _seeds(releases: list, candidates: list[int], known) -> list[int]:
    """The candidates whose pair may differ from the live generation's: those read in full (new,
    changed, or read again for another reason) and the last partners of releases gone or changed."""
    seeds = [p for p in candidates if type(releases[p]) is not Unread]
    present = bytearray(known.n)
    for release in releases:
        if type(release) is Unread:
            present[release.row] = 1
    pairs = known.column("pairs")
    orphaned = set()
    gone = present.find(0)
    while gone >= 0:
        if pairs[gone]:
            orphaned.add(pairs[gone])
        gone = present.find(0, gone + 1)
    if orphaned:
        seeds += [p for p in candidates if releases[p].id in orphaned and type(releases[p]) is Unread]
    return seeds


class _Pairer:
    """The candidates of one build, looked up by language and day, with their evidence."""

    def __init__(self, releases: list, candidates: list[int]):
        self.releases = releases
        self.by_day: dict[tuple[str, int], list[int]] = {}
        for p in candidates:
            r = releases[p]
            self.by_day.setdefault((r.lang, r.day), []).append(p)
        self.evidence: dict[int, Evidence] = {}
        self.glossary = glossary()

    def all_edges(self, candidates: list[int], procs: int, min_slice: int) -> list[tuple]:
        """Every candidate pair scoring ``UNCERTAIN_AT`` or more, as ``(-score, English id, Spanish
        id, English position, Spanish position)``: scored from its English release, the English
        releases in order of date, a slice of them to each process."""
        releases = self.releases
        english = sorted((p for p in candidates if releases[p].lang == "en"), key=lambda p: releases[p].day)

        def edges(start: int, end: int) -> list[tuple]:
            found = []
            evicted = None  # Spanish releases' evidence is kept while English ones of their window come
            for en in english[start:end]:
                window = self._window(en)
                if not window:
                    continue
                evicted = self._forget_spanish(evicted, releases[en].day - WINDOW)
                mine = self._evidence(en, keep=False)
                for es in window:
                    score = _pair_score(mine, self._evidence(es))
                    if score >= UNCERTAIN_AT:
                        found.append((-score, releases[en].id, releases[es].id, en, es))
            return found

        if len(english) < 2 * min_slice:
            return edges(0, len(english))
        return [edge for part in forked.map_slices(edges, len(english), procs, min_slice) for edge in part]

    def closure(self, seeds: list[int]) -> tuple[set[int], list[tuple]]:
        """The seeds and every candidate connected to one by a score of ``PAIR_AT`` or more, and
        their candidate pairs scoring ``UNCERTAIN_AT`` or more (as ``all_edges`` gives them)."""
        members = set(seeds)
        frontier = list(seeds)
        scanned: set[int] = set()
        edges = []
        while frontier:
            p = frontier.pop()
            scanned.add(p)
            for q in self._window(p):
                if q in scanned:
                    continue  # scored when q was scanned
                score = self._score(p, q)
                if score < UNCERTAIN_AT:
                    continue
                en, es = (p, q) if self.releases[p].lang == "en" else (q, p)
                edges.append((-score, self.releases[en].id, self.releases[es].id, en, es))
                if score >= PAIR_AT and q not in members:
                    members.add(q)
                    frontier.append(q)
        return members, edges

    def pair(self, members, edges: list[tuple], report: PairReport) -> None:
        """Link the members again from their candidate pairs, best first; report what is left."""
        for p in members:
            self.releases[
                p
            ].pair = ""  # an unread release whose pair changes is read later (known_pairs.read_changed_pairs)
        edges.sort()
        blocked = _link_best_first([e for e in edges if -e[0] >= PAIR_AT], self.releases, report)
        # Candidates below the threshold whose releases both stay unpaired: reported, not linked.
        for negative, english, spanish, en, es in edges:
            if (
                -negative < PAIR_AT
                and not (self.releases[en].pair or self.releases[es].pair)
                and en not in blocked
                and es not in blocked
            ):
                report.uncertain.append(Uncertain(english, spanish, -negative, en, es))
        for u in report.uncertain:
            # Like a record with a warning, a release of an uncertain pair is read again by every
            # build (it is not known by its source): each build reports it again.
            self.releases[u.en].origin = self.releases[u.es].origin = None

    def _score(self, p: int, q: int) -> float:
        return _pair_score(self._evidence(p), self._evidence(q))

    def _window(self, p: int) -> list[int]:
        r = self.releases[p]
        other = "es" if r.lang == "en" else "en"
        found: list[int] = []
        for day in range(r.day - WINDOW, r.day + WINDOW + 1):
            found += self.by_day.get((other, day), ())
        if r.translation_key:  # two different keys say two different releases
            found = [q for q in found if not self.releases[q].translation_key]
        return found

    def _read(self, p: int):
        release = self.releases[p]
        if type(release) is Unread:
            release = self.releases[p] = release.read()
        return release

    def _evidence(self, p: int, keep: bool = True) -> Evidence:
        found = self.evidence.get(p)
        if found is None:
            r = self._read(p)
            found = evidence(r.title, r.body, r.lang, r.countries, r.topics, self.glossary)
            if keep:
                if len(self.evidence) >= _KEPT:
                    self.evidence.clear()  # a large incremental build: worked out again if needed
                self.evidence[p] = found
        return found

    def _forget_spanish(self, since: int | None, before: int) -> int:
        """Let go of the evidence of Spanish releases dated from ``since`` to before ``before``
        (no English release to come is within the window of them)."""
        if since is not None:
            for day in range(since, before):
                for p in self.by_day.get(("es", day), ()):
                    self.evidence.pop(p, None)
        return before


def _pair_score(a: Evidence, b: Evidence) -> float:
    """Two releases' similarity, rounded; below ``PAIR_AT`` when both are filed under countries
    and under none in common: two versions of one release name the same places, and two
    speeches a day apart that both cite one resolution are no translation of each other (at
    most an uncertain pair, for staff to settle)."""
    score = round(similarity(a, b), _DIGITS)
    mine, theirs = a.kinds[_COUNTRIES], b.kinds[_COUNTRIES]
    if score >= PAIR_AT and mine and theirs and mine[0].isdisjoint(theirs[0]):
        return round(PAIR_AT - 10**-_DIGITS, _DIGITS)
    return score


def _link_best_first(edges: list, releases: list, report: PairReport) -> set[int]:
    """Link the candidates of ``edges`` (sorted best first), each release once; candidates of
    equal score that compete for a release are none of them linked, but reported (the
    releases so left out are returned)."""
    linked: set[int] = set()
    blocked: set[int] = set()
    start = 0
    while start < len(edges):
        end = start
        while end < len(edges) and edges[end][0] == edges[start][0]:
            end += 1
        free = [e for e in edges[start:end] if e[3] not in linked and e[4] not in linked]
        if len(free) > 1:
            tied = {p for p, n in Counter(p for e in free for p in e[3:]).items() if n > 1}
        else:
            tied = set()
        for negative, english, spanish, en, es in free:
            if en in tied or es in tied:
                report.uncertain.append(Uncertain(english, spanish, -negative, en, es, tied=True))
                blocked.update((en, es))
            else:
                _link(releases[en], releases[es])
        for e in free:
            linked.update(e[3:])
        start = end
    return blocked


def _link(english, spanish) -> None:
    english.pair, spanish.pair = spanish.id, english.id


def shown_score(score: float) -> str:
    """A pairing score in two decimals, rounded down: a score just below ``PAIR_AT`` (0.349) is
    never shown as the threshold it did not reach ("0.35, below the 0.35 that pairs")."""
    return f"{math.floor(score * 100) / 100:.2f}"


def _uncertain_warning(u: Uncertain, releases: list) -> Warning_:
    english, spanish = releases[u.en], releases[u.es]
    apart = english.countries and spanish.countries and not set(english.countries) & set(spanish.countries)
    if u.tied:
        why = "ties with another candidate"
    elif apart:
        why = f"filed under different countries, {', '.join(english.countries)} and {', '.join(spanish.countries)}"
    else:
        why = f"below the {PAIR_AT:.2f} that pairs"
    return Warning_(
        english.source,
        english.line,
        (
            f"uncertain translation pair, not linked: {u.english} and {u.spanish} "
            f"score {shown_score(u.score)} ({why}); "
            "if they are one release in two languages, give both the same translation_key"
        ),
    )
