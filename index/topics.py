"""The editable topic taxonomy (``data/topics.toml``) and the rules that assign topics.

Each topic has English and Spanish labels and keyword phrases per language.  A
keyword matches when its analysed words (stemmed, accent-folded, stop words
removed, exactly as the index analyses text) appear consecutively in a release of
that language; a match in the title scores 2, in the body 1, and a topic is
assigned when its score reaches the topic's ``min_score`` (default 1).  A keyword the file
writes in quotes matches only as written (each word in its singular or plural, case and
accents aside), as a quoted phrase is searched: "trata de personas" is not "tratadas como
personas", whose stems are the same.

Scores count distinct evidence: keyword matches of one topic that overlap ("trata y
tráfico" and "tráfico de personas" in "trata y tráfico de personas") are one match, and
words inside the names of ``data/topic_exclusions.toml`` (agencies, councils, coalitions:
"Consejo Nacional contra la Trata de Personas") count for no topic.
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .analysis import _TOKEN, LANGUAGES, analyzer, fold, number_forms, terms, terms_and_words

TITLE_WEIGHT = 2
BODY_WEIGHT = 1


def exclusions_file() -> Path:
    """Names that hold a topic's keywords but are not about the topic (``TOPIC_EXCLUSIONS_FILE``,
    default ``data/topic_exclusions.toml``)."""
    value = os.environ.get("TOPIC_EXCLUSIONS_FILE")
    return Path(value).expanduser() if value else config.DATA_DIR / "topic_exclusions.toml"


def source_files() -> tuple[Path, ...]:
    """The editable files topics are assigned by."""
    return config.topics_file(), exclusions_file()


@dataclass
class Topic:
    id: str
    labels: dict[str, str]
    descriptions: dict[str, str]
    keywords: dict[str, list[tuple[str, ...]]]
    min_score: int = 1
    # lang -> analysed keyword -> the keyword as the file writes it (for explanations)
    written: dict[str, dict[tuple[str, ...], str]] = field(default_factory=dict)
    # lang -> analysed keyword written in quotes -> the folded forms each of its words may take
    exact: dict[str, dict[tuple[str, ...], tuple[frozenset, ...]]] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Evidence:
    """A keyword match or an excluded name in a release, as ``Taxonomy.explain`` reports it."""

    part: str  # title or body
    text: str
    topic: str | None  # None for an excluded name
    points: int
    keyword: str = ""  # the keyword of the topics file
    why_not: str = ""  # "overlap" (with a counted match of the topic) or "excluded" (inside a name)
    exclusion: str = ""  # for an excluded name: its group and phrase in the exclusions file


@dataclass
class Taxonomy:
    topics: dict[str, Topic]
    # lang -> first analysed word -> [(keyword words, topic id, forms of a quoted keyword or None)],
    # longest first
    _rules: dict[str, dict[str, list[tuple[tuple[str, ...], str, tuple | None]]]] = field(default_factory=dict)
    # lang -> first analysed word -> [(name words, exclusion number)], longest first
    _excluded: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = field(default_factory=dict)
    exclusions: list[tuple[str, str]] = field(default_factory=list)  # (group, name) by number

    @classmethod
    def load(cls, path: Path | None = None, exclusions: Path | None = None) -> "Taxonomy":
        path = path or config.topics_file()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        topics = {}
        for topic_id, entry in data.items():
            missing = [k for k in ("en", "es") if not entry.get(k)]
            if missing:
                raise ValueError(f"{path}: topic {topic_id!r} lacks a label in {', '.join(missing)}")
            keywords: dict[str, list[tuple[str, ...]]] = {}
            written: dict[str, dict[tuple[str, ...], str]] = {}
            exact: dict[str, dict[tuple[str, ...], tuple[frozenset, ...]]] = {}
            for lang in LANGUAGES:
                written[lang], exact[lang], keywords[lang] = {}, {}, []
                for keyword in entry.get(f"keywords_{lang}", []):
                    quoted = len(keyword) > 1 and keyword[0] == keyword[-1] == '"'
                    found, words = terms_and_words(keyword.strip('"'), lang)
                    phrase = tuple(found)
                    if not phrase:
                        continue
                    written[lang].setdefault(phrase, keyword)
                    keywords[lang].append(phrase)
                    if quoted:
                        exact[lang][phrase] = tuple(frozenset(number_forms(word)) for word in words)
            topics[topic_id] = Topic(
                id=topic_id,
                labels={lang: entry[lang] for lang in LANGUAGES},
                descriptions={lang: entry.get(f"description_{lang}", "") for lang in LANGUAGES},
                keywords=keywords,
                min_score=int(entry.get("min_score", 1)),
                written=written,
                exact=exact,
            )
        taxonomy = cls(topics=topics, exclusions=load_exclusions(exclusions))
        for lang in LANGUAGES:
            index: dict[str, list] = {}
            for topic in topics.values():
                for phrase in topic.keywords[lang]:
                    index.setdefault(phrase[0], []).append((phrase, topic.id, topic.exact[lang].get(phrase)))
            # The longest match at a position is the one counted (and the one explained).
            taxonomy._rules[lang] = {w: sorted(r, key=lambda r: -len(r[0])) for w, r in index.items()}
            names: dict[str, list] = {}
            for number, (_, name) in enumerate(taxonomy.exclusions):
                phrase = tuple(terms(name, lang))
                if phrase:
                    names.setdefault(phrase[0], []).append((phrase, number))
            taxonomy._excluded[lang] = {w: sorted(n, key=lambda n: -len(n[0])) for w, n in names.items()}
        return taxonomy

    def assign(self, title: str, body: str, lang: str, title_lang: str | None = None) -> list[str]:
        """Topic ids for a release, in taxonomy order.  ``title_lang``: the language the title is
        written in, when not the body's (its keywords are those of its own language)."""
        scores: dict[str, int] = {}
        for text, weight, text_lang in ((title, TITLE_WEIGHT, title_lang or lang), (body, BODY_WEIGHT, lang)):
            found, words = terms_and_words(text, text_lang)
            for _, _, topic_id, why_not in self._found(found, text_lang, words):
                if topic_id and not why_not:
                    scores[topic_id] = scores.get(topic_id, 0) + weight
        return [t for t, topic in self.topics.items() if scores.get(t, 0) >= topic.min_score]

    def explain(
        self, title: str, body: str, lang: str, title_lang: str | None = None
    ) -> tuple[list[str], dict[str, int], list[Evidence]]:
        """What ``assign`` decides and why: the topics, each topic's score, and every keyword
        match and excluded name, in the order they stand."""
        scores: dict[str, int] = {}
        evidence = []
        for part, text, weight, text_lang in (
            ("title", title, TITLE_WEIGHT, title_lang or lang),
            ("body", body, BODY_WEIGHT, lang),
        ):
            matches = list(_TOKEN.finditer(text))
            # (term, index of its word)
            analysed = analyzer(text_lang).items[0]._analyse([m.group() for m in matches])
            words = [term for term, _ in analysed]
            written = [fold(matches[index].group()) for _, index in analysed]
            for i, end, topic_id, why_not in self._found(words, text_lang, written):
                shown = text[matches[analysed[i][1]].start() : matches[analysed[end - 1][1]].end()]
                if isinstance(why_not, int):  # an excluded name (no topic): its number
                    group, name = self.exclusions[why_not]
                    evidence.append(Evidence(part, shown, None, 0, exclusion=f"[{group}] \u201c{name}\u201d"))
                    continue
                assert topic_id is not None  # every other match is a topic's keyword
                points = 0 if why_not else weight
                scores[topic_id] = scores.get(topic_id, 0) + points
                keyword = self.topics[topic_id].written[text_lang].get(tuple(words[i:end]), "")
                evidence.append(Evidence(part, shown, topic_id, points, keyword, why_not or ""))
        chosen = [t for t, topic in self.topics.items() if scores.get(t, 0) >= topic.min_score]
        return chosen, scores, evidence

    def _found(
        self, words: list[str], lang: str, written: list[str] | None = None
    ) -> list[tuple[int, int, str | None, str | int | None]]:
        """``(first word, after last word, topic, why not counted)`` of each keyword match in
        ``words`` (analysed terms; ``written``: the folded word each comes from, which a quoted
        keyword's words must be), and ``(first, after last, None, exclusion number)`` of each
        excluded name.

        A match is not counted ("overlap") when it overlaps a match of the same topic already
        counted or passed over, and not counted ("excluded") when it holds a word of an
        excluded name.
        """
        found: list = []
        blocked: set[int] = set()
        names = self._excluded.get(lang)
        if names and not names.keys().isdisjoint(words):
            after = 0
            for i in [i for i, word in enumerate(words) if word in names]:
                if i < after:
                    continue
                for phrase, number in names[words[i]]:
                    if tuple(words[i : i + len(phrase)]) == phrase:
                        found.append((i, i + len(phrase), None, number))
                        blocked.update(range(i, i + len(phrase)))
                        after = i + len(phrase)
                        break
        rules = self._rules.get(lang, {})
        reach: dict[str, int] = {}  # topic -> the end of its last match, counted or not
        for i, word in enumerate(words):
            candidates = rules.get(word)
            if not candidates:
                continue
            for phrase, topic_id, forms in candidates:
                end = i + len(phrase)
                if tuple(words[i:end]) != phrase:
                    continue
                if forms is not None and (
                    written is None or any(w not in f for w, f in zip(written[i:end], forms, strict=True))
                ):
                    continue
                if blocked and not blocked.isdisjoint(range(i, end)):
                    why_not = "excluded"
                elif i < reach.get(topic_id, 0):
                    why_not = "overlap"
                else:
                    why_not = None
                reach[topic_id] = max(reach.get(topic_id, 0), end)
                found.append((i, end, topic_id, why_not))
        if blocked:
            found.sort(key=lambda f: (f[0], f[2] is not None))
        return found


def load_exclusions(path: Path | None = None) -> list[tuple[str, str]]:
    """``(group, name)`` of every name of the exclusions file."""
    path = path or exclusions_file()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return [
        (group, name) for group, entry in data.items() if isinstance(entry, dict) for name in entry.get("names", [])
    ]
