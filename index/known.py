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

The file is a table in columns (one string, array or list per field), which loads and
saves several times faster than a table of one tuple per release (docs/benchmarks.md,
"Measurements behind design choices"): a small incremental build must not spend its time
on the releases it leaves alone.  It also holds each release's content hash, for the comparison
with the sources.  The content and source hashes
are kept as their 16 bytes, end to end: half the size of their hexadecimal text, and a
build reads only the few it compares, and copies the rest in runs of consecutive rows.

A JSON Lines file is also known by blocks of lines (``readers.jsonl.BLOCK`` of them, the
last block of a file shorter): for each block whose lines all went in, the row of its
first line, its number of lines, its length in bytes and the hash of its bytes, and for
each row the length of its line.  The next build recognises an unchanged block by one
hash, without finding its line breaks and hashing its lines one by one.
"""

import marshal
from array import array
from collections.abc import Mapping
from pathlib import Path

from xxhash import xxh3_128_digest

FILE = "known.bin"
# Bump when a reader, the cleaning or the enrichment changes what a record becomes,
# or when this file's layout changes.
VERSION = 5
FORMATS = ("", "jsonl", "html", "listing")  # the format of each row's origin, by number; "" for none
_TEXT = ("ids", "langs", "keys", "pairs", "countries", "topics")
# The content hash and the source hash of each row (``records.field_hash``: 16 bytes, shown as hex)
_DIGESTS = ("hashes", "source_hashes")
DIGEST_SIZE = 16
_NO_DIGEST = bytes(DIGEST_SIZE)  # a row whose hash is unknown (it matches no real one)
# Releases looked up by id by scanning the ids (a few changed releases) before the table
# of every id is built (which takes longer than a few scans).
_SCANS = 16

# The hash of a raw source record (a line's bytes, a file's bytes).  XXH3 reads memory many
# times faster than SHA-256: hashing every line of a large archive with SHA-256 was most of a
# small incremental build's time.  128 bits make an accidental match of a changed record beyond
# reach; it is not a defence against records crafted to collide (whoever can write the
# sources can change the archive anyway).  A table whose keys were made by another hash
# (``RAW_HASH``) recognises no record: every one is read again, once.
RAW_HASH = "xxh3_128"
raw_key = xxh3_128_digest
RAW_KEY_SIZE = 16
_NO_KEY = bytes(RAW_KEY_SIZE)


class Known:
    """The releases of one generation: a row per release, in the order they were read.

    ``usable`` is false when the generation was built with other places or topics files
    (its enrichment and its rows are then no guide); its content hashes still are.
    """

    def __init__(self, columns: dict | None = None, usable: bool = False):
        self.loaded = bool(columns)
        self.usable = self.loaded and usable
        # Whether the raw-source hashes can be compared with this build's (see RAW_HASH)
        self.raw_usable = self.usable and self._columns_hash(columns) == RAW_HASH
        self.n = columns["n"] if columns else 0
        self._columns = columns or {}
        self._split: dict[str, list] = {}
        self._lookup: dict[str, dict[bytes, int]] | None = None
        self._positions: dict[str, int] | None = None
        self._scanned: dict[str, int | None] = {}  # the ids found by scanning, and their rows
        self._raw_scans = 0  # raw keys looked up by scanning (see raw_row)
        self._blocks: dict[int, tuple] | None = None
        self._firsts: dict[str, bytes] = {}

    @staticmethod
    def _columns_hash(columns: dict | None) -> str:
        return (columns or {}).get("raw_hash", "sha256")  # a table from before the field: SHA-256

    @classmethod
    def load(cls, directory: Path | None, fingerprint: str) -> "Known":
        """What ``directory``'s generation knows (nothing when the file is missing, damaged
        or of another version)."""
        if directory is None:
            return cls()
        try:
            columns = marshal.loads((directory / FILE).read_bytes())
            if columns["version"] != VERSION:  # written by another version: the build is made in full
                return cls()
            known = cls(columns, columns["fingerprint"] == fingerprint)
            n = known.n
            for name in _TEXT:  # every column has a row per release
                if (columns[name].count("\n") + 1 if n else len(columns[name])) != n:
                    return cls()
            if any(len(columns[name]) != n * DIGEST_SIZE for name in _DIGESTS) or len(columns["raw"]) != n:
                return cls()
            if len(columns["sizes"]) != 4 * n or not isinstance(columns["blocks"], list):
                return cls()
            if n and set(map(len, columns["raw"])) != {RAW_KEY_SIZE}:  # keys of another size: none is recognised
                known.raw_usable = False
            return known
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            return cls()

    def __bool__(self) -> bool:
        return self.usable and self.n > 0

    def column(self, name: str) -> list:
        """A column as a list (made from the file's string or array when first asked for)."""
        values = self._split.get(name)
        if values is None:
            if name == "raw_keys":  # the raw-source hashes, RAW_KEY_SIZE bytes each
                values = self._columns["raw"]
            elif name in _TEXT:
                values = self._columns[name].split("\n") if self.n else []
            elif name in ("days", "lines", "index", "count", "sizes"):
                values = array("i", self._columns[name]).tolist()
            else:  # formats, detected: a byte per row
                values = list(self._columns[name])
            self._split[name] = values
        return values

    def row_columns(self) -> tuple:
        """The columns an :class:`Unread` release takes its fields from."""
        return tuple(self.column(name) for name in ("ids", "langs", "days", "keys", "pairs"))

    def digest(self, name: str, row: int) -> str:
        """A row's content hash (``name`` "hashes") or source hash ("source_hashes"), in hex."""
        return self._columns[name][row * DIGEST_SIZE : (row + 1) * DIGEST_SIZE].hex()

    # --- one row -------------------------------------------------------------------------
    def countries(self, row: int) -> list[str]:
        text = self.column("countries")[row]
        return text.split(",") if text else []

    def topics(self, row: int) -> list[str]:
        text = self.column("topics")[row]
        return text.split(",") if text else []

    def origin(self, row: int) -> tuple | None:
        fmt = FORMATS[self._columns["formats"][row]]
        if not fmt:
            return None
        return fmt, self.column("raw_keys")[row], self.column("index")[row], self.column("count")[row]

    # --- lookups -------------------------------------------------------------------------
    def lookup(self, fmt: str) -> dict[bytes, int]:
        """Raw-source hash -> the row of the first release read from it, for one format
        (a listing file's releases are on consecutive rows)."""
        if self._lookup is None:
            self._lookup = {name: {} for name in FORMATS[1:]}
            if self.raw_usable and self.n:
                formats, index, keys = self._columns["formats"], self.column("index"), self.column("raw_keys")
                if formats.count(formats[0]) == self.n and formats[0] and not any(index):
                    self._lookup[FORMATS[formats[0]]] = dict(
                        zip(keys, range(self.n), strict=True)
                    )  # one format, as usual
                else:
                    tables = [None] + [self._lookup[name] for name in FORMATS[1:]]
                    for row in range(self.n):
                        if formats[row] and not index[row]:
                            tables[formats[row]][keys[row]] = row
        return self._lookup.get(fmt, {})

    def raw_row(self, fmt: str, key: bytes) -> int | None:
        """``lookup(fmt).get(key)``, found by scanning the keys for the first few records asked
        for (a few changed records, found nowhere, take less than the table of every key)."""
        if not self.raw_usable:
            return None
        if self._lookup is None and self._raw_scans < _SCANS:
            self._raw_scans += 1
            try:
                row = self.column("raw_keys").index(key)
            except ValueError:
                return None
            if self.firsts(fmt)[row]:
                return row
        return self.lookup(fmt).get(key)

    def firsts(self, fmt: str) -> bytes:
        """A byte per row: 1 where the row is the first release of a source of format ``fmt``
        (the rows ``lookup`` finds)."""
        if fmt not in self._firsts:
            formats, index, code = self._columns["formats"], self.column("index"), FORMATS.index(fmt)
            if self.n and formats.count(code) == self.n and not any(index):  # one format, as usual
                self._firsts[fmt] = b"\x01" * self.n
            else:
                self._firsts[fmt] = bytes(f == code and not i for f, i in zip(formats, index, strict=True))
        return self._firsts[fmt]

    def blocks(self) -> dict[int, tuple]:
        """The row of the first line of each block of JSON Lines lines -> (lines, length in
        bytes, hash)."""
        if self._blocks is None:
            self._blocks = {}
            if self.raw_usable:
                sizes = self.column("sizes")
                for first, lines, span, digest in self._columns["blocks"]:
                    # A block whose lines' lengths do not add up to its own is not used.
                    if (
                        0 <= first
                        and lines > 0
                        and first + lines <= self.n
                        and sum(sizes[first : first + lines]) + lines - 1 == span
                    ):
                        self._blocks[first] = (lines, span, digest)
        return self._blocks

    def row_of(self, release_id: str) -> int | None:
        if self._positions is None:
            if release_id in self._scanned:  # asked before (the enrichment, then the comparison)
                return self._scanned[release_id]
            if len(self._scanned) < _SCANS:
                try:
                    row = self.column("ids").index(release_id)
                except ValueError:
                    row = None
                self._scanned[release_id] = row
                return row
            self._positions = dict(zip(self.column("ids"), range(self.n), strict=True))
        return self._positions.get(release_id)

    def enrichment(self) -> "_Enrichment":
        """Release id -> [source hash, countries, topics], for ``Enricher.cache``."""
        return _Enrichment(self if self.usable else Known())

    def places(self):
        """The gazetteer the generation's build saved (see ``Enricher.places_state``), or None."""
        return self._columns.get("places")

    def held(self) -> "_Held":
        """Release id -> content hash, for every release of the generation, as a mapping that
        finds a hash when asked for it (a build compares only the releases it read)."""
        return _Held(self)

    def digests(self, name: str) -> bytes:
        """A column of hashes as the file holds it: ``DIGEST_SIZE`` bytes per row, end to end."""
        return self._columns[name]


class _Enrichment(Mapping):
    """Release id -> [source hash, countries, topics], for every release of a table (see
    :meth:`Known.enrichment`)."""

    def __init__(self, known: Known):
        self.known = known

    def get(self, release_id: str, default=None):
        row = self.known.row_of(release_id) if self.known.n else None
        if row is None:
            return default
        return [self.known.digest("source_hashes", row), self.known.countries(row), self.known.topics(row)]

    def __getitem__(self, release_id: str) -> list:
        found = self.get(release_id)
        if found is None:
            raise KeyError(release_id)
        return found

    def __iter__(self):
        return iter(self.known.column("ids"))

    def __len__(self) -> int:
        return self.known.n


class _Held(Mapping):
    """Release id -> content hash, for every release of a table (see :meth:`Known.held`)."""

    def __init__(self, known: Known):
        self.known = known

    def __getitem__(self, release_id: str) -> str:
        row = self.known.row_of(release_id) if self.known.n else None
        if row is None:
            raise KeyError(release_id)
        return self.known.digest("hashes", row)

    def __contains__(self, release_id) -> bool:
        return bool(self.known.n) and self.known.row_of(release_id) is not None

    def __iter__(self):
        return iter(self.known.column("ids"))

    def __len__(self) -> int:
        return self.known.n
