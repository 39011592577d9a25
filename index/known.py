"""What a generation knows of the source records it was built from, for the next incremental build.

Every generation keeps, for each release it holds, what reading and enriching it gave:
id, language, date, translation key, countries, topics, pair, content hash and the hash
of its source fields (see ``Enricher``), together with where it came from: the format
and a hash of the raw bytes of its source (a JSON Lines line, an HTML file, a listing
file).  An incremental build hashes the raw records first; a record whose bytes the live
generation was built from, with the same places and topics files and the same readers,
becomes an :class:`~index.records.Unread` release: nothing of it is decoded, parsed,
cleaned or enriched again.

Only records that went in cleanly are known: a rejected record, or one with a warning,
is read again (and reported again) on every run.  A listing file is known only as a
whole, when all of its releases went in.

Translation pairs stay exact: pairing is decided within groups (releases sharing a
translation key; releases without one sharing a date), so a group whose members are
all unchanged, with none gone since the last build, pairs as it did; every other group
is paired again, its unchanged members read in full (their figures break ties).
"""

import marshal
from pathlib import Path

from .records import Unread

FILE = "known.bin"
# Bump when a reader, the cleaning or the enrichment changes what a record becomes.
VERSION = 1

# An entry: (id, lang, date as an ordinal, translation key, countries, topics, source hash,
# pair, content hash, line, language detected).
_ID, _DAY, _KEY, _PAIR, _HASH, _LINE = 0, 2, 3, 7, 8, 9


class Known:
    """The releases of one generation, as entries, by format and raw-source hash."""

    def __init__(self, fingerprint: str = "", groups=(), loose=()):
        self.fingerprint = fingerprint
        self.groups = groups  # [(format, raw hash, [entries in source order])]
        self.loose = loose  # entries of releases with no recognisable origin
        self._by_format: dict[str, dict[bytes, tuple]] | None = None

    # --- reading -------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: Path | None, fingerprint: str) -> "Known":
        """What ``directory``'s generation knows, or nothing when it was built with other
        places or topics files, by other readers, or when the file is missing or damaged."""
        if directory is None:
            return cls(fingerprint)
        try:
            data = marshal.loads((directory / FILE).read_bytes())
            if (data["version"], data["fingerprint"]) != (VERSION, fingerprint):
                return cls(fingerprint)
            return cls(fingerprint, data["groups"], data["loose"])
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            return cls(fingerprint)

    def __bool__(self) -> bool:
        return bool(self.groups or self.loose)

    def entries(self):
        for _, _, entries in self.groups:
            yield from entries
        yield from self.loose

    def lookup(self, fmt: str) -> dict[bytes, tuple]:
        """Raw-source hash -> its group ``(format, hash, entries of the releases read from it)``."""
        if self._by_format is None:
            self._by_format = {}
            for group in self.groups:
                self._by_format.setdefault(group[0], {})[group[1]] = group
        return self._by_format.get(fmt, {})

    def enrichment(self) -> "_Enrichment":
        """Release id -> [source hash, countries, topics], for ``Enricher.cache`` (built when
        first asked: an incremental build with nothing new to enrich never needs it)."""
        return _Enrichment(self)

    def hashes(self) -> dict[str, str]:
        """Release id -> content hash: what the generation's hashes file holds."""
        return {e[_ID]: e[_HASH] for e in self.entries()}

    # --- writing -------------------------------------------------------------------------
    @staticmethod
    def save(directory: Path, fingerprint: str, releases, hashes: dict[str, str]) -> None:
        groups, loose = [], []
        several: dict[tuple, list] = {}
        for r in releases:
            if type(r) is Unread and r.pair == r.entry[_PAIR] and r.line == r.entry[_LINE]:
                if len(r.group[2]) == 1:  # as it was: the group is kept as it is
                    groups.append(r.group)
                    continue
                entry = r.entry
            else:
                entry = (r.id, r.lang, r.day, r.translation_key, list(r.countries or ()), list(r.topics or ()),
                         r.source_hash, r.pair, hashes[r.id], r.line, r.lang_detected)
            origin = r.origin
            if origin is None:
                loose.append(entry)
            elif origin[3] == 1:
                groups.append((origin[0], origin[1], [entry]))
            else:
                several.setdefault(origin[:2], []).append((origin[2], origin[3], entry))
        for (kind, key), members in several.items():
            count = members[0][1]
            if sorted(m[0] for m in members) == list(range(count)):
                groups.append((kind, key, [m[2] for m in sorted(members, key=lambda m: m[0])]))
            else:  # some of the source's releases did not go in (duplicates): read it again next time
                loose.extend(m[2] for m in members)
        data = {"version": VERSION, "fingerprint": fingerprint, "groups": groups, "loose": loose}
        (directory / FILE).write_bytes(marshal.dumps(data))

    # --- pairing -------------------------------------------------------------------------
    def settle(self, releases: list) -> tuple[list, set]:
        """The releases with every :class:`Unread` one whose pair may change read in full,
        and the dates (ordinals) whose automatic pairing stands as the last build left it.

        A group (a translation key, or a date for releases without one) must be paired
        again when one of its releases is new or changed, or one it had is gone or changed.
        """
        unread: set[str] = set()
        open_groups: set = set()
        for r in releases:
            if type(r) is Unread:
                unread.add(r.id)
            else:
                open_groups.add(r.translation_key or r.day)
        for e in self.entries():
            if e[_ID] not in unread:
                open_groups.add(e[_KEY] or e[_DAY])
        settled_dates = set()
        out = []
        for r in releases:
            if type(r) is Unread:
                group = r.translation_key or r.day
                if group in open_groups:
                    r = r.read()
                elif not r.translation_key:
                    settled_dates.add(group)
            out.append(r)
        return out, settled_dates


class _Enrichment:
    def __init__(self, known: Known):
        self.known, self.table = known, None

    def get(self, release_id: str, default=None):
        if self.table is None:
            self.table = {e[_ID]: [e[6], e[4], e[5]] for e in self.known.entries()}
        return self.table.get(release_id, default)


def read_changed_pairs(releases: list) -> list:
    """Releases whose pair differs from the one they were hashed with, read in full (a safety net:
    :meth:`Known.settle` reads every release whose pair can change beforehand)."""
    return [r.read() if type(r) is Unread and r.pair != r.entry[_PAIR] else r for r in releases]
