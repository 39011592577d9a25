"""The bilingual lexicon: for a term of one language, its translations in the other, weighted.

It is what lets a query in one language find a release written only in the other (see
``search.compile``).  Built at reindex from the sources ``data/lexicon.toml`` names
(``LEXICON_FILE``) and the archive's own translation pairs:

- bilingual dictionaries in the dictd format (FreeDict's, from Debian's packages): every
  translation of a headword, equally likely;
- parallel text, line by line, and the archive's pairs (their titles, and their paragraphs
  where both versions have as many): translations learnt by IBM Model 1 (``index.alignment``),
  with their probabilities.

A term the parallel text teaches takes the translations learnt from it, with their
probabilities: they are the senses the text really uses (a dictionary lists "cheer" and
"greet" beside "health" for "salud", as likely as it); the dictionaries give the rest, their
translations of a headword equally likely.  Terms are the analysers' (stemmed, folded), so that
a translation meets every form of the word.

The lexicon is saved in each generation (``lexicon.bin``), keeping only translations into words
the archive uses, and the running site reads it from there: a source that changes takes effect
with the next reindex, like everything else.  What
the dictionaries and parallel files give is kept in a cache keyed by their contents, so that a
reindex reads and trains on them once, not every time.
"""

import gzip
import hashlib
import logging
import marshal
import os
import re
import shutil
import subprocess
import tomllib
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import alignment
from .alignment import Learnt, learn
from .analysis import FIXED_EXPRESSIONS, LANGUAGES, STEM_OVERRIDES, fold, terms
from .config import DATA_DIR, PROJECT_ROOT
from .schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

FILE = "lexicon.bin"
FORMAT = 4  # the saved file's layout (and what the cache holds): bump when either changes
MAX_TRANSLATIONS = 6  # a term's most likely translations; the rest add noise, not recall
MIN_WEIGHT = 0.05
# Where an English term's learnt translations include none of the dictionary's, the dictionary's
# share a fifth of its weight with them (XQuAD-R, English questions answered in Spanish: MRR
# 0.780 -> 0.793, and alike from 0.15 to 0.3; docs/relevance.md). Not from Spanish: a Spanish
# stem's dictionary entries mix several words' senses, and there it cost 0.002-0.003.
DICTIONARY_SHARE = 0.2
UNCONFIRMED_FROM = ("en", "es")
_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def lexicon_file() -> Path:
    value = os.environ.get("LEXICON_FILE")
    return Path(value).expanduser() if value else DATA_DIR / "lexicon.toml"


def cache_dir() -> Path:
    value = os.environ.get("LEXICON_CACHE")
    return Path(value).expanduser() if value else PROJECT_ROOT / "var" / "cache" / "lexicon"


@dataclass
class Lexicon:
    """{(from, to): {term: ((translation, weight), ...)}}, most likely first; and the words the
    dictionaries list, each language's (folded, as written: headwords and translations of one
    word), which the spelling correction never replaces, whether the archive uses them or not."""

    table: dict[tuple[str, str], dict[str, tuple[tuple[str, float], ...]]] = field(default_factory=dict)
    # Each language's words as the sorted 64-bit hashes of their folded forms (word_hashes): 160,000
    # words in 1.3 MB, where a set of the strings took 16 MB of every worker.
    words: dict[str, np.ndarray] = field(default_factory=dict)

    def translate(self, source: str, target: str, term: str) -> tuple[tuple[str, float], ...]:
        return self.table.get((source, target), {}).get(term, ())

    def knows(self, folded: str) -> bool:
        """Whether a dictionary lists the word (folded), in either language ("guardia", which
        no release may use, is no slip of the English "guard")."""
        key = np.uint64(_word_hash(folded))
        for hashes in self.words.values():
            at = int(np.searchsorted(hashes, key))
            if at < len(hashes) and hashes[at] == key:
                return True
        return False

    def __len__(self) -> int:
        return sum(len(t) for t in self.table.values())

    def pruned(self, present: dict[str, set[str]]) -> "Lexicon":
        """Only the translations into terms ``present`` in the archive ({language: its body
        field's terms}): a translation no release uses matches nothing, and the saved lexicon
        stays the size of the archive's vocabulary, not of the dictionaries'."""
        table = {}
        for (source, target), entries in self.table.items():
            kept = {}
            for term, found in entries.items():
                useful = tuple((t, w) for t, w in found if t in present[target])
                if useful:
                    kept[term] = useful
            table[(source, target)] = kept
        return Lexicon(table, self.words)

    def merged(self, older: "Lexicon") -> "Lexicon":
        """This lexicon, with ``older``'s translations of the terms it does not know."""
        table = {}
        for key in self.table.keys() | older.table.keys():
            table[key] = {**older.table.get(key, {}), **self.table.get(key, {})}
        return Lexicon(table, self.words or older.words)

    def save(self, folder: Path) -> None:
        data = {
            f"{a}-{b}": {term: list(found) for term, found in table.items()} for (a, b), table in self.table.items()
        }
        # A new file, never written in place: an incremental build's folder starts as hard links
        # to the live generation's files.
        temporary = Path(folder) / f".{FILE}.tmp"
        words = {lang: hashes.tobytes() for lang, hashes in self.words.items()}
        temporary.write_bytes(zlib.compress(marshal.dumps({"format": FORMAT, "table": data, "words": words})))
        os.replace(temporary, Path(folder) / FILE)

    @classmethod
    def load(cls, folder: Path) -> "Lexicon":
        """The generation's lexicon; empty for a generation from before it (or a damaged file)."""
        try:
            data = marshal.loads(zlib.decompress((Path(folder) / FILE).read_bytes()))
        except (OSError, EOFError, ValueError, TypeError, zlib.error):
            return cls()
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls()
        words = {lang: np.frombuffer(found, dtype=np.uint64) for lang, found in data["words"].items()}
        return cls(_table(data["table"]), words)


def _table(data: dict) -> dict:
    return {
        tuple(key.split("-")): {term: tuple((t, w) for t, w in found) for term, found in table.items()}
        for key, table in data.items()
    }


# --- the sources ---------------------------------------------------------------------------------
@dataclass
class Sources:
    """What ``data/lexicon.toml`` names, resolved: dictionaries and parallel files that exist."""

    dictionaries: list[tuple[Path, str, str]] = field(default_factory=list)  # (path without suffix, from, to)
    parallel: list[tuple[Path, Path]] = field(default_factory=list)  # (English file, Spanish file)
    missing: list[str] = field(default_factory=list)
    word_lists: list[tuple[Path, str]] = field(default_factory=list)  # (a file of words, one a line; language)
    apertium: list[Path] = field(default_factory=list)  # folders of Apertium's English-Spanish pair

    @classmethod
    def read(cls, path: Path | None = None) -> "Sources":
        path = path or lexicon_file()
        out = cls()
        if not path.exists():
            return out
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("dictionary", []):
            base = _resolve(entry["path"])
            if entry.get("from") not in LANGUAGES or entry.get("to") not in LANGUAGES or entry["from"] == entry["to"]:
                raise ValueError(f"{path}: dictionary {entry['path']}: 'from' and 'to' must be en and es")
            if Path(f"{base}.index").exists() and Path(f"{base}.dict.dz").exists():
                out.dictionaries.append((base, entry["from"], entry["to"]))
            else:
                out.missing.append(f"dictionary {base} (.index, .dict.dz)")
        for entry in data.get("words", []):
            words = _resolve(entry["path"])
            if entry.get("lang") not in LANGUAGES:
                raise ValueError(f"{path}: word list {entry['path']}: 'lang' must be en or es")
            if words.exists():
                out.word_lists.append((words, entry["lang"]))
            else:
                out.missing.append(f"word list {words}")
        for entry in data.get("apertium", []):
            folder = _resolve(entry["path"])
            needed = [folder / f"{pair}.{kind}.bin" for pair in APERTIUM_PAIRS for kind in ("automorf", "autobil")]
            if shutil.which("lt-proc") is None:
                out.missing.append(f"Apertium's lt-proc (Debian's lttoolbox) for {folder}")
            elif all(p.exists() for p in needed):
                out.apertium.append(folder)
            else:
                out.missing.append(f"Apertium pair {folder} ({', '.join(p.name for p in needed)})")
        for entry in data.get("parallel", []):
            en, es = _resolve(entry["en"]), _resolve(entry["es"])
            if en.exists() and es.exists():
                out.parallel.append((en, es))
            else:
                out.missing.append(f"parallel text {en if not en.exists() else es}")
        return out

    def digest(self) -> str:
        """Changes when a source, the analysers' terms or the lexicon's format may have."""
        h = hashlib.sha256(f"{FORMAT}".encode())
        # Words whose terms a change of the analysers would change (Spanish plurals among them).
        sample = terms("Migrations returning children", "en") + terms("Migraciones niñas ciudades", "es")
        h.update(repr(sample).encode())
        h.update(f"schema {SCHEMA_VERSION}\0{alignment.SETTINGS}".encode())
        h.update(repr(sorted((lang, sorted(table.items())) for lang, table in STEM_OVERRIDES.items())).encode())
        # (sets sorted: a set's repr follows string hashing, which differs from process to process)
        rules = {
            w: [sorted(part) if isinstance(part, frozenset) else part for part in rule]
            for w, rule in FIXED_EXPRESSIONS.items()
        }
        h.update(repr(sorted(rules.items())).encode())
        for path in (
            [p for base, *_ in self.dictionaries for p in (Path(f"{base}.index"), Path(f"{base}.dict.dz"))]
            + [p for pair in self.parallel for p in pair]
            + [p for p, _ in self.word_lists]
            + [
                folder / f"{pair}.{kind}.bin"
                for folder in self.apertium
                for pair in APERTIUM_PAIRS
                for kind in ("automorf", "autobil")
            ]
        ):
            stat = path.stat()
            h.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        return h.hexdigest()[:32]


def _resolve(text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def read_dictd(base: Path) -> list[tuple[str, list[str]]]:
    """(headword, translations) of a dictd dictionary: ``base.index`` gives each entry's offset
    and length (base64 numbers) in the gzipped ``base.dict.dz``, whose entries are the headword
    (with a pronunciation between slashes), then lines of translations, numbered by sense and
    separated by commas."""
    text = gzip.open(f"{base}.dict.dz").read()
    out = []
    for line in Path(f"{base}.index").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database") or parts[0].startswith("00-database"):
            continue
        start, length = _base64(parts[1]), _base64(parts[2])
        entry = text[start : start + length].decode("utf-8", "replace").strip().splitlines()
        if len(entry) < 2:
            continue
        headword = re.sub(r"\s*/[^/]*/\s*$", "", entry[0]).strip()
        translations = [t.strip() for sense in entry[1:] for t in re.sub(r"^\s*\d+\.\s*", "", sense).split(",")]
        out.append((headword, [t for t in translations if t]))
    return out


def _base64(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _BASE64.index(ch)
    return value


def read_parallel(en: Path, es: Path) -> list[tuple[list[str], list[str]]]:
    """The analysed line pairs of two line-aligned files (a line empty on either side is skipped)."""
    lines_en = en.read_text(encoding="utf-8").splitlines()
    lines_es = es.read_text(encoding="utf-8").splitlines()
    pairs = zip(lines_en, lines_es, strict=False)  # a line past the end of the other file has no pair
    return [(terms(a, "en"), terms(b, "es")) for a, b in pairs if a.strip() and b.strip()]


# --- building -------------------------------------------------------------------------------------
def dictionary_words(sources: Sources) -> dict[str, set[str]]:
    """{language: the folded words its dictionaries and word lists give}: every headword of one
    word, every translation of one word into the other language, and every word of a list
    (Debian's wamerican and wspanish: a hundred thousand words each, names among them)."""
    out: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for base, source, target in sources.dictionaries:
        for headword, translations in read_dictd(base):
            for lang, word in [(source, headword)] + [(target, t) for t in translations]:
                folded = fold(word).strip()
                if folded.isalpha():
                    out[lang].add(folded)
    for path, lang in sources.word_lists:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            folded = fold(line).strip()
            if folded.isalpha():  # not "aardvark's"
                out[lang].add(folded)
    return out


def dictionary_pairs(sources: Sources) -> dict[tuple[str, str], dict[str, set[str]]]:
    """{(from, to): {term: translations}} from every dictionary, read in both directions: an
    entry of the English-Spanish dictionary is also a Spanish word's English translation."""
    out: dict[tuple[str, str], dict[str, set[str]]] = {("en", "es"): {}, ("es", "en"): {}}
    for base, source, target in sources.dictionaries:
        for headword, translations in read_dictd(base):
            head = terms(headword, source)
            if len(head) != 1:
                continue  # a phrase, or a stop word: a term-by-term lexicon cannot hold it
            for translation in translations:
                found = terms(translation, target)
                if len(found) == 1:
                    out[(source, target)].setdefault(head[0], set()).add(found[0])
                    out[(target, source)].setdefault(found[0], set()).add(head[0])
    return out


# Apertium's English-Spanish pair: the morphological analyser and bilingual dictionary of each
# direction read. English to Spanish only: on XQuAD-R it took English questions answered in
# Spanish from MRR 0.798 to 0.849 (same-language English 0.958 to 0.960, the rest unchanged);
# Spanish to English took Spanish questions answered in English from 0.802 to 0.826 but those
# answered in Spanish from 0.967 to 0.963, below FTS5's 0.9631 (docs/relevance.md).
APERTIUM_PAIRS = {"eng-spa": ("en", "es")}
_ANALYSIS = re.compile(r"\^[^/$]*((?:/[^/$]*)*)\$")
_CONTENT = re.compile(r"[^<*@#][^<]*<(?:n|vblex|adj|adv)>(?:<[^>]+>)*")  # a noun, verb, adjective or adverb


def apertium_pairs(sources: Sources) -> dict[tuple[str, str], dict[str, set[str]]]:
    """{(from, to): {term: translations}} from Apertium's English-Spanish pair (Debian's
    apertium-eng-spa, GPL 2 or later), for the words of each language's word lists: each word
    analysed by the pair's morphological analyser into its lemmas with their tags, each
    analysis of a noun, verb, adjective or adverb looked up in the bilingual dictionary (both
    through ``lt-proc``, Debian's lttoolbox), and the lemmas' terms paired with their
    translations' ("censuses": "census<n><pl>": "censo<n><m><pl>": "census" with "cens")."""
    out: dict[tuple[str, str], dict[str, set[str]]] = {}
    for folder in sources.apertium:
        for pair, (source, target) in APERTIUM_PAIRS.items():
            words = sorted(
                {
                    line.strip()
                    for path, lang in sources.word_lists
                    if lang == source
                    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                    if line.strip().isalpha()
                }
            )
            if not words:
                continue
            analysed = _lt_proc([str(folder / f"{pair}.automorf.bin")], "\n".join(words))
            analyses = sorted(
                {a for found in _ANALYSIS.findall(analysed) for a in found.split("/") if _CONTENT.fullmatch(a)}
            )
            translated = _lt_proc(["-b", str(folder / f"{pair}.autobil.bin")], "\n".join(f"^{a}$" for a in analyses))
            table = out.setdefault((source, target), {})
            for match in _ANALYSIS.finditer(translated):
                lemma, *translations = match.group(0)[1:-1].split("/")
                head = terms(lemma.split("<", 1)[0], source)
                if len(head) != 1:
                    continue  # a phrase, or a stop word: a term-by-term lexicon cannot hold it
                for translation in translations:
                    if translation.startswith(("@", "*", "#")):
                        continue  # not in the dictionary
                    found = terms(translation.split("<", 1)[0], target)
                    if len(found) == 1:
                        table.setdefault(head[0], set()).add(found[0])
    return out


class ApertiumFailed(RuntimeError):
    """``lt-proc`` could not run or failed: what it gave is not cached, so the next reindex
    tries again rather than keep an empty table until the files change."""


def _lt_proc(arguments: list[str], text: str) -> str:
    """What Apertium's ``lt-proc`` writes for ``text``; ``ApertiumFailed`` when it cannot run."""
    try:
        done = subprocess.run(
            ["lt-proc", *arguments], input=text + "\n", capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise ApertiumFailed(f"lt-proc {' '.join(arguments)}: {error}") from error
    if done.returncode != 0:
        raise ApertiumFailed(f"lt-proc {' '.join(arguments)}: exit {done.returncode}: {done.stderr.strip()[:200]}")
    return done.stdout


def release_segments(pairs) -> tuple[list[tuple[list[str], list[str]]], list[int]]:
    """Analysed segment pairs of the archive's translation pairs ``(English release, Spanish
    release)``: the titles, and each paragraph with its counterpart when both bodies have as many;
    and for each segment, the number of the pair it comes from."""
    out, origins = [], []
    for number, (en, es) in enumerate(pairs):
        found = [(terms(en.title, "en"), terms(es.title, "es"))]
        paragraphs_en = [p for p in en.body.splitlines() if p.strip()]
        paragraphs_es = [p for p in es.body.splitlines() if p.strip()]
        if len(paragraphs_en) == len(paragraphs_es):
            found += [(terms(a, "en"), terms(b, "es")) for a, b in zip(paragraphs_en, paragraphs_es, strict=True)]
        out += found
        origins += [number] * len(found)
    return out, origins


@dataclass
class Parts:
    """What the external sources give, before the archive's own pairs are added."""

    dictionary: dict
    segments: list  # analysed line pairs of the parallel files
    learnt: Learnt  # what those lines alone teach
    # the dictionaries' and word lists' words, by language, as word_hashes: hashed once per change
    # of the sources, not at every reindex (0.15 s)
    words: dict = field(default_factory=dict)


def external(sources: Sources) -> Parts:
    """The dictionaries' translations and the parallel files' segments, from the cache when the
    sources have not changed since they were last read."""
    return _external(
        sources.digest(),
        tuple(sources.dictionaries),
        tuple(sources.parallel),
        tuple(sources.word_lists),
        tuple(sources.apertium),
    )


@lru_cache(maxsize=4)
def _external(digest: str, dictionaries: tuple, parallel: tuple, word_lists: tuple, apertium: tuple = ()) -> Parts:
    cached = cache_dir() / f"{digest}.bin"
    try:
        data = marshal.loads(cached.read_bytes())
        return Parts(
            {tuple(k.split("-")): {t: set(v) for t, v in d.items()} for k, d in data["dictionary"].items()},
            data["segments"],
            Learnt(*data["learnt"]),
            {lang: np.frombuffer(found, dtype=np.uint64) for lang, found in data["words"].items()},
        )
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass
    sources = Sources(list(dictionaries), list(parallel), word_lists=list(word_lists), apertium=list(apertium))
    dictionary = dictionary_pairs(sources)
    cacheable = True
    try:
        for direction, found in apertium_pairs(sources).items():
            for term, translations in found.items():
                dictionary[direction].setdefault(term, set()).update(translations)
    except ApertiumFailed as error:
        log.warning("Apertium's dictionary left out of the lexicon: %s", error)
        cacheable = False
    segments = [pair for en, es in sources.parallel for pair in read_parallel(en, es)]
    learnt = learn(segments)
    words = {lang: word_hashes(found) for lang, found in dictionary_words(sources).items()}
    if not cacheable:
        return Parts(dictionary, segments, learnt, words)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(
            marshal.dumps(
                {
                    "dictionary": {
                        f"{a}-{b}": {t: sorted(v) for t, v in d.items()} for (a, b), d in dictionary.items()
                    },
                    "segments": segments,
                    "learnt": [learnt.en_es, learnt.es_en],
                    "words": {lang: hashes.tobytes() for lang, hashes in words.items()},
                }
            )
        )
        os.replace(temporary, cached)
    except OSError:
        pass  # a read-only project directory: the next reindex reads the sources again
    return Parts(dictionary, segments, learnt, words)


def build(sources: Sources, pairs=()) -> Lexicon:
    """The lexicon of the external sources and the archive's translation ``pairs``
    (``(English release, Spanish release)``, their texts still held)."""
    parts = external(sources)
    archive, origins = release_segments(pairs)
    learnt = learn(parts.segments + archive, [None] * len(parts.segments) + origins) if archive else parts.learnt
    table = {}
    for direction, learnt_table in ((("en", "es"), learnt.en_es), (("es", "en"), learnt.es_en)):
        dictionary = parts.dictionary.get(direction, {})
        merged = {}
        for term in dictionary.keys() | learnt_table.keys():
            if term in learnt_table:
                total = sum(learnt_table[term].values())
                weights = {t: p / total for t, p in learnt_table[term].items()}
                known = dictionary.get(term)
                if direction == UNCONFIRMED_FROM and known and not known & weights.keys():
                    # Learnt translations the dictionary confirms none of are suspect (a few
                    # pairs taught "displaced" as "Caribe"): the dictionary's stand beside them.
                    weights = {t: w * (1 - DICTIONARY_SHARE) for t, w in weights.items()}
                    for t in known:
                        weights[t] = weights.get(t, 0) + DICTIONARY_SHARE / len(known)
            else:
                weights = {t: 1 / len(dictionary[term]) for t in dictionary[term]}
            best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_TRANSLATIONS]
            kept = tuple((t, round(w, 4)) for t, w in best if w >= MIN_WEIGHT)
            if kept:
                merged[term] = kept
        table[direction] = merged
    return Lexicon(table, parts.words)


def _word_hash(folded: str) -> int:
    return int.from_bytes(hashlib.blake2b(folded.encode("utf-8"), digest_size=8).digest(), "little")


def word_hashes(words) -> np.ndarray:
    """Folded words as the sorted array :meth:`Lexicon.knows` looks them up in."""
    return np.unique(np.fromiter((_word_hash(w) for w in words), dtype=np.uint64))
