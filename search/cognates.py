"""Likely cognates: the other language's form of a learned word, by the regular correspondences of
English and Spanish spelling ("migration" / "migración", "vulnerability" / "vulnerabilidad",
"photosynthesis" / "fotosíntesis").

A dictionary of a few thousand headwords lacks most of the learned vocabulary of news and
reference text, and that vocabulary is where the two languages agree most: Latin and Greek
roots, spelt by rule.  The forms made here are candidates only; a candidate no release uses
matches nothing.  Words are folded (lower case, no accents) as the analysers fold them.
"""

import re

# Endings, English -> Spanish, longest first; each is also read backwards (Spanish -> English).
SUFFIXES = [
    ("ization", "izacion"),
    ("isation", "izacion"),
    ("ations", "aciones"),
    ("ation", "acion"),
    ("itions", "iciones"),
    ("ition", "icion"),
    ("ctions", "cciones"),
    ("ction", "ccion"),
    ("tions", "ciones"),
    ("tion", "cion"),
    ("sions", "siones"),
    ("sion", "sion"),
    ("ities", "idades"),
    ("ity", "idad"),
    ("ties", "tades"),
    ("ty", "tad"),
    ("ically", "icamente"),
    ("ally", "almente"),
    ("ously", "osamente"),
    ("ical", "ico"),
    ("ics", "ica"),
    ("emic", "emia"),  # the noun: "pandemic" / "pandemia", "epidemic" / "epidemia"
    ("ic", "ico"),
    ("ous", "oso"),
    ("ism", "ismo"),
    ("isms", "ismos"),
    ("ist", "ista"),
    ("ists", "istas"),
    ("ive", "ivo"),
    ("ives", "ivos"),
    ("ary", "ario"),
    ("aries", "arios"),
    ("ory", "orio"),
    ("ories", "orios"),
    ("ence", "encia"),
    ("ences", "encias"),
    ("ance", "ancia"),
    ("ances", "ancias"),
    ("ency", "encia"),
    ("ancy", "ancia"),
    ("ment", "mento"),
    ("ments", "mentos"),
    ("ent", "ente"),
    ("ents", "entes"),
    ("ant", "ante"),
    ("ants", "antes"),
    ("ure", "ura"),
    ("ures", "uras"),
    ("ize", "izar"),
    ("ise", "izar"),
    ("ized", "izado"),
    ("ised", "izado"),
    ("ate", "ado"),
    ("ated", "ado"),
    ("ble", "ble"),
    ("bles", "bles"),
    ("phy", "fia"),
    ("logy", "logia"),
    ("gy", "gia"),
    ("ine", "ina"),
    ("ides", "idios"),
    ("ide", "idio"),
    ("id", "ido"),
    ("in", "ina"),
    ("en", "eno"),
    ("ia", "ia"),
    ("y", "ia"),
    ("e", "a"),
    ("", "o"),
    ("", "a"),
]
# Spellings of English that Spanish writes otherwise, for the rest of the word.
_LETTERS = [("ph", "f"), ("th", "t"), ("ch", "c"), ("rh", "r"), ("k", "c"), ("y", "i"), ("qu", "cu")]
_DOUBLE = re.compile(r"([bcdfgmnpstz])\1")
_S_CLUSTER = re.compile(r"^s(?=[bcdfgklmnpqtvwz])")
MIN_LENGTH = 5  # shorter words are too often unrelated look-alikes ("red" / "red", "once" / "once")
# A word with none of the endings above is spelt the other way only from this length: shorter,
# its respelling is most often another word ("Sochi" as "socio"); the
# XQuAD-R benchmark is unchanged by it (docs/relevance.md).
PLAIN_MIN_LENGTH = 7


def to_spanish(word: str) -> list[str]:
    """Candidate Spanish forms of an English word (folded)."""
    return _candidates(word, _english_singular, _to_spanish)


def to_english(word: str) -> list[str]:
    """Candidate English forms of a Spanish word (folded)."""
    return _candidates(word, _spanish_singular, _to_english)


def _candidates(word: str, singular, convert) -> list[str]:
    """The other language's forms of ``word`` and of its singular, the word itself left out (it
    is searched as typed already)."""
    if len(word) < MIN_LENGTH or not word.isalpha():
        return []
    one = singular(word)
    plain = len(word) >= PLAIN_MIN_LENGTH
    forms = convert(one, plain) + convert(word, plain) if one != word else convert(word, plain)
    return [w for w in dict.fromkeys(forms) if w != word]


def _english_singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _spanish_singular(word: str) -> str:
    if word.endswith("ciones") or word.endswith("siones"):
        return word[:-2]
    if word.endswith(("dades", "tades")):
        return word[:-2]
    if word.endswith(("as", "os", "es")) and not word.endswith("sis"):
        return word[:-1]
    return word


def _to_spanish(word: str, plain: bool) -> list[str]:
    word = _S_CLUSTER.sub("es", _DOUBLE.sub(r"\1", word))
    return [_respelt(stem) + ending for stem, ending in _endings(word, SUFFIXES, plain)]


def _to_english(word: str, plain: bool) -> list[str]:
    word = re.sub(r"^es(?=[bcdfgklmnpqtvz])", "s", word)
    forms = [stem + ending for stem, ending in _endings(word, [(es, en) for en, es in SUFFIXES], plain)]
    respelt = []
    for form in forms:  # the Greek spellings English keeps
        respelt.append(form)
        for old, new in (("f", "ph"), ("t", "th"), ("i", "y")):
            if old in form:
                respelt.append(form.replace(old, new, 1))
    return respelt


def _respelt(stem: str) -> str:
    for old, new in _LETTERS:
        stem = stem.replace(old, new)
    return stem


def _endings(word: str, pairs: list[tuple[str, str]], plain: bool = True) -> list[tuple[str, str]]:
    """(stem, new ending) for every change of the longest ending that matches (keeping at least
    three letters), then the word with nothing changed and with each ending that adds letters
    only; without ``plain``, those only when an ending matched."""
    out: list[tuple[str, str]] = []
    matching = [(old, new) for old, new in pairs if old and word.endswith(old) and len(word) - len(old) >= 3]
    if matching:
        longest = max(len(old) for old, _ in matching)
        out += [(word[: -len(old)], new) for old, new in matching if len(old) == longest]
    elif not plain:
        return out
    out.append((word, ""))
    out += [(word, new) for old, new in pairs if not old]
    return list(dict.fromkeys(out))
