"""One release as its page shows it: the release, its translation, and the releases most like
it (:class:`~search.results.ReleaseDetail`, :class:`~search.results.Brief`)."""

from whoosh import query as wq

from index.schema import stored_day, stored_title_lang

from .generation import Snapshot
from .labels import Labels
from .results import Brief, ReleaseDetail
from .scoring import top

KEY_TERMS = 15  # the words of a release its related releases are looked for by
TRANSLATED_SHARE = 0.6  # a key term's translations weigh this share of it (search.compile's TRANSLATION_BOOST)


def detail(snap: Snapshot, docnum: int, labels: Labels, ui: str = "en", related_limit: int = 5) -> ReleaseDetail:
    """The release ``docnum`` with its translation and up to ``related_limit`` related releases."""
    docs = snap.docs
    fields = snap.stored(docnum)
    pair = fields.get("pair") or ""
    translation = None
    if pair and pair in docs.docnum_by_id:
        translation = brief(snap, docs.docnum_by_id[pair])
    return ReleaseDetail(
        id=fields["id"],
        lang=fields["lang"],
        date=stored_day(fields["date"]).isoformat(),
        title=fields["title"],
        title_lang=stored_title_lang(fields),
        paragraphs=[p for p in fields["body"].split("\n\n") if p],
        summary=fields.get("summary") or "",
        url=fields.get("url") or "",
        countries=labels.listed("country", fields.get("countries"), ui),
        topics=labels.listed("topic", fields.get("topics"), ui),
        translation=translation,
        related=related(snap, docnum, related_limit, ui),
        generation=snap.name,
    )


def related(snap: Snapshot, docnum: int, limit: int = 5, ui: str | None = None) -> list[Brief]:
    """Releases most like the release ``docnum`` (Whoosh's more-like-this), without its own
    translation, one per translation pair: in ``ui``'s language where the pair has a version
    in it (the release's own language when ``ui`` is not given)."""
    if limit <= 0:
        return []
    docs = snap.docs
    fields = snap.stored(docnum)
    text = f"{fields['title']}\n{fields['title']}\n{fields['body']}"
    field_name = f"body_{fields['lang']}"
    wanted = 2 * limit + 2  # both versions of a pair may come, and the release's own translation
    # Whoosh's more-like-this query (its key terms, weighted), scored over whole posting lists.
    key_terms = snap.searcher.key_terms_from_text(field_name, text, numterms=KEY_TERMS)
    clauses = [wq.Term(field_name, word, boost=weight) for word, weight in key_terms]
    # And their translations in the other language's field, below them, as a query's words are
    # translated: a Spanish release about a hurricane is like an English-only one about it too.
    source = fields["lang"]
    target = "es" if source == "en" else "en"
    for word, weight in key_terms:
        for translation, probability in snap.lexicon.translate(source, target, word):
            clauses.append(wq.Term(f"body_{target}", translation, boost=weight * probability * TRANSLATED_SHARE))
    query = wq.Or(clauses)
    found = snap.scorer.evaluate(snap.searcher, query)
    found.mask[docnum] = False
    ranked = [d for d, _ in top(found.mask, found.scores, 0, wanted)]
    seen = {docs.groups[docnum]}
    out = []
    for d in ranked:
        if docs.groups[d] in seen:
            continue
        seen.add(docs.groups[d])
        out.append(brief(snap, docs.version(d, ui or fields["lang"])))
    return out[:limit]


def brief(snap: Snapshot, docnum: int) -> Brief:
    """A release in a list: its title and date."""
    fields = snap.stored(docnum)
    return Brief(
        id=fields["id"],
        lang=fields["lang"],
        date=stored_day(fields["date"]).isoformat(),
        title=fields["title"],
        title_lang=stored_title_lang(fields),
    )
