"""Spelling correction: a misspelt word of a query replaced by the word of the archive it
most likely stands for, in the query's own language first, and never a word the archive
uses (or the glossary or lexicon knows); and the words of a query no release uses."""

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from index.analysis import fold, terms
from index.places import longest_world_phrase, world_names, world_phrases

from . import query as q
from .generation import Snapshot
from .glossary import acronym
from .params import LANGUAGES
from .spelling import one_slip

_APOSTROPHES = re.compile(r"(['’])")  # what parts a token's words, kept by re.split
_WORDLIKE = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*")  # a word, or words joined by hyphens or dots
# What may be named as a word no release contains: that, or joined by slashes or underscores too
# ("migrants/x", "migrants_x" found nothing and said nothing).
_NAMEABLE = re.compile(r"[^\W_]+(?:[-./_][^\W_]+)*")
_LETTERS_AND_DIGITS = re.compile(r"[^\W\d_]+|\d+")  # the runs of a word such as "COVID19" or "H2B"
MISSING_WORDS = 8  # the longest query whose unknown words the any-word notice names
MAX_CORRECTED_WORD = 30  # longer "words" are not misspellings of archive words
# Unknown words looked up in one query: a did-you-mean fixes a slip or two, and a lookup of a made-up
# word that shares many letter pairs with real ones is the dearest step of a search (see spelling.py).
MAX_CORRECTED_WORDS = 4
# A word used by at most RARE_USE releases, next to a near word used FAR_MORE times as much, is read
# as a slip (of the visitor, or of the archive itself); a word used more is never replaced.
RARE_USE = 2
FAR_MORE = 20
# A word this long may carry two slips; a shorter one is corrected only for one (a letter left
# out, added, mistyped, or two swapped): two edits turn the names no release has into other
# words ("Obama" into "Baja", "Neymar" into "near", "covid" into "comida").
TWO_SLIPS_FROM = 9
SWAPS_FROM = 6  # two letters apart swapped count as one slip in a word this long ("Hundoras")


class Corrections:
    """The corrections of one :class:`~search.engine.Archive` (its glossary, and each
    generation's vocabulary, corrector and lexicon)."""

    def __init__(self, archive):
        self.archive = archive
        self._unwritten: tuple[str, dict[str, int]] = ("", {})  # (generation, _unwritten_words)

    def _unwritten_words(self, snap: Snapshot) -> dict[str, int]:
        """The glossary's words no release writes in any form ("trafficking", where releases say
        "trata de personas"), each with the use of the words of its entry: a misspelling may be
        of one, which the glossary then finds. Made once a generation."""
        name, words = self._unwritten
        if name == snap.name:
            return words
        reader = snap.searcher.reader()
        words = {}
        for word, entry in self.archive.compiler.glossary.words.items():
            if word in snap.vocabulary:
                continue
            analysed = [(lang, term) for lang in LANGUAGES for term in terms(word, lang)]
            if any(reader.doc_frequency(f"body_{lang}", term) for lang, term in analysed):
                continue  # another form of it is written ("desastres" for "desastre")
            words[word] = max(snap.vocabulary.get(w, 0) for w in entry)
        self._unwritten = (snap.name, words)
        return words

    def correct(self, snap: Snapshot, text: str, dictionary_words: bool = False) -> str | None:
        """The query with each misspelt word replaced by a word the archive uses, the other words
        kept as typed; None when no word seems misspelt. ``dictionary_words``: see ``_Decided``."""
        if not snap.words:
            return None  # a generation without a vocabulary offers no corrections
        seen = _Decided(dictionary_words=dictionary_words)
        changed = False
        out = []
        tokens = text[: q.MAX_QUERY_CHARS].split()
        named = _in_place_names([fold(token.strip('"()-')) for token in tokens])
        for at, token in enumerate(tokens):
            if at in named:
                out.append(token)  # a word of a place's name typed whole is no slip
                continue
            bare = token.strip('"()-')
            split = self._split_name(snap, bare, seen)
            if split is not None:
                out.append(token.replace(bare, split))
                changed = True
                continue
            # Each word of a token its apostrophes part ("Grand'Ansse" is "Grand" and "Ansse",
            # as the analyser reads it), separators kept.
            pieces = _APOSTROPHES.split(bare)
            for i in range(0, len(pieces), 2):
                word = self._corrected_word(snap, pieces[i], seen) if _correctable(pieces[i]) else None
                if word is not None:
                    pieces[i] = _cased(word, pieces[i])
            fixed = "".join(pieces)
            if fixed != bare:
                token = token.replace(bare, fixed)
                changed = True
            out.append(token)
        return " ".join(out) if changed else None

    def _corrected_word(self, snap: Snapshot, bare: str, seen: "_Decided") -> str | None:
        """The archive word (as written, accents kept) to search for instead of ``bare``, or None."""
        folded = fold(bare)
        if folded not in seen.words:
            seen.words[folded] = self._correction(snap, bare, folded, seen)
        found = seen.words[folded]
        return snap.forms.get(found, found) if found else None

    def _correction(self, snap: Snapshot, bare: str, folded: str, seen: "_Decided") -> str | None:
        """For a word the archive does not know, the nearest word it uses; for a word it uses in
        a trace only (at most RARE_USE releases), a near word it uses FAR_MORE times as much.
        None for any other word (a word of either language that the archive knows is never
        replaced), for one with no word near it, and once MAX_CORRECTED_WORDS words have been
        looked up."""
        if snap.vocabulary.get(folded, 0) > RARE_USE:
            return None  # known: the commonest case, decided without analysing the word
        if folded in world_names() or self.archive.compiler.gazetteer.is_name(folded):
            # a place's name, not a slip of a word one letter away ("Cali", "call"), nor a
            # nationality word of the other language's ("hondureños" is not "hondurans")
            return None
        if snap.lexicon.knows(folded) and not (seen.dictionary_words and bare[:1].isupper()):
            # a word of either language ("guardia" is no slip of "guard", "drought" of "brought");
            # a name the lists know may be one spelling of the archive's ("Mathew", "Matthew")
            return None
        use = self._use(snap, bare)
        if use is None or use > RARE_USE or seen.lookups >= MAX_CORRECTED_WORDS:
            return None
        seen.lookups += 1
        found = snap.corrector.best(
            folded,
            maxdist=2 if len(folded) > 4 else 1,
            other=True,
            accept=None if len(folded) >= TWO_SLIPS_FROM else lambda word: _a_slip_of(folded, word),
            extra=self._unwritten_words(snap),
        )
        if found is None or use == 0:
            return found
        # A trace of a word beside a near word used far more is the archive's own slip (the typo
        # of a release or two); a rare but correct word has no such neighbour and stays.
        return found if (self._use(snap, found) or 0) >= FAR_MORE * use else None

    def _split_name(self, snap: Snapshot, bare: str, seen: "_Decided") -> str | None:
        """A name of letters and digits typed joined ("COVID19", "H2B") that no release has, as
        the releases write it, with a hyphen where letters meet digits ("COVID-19", "H-2B"): the
        first such spelling whose parts some release holds side by side. None otherwise."""
        runs = _LETTERS_AND_DIGITS.findall(bare)
        if not 1 < len(runs) <= 4 or "".join(runs) != bare or len(bare) > MAX_CORRECTED_WORD:
            return None
        # A budget of its own: such tokens ("G20", "x1") must not use up the words' corrections.
        if seen.splits >= MAX_CORRECTED_WORDS or self._use(snap, bare) != 0:
            return None  # (None: a glossary or lexicon word, which is never replaced)
        seen.splits += 1
        for cut in range(1, len(runs)):
            spelt = "".join(runs[:cut]) + "-" + "".join(runs[cut:])
            for lang in LANGUAGES:
                parts = terms(spelt, lang)
                if len(parts) > 1 and snap.matched(wq.Phrase(f"body_{lang}", parts)) & snap.docs.live:
                    return spelt
        return None

    def missing(self, snap: Snapshot, text: str) -> list[str]:
        """The words of ``text`` that may be in no release, as typed: those no release uses as
        typed, and the glossary terms and known words of either language, which are no
        misspelling but may be missing all the same (whether one is, searching it alone
        tells).  A stop word of either language is one only in a query of stop words alone
        ("once", "sea"): beside other words it is not what was searched for ("trabajo con
        migrantes").  None for a query of more than MISSING_WORDS words (a pasted text: each
        word looked up would cost a search's time, and a list of its unknown words would not
        help)."""
        tokens = text[: q.MAX_QUERY_CHARS].split()
        if len(tokens) > MISSING_WORDS:
            return []
        # (a prefix's star aside, "zzq*" names "zzq"; and a field's colon with nothing after it,
        # read as plain text: "title:" names "title")
        pieces = [
            bare
            for token in tokens
            for part in _field_words(token.strip('"()-').rstrip("*:"))
            if not (token.rstrip('")').endswith("*") and snap.begins(part.rstrip("*")))
            for bare in _APOSTROPHES.split(part.rstrip("*"))[::2]
        ]  # (a prefix that begins words of the archive is not missing)
        words = [bare for bare in pieces if _nameable(bare)]
        stops = {w for w in words if not all(terms(w, lang) for lang in LANGUAGES)}
        if stops != set(words):
            words = [w for w in words if w not in stops]
        out: list[str] = []
        for bare in words:
            if bare not in out and not self._use_whole(snap, bare):
                out.append(bare)
        return out

    def _use_whole(self, snap: Snapshot, word: str) -> int | None:
        """``_use`` of a word, and 0 for a word of several parts ("Port-au-Prince"): a release
        may use each part, but not all together (searching it alone tells)."""
        use = self._use(snap, word)
        if use and any(len(terms(word, lang)) > 1 for lang in LANGUAGES):
            return 0
        return use

    def _use(self, snap: Snapshot, word: str) -> int | None:
        """How many releases a word finds as typed: those that use it, or more through its
        analysis in either language (so "climático" is known where only "climáticos" is
        written).  None for a stop word or a glossary term of either language, and for a word the
        lexicon translates into words of the archive ("drought" where releases say "sequía"):
        words of their language, whatever the archive's use of them."""
        analysed = {lang: tuple(terms(word, lang)) for lang in LANGUAGES}
        if not all(analysed.values()) or self.archive.compiler.glossary.expand(analysed, fold(word)):
            return None
        if any(
            len(found) == 1 and snap.lexicon.translate(lang, other, found[0])
            for (lang, other), found in ((("en", "es"), analysed["en"]), (("es", "en"), analysed["es"]))
        ) and (not snap.lexicon.words or snap.lexicon.knows(fold(word))):
            # Translated through its stem, it is a word, when a dictionary lists it as written:
            # "trafficing" has the stem of "traffic", which the lexicon translates, yet is a slip.
            return None
        reader = snap.searcher.reader()
        found = [reader.doc_frequency(f"body_{lang}", term) for lang, words in analysed.items() for term in words]
        return max([snap.vocabulary.get(fold(word), 0)] + found)


@dataclass
class _Decided:
    """The words of one query decided so far: a word met twice is decided once."""

    words: dict[str, str | None] = field(default_factory=dict)  # folded word -> its correction (None: kept)
    # A dictionary's word that no release uses, typed with a capital (a name: "Mathew" for the
    # archive's "Matthew"), may be replaced too: only to offer, when the words find nothing.
    dictionary_words: bool = False
    lookups: int = 0  # words looked up in the corrector (at most MAX_CORRECTED_WORDS: each is dear)
    splits: int = 0  # words of letters and digits looked up hyphenated (as many at most)


def one_slip_each(typed: str, corrected: str) -> bool:
    """Whether each word the correction replaced is one slip from the word typed (accents and
    capitals aside)."""
    before, after = typed.split(), corrected.split()
    return len(before) == len(after) and all(
        one_slip(fold(a), fold(b)) for a, b in zip(before, after, strict=True) if a != b
    )


def _cased(word: str, typed: str) -> str:
    """``word`` with the capitals of the word typed (Tapachulla -> Tapachula)."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _a_slip_of(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one slip: a letter left out, added or mistyped, two
    letters swapped (neighbours, or apart in a longer word: "Hundoras"), or one slip from
    another form of it ("desatre" beside "desastres", whose stems are one slip apart)."""
    if one_slip(typed, word):
        return True
    if len(typed) >= SWAPS_FROM and len(typed) == len(word):
        differ = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if len(differ) == 2 and typed[differ[0]] == word[differ[1]] and typed[differ[1]] == word[differ[0]]:
            return True
    # Stems are shorter than words: one slip apart, they must start alike ("apartied" is not
    # "partie", though "aparti" is one letter from "parti").
    return typed[:1] == word[:1] and any(
        len(mine) == 1 and len(theirs) == 1 and len(mine[0]) >= 4 and one_slip(mine[0], theirs[0])
        for mine, theirs in ((terms(typed, lang), terms(word, lang)) for lang in LANGUAGES)
    )


def _in_place_names(words: list[str]) -> set[int]:
    """The places in ``words`` (folded) of the words of a place's name of two words or more
    written whole ("Bocas del Toro", "Santa Ana"), the longest name first."""
    names = world_phrases()
    longest = longest_world_phrase()
    out: set[int] = set()
    at = 0
    while at < len(words):
        for length in range(min(longest, len(words) - at), 1, -1):
            if tuple(words[at : at + length]) in names:
                out.update(range(at, at + length))
                at += length
                break
        else:
            at += 1
    return out


def _field_words(token: str) -> list[str]:
    """The words of a token as the parser reads them: "foo:bar" (no such field) is "foo" and
    "bar", "title:zzq" is "zzq"; another field's value is a filter, told of otherwise."""
    name, colon, rest = token.partition(":")
    if not colon or not rest:
        return [token]
    field_name = q.FIELD_ALIASES.get(name.lower())
    if field_name is None:
        return [name, rest]
    return [rest] if field_name == "title" else []


def _nameable(bare: str) -> bool:
    """Whether a query token is a word that may be named as one no release contains: letters or
    digits, parts joined by hyphens or dots ("Port-au-Prince", "COVID-19", "123456"), not a
    field, an operator or a range."""
    return (
        bare not in ("OR", "AND", "NOT")
        and len(bare) <= MAX_CORRECTED_WORD
        and bool(_NAMEABLE.fullmatch(bare))
        and len(bare) >= 2
    )


def _correctable(bare: str) -> bool:
    """Whether a query token may be a misspelling of an archive word (not a field, an operator,
    a number, or a string too long to be one)."""
    return (
        bool(bare)
        and ":" not in bare
        and bare.isalpha()
        and 3 <= len(bare) <= MAX_CORRECTED_WORD
        and bare not in ("OR", "AND", "NOT")
        and not acronym(bare)  # a name as written, as search reads it: "GDP" is no slip of "GAP"
    )
