"""Linking each English release to its Spanish translation.

An explicit ``translation_key`` shared by one English and one Spanish release pairs
them.  Releases without a key are paired automatically when an English and a
Spanish release share their date and their countries and topics match: at least
half of each set in common (the two languages' keyword rules do not always give
identical topics).  Each must be the other's single best match; the figures both
texts quote (numbers survive translation) break ties, and a tie that remains is left
unpaired.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .records import Release, Warning_

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MIN_AGREEMENT = 0.5  # the share of countries, and of topics, two versions must have in common


@dataclass
class PairReport:
    explicit: int = 0
    automatic: int = 0
    warnings: list[Warning_] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.explicit + self.automatic


def pair_releases(releases: list[Release], settled: set | frozenset = frozenset()) -> PairReport:
    """Link translations; ``settled`` holds dates (as ordinals) whose releases without a
    translation key keep the pairs they have: an incremental build knows that nothing of
    those dates changed since they were paired."""
    report = PairReport()
    for release in releases:
        if release.translation_key or not settled or release.day not in settled:
            release.pair = ""
    by_key: dict[str, list[Release]] = defaultdict(list)
    for release in releases:
        if release.translation_key:
            by_key[release.translation_key].append(release)
    for key, members in by_key.items():
        english = [r for r in members if r.lang == "en"]
        spanish = [r for r in members if r.lang == "es"]
        if len(english) == 1 and len(spanish) == 1:
            _link(english[0], spanish[0])
            report.explicit += 1
        elif len(members) > 1 or english and spanish:
            first = members[0]
            report.warnings.append(Warning_(first.source, first.line, (
                f"translation_key {key!r} is shared by {len(english)} English and {len(spanish)} Spanish "
                "releases; a pair needs exactly one of each, so none of them was paired")))
    candidates = [r for r in releases if not r.translation_key]
    if settled:
        kept = [r for r in candidates if r.day in settled]
        report.automatic = sum(1 for r in kept if r.pair and r.lang == "en")
        candidates = [r for r in candidates if r.day not in settled]
    report.automatic += _pair_automatically(candidates)
    return report


def _link(english: Release, spanish: Release) -> None:
    english.pair, spanish.pair = spanish.id, english.id


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _similarity(a: Release, b: Release) -> float:
    """How well two releases' countries and topics agree: 0 unless both sets mostly agree."""
    ca, cb, ta, tb = set(a.countries or ()), set(b.countries or ()), set(a.topics or ()), set(b.topics or ())
    if not (ca | cb | ta | tb):
        return 0.0
    countries, topics = _jaccard(ca, cb), _jaccard(ta, tb)
    if countries < MIN_AGREEMENT or topics < MIN_AGREEMENT:
        return 0.0
    return countries + topics


def _numbers(release: Release) -> set[str]:
    return {n.replace(",", "").replace(".", "") for n in _NUMBER.findall(f"{release.title} {release.body}")}


def _pair_automatically(candidates: list[Release]) -> int:
    by_date: dict = defaultdict(lambda: {"en": [], "es": []})
    for release in candidates:
        if release.lang in ("en", "es"):
            by_date[release.date][release.lang].append(release)
    paired = 0
    for group in by_date.values():
        paired += _pair_group(group["en"], group["es"])
    return paired


def _pair_group(english: list[Release], spanish: list[Release]) -> int:
    """Link releases that are each other's single best match (countries and topics, then figures)."""
    if not english or not spanish:
        return 0
    numbers = {id(r): _numbers(r) for r in english + spanish}
    keys = {}
    for en in english:
        for es in spanish:
            similarity = _similarity(en, es)
            if similarity > 0:
                keys[id(en), id(es)] = (similarity, _jaccard(numbers[id(en)], numbers[id(es)]))

    def best(release, others, key_of):
        scored = sorted(((key_of(release, o), i) for i, o in enumerate(others) if key_of(release, o)), reverse=True)
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        return others[scored[0][1]]

    def en_key(en, es):
        return keys.get((id(en), id(es)))

    def es_key(es, en):
        return keys.get((id(en), id(es)))

    paired = 0
    english, spanish = list(english), list(spanish)
    progress = True
    while progress:
        progress = False
        for en in list(english):
            es = best(en, spanish, en_key)
            if es is not None and best(es, english, es_key) is en:
                _link(en, es)
                english.remove(en)
                spanish.remove(es)
                paired += 1
                progress = True
    return paired
