"""Autocomplete: completions for what a visitor has typed so far, from phrases the archive
holds (glossary terms, places, topics, title phrases), its words (one form per stem), and the
titles of its releases."""

import bisect
import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from index.analysis import OVERRIDE_MARK, TOKEN_PATTERN, fold, stop_words, terms
from index.places import country_name
from index.topics import Taxonomy

from .docvalues import BitmapSet, docnums
from .generation import Snapshot
from .glossary import Glossary
from .params import LANGUAGES
from .results import Suggestion
from .scoring import top

TITLE_COMPLETIONS = 30  # title words, most used first, that a typed prefix may complete to

SUGGEST_CANDIDATES = 40  # commonest words starting with the last word typed, before forms are merged
CHECKED_COMBINATIONS = 4  # completions of a last word looked up with the words before it
CHECKED_TEXTS = 3  # releases whose text is read to see a completion written as suggested
TITLES_KEPT = 3  # release titles a list of suggestions keeps room for
MAX_PHRASES_SCANNED = 200  # phrases of the archive's lists starting with what was typed, looked at
MAX_TITLE_STEMS = 20_000  # stems whose title words are kept per generation
NAME_TEXTS = 12  # releases whose text is read to tell whether a word completed is written as a name
NAME_SHARE = 0.8  # of its occurrences within sentences that have a capital, for a word to be offered so
NAME_MIN_SEEN = 4  # such occurrences to go by, unless every release holding the word was read
NAME_WORDS_AFTER = 2  # a name's words offered after the last word typed whole ("San Pedro" Sula)
MAX_NAMES = 20_000  # words whose written case is kept per generation
_WORD = re.compile(TOKEN_PATTERN)  # the analyser's words: "IOM's" is one, "Grand'Anse" two
_PLAIN = re.compile(r"[\w\s'’.,\-]*")  # typed text without query syntax (quotes, fields, brackets)
_OPERATORS = frozenset({"OR", "AND", "NOT"})
# Words a text ran together at a full stop ("security.in", "geneva.3", "hammarskj.ld"): never
# a completion, though "u.s." is.
_JOINED = re.compile(r"\.(?:\d|[^\W\d_]{2})")


def _key(text: str) -> str:
    """Text compared as the search compares it: folded, its words separated by one space."""
    return " ".join(_WORD.findall(fold(text)))


@dataclass(frozen=True)
class _Typed:
    """What a visitor has typed so far, read for completing it."""

    text: str  # as typed, spaces at the ends removed
    key: str  # folded words, separated by one space
    head: list[str]  # the folded words before the one being typed
    head_text: str  # the same as typed
    last: str  # the folded word being typed ("" after a space: the next word is to come)
    plain: bool  # words only: no query syntax
    # What joins a completion to head_text: a space, or nothing after an apostrophe ("Grand'An")
    sep: str = " "
    last_text: str = ""  # the word being typed, as typed

    @property
    def cache_key(self) -> tuple:
        return (" ".join(self.text.split()), not self.last)

    @classmethod
    def read(cls, prefix: str) -> "_Typed | None":
        words = list(_WORD.finditer(prefix))
        if not words:
            return None
        last_word = words[-1]
        after = prefix[last_word.end() :]
        if after.strip():
            return None  # a closing quote or bracket, an operator: no word is being typed
        plain = bool(_PLAIN.fullmatch(prefix)) and not any(t in _OPERATORS or t.startswith("-") for t in prefix.split())
        folded = [fold(w.group()) for w in words]
        if after:  # a space after the last word: the next word is to come
            return cls(prefix.strip(), " ".join(folded), folded, prefix.strip(), "", plain)
        head_text = prefix[: last_word.start()].strip()
        sep = "" if last_word.start() and prefix[last_word.start() - 1] in "'’" else " "
        return cls(prefix.strip(), " ".join(folded), folded[:-1], head_text, folded[-1], plain, sep, last_word.group())


@dataclass
class _Candidate:
    """A completion of what was typed, before forms of one word are merged."""

    key: str
    text: str  # as written
    weight: int  # releases holding it (a translation pair once)
    texts: dict[str, str]  # language -> as written in it, for names written differently (Panamá, Panama)
    rank: int = 1  # 0: a phrase of the archive's lists (glossary, places, topics), which wins a tie


@dataclass
class _Phrase:
    """A glossary term, place name or topic label, and what tells how many releases hold it."""

    key: str
    texts: dict[str, str]
    sources: list  # release counts, or queries to count (glossary terms, counted when first needed)
    weight: int | None = None

    def count(self, snap: Snapshot) -> int:
        if self.weight is None:
            counts = [s if isinstance(s, int) else snap.docs.count(snap.matching(s)[0], False) for s in self.sources]
            self.weight = max(counts, default=0)
        return self.weight


@dataclass
class Completions:
    """What suggestions are drawn from, made once per generation: the vocabulary with its counts
    as an array, the phrases of the archive's lists sorted by key, and the title words each stem
    typed starts (looked up when first typed)."""

    words: list[str]
    counts: np.ndarray
    phrases: list[_Phrase]
    keys: list[str]
    titles: dict = field(default_factory=dict)  # (title field, stem) -> the title words it starts (title_words)
    cased: dict = field(default_factory=dict)  # word -> as written within a sentence (as_written)

    @classmethod
    def make(cls, snap: Snapshot, glossary: Glossary, taxonomy: Taxonomy) -> "Completions":
        docs = snap.docs
        entries: dict[str, _Phrase] = {}

        def add(text: str, lang: str, source) -> None:
            key = _key(text)
            if key:
                entry = entries.setdefault(key, _Phrase(key, {}, []))
                entry.texts.setdefault(lang, text)
                entry.sources.append(source)

        for code, bits in docs.values["country"].items():
            for lang in LANGUAGES:
                add(country_name(code, lang), lang, docs.count(bits, False))
        for topic_id, bits in docs.values["topic"].items():
            topic = taxonomy.topics.get(topic_id)
            if topic is None:
                continue
            for lang in LANGUAGES:
                add(topic.labels[lang], lang, docs.count(bits, False))
        for group in glossary.entries:
            for term in group:
                name = f"body_{term.lang}"
                add(
                    term.text,
                    term.lang,
                    wq.Term(name, term.key[0]) if len(term.key) == 1 else wq.Phrase(name, list(term.key)),
                )
        phrases = sorted(entries.values(), key=lambda p: p.key)
        return cls(
            words=snap.words,
            counts=np.array([snap.vocabulary[w] for w in snap.words], dtype=np.int64),
            phrases=phrases,
            keys=[p.key for p in phrases],
        )

    def warm(self, snap: Snapshot) -> None:
        """Count every phrase now (gunicorn's master, before forking)."""
        for phrase in self.phrases:
            phrase.count(snap)

    def phrases_from(self, typed: _Typed, snap: Snapshot) -> list[_Candidate]:
        """The phrases starting with what was typed (with a further word, after a space) that
        releases hold."""
        if not typed.plain:
            return []
        start = typed.key + ("" if typed.last else " ")
        out = []
        at = bisect.bisect_left(self.keys, start)
        for phrase in self.phrases[at : at + MAX_PHRASES_SCANNED]:
            if not phrase.key.startswith(start):
                break
            weight = phrase.count(snap)
            if weight:
                text = next(iter(phrase.texts.values()))
                out.append(_Candidate(phrase.key, text, weight, phrase.texts, rank=0))
        return out

    def words_from(self, last: str, snap: Snapshot) -> list[_Candidate]:
        """The commonest archive words starting with ``last`` (stop words of either language left
        out: alone they find nothing)."""
        if not last:
            return []
        low = bisect.bisect_left(self.words, last)
        high = bisect.bisect_left(self.words, last[:-1] + chr(ord(last[-1]) + 1), low)
        counts = self.counts[low:high]
        if len(counts) > SUGGEST_CANDIDATES:
            best = np.argpartition(-counts, SUGGEST_CANDIDATES)[:SUGGEST_CANDIDATES]
        else:
            best = np.arange(len(counts))
        best = best[np.lexsort((best, -counts[best]))]  # commonest first, then alphabetical
        stops = stop_words("en") | stop_words("es")
        out = []
        for i in best:
            word, count = self.words[low + i], int(counts[i])
            if word in stops or (word == last and count <= 1) or _JOINED.search(word):
                continue
            out.append(_Candidate(word, snap.forms.get(word, word), count, {}))
        return out

    def as_written(self, snap: Snapshot, word: str, text: str) -> str:
        """A word completed (``text``, its commonest form in lower case) as the archive writes it
        within a sentence: "Tapachula", "Darién", "OIM" when most of its occurrences there are
        so in the text of a few releases holding it (a sentence's first word says nothing);
        looked up once per generation and word."""
        found = self.cased.get(word)
        if found is None:
            found = self.cased[word] = _name_form(snap, word) or ""
            if len(self.cased) >= MAX_NAMES:
                self.cased.clear()
        if not found or fold(found) != fold(text):
            return text
        # Its case only, letter by letter on the form given: "áfrica" is "África" where most
        # releases write "Africa", never "Africa"; "mcallen" is "McAllen".
        if len(found) != len(text):
            return text[0].upper() + text[1:] if found[0].isupper() else text
        return "".join(c.upper() if f.isupper() else c for c, f in zip(text, found, strict=True))

    def title_words(self, snap: Snapshot, field_name: str, stem: str) -> list[str]:
        """The title words starting with ``stem`` that most titles use (at most TITLE_COMPLETIONS),
        looked up once per generation and stem."""
        found = self.titles.get((field_name, stem))
        if found is None:
            reader = snap.searcher.reader()
            words = sorted(
                ((reader.doc_frequency(field_name, w), w) for w in reader.expand_prefix(field_name, stem)), reverse=True
            )
            found = [w.decode("utf-8") if isinstance(w, bytes) else w for _, w in words[:TITLE_COMPLETIONS]]
            if len(self.titles) >= MAX_TITLE_STEMS:
                self.titles.clear()
            self.titles[(field_name, stem)] = found
        return found


def _name_form(snap: Snapshot, word: str) -> str | None:
    """The commonest capitalised form of ``word`` (folded) within the sentences of up to
    NAME_TEXTS releases holding it, taken across the archive, when NAME_SHARE of its occurrences
    there are capitalised and they are NAME_MIN_SEEN or every occurrence; else None."""
    stems = [wq.Term(f"body_{lang}", t) for lang in LANGUAGES for t in dict.fromkeys(terms(word, lang))]
    if not stems:
        return None
    holding = np.flatnonzero(snap.scorer.matching(snap.searcher, wq.Or(stems)))
    if not len(holding):
        return None
    read = holding[np.unique(np.linspace(0, len(holding) - 1, min(NAME_TEXTS, len(holding))).astype(int))]
    # Its forms in lower case, the accented one the archive writes most among them ("darién"):
    # found in the text lowered, which costs a fraction of folding it.
    forms = dict.fromkeys([word, snap.forms.get(word, word)])
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)")
    capitalised: dict[str, int] = {}
    lower = 0
    for docnum in read.tolist():
        text = snap.stored(docnum)["body"]
        lowered = text.lower()
        if len(lowered) != len(text):
            continue  # a letter lowered into two ("İ"): the lowered text's places are not the text's
        for m in pattern.finditer(lowered):
            if not _within_sentence(text, m.start()):
                continue
            written = text[m.start() : m.end()]
            if written[0].isupper():
                capitalised[written] = capitalised.get(written, 0) + 1
            else:
                lower += 1
        if lower >= NAME_MIN_SEEN and lower > sum(capitalised.values()):
            return None  # a common word, mostly in lower case already: the rest need not be read
    seen = sum(capitalised.values()) + lower
    if not capitalised or sum(capitalised.values()) < NAME_SHARE * seen:
        return None
    if seen < NAME_MIN_SEEN and len(read) < len(holding):
        return None  # too few to tell, and more to read
    return max(capitalised, key=lambda w: (capitalised[w], w))


def _within_sentence(text: str, at: int) -> bool:
    """Whether a word at ``at`` follows another of its sentence: after a space, a word that
    ends in a small letter, a digit or a comma ("in Tapachula", "2019 Tapachula", not "1)",
    "•", a closing quote or a banner in capitals); or an apostrophe within a name ("Grand'Anse",
    "d'Ivoire")."""
    if at < 2:
        return False
    before, ahead = text[at - 1], text[at - 2]
    if before in "'’":
        return ahead.isalpha()
    return before == " " and (ahead.islower() or ahead.isdigit() or ahead == ",")


def _signature(key: str) -> set[tuple[str, tuple[str, ...]]]:
    """The stems of a completion in each language: completions sharing them are forms of one
    word (or phrase), shown once."""
    return {(lang, found) for lang in LANGUAGES if (found := tuple(terms(key, lang)))}


def _merged(candidates: list[_Candidate], ui: str, typed: str) -> list[_Candidate]:
    """One completion per key and per stem, the commonest form, in ``ui``'s language where a name
    is written differently in each (else as ``typed`` writes its accented letters: "Haití" on
    the English site completes to "Haití", not "Haiti"); commonest first, and among as common,
    the phrases of ``ui``'s language first ("migr" on the English site: "Migration and
    development" before "Migración y desarrollo", which the alphabet put first)."""
    by_key: dict[str, _Candidate] = {}
    for c in candidates:
        have = by_key.get(c.key)
        if have is None:
            by_key[c.key] = c
        else:
            better = have if (have.rank, -have.weight) <= (c.rank, -c.weight) else c
            by_key[c.key] = _Candidate(
                c.key, better.text, max(have.weight, c.weight), {**c.texts, **have.texts}, min(have.rank, c.rank)
            )
    out: list[_Candidate] = []
    taken: set = set()
    for c in sorted(by_key.values(), key=lambda c: (-c.weight, c.rank, bool(c.texts) and ui not in c.texts, c.key)):
        text = next((t for t in (c.texts.get(ui, c.text), c.text, *c.texts.values()) if _as_typed(t, typed)), None)
        if text is None:
            continue  # writes an accented letter typed otherwise: another form of its stem may not
        nodes = _signature(c.key)
        if not nodes or nodes & taken:
            taken |= nodes
            continue  # nothing but stop words, or a less common form of one shown
        taken |= nodes
        out.append(dataclasses.replace(c, text=text))
    return out


def _title_phrases(typed: _Typed, titles: list[tuple], written) -> list[_Candidate]:
    """What follows the words typed in the titles found, to the next word that is not a stop word
    ("trata de" -> "trata de personas"): phrases the archive's titles hold, by how many do.
    ``written(folded word, lower-cased word)`` is how the archive writes a word of a title in
    Title Case ("Grand'Anse", "returnees")."""
    found: dict[str, _Candidate] = {}
    size = len(typed.head)
    for _, title, lang, _ in titles:
        tokens = list(_WORD.finditer(title))
        folded = [fold(t.group()) for t in tokens]
        stops = stop_words(lang)
        lower = _title_cased(folded, tokens, stops)
        for i in range(len(folded) - size):
            if folded[i : i + size] != typed.head:
                continue
            end = i + size
            if typed.last and not folded[end].startswith(typed.last):
                continue
            while (
                end + 1 < len(folded)
                and folded[end] in stops
                and not title[tokens[end].end() : tokens[end + 1].start()].strip()
            ):
                end += 1
            if folded[end] in stops or any(
                title[tokens[k - 1].end() : tokens[k].start()].strip() for k in range(i + size, end + 1)
            ):
                continue  # it ends in a stop word, or crosses punctuation
            added = [t.group() for t in tokens[i + size : end + 1]]
            if lower:
                added = [
                    w if w.isupper() and len(w) > 1 else w.lower() if fold(w) in stops else written(fold(w), w.lower())
                    for w in added
                ]
            head = _with_accents(typed.head_text, title[tokens[i].start() : tokens[i + size - 1].end()])
            text = f"{head}{typed.sep}{' '.join(added)}"
            texts = [text]
            if typed.last and folded[end] == typed.last:
                # The last word typed whole: the name it begins goes on ("San Pedro" is also
                # "San Pedro Sula"), as far as the title's next words are a name's.
                more = []
                for k in range(end + 1, min(end + 1 + NAME_WORDS_AFTER, len(tokens))):
                    word = tokens[k].group()
                    form = written(fold(word), word.lower()) if lower else word
                    if title[tokens[k - 1].end() : tokens[k].start()].strip() or not form[:1].isupper():
                        break
                    more.append(form)
                if more:
                    texts.append(f"{text} {' '.join(more)}")
            for text in texts:
                key = _key(text)
                if key in found:
                    found[key].weight += 1
                else:
                    found[key] = _Candidate(key, text, 1, {})
    return list(found.values())


def _with_accents(typed: str, written: str) -> str:
    """The words typed with the accents the title writes them with ("Penas" as "Peñas"), their
    case as typed; as typed where they are not the title's letter for letter."""
    if len(typed) != len(written) or fold(typed) != fold(written):
        return typed
    pairs = zip(typed, written, strict=True)
    return "".join(w if not w.isascii() and t.isascii() and fold(w) == fold(t) else t for t, w in pairs)


def _title_cased(folded: list[str], tokens: list, stops: frozenset) -> bool:
    """Whether a title capitalises its words (Title Case): its words are then lower-cased in a
    phrase taken from it, acronyms aside."""
    content = [t.group() for t, f in zip(tokens, folded, strict=True) if f not in stops and t.group()[:1].isalpha()]
    return len(content) >= 3 and sum(w[:1].isupper() for w in content) > 0.6 * len(content)


def _typed_length(text: str, typed: str) -> int | None:
    """How much of ``text`` is ``typed``, case, accents, spaces and punctuation aside: the length
    of the start of ``text`` it covers, or None when ``text`` does not start with it."""
    wanted = [c for c in fold(typed) if c.isalnum()]
    if not wanted:
        return 0
    j = 0
    for i, character in enumerate(text):
        for c in fold(character):
            if not c.isalnum():
                continue
            if c != wanted[j]:
                return None
            j += 1
            if j == len(wanted):
                return i + 1
    return None


def _as_typed(text: str, typed: str) -> bool:
    """Whether ``text`` keeps every accented letter typed as typed: one who types "niñ" or
    "migració" wants "niño" or "migración", never "ningún" or "migracion" (a search folds them
    alike, so that plain letters find accented ones; a completion need not)."""
    wanted = [(c, original) for original in typed for c in fold(original) if c.isalnum()]
    if all(original.isascii() for _, original in wanted):
        return True
    j = 0
    for character in text:
        for c in fold(character):
            if not c.isalnum():
                continue
            if j == len(wanted):
                return True
            folded, original = wanted[j]
            if c != folded or (not original.isascii() and character.casefold() != original.casefold()):
                return False
            j += 1
    return True


def _capitals_typed(text: str, typed: str) -> str:
    """``text`` with the capitals of the part that was typed as typed: "San Pe" completes as "San
    Pedro", not "San pedro", where the archive writes "Pedro" only at a dateline's start."""
    n = _typed_length(text, typed)
    if not n or n != len(typed) or not any(c.isupper() for c in typed) or not text[:1].isupper():
        return text  # (a common phrase, "trata de personas", keeps its small letters)
    # A word's first letter only: "GUAT" typed is "Guatemala", not "GUATemala".
    first = [t.isupper() and (i == 0 or not typed[i - 1].isalnum()) for i, t in enumerate(typed)]
    return "".join(c.upper() if up else c for c, up in zip(text[:n], first, strict=True)) + text[n:]


def _parts(text: str, typed: str) -> list[tuple[str, bool]]:
    """A completion cut into what was typed and what completes it: [(text, typed?), ...]."""
    n = _typed_length(text, typed)
    if not n:
        return [(text, False)]
    return [(text[:n], True)] + ([(text[n:], False)] if text[n:] else [])


def _title_parts(title: str, typed: _Typed) -> list[tuple[str, bool]]:
    """A title cut into the starts of its words that begin with a word typed, and the rest."""
    stops = stop_words("en") | stop_words("es")
    wanted = {w for w in typed.head if w not in stops and len(w) > 1}
    if typed.last:
        wanted.add(typed.last)
    spans = []
    for token in _WORD.finditer(title):
        folded = fold(token.group())
        for word in wanted:
            if folded.startswith(word):
                n = _typed_length(token.group(), word)
                if n:
                    spans.append((token.start(), token.start() + n))
                    break
    out, at = [], 0
    for start, end in spans:
        if start > at:
            out.append((title[at:start], False))
        out.append((title[start:end], True))
        at = end
    if at < len(title):
        out.append((title[at:], False))
    return out


class Autocomplete:
    """The suggestions of one :class:`~search.engine.Archive` (its live generation, glossary and
    taxonomy)."""

    def __init__(self, archive):
        self.archive = archive

    def suggest(self, prefix: str, ui: str = "en", limit: int = 8) -> list[Suggestion]:
        """Completions for what a visitor has typed so far: phrases the archive holds (glossary
        terms, places, topics, title phrases), its words (one form per stem), then titles.
        Each says which part of it was typed (``Suggestion.parts``)."""
        prefix = (prefix or "")[:100]
        typed = _Typed.read(prefix)
        if typed is None:
            return []
        snap = self.archive.snapshot()
        key = (typed.cache_key, ui, limit)
        cached = snap.cached(snap.suggestions, key)
        if cached is not None:
            return cached
        result = self._suggest(snap, typed, ui, limit)
        snap.remember(snap.suggestions, key, result, 1024)
        return result

    def completions(self, snap: Snapshot | None = None) -> "Completions":
        """What suggestions are drawn from, made once per generation (and by ``warm``)."""
        snap = snap or self.archive.snapshot()
        found = snap.completions
        if found is None:
            # Made outside the lock: two threads may both make it, and either result is the same.
            found = snap.completions = Completions.make(snap, self.archive.compiler.glossary, self.archive.taxonomy)
        return found

    def _suggest(self, snap: Snapshot, typed: "_Typed", ui: str, limit: int, titled: bool = True) -> list[Suggestion]:
        if not typed.plain:
            return self._within_syntax(snap, typed, ui, limit)
        table = self.completions(snap)
        titles = self._title_suggestions(snap, table, typed, ui, limit) if titled else []
        candidates = table.phrases_from(typed, snap)
        if typed.head:
            candidates += _title_phrases(typed, titles, lambda word, text: table.as_written(snap, word, text))
        else:
            candidates += table.words_from(typed.last, snap)
        # Room kept for titles, never all of it: `limit=1` gives the best completion.
        terms_wanted = limit - min(len(titles), TITLES_KEPT, limit - 1)
        chosen = _merged(candidates, ui, typed.text)
        if typed.head and len(typed.last) >= 3 and not chosen:
            # No phrase the archive holds continues the words typed: the last word's completions
            # that releases use with the words before it.
            chosen = _merged(candidates + self._with_words(snap, table, typed), ui, typed.text)
        out = []
        for c in chosen[:terms_wanted]:
            text = c.text
            if c.rank and " " not in c.key and text.islower():  # a word of the archive, not a listed name
                text = table.as_written(snap, c.key, text)
                if text.islower() and not typed.head and typed.last_text[:1].isupper():
                    # Found nowhere within a sentence (only a dateline's "Bocas del Toro, ..."):
                    # written as the visitor writes it, with a capital, not as "bocas".
                    text = text[0].upper() + text[1:]
            text = _capitals_typed(text, typed.text)
            out.append(Suggestion(text=text, kind="term", parts=_parts(text, typed.text)))
        for _docnum, title, lang, release_id in titles:
            if len(out) >= limit:
                break
            out.append(Suggestion(text=title, kind="title", id=release_id, lang=lang, parts=_title_parts(title, typed)))
        return out

    def _within_syntax(self, snap: Snapshot, typed: "_Typed", ui: str, limit: int) -> list[Suggestion]:
        """The word being typed inside query syntax ("-hai", "migrants (hai", "title:mig"),
        completed as if typed alone, with everything typed before it kept as typed: "-Haiti",
        not "Haiti", which would search for what the minus leaves out; a phrase quoted, unless
        a quote is open. No release's title is offered: the syntax around the word may exclude
        it."""
        if not typed.last or not typed.text.endswith(typed.last_text):
            return []
        alone = _Typed.read(typed.last_text)
        if alone is None or not alone.plain:
            return []
        lead = typed.text[: len(typed.text) - len(typed.last_text)]
        out = []
        for found in self._suggest(snap, alone, ui, limit, titled=False):
            if found.kind == "term":
                # a phrase is quoted, so that the syntax takes it whole ('-"Costa Rica"')
                quoted = " " in found.text and lead.count('"') % 2 == 0
                text = lead + (f'"{found.text}"' if quoted else found.text)
                out.append(Suggestion(text=text, kind="term", parts=_parts(text, typed.text)))
        return out

    def _title_suggestions(
        self, snap: Snapshot, table: "Completions", typed: "_Typed", ui: str, limit: int
    ) -> list[tuple[int, str, str, str]]:
        """Releases whose title has the words typed, one per translation pair and per title:
        (document, title, lang, id), best first.  Only from three letters of the last word on,
        or after other words: a shorter prefix alone starts too many words to say anything."""
        if not (len(typed.last) >= 3 or typed.head):
            return []
        # A last word of one or two letters starts too many title words to look up each: the
        # titles with the other words are read instead, and kept when a word starts so.
        short = 0 < len(typed.last) < 3
        query = self._title_query(snap, table, typed.head, "" if short else typed.last)
        if query is None:
            return []
        docnums = self._best(snap, query, limit * (4 if short else 2))
        if short:
            docnums = [
                d
                for d in docnums
                if any(fold(w).startswith(typed.last) for w in _WORD.findall(snap.stored(d)["title"]))
            ]
        picked = BitmapSet(snap.docs.representatives(snap.docs.of(docnums), ui), snap.docs.size)
        out, seen = [], set()
        for docnum in docnums:
            if docnum in picked:
                fields = snap.stored(docnum)
                title = fields["title"]
                if _key(title) not in seen:  # the same title twice says nothing more
                    seen.add(_key(title))
                    out.append((docnum, title, fields["lang"], fields["id"]))
        return out

    def _with_words(self, snap: Snapshot, table: "Completions", typed: "_Typed") -> list["_Candidate"]:
        """The commonest completions of the last word typed that follow the words before it in a
        release, as written there ("returned mig" -> "returned migrants", not "returned
        migrantes", which the stems alone would allow).  At most CHECKED_COMBINATIONS words are
        looked up, each as a phrase in each language, then in the text of a few releases found."""
        out = []
        for candidate in table.words_from(typed.last, snap)[:CHECKED_COMBINATIONS]:
            word = table.as_written(snap, candidate.key, candidate.text) if candidate.text.islower() else candidate.text
            text = f"{typed.head_text}{typed.sep}{word}"
            key = _key(text)
            for lang in LANGUAGES:
                words = terms(key, lang)
                if len(words) < 2:
                    continue
                found, _ = snap.matching(wq.Phrase(f"body_{lang}", words))
                if found and any(key in _key(snap.stored(d)["body"]) for d in docnums(found)[:CHECKED_TEXTS]):
                    out.append(_Candidate(key, text, snap.docs.count(found, False), {}))
                    break
        return out

    @staticmethod
    def _best(snap: Snapshot, query: wq.Query, limit: int) -> list[int]:
        """The ``limit`` best-scoring documents for a query."""
        found = snap.scorer.evaluate(snap.searcher, query)
        return [d for d, _ in top(found.mask, found.scores, 0, limit)]

    @staticmethod
    def _title_query(snap: Snapshot, table: "Completions", head: list[str], last: str) -> wq.Query | None:
        """Releases whose title has every word typed, the last one as a prefix (of the title
        words most used that start with it: a short prefix can start hundreds of words)."""
        clauses = []
        for lang in LANGUAGES:
            field_name = f"title_{lang}"
            parts = [wq.Term(field_name, t) for w in head for t in terms(w, lang)]
            if last:
                stems = terms(last, lang)
                # A word's stem starts its title terms, a part word's may not; a stem the
                # analysis sets ("deporte~" for "deportes") starts them without its mark.
                stem = last
                if stems and (len(stems[0]) < len(last) or stems[0].endswith(OVERRIDE_MARK)):
                    stem = stems[0].removesuffix(OVERRIDE_MARK)
                words = table.title_words(snap, field_name, stem)
                if not words:
                    continue  # no title in this language has a word starting so
                completions = [wq.Term(field_name, w) for w in words]
                parts.append(wq.Or(completions) if len(completions) > 1 else completions[0])
            if parts:
                clauses.append(wq.And(parts) if len(parts) > 1 else parts[0])
        return wq.Or(clauses) if clauses else None
