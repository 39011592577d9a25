"""Enrichment at index time: countries, topics, translation pairs, and checks of explicit values."""

import hashlib
import inspect
import json
from collections.abc import Mapping
from pathlib import Path

from . import config, forked, known_pairs
from .known import Known
from .language import title_language
from .pairing import PairReport, pair_releases, pairing_sources
from .places import Gazetteer, country_codes
from .records import Rejected, Release, Unread, field_hash
from .topics import Taxonomy

CACHE_FILE = "enrichment.json"


class Enricher:
    """Countries and topics for releases; the places and topics files are loaded when a
    release first needs them (an incremental build may have none to enrich)."""

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        taxonomy: Taxonomy | None = None,
        fingerprint: str = "",
        cache: Mapping[str, list] | None = None,
        places_key: str = "",
    ):
        self._gazetteer = gazetteer
        self._taxonomy = taxonomy
        self._codes: frozenset | None = None
        self.fingerprint = fingerprint  # of the places and topics files: cached enrichment is valid only with the same
        # release id -> [source hash, countries, topics]
        self.cache: Mapping[str, list] = cache if cache is not None else {}
        # The gazetteer as a previous build made it, valid while places_key is the same.
        self.places_key = places_key
        self._places_state: tuple | None = None

    @classmethod
    def load(cls) -> "Enricher":
        from . import places, topics

        digest = hashlib.sha256()
        for path in (*places.source_files(), *topics.source_files(), *pairing_sources()):
            digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(places.source_versions().encode())  # the packages the gazetteer takes names from
        # The code that applies those files' rules: releases tagged by other rules are tagged again.
        for module in (places, topics):
            digest.update(Path(inspect.getfile(module)).read_bytes())
        fingerprint = digest.hexdigest()[:16]
        # The gazetteer is made from the places files, Babel's country names, the packages and places.py.
        from babel import __version__ as babel_version

        places_key = hashlib.sha256(
            b"\x00".join([fingerprint.encode(), babel_version.encode(), Path(inspect.getfile(places)).read_bytes()])
        ).hexdigest()[:16]
        return cls(fingerprint=fingerprint, places_key=places_key)

    def use_places(self, saved) -> None:
        """Take the gazetteer a previous build saved (``places_state()``), when made from the
        same places file, Babel and code: loading Babel's country names takes longer than a
        small incremental build spends enriching."""
        if saved and saved[0] == self.places_key:
            self._places_state = saved[1]

    def places_state(self) -> tuple | None:
        """What ``use_places`` takes, for the next build (when this one has it)."""
        if self._gazetteer is None and self._places_state is None:
            return None
        g = self.gazetteer
        return self.places_key, (g.state(), frozenset(self.codes))

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None and self._places_state is not None:
            state, codes = self._places_state
            self._gazetteer = Gazetteer(*state)
            self._codes = codes
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    @property
    def codes(self) -> frozenset:
        """The ISO 3166-1 alpha-2 codes explicit countries may use."""
        if self._codes is None and self._places_state is not None:
            _ = self.gazetteer  # made from the saved state, which holds the codes too
        if self._codes is None:
            self._codes = country_codes()
        return self._codes

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            self._taxonomy = Taxonomy.load()
        return self._taxonomy

    def use_cache(self, directory: Path | None) -> None:
        """Reuse the countries and topics a previous build found for releases that have not
        changed (from the file of generations built before ``index.known`` existed)."""
        if directory is None:
            return
        try:
            data = json.loads((directory / CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if data.get("fingerprint") == self.fingerprint:
            self.cache = data.get("releases", {})

    def check(self, release: Release) -> str | None:
        """Why an explicit country or topic is not acceptable, or None."""
        unknown = [c for c in release.countries or () if c not in self.codes]
        if unknown:
            return (
                f"unknown country code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} (use ISO 3166-1 alpha-2)"
            )
        unknown = [t for t in release.topics or () if t not in self.taxonomy.topics]
        if unknown:
            return f"unknown topic{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} (see data/topics.toml)"
        return None

    def enrich(self, release: Release) -> None:
        """Fill countries and topics, unless the source gave them, and the title's language."""
        release.source_hash, release.countries, release.topics, release.title_lang = self.enrichment(release)

    def enrichment(self, release: Release) -> tuple[str, list[str], list[str], str]:
        """A release's source hash, countries and topics (those the source gave, else found),
        and its title's language."""
        source_hash = _source_hash(release)
        title_lang = title_language(release.title, release.lang)
        cached = self.cache.get(release.id)
        if cached and cached[0] == source_hash:
            return source_hash, cached[1], cached[2], title_lang
        countries, topics = release.countries, release.topics
        if countries is None:
            countries = self.gazetteer.tag(release.title, release.body)
        if topics is None:
            topics = self.taxonomy.assign(release.title, release.body, release.lang, title_lang)
        return source_hash, countries, topics, title_lang

    def explain(self, release: Release, indexed: tuple[list[str], list[str]] | None = None) -> list[str]:
        """Why a release is filed under its countries and topics, line by line (``scripts/reindex
        --explain``): every place name and keyword found, where, the points it scored, and the rule
        that passed it over or weighed it.  ``indexed`` is the countries and topics the live index
        holds for it, when the release was read from there."""
        gazetteer, taxonomy = self.gazetteer, self.taxonomy
        tagged, points, mentions = gazetteer.explain(release.title, release.body)
        topics, scores, evidence = taxonomy.explain(
            release.title, release.body, release.lang, title_language(release.title, release.lang)
        )
        lines = [f"{release.id} ({release.lang}, {release.date.isoformat()}): {release.title}", ""]

        def given(field: str, found: list[str]) -> list[str]:
            explicit = getattr(release, field)
            if explicit is not None:
                return [
                    f"  given by the source record: {', '.join(explicit) or 'none'}; these rules are not "
                    f"applied to it and would give: {', '.join(found) or 'none'}"
                ]
            held = indexed[0 if field == "countries" else 1] if indexed else None
            if held is not None and held != found:
                return [
                    f"  the index holds {', '.join(held) or 'none'}: given by the source record, or tagged "
                    "before these rules changed (a reindex applies them)"
                ]
            return []

        w = gazetteer.weights
        lines.append(f"countries: {', '.join(tagged) or 'none'}")
        lines += given("countries", tagged)
        lines.append(
            f"  points: title {_n(w['title'])}, lead {_n(w['lead'])}, body {_n(w['body'])}, "
            f"dateline {_n(w['dateline'])} (once per country), nationality words x{_n(w['nationality'])}; "
            f"tagged at {_n(w['min_score'])} ({config.DATA_DIR.name}/{_rules_name()} [weights])"
        )
        codes = list(dict.fromkeys([*tagged, *points, *(c for m in mentions for c in m.inside)]))
        need = w["min_score"] - 1e-9
        for code in sorted(codes, key=lambda c: (c not in tagged, -points.get(c, 0.0), codes.index(c))):
            total = points.get(code, 0.0)
            state = "tagged" if code in tagged else "not tagged"
            if code in tagged and total < need:
                state += f" (no country reached {_n(w['min_score'])}: the most named is tagged)"
            lines.append(f"  {code}  {state}, {_n(total)} point{'s' if total != 1 else ''}")
            for m in mentions:
                if m.code == code:
                    note = f"+{_n(m.points)}"
                    if m.nationality:
                        note += " nationality word"
                    if m.repeated:
                        note += " (the dateline named this country already)"
                    if m.rule is not None:
                        note += f" by {m.rule.describe()}"
                elif code in m.inside:
                    note = "+0 passed over" + (f" by {m.rule.describe()}" if m.rule is not None else "")
                else:
                    continue
                lines.append(f"      {m.part:<8}  \u201c{m.text}\u201d  {note}")
        lines.append("")
        lines.append(f"topics: {', '.join(topics) or 'none'}")
        lines += given("topics", topics)
        lines.append(
            "  points: a keyword in the title 2, in the body 1; overlapping keywords of a topic count "
            f"once; names in {config.DATA_DIR.name}/topic_exclusions.toml count for no topic"
        )
        seen = [t for t in taxonomy.topics if any(e.topic == t for e in evidence)]
        for topic_id in sorted(seen, key=lambda t: (t not in topics, -scores.get(t, 0))):
            topic, total = taxonomy.topics[topic_id], scores.get(topic_id, 0)
            state = "tagged" if topic_id in topics else "not tagged"
            lines.append(f"  {topic_id}  {state}, {total} point{'s' if total != 1 else ''} (needs {topic.min_score})")
            for e in evidence:
                if e.topic != topic_id:
                    continue
                note = f"+{e.points} keyword \u201c{e.keyword}\u201d"
                if e.why_not == "overlap":
                    note += ", overlaps a match of this topic counted already"
                elif e.why_not == "excluded":
                    note += ", inside an excluded name"
                lines.append(f"      {e.part:<5}  \u201c{e.text}\u201d  {note}")
        names = [e for e in evidence if e.topic is None]
        if names:
            lines.append("  excluded names (their words count for no topic):")
            lines += [f"      {e.part:<5}  \u201c{e.text}\u201d  by topic_exclusions.toml {e.exclusion}" for e in names]
        return lines

    def enrich_all(
        self,
        releases: list[Release | Unread],
        known: Known | None = None,
        procs: int = 1,
        min_slice: int = 1,
        max_slice: int = 0,
        keep=None,
    ) -> tuple[list[Release], list[Rejected], PairReport]:
        """Check and enrich the releases (in up to ``procs`` forked processes at once, each
        slice of at least ``min_slice`` releases and, given ``max_slice``, at most that), then
        pair them.

        ``keep(rejected, accepted)``, given the checks' rejections and the releases that pass,
        returns releases to enrich and pair in place of rejected ones (``index.live``).

        An :class:`Unread` release passed the checks and was enriched by the build that knew
        it (``known``), with the same places and topics files: it is kept as it is, and only
        the translation groups that may pair differently from that build are paired again.
        """
        rejected, todo, bad = [], [], set()
        for release in [r for r in releases if isinstance(r, Release)]:
            problem = self.check(release)
            if problem:
                rejected.append(Rejected(release.source, release.line, problem, release.id))
                bad.add(id(release))
            else:
                todo.append(release)
        kept = [r for r in releases if id(r) not in bad] if bad else list(releases)
        if keep is not None:
            instead = keep(rejected, kept)
            for release in instead:  # as live, but for codes the places and topics files no longer have
                release.countries = [c for c in release.countries or () if c in self.codes]
                release.topics = [t for t in release.topics or () if t in self.taxonomy.topics]
            todo += instead
            kept += instead
        if procs > 1 and len(todo) >= 2 * min_slice:
            _ = self.gazetteer, self.taxonomy  # loaded once, here: the forked processes share them
            title_language(todo[0].title, todo[0].lang)  # and the detector's models, loaded by its first use
            # The titles' languages too: for releases whose countries and topics are cached, most of the work.
            parts = forked.map_slices(
                lambda start, end: [self.enrichment(r) for r in todo[start:end]],
                len(todo),
                procs,
                min_slice,
                max_slice=max_slice,
            )
            for release, found in zip(todo, (found for part in parts for found in part), strict=True):
                release.source_hash, release.countries, release.topics, release.title_lang = found
        else:
            for release in todo:
                self.enrich(release)
        if known:
            kept = known_pairs.settle(known, kept)  # read in full: releases of dates a change touches
        report = pair_releases(kept, known if known else None, procs, min_slice)  # reads in full what else it needs
        return known_pairs.read_changed_pairs(kept), rejected, report


def _n(value: float) -> str:
    """A number of points as staff write it: 4, 0.5."""
    return f"{value:g}"


def _rules_name() -> str:
    from .places import rules_file

    return rules_file().name


def _source_hash(release: Release) -> str:
    """A hash of what a release's source says (before enrichment)."""
    if getattr(release, "source_hash", ""):
        return release.source_hash
    return field_hash(
        release.id,
        release.lang,
        release.date.isoformat(),
        release.title,
        release.body,
        release.countries,
        release.topics,
    )
