"""Measuring ranking quality on the judged queries in ``data/relevance/judgments.toml``.

Each judged query has graded releases (2 highly relevant, 1 partly relevant) and,
where one answer is clearly right, the release that must come first.  Results are
evaluated as visitors see them: translation pairs merged into one hit, in the
query's language; a hit gains the best grade of the versions it stands for.
"""

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from index.config import DATA_DIR

from .engine import Archive
from .params import SearchParams

JUDGMENTS = DATA_DIR / "relevance" / "judgments.toml"
BASELINE = DATA_DIR / "relevance" / "baseline.toml"
DEPTH = 10


@dataclass
class Judged:
    q: str
    kind: str
    lang: str
    grades: dict[str, int]
    first: str | None = None
    filters: dict = field(default_factory=dict)


@dataclass
class Outcome:
    query: Judged
    ranked: list[str]  # hit ids, best first
    gains: list[int]
    reciprocal_rank: float
    ndcg: float
    first_ok: bool | None  # None when the query names no single right answer


def load(path: Path = JUDGMENTS) -> list[Judged]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data.get("query", []):
        filters = {k: tuple(entry[k]) for k in ("countries", "topics", "years", "langs") if entry.get(k)}
        out.append(
            Judged(
                q=entry["q"],
                kind=entry.get("kind", ""),
                lang=entry.get("lang", "any"),
                grades=dict(entry.get("grades", {})),
                first=entry.get("first"),
                filters=filters,
            )
        )
    return out


def evaluate(archive: Archive, judged: list[Judged]) -> list[Outcome]:
    outcomes = []
    for query in judged:
        ui = query.lang if query.lang in ("en", "es") else "en"
        result = archive.search(SearchParams(q=query.q, ui=ui, per_page=DEPTH, **query.filters))
        ranked, gains = [], []
        for hit in result.hits:
            versions = [hit.id] + ([hit.translation.id] if hit.translation else [])
            ranked.append(hit.id)
            gains.append(max(query.grades.get(v, 0) for v in versions))
        outcomes.append(
            Outcome(
                query=query,
                ranked=ranked,
                gains=gains,
                reciprocal_rank=next((1 / rank for rank, g in enumerate(gains, 1) if g > 0), 0.0),
                ndcg=_ndcg(gains, _ideal(archive, query)),
                first_ok=None
                if not query.first
                else bool(result.hits)
                and query.first
                in ([result.hits[0].id] + ([result.hits[0].translation.id] if result.hits[0].translation else [])),
            )
        )
    return outcomes


def _ideal(archive: Archive, query: Judged) -> list[int]:
    """The best possible gains: one per translation group, highest first."""
    snap = archive.snapshot()
    groups: dict[int | str, int] = {}  # a group, or the id of a release the archive lacks
    for release_id, grade in query.grades.items():
        docnum = snap.docs.docnum_by_id.get(release_id)
        key = snap.docs.groups[docnum] if docnum is not None else release_id
        groups[key] = max(groups.get(key, 0), grade)
    return sorted(groups.values(), reverse=True)[:DEPTH]


def _dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(gains[:DEPTH], 1))


def _ndcg(gains: list[int], ideal: list[int]) -> float:
    best = _dcg(ideal)
    return _dcg(gains) / best if best else 0.0


def summary(outcomes: list[Outcome]) -> dict:
    n = len(outcomes) or 1
    firsts = [o for o in outcomes if o.first_ok is not None]
    return {
        "queries": len(outcomes),
        "mrr": round(sum(o.reciprocal_rank for o in outcomes) / n, 4),
        "ndcg10": round(sum(o.ndcg for o in outcomes) / n, 4),
        "first_right": sum(1 for o in firsts if o.first_ok),
        "first_judged": len(firsts),
    }


def load_baseline(path: Path = BASELINE) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_baseline(figures: dict, path: Path = BASELINE) -> None:
    lines = [
        "# Relevance on the judged sample queries, as last measured by scripts/relevance --save.",
        "# Tests fail when the figures drop below these.",
        "",
    ]
    lines += [f"{key} = {value}" for key, value in figures.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
