"""British spellings of English words, and the American form the English analyser reads them as.

IOM writes "labour", "centre", "programme" and "organised"; a visitor may type "labor",
"center", "program" or "organized". The English analyser reads each British spelling as its
American form before stemming, in releases and queries alike, so that either finds both.

Two plain files give the pairs (folded: lower case, no accents), read once per process:

- ``data/spelling-scowl.txt``: derived from SCOWL's British and American word lists (Debian's
  wbritish and wamerican, ``python -m index.spelling`` writes it again): each word of the
  British list alone whose regular respelling (-our/-or, -ise/-ize, -yse/-yze, -tre/-ter,
  -ence/-ense, -ogue/-og, ae/oe to e, a doubled l) is a word of the American list alone, and
  the only one;
- ``data/spelling.toml``: pairs staff list by hand, among them those both lists hold
  ("programme", "travelled"), which the derivation leaves out.

The pairs are part of what the index holds: a change to either file needs a full reindex.
"""

import sys
import tomllib
from functools import cache
from pathlib import Path

from .config import DATA_DIR

DERIVED = DATA_DIR / "spelling-scowl.txt"
LISTED = DATA_DIR / "spelling.toml"
BRITISH_LIST = Path("/usr/share/dict/british-english")
AMERICAN_LIST = Path("/usr/share/dict/american-english")

# British ending -> American ending, of a word's end; then respellings anywhere in it.
_ENDINGS = [
    ("our", "or"),
    ("ours", "ors"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("isation", "ization"),
    ("isations", "izations"),
    ("iser", "izer"),
    ("isers", "izers"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("yses", "yzes"),
    ("ysing", "yzing"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("tred", "tered"),
    ("tring", "tering"),
    ("ence", "ense"),
    ("ences", "enses"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("ogued", "oged"),
    ("oguing", "oging"),
    ("lled", "led"),
    ("lling", "ling"),
    ("ller", "ler"),
    ("llers", "lers"),
]
_INSIDE = [
    ("our", "or"),
    ("ae", "e"),
    ("oe", "e"),
    ("ll", "l"),
    ("isa", "iza"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("ould", "old"),
    ("dgement", "dgment"),
]


@cache
def american() -> dict[str, str]:
    """{British spelling: American spelling}, folded, of both files (the hand-listed win)."""
    pairs: dict[str, str] = {}
    if DERIVED.exists():
        for line in DERIVED.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                british, _, us = line.partition("\t")
                pairs[british] = us
    if LISTED.exists():
        pairs.update(tomllib.loads(LISTED.read_text(encoding="utf-8")).get("pairs", {}))
    return pairs


def derive(british: set[str], us: set[str]) -> dict[str, str]:
    """The pairs of two word lists (lower-cased words of letters only), as the module says."""
    only_british, only_american = british - us, us - british
    pairs = {}
    for word in sorted(only_british):
        found = set()
        for old, new in _ENDINGS:
            if word.endswith(old):
                found.add(word[: -len(old)] + new)
        for old, new in _INSIDE:
            at = word.find(old)
            while at != -1:
                # (not a word's "-oed", "-oes": "snowshoed" is no "snowshed", "mantoes" no "mantes")
                if not (old == "oe" and at == len(word) - 3 and word.endswith(("oed", "oes"))):
                    found.add(word[:at] + new + word[at + len(old) :])
                at = word.find(old, at + 1)
        matching = [form for form in found if form in only_american]
        if len(matching) == 1:
            pairs[word] = matching[0]
    return pairs


def _words(path: Path) -> set[str]:
    """The list's words of letters only, names left out (a capital: "Baeyer" is no "Beyer")."""
    return {w for w in path.read_text(encoding="utf-8", errors="replace").split() if w.isalpha() and w.islower()}


def write(british: Path = BRITISH_LIST, us: Path = AMERICAN_LIST, out: Path = DERIVED) -> int:
    """Write ``data/spelling-scowl.txt`` from the two word lists; the number of pairs."""
    pairs = derive(_words(british), _words(us))
    header = (
        "# British spelling <TAB> American spelling, derived by index/spelling.py (python -m index.spelling)\n"
        "# from SCOWL's word lists as Debian's wbritish and wamerican ship them. Their notice:\n"
        "#\n"
        "#   Copyright 2000-2011 by Kevin Atkinson\n"
        "#   Permission to use, copy, modify, distribute and sell these word lists, the associated\n"
        "#   scripts, the output created from the scripts, and its documentation for any purpose is\n"
        "#   hereby granted without fee, provided that the above copyright notice appears in all\n"
        "#   copies and that both that copyright notice and this permission notice appear in\n"
        "#   supporting documentation. Kevin Atkinson makes no representations about the\n"
        '#   suitability of this array for any purpose. It is provided "as is" without express or\n'
        "#   implied warranty.\n"
    )
    out.write_text(header + "".join(f"{b}\t{a}\n" for b, a in sorted(pairs.items())), encoding="utf-8")
    return len(pairs)


if __name__ == "__main__":
    missing = [str(p) for p in (BRITISH_LIST, AMERICAN_LIST) if not p.exists()]
    if missing:
        sys.exit(f"missing word lists: {', '.join(missing)} (apt-get install wbritish wamerican)")
    print(f"{write()} pairs written to {DERIVED}")
