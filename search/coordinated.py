"""Any of a query's words, each release's score scaled by the share of the words it contains.

The any-word search ranks releases that contain only some of the words.  Summed BM25 alone
lets one rare word outweigh the rest: a release naming it twice outranks the one that
contains every other word of the question.  A coordination factor (Salton's, as Lucene's
classic similarity had it) multiplies each release's summed score by the share of the
query's words it matches, each word weighted by its IDF (the least of its terms' in the
languages' body fields), so that matching more of the words counts beyond the words' own
scores, and matching a rare word more than a word most releases have.  A word counts as
matched however it matched: itself, a glossary equivalent or a translation (each word is one
child of this node).

Whoosh's own ``Or(scale=...)`` counts every term of the tree (translations, equivalents) and
adds a bonus, which is not this.  The fast scorer (``search.scoring``) evaluates this over
whole posting lists; the matcher here computes the same from each child's Whoosh matcher,
document by document, and is the reference the contract tests compare it with.
"""

from whoosh import matching
from whoosh import query as wq


class Coordinated(wq.Or):
    """Any of ``subqueries`` (one per word of the query); scores summed, then multiplied by the
    share of the subqueries' weights (:meth:`weights`) the document matches."""

    def __init__(self, subqueries, boost: float = 1.0):
        super().__init__(subqueries, boost=boost)

    def normalize(self):
        # Whoosh's normalisation would flatten or merge the words: each must stay one child.
        return self

    def weights(self, searcher) -> list[float]:
        """Each word's weight in the share: its rarity, the least IDF of its own terms in the
        languages' body fields (a word of one language is absent from the other's, where its
        IDF would be the highest)."""
        return [_word_idf(searcher, child) for child in self.subqueries]

    def matcher(self, searcher, context=None):
        """Document by document: the reference for the fast scorer."""
        total: dict[int, float] = {}
        matched: dict[int, float] = {}
        weights = self.weights(searcher)
        for child, weight in zip(self.subqueries, weights, strict=True):
            m = child.matcher(searcher, context)
            while m.is_active():
                docnum = m.id()
                total[docnum] = total.get(docnum, 0.0) + m.score()
                matched[docnum] = matched.get(docnum, 0.0) + weight
                m.next()
        if not total:
            return matching.NullMatcher()
        words = sum(weights) or 1.0
        ids = sorted(total)
        return matching.ListMatcher(ids, weights=[self.boost * total[d] * (matched[d] / words) for d in ids])


def _word_idf(searcher, child) -> float:
    """The least IDF among the body-field terms of one word of the query (its stems and, for a
    word the analysis splits, its parts); the highest IDF when it has none."""
    # The weighting's own IDF, the figure Searcher.idf gives: that method keeps every term it is
    # asked for in a dict of the searcher's that nothing empties, and a site's searchers live as
    # long as their generation, asked for new words by every new search.
    idf = searcher.weighting.idf
    found = [idf(searcher, t.fieldname, t.text) for t in _terms(child) if t.fieldname.startswith("body_")]
    return min(found) if found else idf(searcher, "body_en", "")


def _terms(node):
    if isinstance(node, wq.Term):
        yield node
    elif isinstance(node, wq.Phrase):
        for word in node.words:
            yield wq.Term(node.fieldname, word)
    elif isinstance(node, wq.CompoundQuery) and not isinstance(node, wq.AndNot):
        for child in node.subqueries:
            yield from _terms(child)
