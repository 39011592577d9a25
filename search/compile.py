"""Turning a parsed query into a Whoosh query over both languages' fields.

Every word is analysed with the English and with the Spanish analyser and looked
for in the fields of that language (``title_en``/``body_en``, ``title_es``/``body_es``),
titles weighted above bodies.  Glossary terms of the other language (and spelling
variants) are added as alternatives, scored lower than the words typed.
"""

import datetime as dt
from dataclasses import dataclass, field

from whoosh import query as wq

from index.analysis import LANGUAGES, fold, terms
from index.places import Gazetteer, country_codes
from index.topics import Taxonomy

from . import query as q
from .glossary import Glossary

TITLE_BOOST = 2.5
BODY_BOOST = 1.0
EXPANSION_BOOST = 0.4
LANGUAGE_NAMES = {
    "en": "en", "english": "en", "ingles": "en", "eng": "en",
    "es": "es", "spanish": "es", "espanol": "es", "castellano": "es", "spa": "es",
}


@dataclass
class Compiled:
    query: wq.Query | None  # None: nothing left to search for
    any_query: wq.Query | None = None  # the any-word fallback, when the query has several words
    notices: list[str] = field(default_factory=list)
    browse: bool = False  # no text at all: every release matches


@dataclass
class Compiler:
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    glossary: Glossary

    def compile(self, parsed: q.ParsedQuery) -> Compiled:
        nodes = parsed.tree.nodes
        notices = []
        positive = [n for n in nodes if not isinstance(n, q.Not)]
        negative = [n for n in nodes if isinstance(n, q.Not)]
        clauses = self._all(positive)
        excluded = [c for c in (self._node(n.node) for n in negative) if c is not None]
        if not positive:
            browse = True
            main = wq.Every()
        elif not clauses:
            return Compiled(None, notices=["only very common words were given; try more specific words"])
        else:
            browse = all(not _is_text(n) for n in positive)
            main = _and(clauses)
        full = wq.AndNot(main, _or(excluded)) if excluded else main
        any_query = None
        text_nodes = [n for n in positive if _is_text(n)]
        if len(text_nodes) >= 2:
            others = [c for c in (self._node(n) for n in positive if not _is_text(n)) if c is not None]
            options = [c for c in (self._node(n) for n in text_nodes) if c is not None]
            if len(options) >= 2:
                any_main = _and([_or(options)] + others)
                any_query = wq.AndNot(any_main, _or(excluded)) if excluded else any_main
        return Compiled(full, any_query, notices, browse)

    # --- nodes -----------------------------------------------------------------------------
    def _all(self, nodes: list) -> list[wq.Query]:
        """Compile AND-ed nodes, joining runs of words that form a multi-word glossary term."""
        out: list[wq.Query] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if isinstance(node, q.Word):
                run_end = i
                while run_end < len(nodes) and isinstance(nodes[run_end], q.Word):
                    run_end += 1
                analysed = [_analyse(n.text) for n in nodes[i:run_end]]
                j = 0
                while j < len(analysed):
                    span = self.glossary.longest_match(analysed, j)
                    if span >= 2:
                        words = [self._word(nodes[i + k].text, analysed[k]) for k in range(j, j + span)]
                        joined = {lang: sum((a.get(lang, ()) for a in analysed[j:j + span]), ())
                                  for lang in LANGUAGES}
                        literal = _and([w for w in words if w is not None])
                        out.append(_or([literal] + self._expansions(joined)))
                        j += span
                    else:
                        compiled = self._word(nodes[i + j].text, analysed[j])
                        if compiled is not None:
                            out.append(compiled)
                        j += 1
                i = run_end
                continue
            compiled = self._node(node)
            if compiled is not None:
                out.append(compiled)
            i += 1
        return out

    def _node(self, node) -> wq.Query | None:
        if isinstance(node, q.Word):
            return self._word(node.text, _analyse(node.text))
        if isinstance(node, q.Phrase):
            return self._phrase(node.text, fields=("title", "body"))
        if isinstance(node, q.AllOf):
            return _and(self._all(node.nodes)) if node.nodes else None
        if isinstance(node, q.AnyOf):
            return _or([c for c in (self._node(n) for n in node.nodes) if c is not None])
        if isinstance(node, q.Not):
            inner = self._node(node.node)
            return wq.AndNot(wq.Every(), inner) if inner is not None else None
        if isinstance(node, q.YearRange):
            return wq.NumericRange("year", node.start, node.end)
        if isinstance(node, q.DateRange):
            start = dt.datetime.fromisoformat(node.start) if node.start else None
            end = dt.datetime.fromisoformat(node.end) + dt.timedelta(days=1) - dt.timedelta(microseconds=1) \
                if node.end else None
            return wq.DateRange("date", start, end)
        if isinstance(node, q.Field):
            return self._field(node)
        return None

    def _word(self, text: str, analysed: dict) -> wq.Query | None:
        literal = self._text_query(analysed, ("title", "body"))
        if literal is None:
            return None
        return _or([literal] + self._expansions(analysed))

    def _phrase(self, text: str, fields) -> wq.Query | None:
        analysed = _analyse(text)
        literal = self._text_query(analysed, fields)
        if literal is None:
            return None
        return _or([literal] + self._expansions(analysed, fields))

    def _text_query(self, analysed: dict, fields, boost: float = 1.0) -> wq.Query | None:
        clauses = []
        for lang in LANGUAGES:
            words = analysed.get(lang)
            if not words:
                continue
            for name in fields:
                weight = boost * (TITLE_BOOST if name == "title" else BODY_BOOST)
                field_name = f"{name}_{lang}"
                if len(words) == 1:
                    clauses.append(wq.Term(field_name, words[0], boost=weight))
                else:
                    clauses.append(wq.Phrase(field_name, list(words), boost=weight))
        return _or(clauses) if clauses else None

    def _expansions(self, analysed: dict, fields=("title", "body")) -> list[wq.Query]:
        out = []
        for term in self.glossary.expand(analysed):
            compiled = self._text_query({term.lang: term.key}, fields, boost=EXPANSION_BOOST)
            if compiled is not None:
                out.append(compiled)
        return out

    def _field(self, node: q.Field) -> wq.Query | None:
        if node.name == "title":
            return self._phrase(node.value, fields=("title",))
        if node.name == "country":
            codes = self.resolve_countries(node.value)
            if codes:
                return _or([wq.Term("countries", c) for c in codes])
        elif node.name == "topic":
            topics = self.resolve_topics(node.value)
            if topics:
                return _or([wq.Term("topics", t) for t in topics])
        elif node.name == "lang":
            lang = LANGUAGE_NAMES.get(fold(node.value))
            if lang:
                return wq.Term("lang", lang)
        # Not a known value: read it as plain text.
        return self._phrase(node.value, fields=("title", "body")) if node.phrase else \
            self._word(node.value, _analyse(node.value))

    def resolve_countries(self, value: str) -> list[str]:
        """Country codes for a code or a name in either language (``pa``, ``Panamá``, ``EE. UU.``)."""
        if len(value) == 2 and value.upper() in country_codes():
            return [value.upper()]
        return self.gazetteer.find(value)

    def resolve_topics(self, value: str) -> list[str]:
        """Topic ids for an id, a label in either language, or one of a topic's keywords."""
        topics = self.taxonomy.topics
        key = fold(value).strip()
        if key in topics:
            return [key]
        by_label = [t.id for t in topics.values() if any(key == fold(label) for label in t.labels.values())]
        if by_label:
            return by_label
        found = []
        for topic in topics.values():
            for lang in LANGUAGES:
                words = tuple(terms(value, lang))
                if words and (words in topic.keywords[lang] or any(
                        words == tuple(terms(label, lang)) for label in topic.labels.values())):
                    found.append(topic.id)
                    break
        if found:
            return found
        return [t.id for t in topics.values() if any(key and key in fold(label) for label in t.labels.values())]


def _analyse(text: str) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(terms(text, lang)) for lang in LANGUAGES}


def _is_text(node) -> bool:
    if isinstance(node, (q.Word, q.Phrase)):
        return True
    if isinstance(node, q.Field):
        return node.name == "title"
    if isinstance(node, (q.AnyOf, q.AllOf)):
        return any(_is_text(n) for n in node.nodes)
    return False


def _and(clauses: list) -> wq.Query | None:
    clauses = [c for c in clauses if c is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def _or(clauses: list) -> wq.Query | None:
    clauses = [c for c in clauses if c is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)
