"""Writing a generation's table of known source records (``known.bin``, read by
:class:`index.known.Known`): the rows of unchanged releases gathered from the table they were
read from, column by column, and only the other rows made anew."""

import marshal
from array import array
from itertools import compress, count, pairwise
from operator import itemgetter, sub
from pathlib import Path

from .known import _NO_DIGEST, _NO_KEY, DIGEST_SIZE, FILE, FORMATS, RAW_HASH, VERSION
from .records import Unread


def save(directory: Path, fingerprint: str, releases: list, hashes: dict[str, str], places=None) -> None:
    """Write the table of ``releases`` (see ``table``) into ``directory``."""
    (directory / FILE).write_bytes(table(fingerprint, releases, hashes, places))


def table(fingerprint: str, releases: list, hashes: dict[str, str], places=None) -> bytes:
    """The table of ``releases``, as the file holds it.  ``Unread`` ones take their rows from
    the table they were read from, gathered column by column; only the other rows are made
    anew."""
    old = next((r.known for r in releases if type(r) is Unread), None)
    rows = [r.row for r in releases]  # -1 for a release read in full (``Release.row``)
    fresh = _positions_of(rows, -1) if old is not None else list(range(len(rows)))
    runs = _runs(rows, fresh)
    gather = _gatherer(rows, runs)
    code = {name: number for number, name in enumerate(FORMATS)}

    def column(name, of_release):
        values = gather(old.column(name)) if old is not None else [None] * len(releases)
        for position in fresh:
            values[position] = of_release(releases[position])
        return values

    def origin(part, default):
        return lambda r: r.origin[part] if r.origin else default

    def digests(name, of_release):  # a column of hashes, as one bytes string
        made = {position: _digest_bytes(of_release(releases[position])) for position in fresh}
        return _gather_fixed(old.digests(name) if old is not None else b"", runs, made, DIGEST_SIZE)

    formats = column("formats", lambda r: code[r.origin[0]] if r.origin else 0)
    raw = column("raw_keys", origin(1, _NO_KEY))
    index = column("index", origin(2, 0))
    counts = column("count", origin(3, 0))
    _drop_incomplete(formats, raw, index, counts)
    columns = {
        "version": VERSION,
        "fingerprint": fingerprint,
        "raw_hash": RAW_HASH,
        "n": len(releases),
        "ids": "\n".join(column("ids", lambda r: r.id)),
        "langs": "\n".join(column("langs", lambda r: r.lang)),
        "days": array("i", column("days", lambda r: r.day)).tobytes(),
        "keys": "\n".join(column("keys", lambda r: r.translation_key)),
        "pairs": "\n".join(column("pairs", lambda r: r.pair)),  # an unread release's pair is unchanged
        "hashes": digests("hashes", lambda r: hashes[r.id]),
        "source_hashes": digests("source_hashes", lambda r: r.source_hash),
        "countries": "\n".join(column("countries", lambda r: ",".join(r.countries or ()))),
        "topics": "\n".join(column("topics", lambda r: ",".join(r.topics or ()))),
        "lines": array("i", [r.line for r in releases]).tobytes(),
        "detected": bytes(column("detected", lambda r: bool(r.lang_detected))),
        "formats": bytes(formats),
        "raw": raw,
        "index": array("i", index).tobytes(),
        "count": array("i", counts).tobytes(),
        "sizes": array("i", [r.raw_size for r in releases]).tobytes(),  # what the readers found
        "blocks": _whole_blocks(releases, formats),
        "places": places,
    }
    return marshal.dumps(columns)


def _whole_blocks(releases: list, formats: list) -> list[tuple]:
    """(row, lines, bytes, hash) for each block of lines a reader found (``release.block`` on
    the release of its first line) whose lines all went in, each as a release on the row after
    the one before: a block with a line rejected, left out as a duplicate, or read with a
    warning (no origin) is not kept."""
    jsonl = FORMATS.index("jsonl")
    whole = []
    for position in [p for p, r in enumerate(releases) if r.block is not None]:
        first = releases[position]
        lines, span, digest = first.block
        last = position + lines - 1
        if (
            last < len(releases)
            and releases[last].source == first.source
            and releases[last].line == first.line + lines - 1
            and formats[position : last + 1].count(jsonl) == lines
        ):
            whole.append((position, lines, span, digest))
    return whole


def _positions_of(values: list, value) -> list[int]:
    """Where ``value`` is in ``values``, found in C (a few releases read in full among many
    unread: a comprehension over every position took longer)."""
    positions = []
    find = values.index
    try:
        at = find(value)
        while True:
            positions.append(at)
            at = find(value, at + 1)
    except ValueError:
        return positions


def _runs(rows: list[int], fresh: list[int]) -> list[tuple[int, int, int]]:
    """(position, first row, length) for each run of consecutive rows in ``rows``; each
    position in ``fresh`` (a release without a row, -1) is a run of its own.  Found in C:
    a run starts wherever a row is not the one before it plus one."""
    n = len(rows)
    if not n:
        return []
    starts = set(compress(count(1), map((1).__ne__, map(sub, rows[1:], rows[:-1]))))
    starts.add(0)
    starts.update(fresh)
    starts.update(position + 1 for position in fresh if position + 1 < n)
    ordered = sorted(starts)
    return [(start, rows[start], end - start) for start, end in pairwise(ordered + [n])]


def _gather_fixed(table: bytes, runs: list, made: dict[int, bytes], size: int) -> bytes:
    """The ``size``-byte records of ``table`` at the runs' rows, end to end, with the record
    ``made`` for the position of each release without a row."""
    return b"".join(
        made[position] if row < 0 else table[row * size : (row + length) * size] for position, row, length in runs
    )


def _digest_bytes(text: str) -> bytes:
    """A hash shown in hex as its bytes (an unknown hash as bytes that match none)."""
    try:
        value = bytes.fromhex(text)
    except (TypeError, ValueError):
        return _NO_DIGEST
    return value if len(value) == DIGEST_SIZE else _NO_DIGEST


def _gatherer(rows: list[int], runs: list):
    """A function taking a column's list to the values at ``rows`` (-1: a placeholder), as a list:
    by slices of the runs of consecutive rows, or when there are many runs (the source's
    records reordered) by one ``itemgetter``."""
    if len(runs) <= len(rows) // 16 + 1:

        def gather(values):
            out: list = []
            for _position, row, length in runs:
                if row < 0:
                    out.append(None)
                else:
                    out += values[row : row + length]
            return out

        return gather
    pick = itemgetter(*[row if row >= 0 else 0 for row in rows])  # at least two rows here (one run each)
    return lambda values: list(pick(values))


def _drop_incomplete(formats: list, raw: list, index: list, count: list) -> None:
    """Forget the origin of the releases of a source some of whose releases did not go in
    (duplicates), or not on consecutive rows in order: that source is read again next time."""
    if not count or max(count) < 2:
        return
    groups: dict[tuple, list[int]] = {}
    for position, n in enumerate(count):
        if n > 1:
            groups.setdefault((formats[position], raw[position]), []).append(position)
    for positions in groups.values():
        n, first = count[positions[0]], positions[0]
        if positions != list(range(first, first + n)) or [index[p] for p in positions] != list(range(n)):
            for p in positions:
                formats[p], raw[p], index[p], count[p] = 0, _NO_KEY, 0, 0
