"""Turning a parsed query into a Whoosh query over both languages' fields.

Every word is analysed with the English and with the Spanish analyser and looked
for in the body field of that language (``body_en``, ``body_es``), which holds the title
too, weighted (see ``index.schema.TITLE_WEIGHT``); ``title:`` searches the title fields.
Glossary terms of the other language (and spelling variants) are added as alternatives,
scored lower than the words typed, and so are the words' translations (``search.translated``).
A query is searched for by its first ``MAX_QUERY_TERMS`` terms, and with them and their
translations by at most ``MAX_SCORED_TERMS``; words that analyse to nothing cost next to
nothing, however many there are.
"""

import bisect
import copy
import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from whoosh import query as wq

from index.analysis import (
    HOMOGRAPHS,
    LANGUAGES,
    american_spelling,
    fold,
    name_terms,
    number_forms,
    overridden,
    terms,
    words_and_folded,
)
from index.language import clearly
from index.lexicon import Lexicon
from index.places import Gazetteer, country_codes, country_name
from index.schema import exact_field
from index.topics import Taxonomy

from . import cognates
from . import query as q
from .coordinated import Coordinated
from .glossary import Glossary, acronym
from .highlight import phrase_forms
from .translated import Translated

TITLE_BOOST = 2.5  # a title: search, alone in the title fields
BODY_BOOST = 1.0
EXPANSION_BOOST = 0.4
# A word in the form the text writes it ("farmacéuticos", not only its stem's relatives) takes
# this share of its stem's score in a language whose stemming changes it (index.schema.exact_field):
# the exact form decides among the releases that match the stem, it does not make the word weigh
# more against the query's other words or its translations. Measured in docs/relevance.md.
EXACT_SHARE = 0.3
# A word's translations into the other language (search.translated), scored below the word:
# the boost that brought answers written in the other language to the first ten for 70 % of
# the benchmark's questions while costing those in the question's language least (docs/relevance.md).
TRANSLATION_BOOST = 0.6
COGNATE_WEIGHT = 1.0  # a likely cognate (search.cognates) counts as a translation of full weight
QUERY_LANGUAGE_CONFIDENCE = 0.9  # how sure the detector must be of a query's language to translate from it alone
# The most terms one query is searched for: its analysed words (a phrase counts its words) and
# its field filters.  Each term costs posting lists read and evaluated over the whole archive,
# glossary equivalents, and the same again in the any-word fallback and the corrected search;
# the terms after these are left out, with a notice.  The judged queries and the tests use at
# most 6; 500 characters hold about 80 words.
MAX_QUERY_TERMS = 32
# The most terms one query is scored by: its own terms (above) and its words' translations and
# cognates (search.translated), each alternative one term, once for every time its word is met.
# The user's terms always come first: only the translations yield to the budget (see
# Compiler._allot for which), and 16 are left them however long the query.  A word can bring a
# dozen alternatives (six translations, cognate spellings, in each language when the query's
# is not clear): 32 such words read some 400 posting lists besides their own.  Of the
# benchmark's 1,224 questions (docs/relevance.md) 4 have more than 48 terms (at most 55), and
# none ranks otherwise for being trimmed to 48, nor to 28.
MAX_SCORED_TERMS = MAX_QUERY_TERMS + 16
MAX_PREFIX_WORDS = 8  # the readings of a prefix searched ("migra*": migrant, migration, migración...)
MAX_PREFIX_TERMS = 16  # the words all the prefixes of a query may be searched as, together
MAX_OTHER_NAMES = 8  # a country's other names searched beside the one typed
OTHER_NAME_BOOST = 0.3  # their weight: below a translation, as a name in passing ranks below one typed
# A topic named by one of its keywords ("topic:covid"): its releases are ranked by that keyword
# (weighted so), the topic's other keywords counting this share (to order those not saying it).
TYPED_KEYWORD_BOOST = 3.0
OTHER_KEYWORDS_SHARE = 0.2
YEAR_SCORE = 1.0  # a release of a year typed as a word, without the word: as a place's country
PLACE_SCORE = 1.0  # a release tagged with a country named in the query, without the literal words
LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "ingles": "en",
    "eng": "en",
    "es": "es",
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
    "spa": "es",
}


class DayRange(wq.NumericRange):
    """Releases dated from ``start`` to ``end`` (dates; either may be None), in the day-ordinal
    ``date`` field."""

    def __init__(self, start: dt.date | None, end: dt.date | None):
        super().__init__("date", start.toordinal() if start else None, end.toordinal() if end else None)
        self.days = (start, end)


@dataclass
class Compiled:
    query: wq.Query | None  # None: nothing left to search for
    any_query: wq.Query | None = None  # the any-word fallback, when the query has several words
    notices: list[str] = field(default_factory=list)
    browse: bool = False  # no text at all: every release matches
    cut: bool = False  # the query had more than MAX_QUERY_TERMS terms: the rest were left out
    scored: int = 0  # the terms it is scored by: its own and its translations (at most MAX_SCORED_TERMS)
    # What the ``-word`` parts match alone: with pairs merged, a pair with one version in it is
    # left out whole (``Archive._found``); ``query`` leaves out only the versions themselves.
    excluded: wq.Query | None = None
    # With pairs merged, a typed ``country:``/``topic:`` of the whole query is met by a pair when
    # either version is tagged, as its checkbox is: ``pair_filters`` are the tags (each taken
    # for whole pairs), ``pair_query`` and ``pair_any_query`` the queries without them (their
    # names only add to the score). None and (): no such filter, ``query`` serves both.
    pair_query: wq.Query | None = None
    pair_any_query: wq.Query | None = None
    pair_filters: tuple[wq.Query, ...] = ()
    # generation -> the documents of the pairs these allow (``engine._as_pairs``), read once
    # for the all-words and the any-word readings alike
    pair_kept: dict = field(default_factory=dict, repr=False, compare=False)

    def searched(self, any_word: bool, separate: bool) -> wq.Query | None:
        """What a reading matches: the all-words or the any-word query, for pairs merged or not."""
        if self.pair_filters and not separate:
            return self.pair_any_query if any_word else self.pair_query
        return self.any_query if any_word else self.query


@dataclass
class _Budget:
    """What is left of a query's MAX_QUERY_TERMS as its nodes are read in order."""

    left: int = MAX_QUERY_TERMS
    cut: bool = False  # a node did not fit: it (or its words that did not) and every later node are left out


@dataclass
class _Alternatives:
    """A word's translations into one language, as the query will score them: ``node`` holds
    those the budget keeps of ``candidates``, the lexicon's (its first ``translations``, the
    most likely first) then likely cognates."""

    text: str
    node: Translated
    candidates: tuple
    translations: int


@dataclass
class Compiler:
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    glossary: Glossary
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def compile(
        self, parsed: q.ParsedQuery, lexicon: Lexicon | None = None, begun: Callable[[str], list[str]] | None = None
    ) -> Compiled:
        """``lexicon``: the generation's, for the words' translations (none without it);
        ``begun``: the archive's words a prefix begins, most used first (for "migra*")."""
        self._local.analyses = {}
        self._local.lexicon = lexicon
        # The language is told from the words sought: a word excluded ("-xyzzy") would sway it.
        sought = " ".join(q.words_of(parsed.tree))
        self._local.sources = _translated_from(sought or parsed.text) if lexicon is not None else ()
        self._local.translated = {}
        self._local.tag_parts = {}
        self._local.tag_clauses = {}
        try:
            budget = _Budget()
            tree = self._limited_by(self._prefixes_expanded(parsed.tree, begun), budget)
            compiled = self._compile(tree)
            compiled.cut = budget.cut
            own = MAX_QUERY_TERMS - budget.left
            compiled.scored = own + self._allot(MAX_SCORED_TERMS - own, _occurrences(tree))
        finally:
            self._local.analyses = self._local.lexicon = self._local.translated = None
            self._local.tag_parts = self._local.tag_clauses = None
            self._local.sources = ()
        return compiled

    def _compile(self, tree: q.AllOf) -> Compiled:
        nodes = _spliced(tree.nodes)
        notices: list[str] = []
        positive = [n for n in nodes if not isinstance(n, q.Not)]
        negative = [n for n in nodes if isinstance(n, q.Not)]
        clauses = self._all(positive)
        compiled_out = self._excluded(negative)  # one a negative node (None: nothing to search)
        excluded = [c for c in compiled_out if c is not None]
        # Words that are a stop word in one language and an ordinary word of the other ("sea"):
        # not required beside other words (in "violencia contra" or "sin documentos" they are the
        # stop words), but they rank, and they are what is searched for when alone.
        words = [n.text for n in positive if isinstance(n, q.Word)]
        if not positive:
            browse = True
            main = wq.Every()
        elif not clauses or _only_stop_words([n for n in positive if _is_text(n)], self._cost, self._a_homograph):
            homographs = self._homographs(words, alone=True)
            if not homographs:
                # Words typed, each a stop word: nothing to search for, beside filters or not (a
                # typed "country:SG" lists what its checkbox would, and that with "the" is nothing).
                return Compiled(None, notices=["only very common words were given; try more specific words"])
            browse = False
            main = _and(clauses + homographs)
        else:
            browse = not any(_is_scored(n) for n in positive)
            main = _maybe(_and(clauses), _or(self._homographs(words, alone=False)))
        full = _without(main, excluded)
        loose = self._any_parts(positive)
        any_query = _any_query(*loose, excluded) if loose else None
        # A pair is left out whole for what a version says (its words, title, countries, topics),
        # not for its language or date: "-lang:es" leaves out Spanish versions, not pairs.
        about = [c for n, c in zip(negative, compiled_out, strict=True) if c is not None and _about_content(n.node)]
        compiled = Compiled(full, any_query, notices, browse, excluded=_or(about) if about else None)
        # The typed tags of the whole query (one a tag: ``_all`` reads a tag typed twice once),
        # taken out of its clauses to be met by whole pairs; their names only add to the score.
        made = self._local.tag_clauses
        tags = [made[id(c)][1] for c in clauses if id(c) in made]
        if tags and full is not None:
            names = _or([scoring for _, scoring in tags])
            rest = [c for c in clauses if id(c) not in made]
            compiled.pair_query = _without(_maybe(_and(rest) or wq.Every(), names), excluded)
            if loose:
                options, others = loose
                untagged = _any_query(options, [c for c in others if id(c) not in made], excluded)
                compiled.pair_any_query = _maybe(untagged, names)
            compiled.pair_filters = tuple(tag for tag, _ in tags)
        return compiled

    def _any_parts(self, positive: list) -> tuple[list, list] | None:
        """The any-word fallback's parts of AND-ed nodes, its words and its other clauses; None
        unless they hold two words or more."""
        options: list[wq.Query] = []
        run: list[q.Word] = []
        for node in [*positive, None]:  # (None: the end, where a run of words ends too)
            if isinstance(node, q.Word):
                run.append(node)
                continue
            if run:
                # a run of words as the words-only query reads it: a place's name or a glossary
                # term one option ("tabaco EE.UU." was "tabaco", "ee.uu" without the country)
                options += [c for c in self._run(run, parts=True) if c is not None]
                run = []
            if node is not None and _is_text(node):
                option = self._node(node)  # a phrase, a title's words, a group
                if option is not None:
                    options.append(option)
        if len(options) < 2:
            return None
        return options, [c for c in (self._node(n) for n in positive if not _is_text(n)) if c is not None]

    def _excluded(self, negative: list) -> list[wq.Query | None]:
        """What the ``-word`` parts of a query leave out: each word as either language's analyser
        reads it, with its glossary equivalents, but not its learnt translations or cognates
        (a wrong one, "form" read as Spanish and put as "way", would leave out releases that do
        not contain the word)."""
        lexicon = getattr(self._local, "lexicon", None)
        self._local.lexicon = None  # ``_translations`` adds nothing without it
        try:
            return [self._node(n.node) for n in negative]
        finally:
            self._local.lexicon = lexicon

    # --- the cap on terms -------------------------------------------------------------------
    def _prefixes_expanded(self, node, begun, share: int | None = None):
        """The tree with each prefix ("migra*") as the words of the archive it begins, one of each
        reading (a word, its plural and its other forms are one), the most used first, any of
        which may match; a prefix that begins none is a word, which finds nothing and is said to.
        The prefixes of a query share MAX_PREFIX_TERMS words (MAX_PREFIX_WORDS each at most, two
        at least), so that a few of them do not take the whole query's budget of terms."""
        if share is None:
            prefixes = _count_prefixes(node)
            if not prefixes:
                return node
            share = max(2, min(MAX_PREFIX_WORDS, MAX_PREFIX_TERMS // prefixes))
        if isinstance(node, q.Prefix):
            chosen: dict[tuple, str] = {}
            for word in begun(node.text) if begun is not None else []:
                analysed = self._analyse(word)
                if not all(analysed.values()):
                    continue  # a stop word of either language ("migra*" would not mean "mi")
                chosen.setdefault(tuple(sorted(analysed.items())), word)
                if len(chosen) == share:
                    break

            def word(text: str):
                return q.Field(node.field, text) if node.field else q.Word(text)

            words = [word(w) for w in chosen.values()]
            return q.AnyOf(words) if len(words) > 1 else words[0] if words else word(node.text)
        if isinstance(node, q.AllOf):
            return q.AllOf([self._prefixes_expanded(n, begun, share) for n in node.nodes])
        if isinstance(node, q.AnyOf):
            return q.AnyOf([self._prefixes_expanded(n, begun, share) for n in node.nodes])
        if isinstance(node, q.Not):
            return q.Not(self._prefixes_expanded(node.node, begun, share))
        return node

    def _limited_by(self, tree: q.AllOf, budget: _Budget) -> q.AllOf:
        """The query up to its first MAX_QUERY_TERMS terms (the tree itself when nothing was left
        out; ``budget.cut`` says whether anything was)."""
        nodes = self._fitting(tree.nodes, budget)
        return q.AllOf(nodes) if budget.cut else tree

    def _fitting(self, nodes: list, budget: _Budget) -> list:
        return [kept for kept in (self._fit(n, budget) for n in nodes) if kept is not None]

    def _fit(self, node, budget: _Budget):
        """``node`` if its terms fit in what is left of the budget, a phrase cut to the words that
        fit, or None."""
        if budget.cut:
            return None
        if isinstance(node, (q.AllOf, q.AnyOf)):
            kept = self._fitting(node.nodes, budget)
            return type(node)(kept) if kept else None
        if isinstance(node, q.Not):
            inner = self._fit(node.node, budget)
            return q.Not(inner) if inner is not None else None
        cost = self._cost(node)
        if cost <= budget.left:
            budget.left -= cost
            return node
        budget.cut = True
        return self._shortened(node, budget.left)

    def _cost(self, node) -> int:
        """How many terms a node of the query is searched for."""
        if isinstance(node, q.Word):
            analysed = self._analyse(node.text)
            # A stop word in either language is not searched for (it may join a glossary term).
            return max(len(t) for t in analysed.values()) if all(analysed.values()) else 0
        if isinstance(node, q.Phrase):
            return self._phrase_cost(node.text)
        if isinstance(node, q.Field):
            cost = self._phrase_cost(node.value)
            return cost if node.name == "title" else max(1, cost)
        return 1  # a year or date range

    def _phrase_cost(self, text: str) -> int:
        return max(len(t) for t in self._analyse(text).values())

    def _shortened(self, node, left: int):
        """A phrase (or title phrase) cut to its first words within ``left`` terms; None for other nodes."""
        if isinstance(node, q.Phrase):
            text = self._first_words(node.text, left)
            return q.Phrase(text) if text else None
        if isinstance(node, q.Field) and node.name == "title":
            text = self._first_words(node.value, left)
            return q.Field(node.name, text, node.phrase) if text else None
        return None

    def _first_words(self, text: str, left: int) -> str:
        """The first words of ``text`` that analyse to at most ``left`` terms in every language."""
        counts = dict.fromkeys(LANGUAGES, 0)
        kept = []
        for word in text.split():
            for lang, found in self._analyse(word).items():
                counts[lang] += len(found)
            if max(counts.values()) > left:
                break
            kept.append(word)
        return " ".join(kept)

    # --- nodes -----------------------------------------------------------------------------
    def _all(self, nodes: list) -> list[wq.Query]:
        """Compile AND-ed nodes; runs of plain words are read together (glossary terms, place names)."""
        out: list[wq.Query] = []
        filters = set()  # a field filter given twice (topic:x topic:x) matches the same releases
        i = 0
        while i < len(nodes):
            if isinstance(nodes[i], q.Word):
                end = i
                while end < len(nodes) and isinstance(nodes[end], q.Word):
                    end += 1
                out += self._run(nodes[i:end])
                i = end
                continue
            if isinstance(nodes[i], q.Field) and nodes[i].name != "title":
                key = self._filter_key(nodes[i])
                if key in filters:
                    i += 1
                    continue  # its keywords would only be scored again, at the cost of another filter
                filters.add(key)
            compiled = self._node(nodes[i])
            if compiled is not None:
                out.append(compiled)
            i += 1
        return out

    def _run(self, words: list[q.Word], parts: bool = False) -> list[wq.Query]:
        """Consecutive plain words: each must match, except that a multi-word glossary term may
        match as any of its equivalents, and a place name also matches releases tagged with its
        country (so "venezolanos" finds releases about Venezuela written in English). One query
        a word, place name or glossary term: the any-word fallback's options. With ``parts``, a
        word the analysis splits into several terms ("Huguenot-descended", "plugs-out") matches
        by any of them (in the fallback: all the words required it as a phrase, but a release
        that says "Huguenots" and "descendants" apart contains that word as much as any other)."""
        texts, years = [w.text for w in words], [w.year for w in words]
        analysed = [self._analyse(t) for t in texts]
        places = self._place_runs(texts)
        # A place name is not translated: "Puebla" is not "pueblo" (people), whatever the stemmer says.
        named = {k for first, (end, _) in self._place_runs(texts, cities=True).items() for k in range(first, end)}
        spans = self.glossary.spans(analysed)
        out = []
        j = 0
        while j < len(texts):
            if j in places:
                end, code = places[j]
                literal = _and([self._word(texts[k], analysed[k], translate=False) for k in range(j, end)])
                # A word of the name that is a stop word in a language is not searched for in
                # it: the rest of the name is then sought there as written ("Estados Unidos" is
                # "unidos" in Spanish, not every "Unidas" of "Naciones Unidas").
                shortened = {lang for k in range(j, end) for lang in LANGUAGES if not analysed[k].get(lang)}
                if literal is not None and shortened:
                    literal = _as_written(literal, shortened)
                out.append(
                    _or(
                        [literal, *self._other_names(texts[j:end], code)]
                        + [wq.ConstantScoreQuery(wq.Term("countries", code), PLACE_SCORE)]
                    )
                )
                j = end
                continue
            span = spans[j]
            if span >= 2:
                each = [self._word(texts[k], analysed[k], k not in named, parts, years[k]) for k in range(j, j + span)]
                joined = {lang: sum((a.get(lang, ()) for a in analysed[j : j + span]), ()) for lang in LANGUAGES}
                out.append(_or([_and(each)] + self._expansions(joined)))
                j += span
                continue
            compiled = self._word(texts[j], analysed[j], j not in named, parts, years[j])
            if compiled is not None:
                out.append(compiled)
            j += 1
        return out

    def _other_names(self, texts: list[str], code: str) -> list[wq.Query]:
        """A country's other names, in either language, when the words are one of its names
        ("Irak": "Iraq"; "Sudáfrica": "South Africa"; "Palestina": "Palestine"): their mentions
        count as the name typed does. Its names in the two languages come first, then the
        longest of its other names; none that reads as a letter alone ("U.S."). Not for a
        nationality word, whose country's releases its tag finds."""
        typed = _folded_words(" ".join(texts))
        if self.gazetteer.named_as(" ".join(texts), code) is None:  # "U.S." is one, as ("u", "s")
            return self._other_demonyms(typed, code)
        names = {tuple(name.split()) for name in self.gazetteer.country_names(code)}
        own = [_folded_words(country_name(code, lang)) for lang in LANGUAGES]
        ordered = sorted(names - {typed}, key=lambda name: (name not in own, -len(" ".join(name)), name))
        out: list[wq.Query] = []
        for name in ordered:
            # Read only in the languages that keep each of its words: Spanish drops "estados",
            # and "unidos" alone is every "Naciones Unidas".
            analysed = {lang: found for lang, found in _analyse(" ".join(name)).items() if len(found) == len(name)}
            if not analysed or any(len(term) < 2 for found in analysed.values() for term in found):
                continue
            # Scored as a translation is: the name as typed comes first where both are written.
            found = self._text_query(analysed, ("title", "body"), boost=OTHER_NAME_BOOST)
            if found is not None:
                out.append(found)
            if len(out) == MAX_OTHER_NAMES:
                break
        return out

    def _other_demonyms(self, typed: tuple[str, ...], code: str) -> list[wq.Query]:
        """A nationality word's other forms, in either language ("Cuban": "cubanos", "cubanas"),
        each in its own stem: the stemmers part them ("Cuban" is Spanish "cub", "cubanas"
        "cuban"), so a release in the other language that names the people and not the
        country (its tag) was not found. Scored as a country's other names are."""
        demonyms = {tuple(n.split()) for n in self.gazetteer.names_of(code)} - {
            tuple(n.split()) for n in self.gazetteer.country_names(code)
        }
        if typed not in demonyms:
            return []
        searched = _analyse(" ".join(typed))
        stems: dict[str, set[tuple[str, ...]]] = {lang: set() for lang in LANGUAGES}
        for name in sorted(demonyms - {typed}):
            for lang, found in _analyse(" ".join(name)).items():
                if len(found) == len(name) and found != searched.get(lang) and all(len(t) > 2 for t in found):
                    stems[lang].add(found)
        out = []
        for lang in LANGUAGES:
            for found in sorted(stems[lang])[:MAX_OTHER_NAMES]:
                query = self._text_query({lang: found}, ("title", "body"), boost=OTHER_NAME_BOOST)
                if query is not None:
                    out.append(query)
        return out

    def _place_runs(self, texts: list[str], cities: bool = False) -> dict[int, tuple[int, str]]:
        """{first word: (after last word, country code)} for the names of countries (and with
        ``cities``, of their divisions and cities) among the words."""
        starts, position = [], 0
        for text in texts:
            starts.append(position)
            position += len(text) + 1
        runs = {}
        for start, end, code in self.gazetteer.spans(" ".join(texts), cities=cities):
            first = bisect.bisect_right(starts, start) - 1  # the last word starting at or before the name
            last = bisect.bisect_left(starts, end) - 1  # the last word starting before its end
            runs[first] = (last + 1, code)
        return runs

    def _node(self, node) -> wq.Query | None:
        if isinstance(node, q.Word):
            # Alone in an OR's alternative or after "-", a homograph is the word asked for
            # ("sea OR ocean", "-sea"), as a query of it alone is: dropped, it left the search
            # wider than asked. Not in a query of its stop-word language ("(sin OR con) documentos").
            analysed = self._analyse(node.text)
            found = self._word(node.text, analysed, year=node.year)
            reading = self._asked_homograph(node) if found is None else None
            return self._homograph(node.text, reading) if reading else found
        if isinstance(node, q.Phrase):
            return self._phrase(node.text, fields=("title", "body"))
        if isinstance(node, q.AllOf):
            return _and(self._all(node.nodes)) if node.nodes else None
        if isinstance(node, q.AnyOf):
            return _or([c for c in (self._node(n) for n in node.nodes) if c is not None])
        if isinstance(node, q.Not):  # inside ( ) or an OR: read as a top-level "-word" is
            (inner,) = self._excluded([node])
            return wq.AndNot(wq.Every(), inner) if inner is not None else None
        if isinstance(node, q.YearRange):
            return wq.NumericRange("year", node.start, node.end)
        if isinstance(node, q.DateRange):
            try:
                start = dt.date.fromisoformat(node.start) if node.start else None
                end = dt.date.fromisoformat(node.end) if node.end else None
            except ValueError:  # a date that does not exist (2020-04-31): read it as plain text
                text = f"{node.start or ''} {node.end or ''}".strip()
                return self._word(text, self._analyse(text))
            return DayRange(start, end)
        if isinstance(node, q.Field):
            return self._field(node)
        return None

    def _analyse(self, text: str) -> dict[str, tuple[str, ...]]:
        """``text`` analysed in each language, once per query however often it is met (callers
        never change the dictionary)."""
        analyses = getattr(self._local, "analyses", None)
        if analyses is None:
            return _analyse(text)
        found = analyses.get(text)
        if found is None:
            found = analyses[text] = _analyse(text)
        return found

    def _word(
        self, text: str, analysed: dict, translate: bool = True, parts: bool = False, year: int | None = None
    ) -> wq.Query | None:
        """A plain word as either language reads it, its exact forms, its glossary equivalents and
        translations; ``year``: the word is that year typed (``search.query.Word.year``)."""
        if any(not analysed.get(lang) for lang in LANGUAGES):
            # A stop word in either language ("for", "de") is not required in the other.
            return None
        literal = self._text_query(analysed, ("title", "body"), parts=parts)
        if literal is None:
            return None
        words = words_and_folded(text)[0]
        translated_as = analysed
        form = None
        if len(words) == 1:
            form = american_spelling(fold(words[0]))  # as the exact forms are held ("labour": "labor")
            literal = _exact_forms(literal, form)
            if acronym(words[0]):
                # Written in capitals, a word is a name as written: "AIDS" is not "aid", nor
                # its translation "ayuda"; the glossary still gives its equivalents ("SIDA").
                literal = _as_written(literal, set(LANGUAGES))
                translated_as = {lang: (form,) for lang in analysed}
        equivalents = self.glossary.expand(analysed, form)
        # The glossary's equivalents in a language are the word's translations into it: the
        # lexicon's are not added on top of them.
        covered = {term.lang for term in equivalents}
        translations = self._translations(text, translated_as, skip=covered) if translate else []
        # A year typed among the words ("hurricane 2016") is also the releases of that year, as a
        # place name is also the releases tagged with its country: few say the year.
        dated = [wq.ConstantScoreQuery(wq.NumericRange("year", year, year), YEAR_SCORE)] if year else []
        return _or([literal] + self._equivalents(equivalents) + translations + dated)

    def _asked_homograph(self, node) -> dict | None:
        """The reading of a homograph (``_homograph_reading``) standing alone in an OR or after
        "-", unless the query is of the language it is a stop word of."""
        if not isinstance(node, q.Word):
            return None
        reading = _homograph_reading(node.text, self._analyse(node.text))
        if reading is None or self._local.sources == tuple(lang for lang in LANGUAGES if lang not in reading):
            return None
        return reading

    def _a_homograph(self, node) -> bool:
        return self._asked_homograph(node) is not None

    def _homographs(self, words: list[str], alone: bool) -> list[wq.Query]:
        """The words of ``index.analysis.HOMOGRAPHS`` (a stop word of one language, an ordinary
        word of the other) among a query's plain words, each as a word of the language it is
        ordinary in, with its translations.

        ``alone``: the other words are stop words too. A homograph is then what was asked ("sea",
        "the sea is ours"), unless the stop words only its stop-word language has outnumber those
        only the other has ("que sea", "lo que era": Spanish). Beside other words, it only adds
        to the score, and only in a query clearly of the language it is a word of ("children at
        sea"): in "sin documentos" it is the stop word.
        """
        found = []
        for text in words:
            reading = _homograph_reading(text, self._analyse(text))
            if reading is None:
                continue
            ((lang, _),) = reading.items()
            stop_lang = "es" if lang == "en" else "en"
            if alone:
                # Each other word's side: a stop word of one language only reads as the other's word.
                sides = Counter(
                    side for other in words if other != text for side in LANGUAGES if not self._analyse(other).get(side)
                )
                if self._local.sources == (stop_lang,) or sides[stop_lang] > sides[lang]:
                    continue
            elif self._local.sources != (lang,):
                continue
            clause = self._homograph(text, reading)
            if clause is not None:
                found.append(clause)
        return found

    def _homograph(self, text: str, reading: dict) -> wq.Query | None:
        """A homograph read as a word of one language (``reading``), with its translations."""
        literal = self._text_query(reading, ("title", "body"))
        if literal is None:
            return None
        return _or([_exact_forms(literal, american_spelling(fold(text).strip()))] + self._translations(text, reading))

    def _translations(self, text: str, analysed: dict, skip=frozenset()) -> list[wq.Query]:
        """The word's translations from each language into the other, each set one term of the
        other language's body field (``search.translated``), scored below the word itself.

        The word is read as a word of the query's language, or of each language when that is not
        clear; a reading the lexicon does not know adds only its likely cognates, and a
        translation that is the word's own reading in the other language is left out (it is
        searched already).  ``skip``: the languages the glossary already translates it into.
        """
        lexicon = getattr(self._local, "lexicon", None)
        if lexicon is None:
            return []
        # A word met twice (or again in the any-word query) shares its nodes: the budget trims
        # them once the whole query is read (_allot).
        translated = self._local.translated
        if text not in translated:
            translated[text] = []
            for target, found, count in self._candidates(text, analysed, skip, lexicon):
                node = Translated(f"body_{target}", found, boost=TRANSLATION_BOOST)
                translated[text].append(_Alternatives(text, node, node.alternatives, count))
        return [alternatives.node for alternatives in translated[text]]

    def _candidates(self, text: str, analysed: dict, skip, lexicon: Lexicon) -> list[tuple[str, list, int]]:
        """(language, [(term, weight), ...], how many are the lexicon's) for each language the
        word is translated into: the lexicon's translations, most likely first, then the likely
        cognates it lacks."""
        out = []
        for source in self._local.sources:
            target = "es" if source == "en" else "en"
            if target in skip:
                continue
            key = analysed.get(source)
            if not key or len(key) != 1:
                continue
            own = analysed.get(target) or ()
            found = sorted(
                ((t, w) for t, w in lexicon.translate(source, target, key[0]) if (t,) != own), key=lambda item: -item[1]
            )
            count = len(found)
            known = {t for t, _ in found} | set(own)
            # A word the analysis sets apart from its look-alikes has none as a cognate either:
            # "deportivo" is not "deportive", which English stems as "deport".
            if overridden(fold(text).strip()) is not None:
                forms = []
            else:
                forms = cognates.to_spanish(fold(text)) if target == "es" else cognates.to_english(fold(text))
            for form in forms:
                stem = terms(form, target)
                if len(stem) == 1 and stem[0] not in known:
                    known.add(stem[0])
                    found.append((stem[0], COGNATE_WEIGHT))
            if found:
                out.append((target, found, count))
        return out

    def _allot(self, left: int, occurrences: Counter) -> int:
        """Trim the query's translations to the ``left`` terms of MAX_SCORED_TERMS its own
        terms leave, an alternative costing one term each time its word is met; returns the
        terms they are left.  The words themselves are never dropped for a translation.

        The lexicon's translations come before any cognate, and each in turns by its rank in
        its word's list: every word's most likely translation (into each language it is
        translated into), in the order of the query, then every word's second, and so on; then
        the cognates the same way, so that those of a word the lexicon does not know (its only
        way into the other language) come before those of a word it translates thrice.  A
        lexicon translation is a word the archive uses, weighted by how often it is the word's
        sense; a cognate is a spelling by rule that most often matches nothing.  And a release
        in the other language matches all the words only through a translation of each: a word
        left with none keeps it out of the all-words results, where another word's third
        translation adds only a less likely sense.  Measured under budgets tight enough to trim
        most of the benchmark's questions (docs/relevance.md), the orders that take turns keep
        the most answers in the other language, this one a little more than the rest; the
        query's order (each word all its translations before the next word any) the fewest.
        """
        entries = [entry for nodes in self._local.translated.values() for entry in nodes]
        kept: list[list[int]] = [[] for _ in entries]
        spent = 0
        turns = max((len(entry.candidates) for entry in entries), default=0)
        for cognate in (False, True):
            for rank in range(turns):
                for entry, chosen in zip(entries, kept, strict=True):
                    cost = occurrences.get(entry.text, 1)
                    if rank < len(entry.candidates) and (rank >= entry.translations) == cognate and cost <= left:
                        chosen.append(rank)
                        left -= cost
                        spent += cost
        for entry, chosen in zip(entries, kept, strict=True):
            if len(chosen) < len(entry.candidates):
                entry.node.alternatives = tuple(entry.candidates[k] for k in chosen)
        return spent

    def _phrase(self, text: str, fields) -> wq.Query | None:
        analysed = self._analyse(text)
        literal = self._text_query(analysed, fields)
        if literal is None:
            return None
        if "body" not in fields:
            return _or([literal] + self._expansions(analysed, fields))
        # in quotes, the glossary's equivalents are taken as written too ("trata", not "tratadas")
        equivalents = self._equivalents(self.glossary.expand(analysed), fields, as_written=True)
        return _or([_exact_phrase(literal, text), *equivalents])

    def _text_query(self, analysed: dict, fields, boost: float = 1.0, parts: bool = False) -> wq.Query | None:
        """Terms (or phrases) in the given fields of each language; with ``parts``, a phrase's
        words as alternatives instead.

        The body fields also hold the title, weighted: for a title-and-body search the body
        fields alone decide what matches and how it ranks.
        """
        clauses = []
        if "body" in fields:
            fields = ("body",)
        for lang in LANGUAGES:
            words = analysed.get(lang)
            if not words:
                continue
            for name in fields:
                weight = boost * (TITLE_BOOST if name == "title" else BODY_BOOST)
                field_name = f"{name}_{lang}"
                if len(words) == 1:
                    clauses.append(wq.Term(field_name, words[0], boost=weight))
                elif parts:
                    clauses += [wq.Term(field_name, w, boost=weight) for w in dict.fromkeys(words)]
                else:
                    clauses.append(wq.Phrase(field_name, list(words), boost=weight))
        return _or(clauses) if clauses else None

    def _expansions(self, analysed: dict, fields=("title", "body")) -> list[wq.Query]:
        return self._equivalents(self.glossary.expand(analysed), fields)

    def _equivalents(self, found, fields=("title", "body"), as_written: bool = False) -> list[wq.Query]:
        """Glossary terms, searched below the words typed. An acronym among them is a name as
        written, as when typed: "SIDA" is not Spanish "sido", nor "AIDS" English "aid". With
        ``as_written`` (a quoted phrase's), each is required as the glossary writes it."""
        out = []
        for term in found:
            if term.written and "body" in fields:
                # its exact form, where its stemming changes it (the exact field holds no other)
                name = exact_field(term.lang) if term.key != (term.written,) else f"body_{term.lang}"
                out.append(wq.Term(name, term.written, boost=EXPANSION_BOOST * BODY_BOOST))
                continue
            compiled = self._text_query({term.lang: term.key}, fields, boost=EXPANSION_BOOST)
            if compiled is not None:
                out.append(_exact_phrase(compiled, term.text) if as_written or term.quoted else compiled)
        return out

    def _tag_parts(self, node) -> tuple[wq.Query, wq.Query | None] | None:
        """For a ``country:`` or ``topic:`` filter that names a known value: the releases tagged
        with it, and what ranks those that say more of it (the country's names, the topic's
        keywords). None for other nodes."""
        if not isinstance(node, q.Field) or node.name not in ("country", "topic"):
            return None
        made = self._local.tag_parts
        key = _field_key(node)
        if key not in made:  # read once a query: ``_all`` and the pairs' form both ask
            made[key] = self._made_tag_parts(node)
        return made[key]

    def _filter_key(self, node: q.Field) -> tuple:
        """What a typed field filter selects: for a country or topic the tags it names, however
        it names them (``country:US`` and ``country:"Estados Unidos"``), else its spelling."""
        parts = self._tag_parts(node)
        return (node.name, str(parts[0])) if parts is not None else _field_key(node)

    def _made_tag_parts(self, node: q.Field) -> tuple[wq.Query, wq.Query | None] | None:
        if node.name == "country":
            codes = self.resolve_countries(node.value)
            if codes:
                names = [self._name(name) for c in codes for name in {country_name(c, lang) for lang in LANGUAGES}]
                return _or([wq.Term("countries", c) for c in codes]), _or(names)
        elif node.name == "topic":
            topics, by_keyword = self._resolved_topics(node.value)
            if topics:
                ranking = _or(self._topic_words(topics))
                if by_keyword:
                    # Named by one of its keywords ("topic:covid"): the releases of the topic
                    # that say it come first, not those that say most of its other keywords.
                    typed = self._word(node.value, self._analyse(node.value)) if len(node.value.split()) == 1 else None
                    typed = typed or self._phrase(node.value, fields=("title", "body"))
                    if typed is not None and ranking is not None:
                        ranking = _or([_scaled(typed, TYPED_KEYWORD_BOOST), _scaled(ranking, OTHER_KEYWORDS_SHARE)])
                return _or([wq.Term("topics", t) for t in topics]), ranking
        return None

    def _field(self, node: q.Field) -> wq.Query | None:
        if node.name == "title":
            return self._phrase(node.value, fields=("title",))
        if node.name in ("country", "topic"):
            parts = self._tag_parts(node)
            if parts is not None:
                # Releases tagged with the value; those that say more of it rank higher.
                clause = _maybe(*parts)
                # for the pairs' form (``_compile``); the clause kept, so that its id stays its own
                self._local.tag_clauses[id(clause)] = (clause, parts)
                return clause
        elif node.name == "lang":
            lang = LANGUAGE_NAMES.get(fold(node.value))
            if lang:
                return wq.Term("lang", lang)
        # Not a known value: read it as plain text.
        return (
            self._phrase(node.value, fields=("title", "body"))
            if node.phrase
            else self._word(node.value, self._analyse(node.value))
        )

    def _name(self, name: str) -> wq.Query | None:
        """A country's name in each language (``index.analysis.name_terms``): a name that keeps
        one word there as written where its stem is another's ("Granada" is "gran", as "grande"
        is; "Estados Unidos" is "unidos" in Spanish, not every "Unidas"), a longer one as a
        phrase."""
        clauses = []
        words = len(words_and_folded(name)[1])
        for lang in LANGUAGES:
            found = name_terms(name, lang)
            if len(found) > 1 and len(found) == words:
                clauses.append(wq.Phrase(f"body_{lang}", [term for term, _ in found], boost=BODY_BOOST))
            elif len(found) == 1:  # one word, or one beside stop words ("Estados Unidos"): as written
                (term, form), field = found[0], exact_field(lang)
                clauses.append(
                    wq.Term(field, form, boost=BODY_BOOST)
                    if term != form
                    else wq.Term(f"body_{lang}", term, boost=BODY_BOOST)
                )
        return _or(clauses)

    def _topic_words(self, topic_ids: list[str]) -> list[wq.Query]:
        """The topics' keyword phrases, for ranking releases of a topic by how much they say of it."""
        clauses = []
        for topic_id in topic_ids:
            for lang, phrases in self.taxonomy.topics[topic_id].keywords.items():
                for phrase in phrases:
                    compiled = self._text_query({lang: phrase}, ("title", "body"))
                    if compiled is not None:
                        clauses.append(compiled)
        return clauses

    def resolve_countries(self, value: str) -> list[str]:
        """Country codes for a code or a name in either language (``pa``, ``Panamá``, ``EE. UU.``)."""
        if len(value) == 2 and value.upper() in country_codes():
            return [value.upper()]
        return self.gazetteer.find(value)

    @cached_property
    def _label_terms(self) -> dict[str, dict[str, set[tuple[str, ...]]]]:
        """Per topic and language, the terms of each of its labels (analysed once, not per query)."""
        return {
            t.id: {lang: {tuple(terms(label, lang)) for label in t.labels.values()} for lang in LANGUAGES}
            for t in self.taxonomy.topics.values()
        }

    def resolve_topics(self, value: str) -> list[str]:
        """Topic ids for an id, a label in either language, or one of a topic's keywords."""
        return self._resolved_topics(value)[0]

    def _resolved_topics(self, value: str) -> tuple[list[str], bool]:
        """``resolve_topics``, and whether ``value`` named them by one of their keywords."""
        topics = self.taxonomy.topics
        key = fold(value).strip()
        if key in topics:
            return [key], False
        by_label = [t.id for t in topics.values() if any(key == fold(label) for label in t.labels.values())]
        if by_label:
            return by_label, False
        found: dict[str, bool] = {}  # topic id -> named by a keyword (not a label's words)
        analysed = {lang: tuple(terms(value, lang)) for lang in LANGUAGES}
        for topic in topics.values():
            for lang in LANGUAGES:
                words = analysed[lang]
                if words and (words in topic.keywords[lang] or words in self._label_terms[topic.id][lang]):
                    found[topic.id] = found.get(topic.id, False) or words in topic.keywords[lang]
        if found:
            return list(found), all(found.values())
        return [t.id for t in topics.values() if any(key and key in fold(label) for label in t.labels.values())], False


def _about_content(node) -> bool:
    """Whether an excluded node is about what a release says, rather than its language or date."""
    if isinstance(node, (q.YearRange, q.DateRange)):
        return False
    return not (isinstance(node, q.Field) and node.name in ("lang", "year", "date"))


def _homograph_reading(text: str, analysed: dict) -> dict | None:
    """``{language: terms}`` of a word of ``index.analysis.HOMOGRAPHS`` (a stop word of one
    language) in the language it is an ordinary word of; None for any other word."""
    content = [lang for lang in LANGUAGES if analysed.get(lang)]
    if len(content) != 1:
        return None
    (lang,) = content
    stop_lang = "es" if lang == "en" else "en"
    return {lang: analysed[lang]} if fold(text).strip() in HOMOGRAPHS[stop_lang] else None


def _translated_from(text: str) -> tuple[str, ...]:
    """The languages a query's words are translated from: the query's language when it is
    clear (the words read in the other language are mostly not words of it: translating them
    adds noise), both when it is not."""
    lang = clearly(text, QUERY_LANGUAGE_CONFIDENCE)
    return (lang,) if lang else LANGUAGES


def _occurrences(tree: q.AllOf) -> Counter:
    """How often each text the compiler may translate is met in the query: its words, and the
    values of field filters (read as words when they name nothing)."""
    return Counter(
        node.text if isinstance(node, q.Word) else node.value
        for node in q.walk(tree)
        if isinstance(node, (q.Word, q.Field))
    )


def _analyse(text: str) -> dict[str, tuple[str, ...]]:
    """A query word's terms in each language. A word the analysis knows as one language's alone
    (``index.analysis.overridden``) is read in the other as that language's term, which it has
    none of: Spanish "deportes" is not read as English "deport" (and so found as deportation)."""
    analysed = {lang: tuple(terms(text, lang)) for lang in LANGUAGES}
    only = overridden(fold(text).strip())
    if only is not None:
        analysed = dict.fromkeys(LANGUAGES, analysed[only])
    return analysed


def _is_scored(node) -> bool:
    """Whether a node ranks releases (words, titles, countries, topics) rather than only filtering."""
    if isinstance(node, q.Field):
        return node.name in ("title", "country", "topic")
    if isinstance(node, (q.AnyOf, q.AllOf)):
        return any(_is_scored(n) for n in node.nodes)
    return _is_text(node)


def _spliced(nodes: list) -> list:
    """The query's AND-ed nodes with the groups AND-ed in them read in their place ("trump
    (migrants -election)" as "trump migrants -election"): a "-word" in such a group then leaves
    out what a top-level one does, whole pairs included."""
    out = []
    for node in nodes:
        out.extend(_spliced(node.nodes) if type(node) is q.AllOf else [node])
    return out


def _only_stop_words(text_nodes: list, cost, alternative=lambda node: False) -> bool:
    """Whether words were typed and none of them is searched for (``cost``: a node's terms),
    alone or in groups ("the OR a"); ``alternative``: whether an OR's alternative is searched
    for though it costs no term (a homograph: ``Compiler._node``)."""

    def nothing(node) -> bool:
        if isinstance(node, q.AnyOf):
            return all(nothing(n) and not alternative(n) for n in node.nodes if _is_text(n))
        if isinstance(node, q.AllOf):
            return all(nothing(n) for n in node.nodes if _is_text(n))
        return cost(node) == 0

    return bool(text_nodes) and all(nothing(n) for n in text_nodes)


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


def _any_query(options: list, others: list, excluded: list) -> wq.Query | None:
    """Any of the words (``options``), with the other clauses, less the ``-word`` parts: ranked
    by how many of the words a release contains, not by their scores alone."""
    return _without(_and([Coordinated(options)] + others), excluded)


def _without(query: wq.Query | None, excluded: list) -> wq.Query | None:
    """``query`` less what the ``-word`` parts match."""
    if query is None or not excluded:
        return query
    return wq.AndNot(query, _or(excluded))


def _scaled(query: wq.Query, factor: float) -> wq.Query:
    """``query`` weighted by ``factor``, at its leaves. A boost on a compound query of one
    subquery (``Or([typed], boost=3)``) is kept by the fast scorer and by a normalised query, but
    Whoosh's matcher, given the query as it is, drops it: at the leaves both read it alike."""
    if query.is_leaf():
        scaled = copy.copy(query)
        scaled.boost = query.boost * factor
        return scaled
    return query.apply(lambda child: _scaled(child, factor))


def _maybe(required: wq.Query | None, optional: wq.Query | None) -> wq.Query | None:
    """Match ``required``; let ``optional`` only add to the score."""
    if required is None or optional is None:
        return required
    return wq.AndMaybe(required, optional)


def _count_prefixes(node) -> int:
    return sum(isinstance(n, q.Prefix) for n in q.walk(node))


def _folded_words(text: str) -> tuple[str, ...]:
    return tuple(words_and_folded(text)[1])


def _exact_forms(literal: wq.Query, form: str) -> wq.Query:
    """A word's terms with its exact ``form`` sharing each stem's score (``EXACT_SHARE``) in the
    languages whose stemming changes it (the others hold no exact form of it).  Never a match of
    its own: a release with the form has its stem too."""
    if isinstance(literal, wq.Term) and literal.fieldname.startswith("body_") and literal.text != form:
        lang = literal.fieldname.removeprefix("body_")
        return wq.Or(
            [
                # a new Term, not with_boost's copy.copy (a few microseconds, for every word)
                wq.Term(literal.fieldname, literal.text, boost=literal.boost * (1 - EXACT_SHARE)),
                wq.Term(exact_field(lang), form, boost=literal.boost * EXACT_SHARE),
            ]
        )
    if type(literal) is wq.Or:
        return wq.Or([_exact_forms(child, form) for child in literal.subqueries], boost=literal.boost)
    return literal


def _exact_phrase(literal: wq.Query, text: str) -> wq.Query:
    """A quoted phrase's stemmed phrases or words (``literal``: one a language), each requiring its words
    as written too, singular or plural, where stemming changes them (the exact forms' field
    holds no others), at no score: "the exact phrase", so that "trata de personas" is not
    "tratadas como personas" (the same stems beside a stop word) in a release that never writes
    "trata". The positions are the stems' (the exact forms' field has none), so a release
    writing both is still found."""
    phrases = [
        c for c in (literal.subqueries if type(literal) is wq.Or else [literal]) if isinstance(c, (wq.Phrase, wq.Term))
    ]
    out = {}
    for phrase in phrases:
        lang = phrase.fieldname.removeprefix("body_")
        if lang not in LANGUAGES:
            continue
        required = []
        for term, form in phrase_forms(text, lang):
            variants = sorted(v for v in number_forms(form) if "'" not in v and "’" not in v)
            if form == term or any(terms(v, lang) == [v] for v in variants):
                continue  # a form the exact field cannot hold: its stem is all there is to go by
            required.append(_or([wq.Term(exact_field(lang), v) for v in variants]))
        out[id(phrase)] = wq.Require(phrase, _and(required)) if required else phrase
    if not out:
        return literal
    if type(literal) is wq.Or:
        return wq.Or([out.get(id(c), c) for c in literal.subqueries], boost=literal.boost)
    return out.get(id(literal), literal)


def _as_written(query: wq.Query, langs: set[str]) -> wq.Query:
    """``query`` with each word's stem in ``langs`` given up for its exact form (the pair
    ``_exact_forms`` makes), with the weight of both; a word its stemming leaves as it is keeps
    its one term."""
    if type(query) is wq.Or:
        children = query.subqueries
        if (
            len(children) == 2
            and all(isinstance(c, wq.Term) for c in children)
            and children[0].fieldname.startswith("body_")
            and children[1].fieldname == exact_field(children[0].fieldname.removeprefix("body_"))
            and children[0].fieldname.removeprefix("body_") in langs
        ):
            return wq.Term(children[1].fieldname, children[1].text, boost=children[0].boost + children[1].boost)
        return wq.Or([_as_written(c, langs) for c in children], boost=query.boost)
    if type(query) is wq.And:
        return wq.And([_as_written(c, langs) for c in query.subqueries], boost=query.boost)
    return query


def _or(clauses: list) -> wq.Query | None:
    clauses = [c for c in clauses if c is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def _field_key(node: q.Field) -> tuple:
    """What a typed field filter names, the same however it is spelt in case and accents."""
    return (node.name, fold(node.value).strip(), node.phrase)
