"""Per-language Whoosh analysers: tokenise, lower-case, fold accents, drop stop words, stem.

Accents are folded *before* stemming, so that a query typed without accents
(``migracion``) and the accented text (``migración``, ``migraciones``) pass through
exactly the same Snowball stemmer input and meet on one stem.  The stemmers are
the C Snowball implementations from PyStemmer.

The steps are those of Whoosh's ``RegexTokenizer | LowercaseFilter | CharsetFilter |
StopFilter | PyStemmerFilter`` chain, fused into one Whoosh tokenizer that works on
whole lists (one regular-expression pass, one fold, one batched ``stemWords`` call)
instead of passing every token through five Python generators: several times faster
to index and to highlight, with the same terms.
"""

import re
from collections.abc import Callable
from functools import cache

import Stemmer
from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from .spelling import american

LANGUAGES = ("en", "es")
SNOWBALL_NAMES = {"en": "english", "es": "spanish"}

# What an apostrophe joins to the word before it: English's clitics ("IOM's", "don't", "we're").
# Any other apostrophe parts two words, as an elision does: "Grand'Anse" is "Grand" and "Anse",
# and each is found as typed alone. An elided letter is no word ("Côte d'Ivoire" is "Côte"
# "Ivoire", "N'Djamena" is "Djamena"): alone, "d" or "n" would match and be marked anywhere.
CLITICS = ("s", "t", "re", "ll", "ve", "d", "m")
CLITIC_PATTERN = "(?i:" + "|".join(CLITICS) + ")"
# After a word's first characters: its inner dots, a comma between digits, and clitics ("U.S",
# "3.5", "1,250", "IOM's").
TOKEN_TAIL = rf"(?:\.\w+|(?<=\d),\d+|['’]{CLITIC_PATTERN}(?!\w))*"
# Words, not an elided letter; numbers are words.
TOKEN_PATTERN = rf"(?!\w['’](?!{CLITIC_PATTERN}(?!\w))\w)\w+{TOKEN_TAIL}"
_TOKEN = re.compile(TOKEN_PATTERN)


# Accents stripped, and the curly apostrophe made straight: "Spain’s" is then "Spain's", whose
# possessive English stemming takes off, and "Grand’Anse" is written one way.
_FOLDING = {**accent_map, ord("’"): "'"}


def fold(text: str) -> str:
    """Lower-case and strip accents the same way the analysers do."""
    return text.lower().translate(_FOLDING)


# Stop words of one language that are ordinary words of the other: Spanish "sea", "era", "sin",
# "son", "hay" are English nouns, English "once" is Spanish for eleven. Neither language's
# function words tell a text's language by them, and a query of them alone is read as the
# other language's words (``search.compile``). Keyed by the language whose stop words they are.
HOMOGRAPHS = {
    "es": frozenset({"sea", "seas", "sean", "era", "eras", "son", "sin", "hay", "con"}),
    "en": frozenset({"once"}),
}


# Words that, after these words, belong to a set phrase of function words and are not the word
# itself: Spanish "sin embargo" is "however", not an embargo, "llevar a cabo" is "carry out";
# English "in order to", "as well as", "of course". Read as themselves, every Spanish release
# saying "however" was found by "embargo" (and the lexicon learnt "embargo" as "however"), every
# English one saying "as well as" by "well", as in water wells, and "in order to" by "order".
# There the word is read as a stop word, in either language's text (neither phrase is one of
# the other language). Each entry: the words before it, nearest last ("llev*": a word beginning
# so, any form of "llevar"); the words one of which must follow it, or None for any; the words
# after which it is the word itself after all ("such as well-being"); whether it is one only
# written in small letters ("llevados a Cabo Delgado", "a Cabo Haitiano" name places). "Se trata
# de" is "it is about": read as "trata" (trafficking, the glossary's word), every Spanish release
# saying so was found by "trafficking" and by the phrase "trata de personas".
FIXED_EXPRESSIONS = {
    "embargo": (("sin",), None, frozenset(), False),
    "cabo": (("llev*", "a"), None, frozenset(), True),
    "order": (("in",), frozenset({"to", "for", "that"}), frozenset(), False),
    "well": (("as",), None, frozenset({"being", "known", "off", "founded", "established"}), False),
    "course": (("of",), None, frozenset(), False),
    "trata": (("se",), None, frozenset(), False),
}
FIXED_MARK = "\x00"  # what such a word is folded to: a stop word of both languages
_FIXED_WORDS = frozenset(FIXED_EXPRESSIONS)


def _is(word: str, pattern: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern[-1] == "*" else word == pattern


def _read_fixed(folded: list[str], words: list[str]) -> list[str]:
    """``folded`` (the folded ``words``) with each word of a set phrase (``FIXED_EXPRESSIONS``) as
    ``FIXED_MARK``, in place."""
    found = _FIXED_WORDS.intersection(folded)  # one pass in C; most texts have none
    if not found:
        return folded
    last = len(folded) - 1
    for word in found:
        before, after, not_after, small = FIXED_EXPRESSIONS[word]
        n = len(before)
        at = -1
        while (at := _index(folded, word, at + 1)) >= 0:
            if (
                at >= n
                and all(_is(folded[at - n + k], b) for k, b in enumerate(before))
                and (after is None or (at < last and folded[at + 1] in after))
                and (at == last or folded[at + 1] not in not_after)
                and (not small or words[at].islower())
            ):
                folded[at] = FIXED_MARK
    return folded


def _index(words: list[str], word: str, start: int) -> int:
    try:
        return words.index(word, start)
    except ValueError:
        return -1


def in_set_phrase(text: str, start: int, end: int) -> bool:
    """Whether the word of ``text`` at ``start``-``end`` is read as part of a set phrase
    (``FIXED_EXPRESSIONS``), for a reader of single words, as the highlighter is."""
    if fold(text[start:end]) not in _FIXED_WORDS:
        return False
    begin = text.rfind(" ", 0, max(0, start - 40)) + 1  # from a word's start: two words before at least
    words, folded = words_and_folded(text[begin : end + 40])
    # Tokens found up to the word's end: a letter elided before an apostrophe is told by what follows it.
    at = sum(1 for m in _TOKEN.finditer(text, begin, end) if m.start() < start)
    return at < len(folded) and words[at] == text[start:end] and folded[at] == FIXED_MARK


@cache
def stop_words(lang: str) -> frozenset:
    return frozenset(fold(w) for w in stopwords_for_language(lang)) | {FIXED_MARK}


def _fold_all(words: list[str], phrases: bool = True) -> list[str]:
    """Fold a list of tokens: one lower() over all of them, the accent table only where needed.
    With ``phrases`` the tokens are consecutive words of a text, read for set phrases
    (``FIXED_EXPRESSIONS``)."""
    if not words:
        return []
    lowered = " ".join(words).lower().split(" ")
    if len(lowered) != len(words):  # a character whose lower case contains a space: one by one
        lowered = [w.lower() for w in words]
    folded = [w if w.isascii() else w.translate(_FOLDING) for w in lowered]
    return _read_fixed(folded, words) if phrases else folded


# The fast split of ``words_and_folded``: for ASCII text, word characters and the joiners kept and
# every other character a space; the curly apostrophe stands in as this control character
# meanwhile (release text has none: cleaning removes control characters).
_APOSTROPHE = "\x1f"
_WORD_BYTES = bytes(c if chr(c).isalnum() or chr(c) in "_.,'\x1f" else 0x20 for c in range(128)).ljust(256, b" ")
_IS_WORD = bytes(1 if chr(c).isalnum() or c == 0x5F else 0 for c in range(128)).ljust(256, b"\x00")
NON_ASCII = re.compile(r"[^\x00-\x7f]")  # also splits text for place finding (index.places)


_CLITIC_BYTES = frozenset(c.encode() for c in CLITICS)
_APOSTROPHE_BYTES = re.compile(b"['\x1f]")  # straight, and curly as set aside (``_APOSTROPHE``)


def _clitic_at(data: bytearray, start: int) -> bool:
    """Whether the word characters from ``start`` are a clitic (``CLITICS``, in any case)."""
    end = start
    while end < len(data) and _IS_WORD[data[end]]:
        end += 1
    return end - start <= 2 and bytes(data[start:end]).lower() in _CLITIC_BYTES


def _set_aside(match: re.Match) -> str:
    character = match.group()
    return _APOSTROPHE if character == "’" else character if character.isalnum() else " "


def words_and_folded(text: str) -> tuple[list[str], list[str]]:
    """The tokenizer's words of ``text`` (``TOKEN_PATTERN``), and the same folded (``_fold_all``).

    Text whose only characters beyond ASCII are not letters or digits (English with curly quotes
    and dashes) is split without the regular expression: a byte table turns every other character
    into a space, the dots and apostrophes that join no two word characters become spaces too,
    and str.split does the rest.  Other text (accented letters, other scripts) goes through
    the regular expression.
    """
    spaced = text
    if not text.isascii():
        spaced = NON_ASCII.sub(_set_aside, text)
    if _APOSTROPHE in text or not spaced.isascii():
        words = _TOKEN.findall(text)
        return words, _fold_all(words)
    data = bytearray(spaced.encode("ascii").translate(_WORD_BYTES))
    last = len(data) - 1
    # A dot joins two word characters, an apostrophe a word and a clitic; else either is a
    # space, and a letter elided before an apostrophe too. The apostrophes are read in order of
    # place, straight and curly alike: whether a letter stands alone depends on those before it.
    at = data.find(b".")
    while at >= 0:
        if not (0 < at < last and _IS_WORD[data[at - 1]] and _IS_WORD[data[at + 1]]):
            data[at] = 0x20
        at = data.find(b".", at + 1)
    at = data.find(b",")
    while at >= 0:  # a comma joins two digits ("1,250"), else it is a space
        if not (0 < at < last and 0x30 <= data[at - 1] <= 0x39 and 0x30 <= data[at + 1] <= 0x39):
            data[at] = 0x20
        at = data.find(b",", at + 1)
    if b"'" in data or b"\x1f" in data:
        for at in [m.start() for m in _APOSTROPHE_BYTES.finditer(data)]:
            between = 0 < at < last and _IS_WORD[data[at - 1]] and _IS_WORD[data[at + 1]]
            if between and _clitic_at(data, at + 1):
                continue
            data[at] = 0x20
            if between and (at == 1 or data[at - 2] == 0x20):
                data[at - 1] = 0x20  # an elided letter
    spaced = data.decode("ascii")
    lowered = spaced.lower()
    if _APOSTROPHE in spaced:
        spaced, lowered = spaced.replace(_APOSTROPHE, "’"), lowered.replace(_APOSTROPHE, "'")
    words = spaced.split()
    return words, _read_fixed(lowered.split(), words)


# A Spanish plural in -es whose singular ends in a vowel and one of these consonants ("mujeres",
# "hogares", "jóvenes", "leyes", "redes"), not after two consonants ("grandes", "padres").
_ES_PLURAL_ES = re.compile(r"[aeiou][rlndzjy]es$")


def american_spelling(word: str) -> str:
    """A folded English word in its American spelling ("labour" as "labor"); others as they are.
    What the stemmer reads, and the form the exact-forms field holds: a word "as written" is
    written in either spelling (index.spelling)."""
    return american().get(word, word)


def spanish_singular(word: str) -> str:
    """A folded Spanish plural as its singular, before stemming; other words as they are.

    Snowball's Spanish stemmer takes "-ar", "-er" and "-ad" off a singular as verb endings but
    only "-es" off its plural ("mujer" to "muj", "mujeres" to "mujer"; "ciudad" to "ciud",
    "ciudades" to "ciudad"), and keeps the "-s" of a short or "-ea" plural ("años", "días",
    "líneas"): each pair then never met. The plural is made singular first, so both stem alike.
    "-mos" stays (first person plural verbs: "trabajamos"), as do the words ending like plurals
    that are none (``NOT_PLURAL``: "atrás" would stem as "atraer", "Mercedes" as "mercado").
    A plural in "-eses" is left to the stemmer: it stems as its feminine ("franceses" and
    "francesa" as "frances"), the singular in stressed "-és" apart ("franc"); read as that
    singular, it would part from the feminine and join the singular's merges ("danés" is "dan",
    as "daño" is). A plural in "-s" after a consonant is a borrowed word's or an acronym's
    ("kits", "tests", "clubs", "ONGs"), which Spanish words' singulars never end in (but
    ``NOT_PLURAL``'s "bíceps"): its "-s" goes, so "kits de higiene" meets "kit de higiene".
    """
    if len(word) < 4 or word[-1] != "s" or word in NOT_PLURAL:
        return word
    if word.endswith(("dades", "tades")) or _ES_PLURAL_ES.search(word):
        return word[:-2]
    if word.endswith(("os", "as")) and not word.endswith("mos"):
        return word[:-1]
    if word[-2] not in "aeiouys" and word[-2].isalpha():
        return word[:-1]
    return word


# Folded Spanish words that end like a plural and are none (adverbs, a name), whose "singular"
# would stem as another word's.
NOT_PLURAL = frozenset(
    {"atras", "detras", "ademas", "jamas", "quizas", "demas", "tras", "dios", "mercedes", "lunes"}
    | {"biceps", "triceps", "forceps"}
)


# Folded words whose Snowball stem would join them with words of another meaning, and the stem
# each has instead (as Lucene's StemmerOverrideFilter does). Spanish stems "deporte", "deportivo"
# and "deportista" (sport) as "deport", as it stems "deportado" and "deportación": in an archive
# of migration, every search for deportees listed sports leagues, and "sports" deportations.
# A stem given here ends in OVERRIDE_MARK, which no word has: the stemmer cannot give another
# word it ("deportea", a cognate spelt from "deportees", stems as "deporte").
# Likewise "marido" (husband) stems as "mar" (sea), so English "sea", through its translation,
# listed releases about husbands, and "sida" (AIDS) as "sido" (been). ("partido", a party,
# stems as "parte", part: set apart, it took XQuAD-R's other-language English MRR from 0.7798
# to 0.7781, and was left as it is.)
OVERRIDE_MARK = "~"
STEM_OVERRIDES = {
    "es": {
        **dict.fromkeys(
            (
                "deporte",
                "deportes",
                "deportivo",
                "deportiva",
                "deportivos",
                "deportivas",
                "deportivamente",
                "deportista",
                "deportistas",
            ),
            "deporte" + OVERRIDE_MARK,
        ),
        **dict.fromkeys(("marido", "maridos"), "marido" + OVERRIDE_MARK),
        # "maras" (gangs) stems as "mar" (sea): "maras" listed releases about crossings by sea.
        **dict.fromkeys(("mara", "maras"), "mara" + OVERRIDE_MARK),
        # "sida" (AIDS) stems as "sido" (been): "sida" found every release saying "ha sido".
        "sida": "sida" + OVERRIDE_MARK,
        # "estudiante" (student) stems as "estudio" (study): "students", through its translation,
        # listed every release about a study.
        **dict.fromkeys(("estudiante", "estudiantes"), "estudiante" + OVERRIDE_MARK),
    },
}


def overridden(word: str) -> str | None:
    """The language whose ``STEM_OVERRIDES`` has ``word`` (folded), if one has: a word of that
    language alone, whose look-alikes in the other are other words ("deportes" is not English
    "deport")."""
    return next((lang for lang, table in STEM_OVERRIDES.items() if word in table), None)


_GROUPED = re.compile(r"([1-9]\d{0,2})((?:[.,]\d{3})+)(?:([.,])(\d+))?")
_DECIMAL = re.compile(r"(\d+)[.,](\d+)")


def number_term(word: str) -> str:
    """A number's term, the same however its digits are grouped and its decimals marked:
    "302.203" (Spanish), "302,203" (English) and "302203" are "302203"; "7,2" and "7.2" are
    "7.2"; "1.250,5" and "1,250.5" are "1,250.5". A number of four digits written grouped is
    a quantity, never a year: "1.250" and "1,250" are "1,250", apart from "1250" (a year, as
    "2019" is, which "2,019 people" is not). A word that is not such a number is itself."""
    grouped = _GROUPED.fullmatch(word)
    if grouped is not None:
        first, groups, mark, decimals = grouped.groups()
        separator = groups[0]
        if groups.count(separator) * 4 == len(groups) and mark != separator:
            digits = first + groups.replace(separator, "")
            if len(digits) == 4:
                digits = f"{digits[0]},{digits[1:]}"
            return digits + (f".{decimals}" if decimals else "")
    decimal = _DECIMAL.fullmatch(word)
    if decimal is not None:
        return f"{decimal.group(1)}.{decimal.group(2)}"
    return word


class _Stems(dict):
    """Folded word -> its stem, or "" for a stop word, remembered as words are met.

    A text's words are mostly words met before, and a dictionary lookup costs a fraction of a
    call into the stemmer; at most ``LIMIT`` words are kept (numbers and misspellings have no end).
    """

    LIMIT = 100_000

    def __init__(self, stemmer, stop: frozenset, singular=None, overrides: dict | None = None):
        super().__init__()
        self._stemmer, self._stop, self._singular = stemmer, stop, singular
        self._overrides = overrides or {}

    def __missing__(self, word: str) -> str:
        if word in self._stop:
            stem = ""
        elif word in self._overrides:
            stem = self._overrides[word]
        elif word[:1].isdigit() and ("," in word or "." in word):
            stem = number_term(word)  # not a stemmer's: "1.250" is no word with an ending
        else:
            stem = self._stemmer.stemWord(self._singular(word) if self._singular else word)
        if len(self) < self.LIMIT:
            self[word] = stem
        return stem


class FoldingStemTokenizer(Tokenizer):
    """Words of one language, lower-cased, accent-folded, stop words removed, Snowball-stemmed.

    With ``stem=False`` and no stop list it yields the folded words themselves.  With ``forms``
    (the exact forms, ``index.schema.exact_field``) it yields, unstemmed, only the words its
    stemming changes: the words that are their own stem would only repeat the stem's postings.
    """

    def __init__(self, lang: str, stem: bool = True, stops: bool = True, forms: bool = False):
        self.lang = lang
        self.stem = stem and not forms
        self.stops = stops
        self.forms = forms
        self.is_morph = self.stem
        self._setup()

    def _setup(self) -> None:
        self._stop = stop_words(self.lang) if self.stops and self.lang else frozenset()
        stemmed = self.stem or self.forms
        self._stemmer = Stemmer.Stemmer(SNOWBALL_NAMES[self.lang], 100_000) if stemmed else None
        # What a word is read as before it is stemmed: a Spanish plural as its singular, a British
        # spelling as the American ("labour" as "labor": either finds both; index.spelling).
        singular = spanish_singular if self.lang == "es" else american_spelling if self.lang == "en" else None
        overrides = STEM_OVERRIDES.get(self.lang)
        self._stems = _Stems(self._stemmer, self._stop, singular, overrides) if stemmed else None
        # An exact form is a word as written, its spelling aside: "labour" is the form "labor",
        # which is its own stem (so none), and "labouring" is "laboring" ({}.get: as written).
        spelling: dict[str, str] = american() if self.lang == "en" else {}
        self._form: Callable[[str, str], str] = spelling.get

    def __getstate__(self):
        return {
            "lang": self.lang,
            "stem": self.stem,
            "stops": self.stops,
            "forms": self.forms,
            "is_morph": self.is_morph,
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("forms", False)  # pickled before the exact forms
        self._setup()

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.lang == self.lang
            and other.stem == self.stem
            and other.stops == self.stops
            and other.forms == self.forms
        )

    def __hash__(self):
        return hash((self.lang, self.stem, self.stops, self.forms))

    def terms(self, text: str) -> list[str]:
        """The analysed terms of ``text`` in order."""
        return self.terms_of_folded(words_and_folded(text)[1])

    def terms_of_folded(self, folded: list[str]) -> list[str]:
        """The terms of words already folded (``_fold_all``), in order: stop words out, then stemmed."""
        stems = self._stems
        if self.forms and stems is not None:
            form = self._form
            return [f for w in folded if (stem := stems[w]) and stem != (f := form(w, w))]
        if self._stems is not None:
            return list(filter(None, map(self._stems.__getitem__, folded)))
        stop = self._stop
        return [w for w in folded if w not in stop] if stop else list(folded)

    def _analyse(self, words: list[str], phrases: bool = True) -> list[tuple[str, int]]:
        """(term, index of the original word) for the words that survive the stop list; with
        ``phrases``, ``words`` are consecutive words of a text (``_fold_all``)."""
        folded = _fold_all(words, phrases)
        stems = self._stems
        if self.forms and stems is not None:
            form = self._form
            return [(f, i) for i, w in enumerate(folded) if (stem := stems[w]) and stem != (f := form(w, w))]
        if self._stems is not None:
            return [(t, i) for i, t in enumerate(map(self._stems.__getitem__, folded)) if t]
        stop = self._stop
        return (
            [(w, i) for i, w in enumerate(folded) if w not in stop]
            if stop
            else list(zip(folded, range(len(folded)), strict=True))
        )

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            words = [value]
            spans = [(0, len(value))]
        elif chars:
            matches = list(_TOKEN.finditer(value))
            words = [m.group() for m in matches]
            spans = [m.span() for m in matches]
        else:
            words = _TOKEN.findall(value)
            spans = []  # (not asked for)
        for pos, (term, index) in enumerate(self._analyse(words)):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = words[index]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + spans[index][0]
                token.endchar = start_char + spans[index][1]
            yield token


def number_forms(word: str) -> set[str]:
    """A folded word with and without a regular plural ending (English and Spanish), and with an
    English possessive: the glossary ignores plurals.  Irregular plurals need no rule: their
    stems differ (child, children), so the word could not match anyway."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("z"):
        forms.add(word[:-1] + "ces")
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("ces"):
        forms.add(word[:-3] + "z")
    for form in list(forms):
        forms.update((form + "'s", form + "’s") if not form.endswith("s") else (form + "'", form + "’"))
    return forms


@cache
def analyzer(lang: str):
    """The Whoosh analyser for text in ``lang`` ("en" or "es")."""
    if lang not in SNOWBALL_NAMES:
        raise ValueError(f"no analyser for language {lang!r}")
    return CompositeAnalyzer(FoldingStemTokenizer(lang))


@cache
def exact_analyzer(lang: str):
    """The analyser of the exact-form field of ``lang`` (``index.schema.exact_field``): the
    words its stemming changes, lower-cased and accent-folded but not stemmed, stop words left
    out.  A query's word in the form the text writes it ("farmacéuticos") then takes a share of
    the match of its stem, which joins it with its relatives ("farmacia")."""
    if lang not in SNOWBALL_NAMES:
        raise ValueError(f"no analyser for language {lang!r}")
    return CompositeAnalyzer(FoldingStemTokenizer(lang, forms=True))


def terms(text: str, lang: str) -> list[str]:
    """The analysed terms of ``text`` in order (stop words removed)."""
    return analyzer(lang).items[0].terms(text)


def terms_and_words(text: str, lang: str) -> tuple[list[str], list[str]]:
    """The analysed terms of ``text`` in order, and the folded word each comes from."""
    stems = analyzer(lang).items[0]._stems
    kept = [(term, word) for word in words_and_folded(text)[1] if (term := stems[word])]
    return [term for term, _ in kept], [word for _, word in kept]


def name_terms(text: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(term, folded word) of each word of a name that ``lang``'s analysis keeps, in order; ()
    when it keeps none, splits a word, or keeps a letter alone ("U.S."). Where a stop word is
    left out, the rest is to be matched as written: "Estados Unidos" is "unid" in Spanish, as
    "Naciones Unidas" is."""
    out = []
    for folded in words_and_folded(text)[1]:
        found = analyzer(lang).items[0].terms_of_folded([folded])
        if len(found) > 1:
            return ()
        if found:
            out.append((found[0], folded))
    if not out or min(len(term) for term, _ in out) < 2:
        return ()
    return tuple(out)
