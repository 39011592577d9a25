"""Enrichment at index time: countries, topics, translation pairs, and checks of explicit values."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .pairing import PairReport, pair_releases
from .places import Gazetteer, country_codes
from .records import Rejected, Release, field_hash
from . import config
from .topics import Taxonomy

CACHE_FILE = "enrichment.json"


@dataclass
class Enricher:
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    fingerprint: str = ""  # of the places and topics files: cached enrichment is valid only with the same
    cache: dict = field(default_factory=dict)  # release id -> [source hash, countries, topics]

    @classmethod
    def load(cls) -> "Enricher":
        digest = hashlib.sha256()
        for path in (config.places_file(), config.topics_file()):
            digest.update(path.read_bytes() if path.exists() else b"")
        return cls(Gazetteer.load(), Taxonomy.load(), fingerprint=digest.hexdigest()[:16])

    def use_cache(self, directory: Path | None) -> None:
        """Reuse the countries and topics a previous build found for releases that have not changed."""
        if directory is None:
            return
        try:
            data = json.loads((directory / CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if data.get("fingerprint") == self.fingerprint:
            self.cache = data.get("releases", {})

    def save_cache(self, directory: Path, releases: list[Release]) -> None:
        entries = {r.id: [_source_hash(r), r.countries, r.topics] for r in releases}
        (directory / CACHE_FILE).write_text(json.dumps({"fingerprint": self.fingerprint, "releases": entries}),
                                            encoding="utf-8")

    def check(self, release: Release) -> str | None:
        """Why an explicit country or topic is not acceptable, or None."""
        unknown = [c for c in release.countries or () if c not in country_codes()]
        if unknown:
            return f"unknown country code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} (use ISO 3166-1 alpha-2)"
        unknown = [t for t in release.topics or () if t not in self.taxonomy.topics]
        if unknown:
            return f"unknown topic{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} (see data/topics.toml)"
        return None

    def enrich(self, release: Release) -> None:
        """Fill countries and topics, unless the source gave them."""
        release.source_hash = _source_hash(release)
        cached = self.cache.get(release.id)
        if cached and cached[0] == release.source_hash:
            release.countries, release.topics = cached[1], cached[2]
            return
        if release.countries is None:
            release.countries = self.gazetteer.find(f"{release.title}\n{release.body}")
        if release.topics is None:
            release.topics = self.taxonomy.assign(release.title, release.body, release.lang)

    def enrich_all(self, releases: list[Release]) -> tuple[list[Release], list[Rejected], PairReport]:
        kept, rejected = [], []
        for release in releases:
            problem = self.check(release)
            if problem:
                rejected.append(Rejected(release.source, release.line, problem))
                continue
            self.enrich(release)
            kept.append(release)
        return kept, rejected, pair_releases(kept)


def _source_hash(release: Release) -> str:
    """A hash of what a release's source says (before enrichment)."""
    if getattr(release, "source_hash", ""):
        return release.source_hash
    return field_hash(release.id, release.lang, release.date.isoformat(), release.title, release.body,
                      release.countries, release.topics)
