"""``scripts/relevance``: print MRR and nDCG@10 of the judged queries on the sample archive."""

import argparse
import sys
import tempfile
from pathlib import Path

from index.build import reindex
from index.config import SAMPLES_DIR

from . import relevance
from .engine import Archive


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="scripts/relevance", description=__doc__)
    p.add_argument("--index", metavar="DIR", help="an index of the sample archive (default: build one now)")
    p.add_argument("--verbose", action="store_true", help="one line per query")
    p.add_argument("--save", action="store_true", help="record the figures as the baseline the tests check")
    args = p.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
