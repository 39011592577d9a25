"""Ranking quality on the judged sample queries stays at or above the recorded baseline."""

import pytest

from index.build import reindex
from index.config import SAMPLES_DIR
from search import relevance
from search.engine import Archive


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    root = tmp_path_factory.mktemp("relevance") / "ix"
    reindex([SAMPLES_DIR], root, progress=False)
    return relevance.evaluate(Archive(root), relevance.load())


def test_judged_set_is_large_and_varied():
    judged = relevance.load()
    assert len(judged) >= 40
    assert {"word", "phrase", "cross", "noaccent", "typo", "country", "topic"} <= {j.kind for j in judged}
    assert {"en", "es"} <= {j.lang for j in judged}
    assert sum(1 for j in judged if j.first) >= 20


def test_mrr_and_ndcg_at_or_above_baseline(outcomes):
    figures, baseline = relevance.summary(outcomes), relevance.load_baseline()
    assert figures["mrr"] >= baseline["mrr"] - 1e-6
    assert figures["ndcg10"] >= baseline["ndcg10"] - 1e-6
    assert figures["first_right"] >= baseline["first_right"]


def test_clear_answers_come_first(outcomes):
    clear = [o for o in outcomes if o.first_ok is not None]
    failures = [(o.query.q, o.query.first, o.ranked[:2]) for o in clear if not o.first_ok]
    # Every judged query with one clearly right answer, except at most the few recorded in the baseline.
    assert len(failures) <= relevance.load_baseline()["first_judged"] - relevance.load_baseline()["first_right"], (
        failures
    )


def test_metrics_are_computed_correctly():
    assert relevance._ndcg([2, 0, 1], [2, 1]) == pytest.approx((3 + 1 / 2) / (3 + 1 / 1.5849625), rel=1e-4)
    assert relevance._ndcg([0, 0], [2]) == 0.0
