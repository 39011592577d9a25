"""Enrichment at index time: countries, topics, translation pairs, and checks of explicit values."""

from dataclasses import dataclass

from .pairing import PairReport, pair_releases
from .places import Gazetteer, country_codes
from .records import Rejected, Release
from .topics import Taxonomy


@dataclass
class Enricher:
    gazetteer: Gazetteer
    taxonomy: Taxonomy

    @classmethod
    def load(cls) -> "Enricher":
        return cls(Gazetteer.load(), Taxonomy.load())

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
