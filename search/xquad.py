"""The bilingual relevance benchmark: XQuAD-R questions asked of archives built from its paragraphs.

``../shared/datasets/xquad-r-dev/`` holds Wikipedia paragraphs in English and in their Spanish
translation, and questions in both languages whose answer lies in one paragraph (and in its
translation). Each paragraph becomes a release (its language; as its title the article title,
": " and the paragraph's first sentence cut at 150 characters; the paragraph as its body), and
two archives are built through the real reindex:

- **paired**: both languages, the two versions of a paragraph sharing a ``translation_key``,
  asked with the interface in English and in Spanish;
- **mixed**: paragraph k in English when k is even and in Spanish when k is odd, no pairs, so
  half the questions have their answer in the other language.

Every question is asked through :meth:`Archive.search`; what is scored is where its paragraph
comes in the first ten hits (a translation pair counts once): MRR@10, recall@10 and nDCG@10
(one relevant answer: 1 / log2(rank + 1)). SQLite FTS5's ``bm25()`` over the OR of the
question's words is measured in the same run over the same paragraphs: a table per language
for the paired archive (porter stemming for English), one table for the mixed archive.
"""

import datetime as dt
import json
import re
import sqlite3
import tempfile
import tomllib
from dataclasses import dataclass, field
from math import log2
from pathlib import Path

from index.build import reindex
from index.config import DATA_DIR, PROJECT_ROOT

from .engine import Archive
from .params import SearchParams

DATASET = PROJECT_ROOT.parent / "shared" / "datasets" / "xquad-r-dev"
LANGUAGES = ("en", "es")
DEPTH = 10
BASELINE = DATA_DIR / "relevance" / "xquad-baseline.toml"
QUICK = 150  # questions per language in the quick run that the tests make
TITLE_CHARS = 150
# The paragraphs have no date: paragraph k is dated k weeks after this, so that releases of
# the mixed archive are never taken for translations of each other (the indexer pairs
# releases of the same day with the same countries and topics).
FIRST_DATE = dt.date(2000, 1, 3)


@dataclass(frozen=True)
class Paragraph:
    index: int  # k: paragraph k of en.json is the translation of paragraph k of es.json
    lang: str
    title: str
    body: str


@dataclass(frozen=True)
class Question:
    text: str
    lang: str
    answer: int  # the paragraph's index


@dataclass
class Scores:
    """Figures for one set of questions: the rank of each answer (None: not in the first ten)."""

    ranks: list = field(default_factory=list)

    def add(self, rank: int | None) -> None:
        self.ranks.append(rank)

    @property
    def mrr(self) -> float:
        return sum(1 / r for r in self.ranks if r) / max(1, len(self.ranks))

    @property
    def recall(self) -> float:
        return sum(1 for r in self.ranks if r) / max(1, len(self.ranks))

    @property
    def ndcg(self) -> float:
        return sum(1 / log2(r + 1) for r in self.ranks if r) / max(1, len(self.ranks))


def available() -> bool:
    return all((DATASET / f"{lang}.json").exists() for lang in LANGUAGES)


def first_sentence(paragraph: dict) -> str:
    sentences = paragraph.get("sentences") or re.split(r"(?<=[.!?])\s+", paragraph["context"], maxsplit=1)
    return sentences[0].strip()


def load(folder: Path = DATASET) -> tuple[dict[str, list[Paragraph]], list[Question]]:
    """The paragraphs of each language, in order, and every question."""
    paragraphs: dict[str, list[Paragraph]] = {}
    questions: list[Question] = []
    for lang in LANGUAGES:
        data = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))["data"]
        out: list[Paragraph] = []
        for article in data:
            name = article["title"].replace("_", " ")
            for paragraph in article["paragraphs"]:
                k = len(out)
                title = f"{name}: {first_sentence(paragraph)}"[:TITLE_CHARS]
                out.append(Paragraph(k, lang, title, paragraph["context"]))
                questions += [Question(qa["question"], lang, k) for qa in paragraph["qas"]]
        paragraphs[lang] = out
    if len(paragraphs["en"]) != len(paragraphs["es"]):
        raise ValueError("en.json and es.json do not have the same paragraphs")
    return paragraphs, questions


def release_id(paragraph: Paragraph) -> str:
    return f"xquad-{paragraph.lang}-{paragraph.index:03d}"


def record(paragraph: Paragraph, paired: bool) -> dict:
    date = FIRST_DATE + dt.timedelta(weeks=paragraph.index)
    out = {
        "id": release_id(paragraph),
        "lang": paragraph.lang,
        "date": date.isoformat(),
        "title": paragraph.title,
        "body": paragraph.body,
    }
    if paired:
        out["translation_key"] = f"xquad-{paragraph.index:03d}"
    return out


def mixed(paragraphs: dict[str, list[Paragraph]]) -> list[Paragraph]:
    """Paragraph k in English when k is even, in Spanish when it is odd."""
    return [paragraphs["en" if k % 2 == 0 else "es"][k] for k in range(len(paragraphs["en"]))]


def build(folder: Path, releases: list[Paragraph], paired: bool) -> Path:
    """An archive of these paragraphs, built by the real reindex."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "releases.jsonl"
    source.write_text(
        "".join(json.dumps(record(p, paired), ensure_ascii=False) + "\n" for p in releases), encoding="utf-8"
    )
    reindex([source], folder / "ix", progress=False)
    return folder / "ix"


def answer_rank(archive: Archive, question: Question, ui: str) -> int | None:
    """Where the question's paragraph (either version) comes among the first ten hits."""
    wanted = {f"xquad-{lang}-{question.answer:03d}" for lang in LANGUAGES}
    result = archive.search(SearchParams(q=question.text, ui=ui, per_page=DEPTH))
    for rank, hit in enumerate(result.hits, 1):
        if hit.id in wanted or (hit.translation and hit.translation.id in wanted):
            return rank
    return None


# --- the FTS5 baseline ----------------------------------------------------------------------------
def fts5_table(db, name: str, releases: list[Paragraph], tokenizer: str) -> None:
    db.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(pid UNINDEXED, title, body, tokenize = '{tokenizer}')")
    db.executemany(
        f"INSERT INTO {name}(pid, title, body) VALUES (?,?,?)", [(p.index, p.title, p.body) for p in releases]
    )


def fts5_rank(db, table: str, question: Question) -> int | None:
    words = re.findall(r"\w+", question.text)
    if not words:
        return None
    match = " OR ".join(f'"{w}"' for w in words)
    rows = db.execute(
        f"SELECT pid FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}) LIMIT ?", (match, DEPTH)
    ).fetchall()
    return next((rank for rank, (pid,) in enumerate(rows, 1) if pid == question.answer), None)


# --- the runs -------------------------------------------------------------------------------------
ROWS = [
    ("paired", "en", "en", "paired archive, English questions, English interface"),
    ("paired", "es", "es", "paired archive, Spanish questions, Spanish interface"),
    ("paired", "en", "es", "paired archive, English questions, Spanish interface"),
    ("paired", "es", "en", "paired archive, Spanish questions, English interface"),
    ("mixed-same", "en", "en", "mixed archive, answer in the question's language, English questions"),
    ("mixed-same", "es", "es", "mixed archive, answer in the question's language, Spanish questions"),
    ("mixed-other", "en", "en", "mixed archive, answer in the other language, English questions"),
    ("mixed-other", "es", "es", "mixed archive, answer in the other language, Spanish questions"),
]


def run(folder: Path = DATASET, limit: int | None = None, work: Path | None = None) -> dict[str, dict]:
    """Figures of ours and FTS5 for every row (``limit``: only the first questions of each
    language, for a quick run). Returns {row label: {"ours": Scores, "fts5": Scores}}."""
    paragraphs, questions = load(folder)
    if limit:
        questions = [q for lang in LANGUAGES for q in [q for q in questions if q.lang == lang][:limit]]
    out = {label: {"ours": Scores(), "fts5": Scores()} for *_, label in ROWS}
    with tempfile.TemporaryDirectory(prefix="xquad-") as tmp:
        root = Path(work or tmp)
        every = paragraphs["en"] + paragraphs["es"]
        archives = {
            "paired": Archive(build(root / "paired", every, paired=True), cache_size=0),
            "mixed": Archive(build(root / "mixed", mixed(paragraphs), paired=False), cache_size=0),
        }
        db = sqlite3.connect(":memory:")
        fts5_table(db, "paired_en", paragraphs["en"], "porter unicode61 remove_diacritics 2")
        fts5_table(db, "paired_es", paragraphs["es"], "unicode61 remove_diacritics 2")
        fts5_table(db, "mixed", mixed(paragraphs), "unicode61 remove_diacritics 2")
        for kind, lang, ui, label in ROWS:
            for question in (q for q in questions if q.lang == lang):
                answer_lang = "en" if question.answer % 2 == 0 else "es"
                if kind == "mixed-same" and answer_lang != lang or kind == "mixed-other" and answer_lang == lang:
                    continue
                archive = archives["paired" if kind == "paired" else "mixed"]
                out[label]["ours"].add(answer_rank(archive, question, ui))
                table = f"paired_{lang}" if kind == "paired" else "mixed"
                out[label]["fts5"].add(fts5_rank(db, table, question))
    return out


def table(figures: dict[str, dict]) -> str:
    lines = [
        "| questions | n | MRR@10 FTS5 / ours | recall@10 FTS5 / ours | nDCG@10 FTS5 / ours |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, row in figures.items():
        ours, fts5 = row["ours"], row["fts5"]
        lines.append(
            f"| {label} | {len(ours.ranks)} | {fts5.mrr:.3f} / {ours.mrr:.3f} | "
            f"{fts5.recall:.3f} / {ours.recall:.3f} | {fts5.ndcg:.3f} / {ours.ndcg:.3f} |"
        )
    return "\n".join(lines)


# --- the recorded figures -------------------------------------------------------------------------
def row_key(label: str) -> str:
    """A row's name in the baseline file: ``paired_en_en``, ``mixed_other_es``..."""
    kind, lang, ui = next((k, lang, ui) for k, lang, ui, text in ROWS if text == label)
    return f"{kind.replace('-', '_')}_{lang}" + (f"_{ui}" if kind == "paired" else "")


def figures_of(figures: dict[str, dict]) -> dict[str, float]:
    """Our MRR@10 and recall@10 per row, flat, as recorded."""
    out = {}
    for label, row in figures.items():
        key = row_key(label)
        out[f"{key}_mrr"] = round(row["ours"].mrr, 4)
        out[f"{key}_recall"] = round(row["ours"].recall, 4)
    return out


def load_baseline(path: Path = BASELINE) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_baseline(full: dict[str, float], quick: dict[str, float], path: Path = BASELINE) -> None:
    lines = [
        "# Our ranking on the XQuAD-R benchmark (search/xquad.py), as last measured by",
        "# scripts/relevance --xquad --save: every question, and the quick run of the first",
        f"# {QUICK} questions per language that the tests make. Tests fail below these.",
        "",
        "[full]",
    ]
    lines += [f"{k} = {v}" for k, v in full.items()]
    lines += ["", "[quick]"]
    lines += [f"{k} = {v}" for k, v in quick.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
