"""``scripts/relevance``: print MRR and nDCG@10 of the judged queries on the sample archive, and
with ``--xquad`` the bilingual XQuAD-R benchmark, ours beside SQLite FTS5's bm25; with
``--enrichment``, the precision and recall of the countries and topics enrichment gives the
hand-tagged releases of ``tests/fixtures/enrichment`` and ``tests/fixtures/places``."""

import argparse
import sys
import tempfile
from pathlib import Path

from index.build import reindex
from index.config import PROJECT_ROOT, SAMPLES_DIR

from . import relevance, xquad
from .engine import Archive


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="scripts/relevance", description=__doc__)
    p.add_argument("--index", metavar="DIR", help="an index of the sample archive (default: build one now)")
    p.add_argument("--verbose", action="store_true", help="one line per query")
    p.add_argument("--save", action="store_true", help="record the figures as the baseline the tests check")
    p.add_argument("--xquad", action="store_true", help="the XQuAD-R benchmark from ../shared/datasets/xquad-r-dev")
    p.add_argument("--quick", action="store_true", help=f"with --xquad: the first {xquad.QUICK} questions per language")
    p.add_argument(
        "--enrichment",
        action="store_true",
        help="precision and recall of countries and topics on the hand-tagged releases "
        "(with --verbose, each release tagged otherwise)",
    )
    args = p.parse_args(argv)
    if args.enrichment:
        return run_enrichment(args)
    if args.xquad:
        return run_xquad(args)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.index
        if root is None:
            root = Path(tmp) / "ix"
            reindex([SAMPLES_DIR], root, progress=False)
        outcomes = relevance.evaluate(Archive(root), relevance.load())
    if args.verbose:
        for o in outcomes:
            mark = {None: " ", True: "✓", False: "✗"}[o.first_ok]
            print(f"{mark} RR {o.reciprocal_rank:.2f} nDCG {o.ndcg:.2f}  [{o.query.kind}] {o.query.q}")
            if o.first_ok is False:
                print(f"      expected first {o.query.first}, got {o.ranked[:3]}")
    figures = relevance.summary(outcomes)
    baseline = relevance.load_baseline()
    print(
        f"{figures['queries']} judged queries: MRR {figures['mrr']:.3f}, nDCG@10 {figures['ndcg10']:.3f}, "
        f"expected release first in {figures['first_right']}/{figures['first_judged']}"
    )
    if baseline:
        print(
            f"baseline: MRR {baseline['mrr']:.3f}, nDCG@10 {baseline['ndcg10']:.3f}, "
            f"first {baseline['first_right']}/{baseline['first_judged']}"
        )
    if args.save:
        relevance.save_baseline(figures)
        print(f"saved to {relevance.BASELINE}")
    return 0


def run_xquad(args) -> int:
    if not xquad.available():
        print(f"the XQuAD-R files are not in {xquad.DATASET}", file=sys.stderr)
        return 3
    figures = xquad.run(limit=xquad.QUICK if args.quick else None)
    print(
        ("quick run: " if args.quick else "") + "MRR@10, recall@10 and nDCG@10 of the question's paragraph, "
        "SQLite FTS5 (bm25 over the OR of the words) and ours:\n"
    )
    print(xquad.table(figures))
    baseline = xquad.load_baseline().get("quick" if args.quick else "full", {})
    ours = xquad.figures_of(figures)
    below = [f"{k} {v} < {baseline[k]}" for k, v in ours.items() if k in baseline and v < baseline[k] - 1e-4]
    if below:
        print("\nbelow the recorded figures: " + "; ".join(below))
    if args.save:
        if args.quick:
            print("--save records both runs: run it without --quick", file=sys.stderr)
            return 2
        quick = xquad.figures_of(xquad.run(limit=xquad.QUICK))
        xquad.save_baseline(ours, quick)
        print(f"saved to {xquad.BASELINE}")
    return 1 if below and not args.save else 0


# The hand-tagged releases: (name, file); a release lists the countries (and topics) a careful
# reader gives it.
ENRICHMENT_SETS = (
    ("enrichment", PROJECT_ROOT / "tests" / "fixtures" / "enrichment" / "releases.toml"),
    ("places", PROJECT_ROOT / "tests" / "fixtures" / "places" / "releases.toml"),
)


def enrichment_figures(path: Path, root: Path) -> dict:
    """Reindex the hand-tagged releases of ``path`` into ``root`` (a week apart, so that none
    pairs with another) and compare what the index files them under with their tags:
    ``{"countries": (right, tagged, wanted), "topics": ... (when the file tags topics),
    "wrong": [lines]}``."""
    import datetime as dt
    import json
    import tomllib

    from index.store import IndexStore

    releases = tomllib.loads(path.read_text(encoding="utf-8"))["release"]
    first = dt.date(2001, 1, 1)
    source = root.parent / f"{root.name}.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "id": r["id"],
                    "lang": r["lang"],
                    "date": (first + dt.timedelta(days=7 * n)).isoformat(),
                    "title": r["title"],
                    "body": r["body"].strip(),
                },
                ensure_ascii=False,
            )
            + "\n"
            for n, r in enumerate(releases)
        ),
        encoding="utf-8",
    )
    reindex([source], root, progress=False)
    with IndexStore(root).open().searcher() as searcher:
        held = {d["id"]: d for d in searcher.documents()}
    figures: dict = {"wrong": []}
    for field in ("countries", "topics"):
        if not all(field in r for r in releases):
            continue
        right = tagged = wanted = 0
        for r in releases:
            found, truth = {v for v in held[r["id"]][field].split(",") if v}, set(r[field])
            right, tagged, wanted = right + len(found & truth), tagged + len(found), wanted + len(truth)
            if found != truth:
                extra, missed = sorted(found - truth), sorted(truth - found)
                figures["wrong"].append(
                    f"{r['id']}: {field}"
                    + (f" +{','.join(extra)}" if extra else "")
                    + (f" -{','.join(missed)}" if missed else "")
                )
        figures[field] = (right, tagged, wanted)
    return figures


def run_enrichment(args) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in ENRICHMENT_SETS:
            figures = enrichment_figures(path, Path(tmp) / name)
            parts = []
            for field in ("countries", "topics"):
                if field in figures:
                    right, tagged, wanted = figures[field]
                    parts.append(
                        f"{field} precision {right / tagged if tagged else 1:.3f} ({right}/{tagged}), "
                        f"recall {right / wanted if wanted else 1:.3f} ({right}/{wanted})"
                    )
            print(f"{name} ({path.relative_to(PROJECT_ROOT)}): " + "; ".join(parts))
            if args.verbose:
                for line in figures["wrong"]:
                    print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
