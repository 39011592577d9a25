"""``scripts/relevance``: print MRR and nDCG@10 of the judged queries on the sample archive, and
with ``--xquad`` the bilingual XQuAD-R benchmark, ours beside SQLite FTS5's bm25."""

import argparse
import sys
import tempfile
from pathlib import Path

from index.build import reindex
from index.config import SAMPLES_DIR

from . import relevance, xquad
from .engine import Archive


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="scripts/relevance", description=__doc__)
    p.add_argument("--index", metavar="DIR", help="an index of the sample archive (default: build one now)")
    p.add_argument("--verbose", action="store_true", help="one line per query")
    p.add_argument("--save", action="store_true", help="record the figures as the baseline the tests check")
    p.add_argument("--xquad", action="store_true", help="the XQuAD-R benchmark from ../shared/datasets/xquad-r-dev")
    p.add_argument("--quick", action="store_true", help=f"with --xquad: the first {xquad.QUICK} questions per language")
    args = p.parse_args(argv)
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
    print(f"{figures['queries']} judged queries: MRR {figures['mrr']:.3f}, nDCG@10 {figures['ndcg10']:.3f}, "
          f"expected release first in {figures['first_right']}/{figures['first_judged']}")
    if baseline:
        print(f"baseline: MRR {baseline['mrr']:.3f}, nDCG@10 {baseline['ndcg10']:.3f}, "
              f"first {baseline['first_right']}/{baseline['first_judged']}")
    if args.save:
        relevance.save_baseline(figures)
        print(f"saved to {relevance.BASELINE}")
    return 0


def run_xquad(args) -> int:
    if not xquad.available():
        print(f"the XQuAD-R files are not in {xquad.DATASET}", file=sys.stderr)
        return 3
    figures = xquad.run(limit=xquad.QUICK if args.quick else None)
    print(("quick run: " if args.quick else "") + "MRR@10, recall@10 and nDCG@10 of the question's paragraph, "
          "SQLite FTS5 (bm25 over the OR of the words) and ours:\n")
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


if __name__ == "__main__":
    sys.exit(main())
