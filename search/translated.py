"""A word's translations, searched as one term (a probabilistic structured query).

A query word with several translations ("border" -> "frontera", "borde") must not score a
release more for naming each of them, nor let a common translation count as much as the
word's own rarity: the translations are one term of the query.  For each release their term
frequencies add up, each weighted by the translation's probability, and so do their document
frequencies; BM25F then scores that one pseudo-term as it would any term of the field (Darwish
and Oard's probabilistic structured queries; with equal weights, Pirkola's structured query).

The fast scorer (``search.scoring``) evaluates this over whole posting lists; the matcher here
computes the same from Whoosh's public searcher interface, document by document, and is the
reference the contract tests compare it with.
"""

from math import log

from whoosh import matching
from whoosh import query as wq
from whoosh.scoring import bm25


class Translated(wq.Query):
    """Any of ``alternatives`` ((term, weight), ...) in ``fieldname``, scored as one term."""

    def __init__(self, fieldname: str, alternatives, boost: float = 1.0):
        self.fieldname = fieldname
        self.alternatives = tuple((str(t), float(w)) for t, w in alternatives)
        self.boost = boost

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.fieldname == self.fieldname
            and other.alternatives == self.alternatives
            and other.boost == self.boost
        )

    def __hash__(self):
        return hash((type(self).__name__, self.fieldname, self.alternatives, self.boost))

    def __repr__(self):
        return f"{type(self).__name__}({self.fieldname!r}, {self.alternatives!r}, boost={self.boost!r})"

    def __str__(self):
        return f"{self.fieldname}:(" + " | ".join(f"{t}^{w:g}" for t, w in self.alternatives) + ")"

    def children(self):
        """The alternatives as terms, for what reads a query's terms (highlighting)."""
        return iter([wq.Term(self.fieldname, t) for t, _ in self.alternatives])

    def estimate_size(self, ixreader):
        return sum(ixreader.doc_frequency(self.fieldname, t) for t, _ in self.alternatives)

    def statistics(self, searcher) -> tuple[float, float]:
        """The pseudo-term's inverse document frequency (Whoosh's formula over the weighted sum
        of the alternatives' document frequencies, deleted documents counted as Whoosh counts
        them) and the field's average length."""
        parent = searcher.get_parent()
        frequency = sum(w * parent.doc_frequency(self.fieldname, t) for t, w in self.alternatives)
        return log(parent.doc_count_all() / (frequency + 1)) + 1, parent.avg_field_length(self.fieldname) or 1

    def matcher(self, searcher, context=None):
        """Document by document: the reference for the fast scorer."""
        present = [(t, w) for t, w in self.alternatives if (self.fieldname, t) in searcher.reader()]
        if not present:
            return matching.NullMatcher()
        idf, average = self.statistics(searcher)
        scorer = searcher.weighting.scorer(searcher, self.fieldname, present[0][0])
        frequencies: dict[int, float] = {}
        for text, weight in present:
            postings = searcher.postings(self.fieldname, text)
            while postings.is_active():
                docnum = postings.id()
                frequencies[docnum] = frequencies.get(docnum, 0.0) + weight * postings.weight()
                postings.next()
        ids = sorted(frequencies)
        scores = [self.boost * bm25(idf, frequencies[d], scorer.dfl(d), average, scorer.B, scorer.K1) for d in ids]
        return matching.ListMatcher(ids, weights=scores)
