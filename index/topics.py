"""The editable topic taxonomy (``data/topics.toml``) and the rules that assign topics.

Each topic has English and Spanish labels and keyword phrases per language.  A
keyword matches when its analysed words (stemmed, accent-folded, stop words
removed, exactly as the index analyses text) appear consecutively in a release of
that language; a match in the title scores 2, in the body 1, and a topic is
assigned when its score reaches the topic's ``min_score`` (default 1).
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .analysis import LANGUAGES, terms

TITLE_WEIGHT = 2
BODY_WEIGHT = 1


@dataclass
class Topic:
    id: str
    labels: dict[str, str]
    descriptions: dict[str, str]
    keywords: dict[str, list[tuple[str, ...]]]
    min_score: int = 1

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass
class Taxonomy:
    topics: dict[str, Topic]
    # lang -> first analysed word -> [(keyword words, topic id)]
    _rules: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> "Taxonomy":
        path = path or config.topics_file()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        topics = {}
        for topic_id, entry in data.items():
            missing = [k for k in ("en", "es") if not entry.get(k)]
            if missing:
                raise ValueError(f"{path}: topic {topic_id!r} lacks a label in {', '.join(missing)}")
            keywords = {}
            for lang in LANGUAGES:
                phrases = (tuple(terms(k, lang)) for k in entry.get(f"keywords_{lang}", []))
                keywords[lang] = [p for p in phrases if p]
            topics[topic_id] = Topic(
                id=topic_id,
                labels={lang: entry[lang] for lang in LANGUAGES},
                descriptions={lang: entry.get(f"description_{lang}", "") for lang in LANGUAGES},
                keywords=keywords,
                min_score=int(entry.get("min_score", 1)),
            )
        taxonomy = cls(topics=topics)
        for lang in LANGUAGES:
            index: dict[str, list] = {}
            for topic in topics.values():
                for phrase in topic.keywords[lang]:
                    index.setdefault(phrase[0], []).append((phrase, topic.id))
            taxonomy._rules[lang] = index
        return taxonomy

    def assign(self, title: str, body: str, lang: str) -> list[str]:
        """Topic ids for a release, in taxonomy order."""
        scores: dict[str, int] = {}
        for text, weight in ((title, TITLE_WEIGHT), (body, BODY_WEIGHT)):
            self._score(terms(text, lang), lang, weight, scores)
        return [t for t, topic in self.topics.items() if scores.get(t, 0) >= topic.min_score]

    def _score(self, words: list[str], lang: str, weight: int, scores: dict[str, int]) -> None:
        rules = self._rules.get(lang, {})
        for i, word in enumerate(words):
            for phrase, topic_id in rules.get(word, ()):
                if tuple(words[i:i + len(phrase)]) == phrase:
                    scores[topic_id] = scores.get(topic_id, 0) + weight
