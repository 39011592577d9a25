"""JSON Lines sources: one release object per line.

Required: ``id``, ``lang`` (``en``/``es``), ``date`` (ISO), ``title``, ``body``.
Optional: ``summary``, ``url``, ``translation_key``, ``countries`` (ISO 3166 alpha-2
codes), ``topics`` (taxonomy ids).  Explicit countries and topics replace what
enrichment would find.
"""

import codecs
import json
import re
from functools import partial
from itertools import accumulate, repeat
from pathlib import Path

from xxhash import xxh3_128

from ..dates import DateError, parse_stated_date
from ..known import raw_key
from ..records import (
    ID_PATTERN,
    LANGUAGES,
    MAX_BODY,
    MAX_TITLE,
    ReadResult,
    Rejected,
    Release,
    SourceChanged,
    Unread,
    UnreadSource,
    Warning_,
    clean_line,
    clean_text,
    first_paragraph,
    normalize_lang,
    web_address,
)
from .decoding import decode
from .markup import read_field

REQUIRED = ("id", "lang", "date", "title", "body")
OPTIONAL_TEXT = ("summary", "url", "translation_key")
OPTIONAL_LISTS = ("countries", "topics")


class RecordError(ValueError):
    pass


# An id as a broken line still names it (the reindex keeps that release's live version).
_ID_IN_LINE = re.compile(r'"id"\s*:\s*"([^"\\]*)"')


CHUNK = 8 << 20  # bytes read at a time
_next = (1).__add__  # the start of the line after a line break
# Lines to a block: an unchanged block of lines is recognised by one hash (see index.known).
BLOCK = 64


def read(path: Path, known=None) -> ReadResult:
    """The releases of a JSON Lines file; ``known`` (an ``index.known.Known``) lets lines the
    live generation was built from, byte for byte, pass unparsed as :class:`Unread` releases."""
    result = _read_utf8(path, known)
    if result is None:  # not clean UTF-8: decoded as a whole, with its warnings
        text, warnings = decode(path.read_bytes(), str(path))
        result = parse(text, str(path))
        result.warnings[:0] = warnings
    return _as_one_rejection(path, result)


def _as_one_rejection(path: Path, result: ReadResult) -> ReadResult:
    """A file none of whose lines is a JSON object is rejected once, saying what it holds
    instead (a JSON array, objects written over several lines), not once for each line."""
    if result.releases or not result.rejected:
        return result
    if not all(r.reason.startswith(("invalid JSON", "a line must hold one JSON object")) for r in result.rejected):
        return result
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    first = head.split(b"\n", 1)[0].strip()
    if head.startswith(b"["):
        what = "one JSON array"
    elif first == b"{" and len(result.rejected) > 1:  # an object's opening brace on a line of its own: pretty-printed
        what = "JSON objects written over several lines"
    else:  # lines that are each meant as a record: each says what is wrong with it
        return result
    result.rejected = [
        Rejected(
            str(path),
            result.rejected[0].line,
            f"the file holds {what}, not JSON Lines: write each release as one JSON object on a line "
            f"of its own ({len(result.rejected)} line{'s' if len(result.rejected) > 1 else ''} could not be read)",
        )
    ]
    return result


def parse(text: str, source: str) -> ReadResult:
    result = ReadResult()
    for number, line in enumerate(text.split("\n"), 1):
        _parse_line(line, source, number, result)
    return result


def _read_utf8(path: Path, known) -> ReadResult | None:
    """``parse`` for a file that is valid UTF-8 (with or without a BOM), so that each line's
    bytes are hashed and only lines not in ``known`` are parsed.

    None when the file is not valid UTF-8: a file is valid exactly when each of its lines
    is (a line break is never part of a multi-byte character), and then every line decodes
    to what decoding the whole file gives.  The file is read in chunks into one buffer (a
    large archive is hundreds of megabytes, mostly of lines that are only recognised); the
    lines of a chunk are handed to :class:`_Lines`.
    """
    source = str(path)
    result = ReadResult()
    lines = _Lines(result, source, known if known and known.raw_usable else None, path)
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(max(CHUNK, 4))  # room for a byte order mark at least
        view = memoryview(buffer)
        filled, eof = _fill(handle, view, 0)
        base, start = 0, 0  # the file offset of the buffer; where the next line starts in it
        if buffer.startswith(codecs.BOM_UTF8):
            start = len(codecs.BOM_UTF8)
        elif buffer.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        while True:
            cut = filled if eof else buffer.rfind(b"\n", start, filled)  # the chunk's last line ends there
            if cut < 0:  # no line ends in the buffer yet: a longer one than it holds
                tail = filled - start
                if tail == len(buffer):
                    bigger = bytearray(2 * len(buffer))
                    bigger[:tail] = view[start:filled]
                    view.release()
                    buffer, view = bigger, memoryview(bigger)
                else:
                    buffer[:tail] = bytes(view[start:filled])
                base, start = base + start, 0
                filled, eof = _fill(handle, view, tail)
                continue
            if not lines.take(buffer, view, base, start, cut, eof):
                return None
            if eof:
                return result
            # The next chunk: the start of a line still in the buffer, moved to the front, and more.
            start = cut + 1
            tail = filled - start
            buffer[:tail] = bytes(view[start:filled])
            base, start = base + start, 0
            filled, eof = _fill(handle, view, tail)


class _Lines:
    """The lines of one JSON Lines file, a chunk at a time, into ``result``.

    With ``known`` (a table whose raw keys this build can compare), a line whose bytes the
    live generation was built from becomes an :class:`Unread` release.  Lines are
    recognised a block at a time where they can be: after a line on row ``r``, the next is
    expected on row ``r + 1``, and when a known block of lines starts there (``Known.blocks``)
    and the bytes ahead have its length and hash, all its lines are recognised at once (where
    each starts comes from the lengths the table keeps).  Any other line is found and hashed
    on its own, and looked up; one not known is parsed.

    Every chunk's lines also go to :class:`_Blocks`, which hashes this file's blocks for
    the table of the next build.
    """

    def __init__(self, result: ReadResult, source: str, known, path: Path):
        self.result, self.source, self.known = result, source, known
        self.of = UnreadSource(known, source, partial(_read_again, path)) if known is not None else None
        self.sizes = known.column("sizes") if known is not None else []
        self.keys = known.column("raw_keys") if known is not None else []
        self.first_rows = known.firsts("jsonl") if known is not None else b""
        self.known_blocks = known.blocks() if known is not None else {}
        self.blocks = _Blocks()
        self.number = 0  # lines before the chunk
        self.expected = None  # the row the next line is on, if it is unchanged and in order

    def take(self, buffer: bytearray, view: memoryview, base: int, start: int, cut: int, eof: bool) -> bool:
        """The lines of ``buffer[start:cut]`` (``base``: the buffer's offset in the file); False
        when one to be parsed is not valid UTF-8."""
        result, known, of, sizes, keys = self.result, self.known, self.of, self.sizes, self.keys
        first_rows, known_blocks, n = self.first_rows, self.known_blocks, len(keys)
        releases, warnings = result.releases, result.warnings
        starts = []  # where each line of the chunk starts in the buffer
        # line number -> its release, for the lines that begin a block
        beginning: dict[int, Release | Unread | None] = {}
        number, expected, at = self.number, self.expected, start
        while True:
            # The block of lines the next line begins if it is on the row expected.
            block = known_blocks.get(expected)
            if block is not None and self._block_at(buffer, view, at, cut, block):
                row = expected
            else:
                end = buffer.find(b"\n", at, cut)
                if end < 0:
                    end = cut
                key = raw_key(view[at:end])
                if known is None or end == at:
                    row = None
                elif expected is not None and expected < n and keys[expected] == key and first_rows[expected]:
                    row = expected  # the records come in the order they were known
                else:
                    row = known.raw_row("jsonl", key)
                block = known_blocks.get(row) if row is not None and row != expected else None
                if block is None or not self._block_at(buffer, view, at, cut, block):
                    block = None  # the line on its own
            if block is not None:  # its lines at once, as unread releases
                assert of is not None and row is not None  # a known block is on a row of the table
                lines, span, _ = block
                end = at + span
                offsets = list(accumulate(map(_next, sizes[row : row + lines - 1]), initial=at))
                made = len(releases)
                releases.extend(
                    map(
                        Unread,
                        repeat(of, lines),
                        range(row, row + lines),
                        range(number + 1, number + lines + 1),
                        map(base.__add__, offsets) if base else offsets,
                        sizes[row : row + lines],
                    )
                )
                for k in range(-number % BLOCK, lines, BLOCK):  # the lines among them that begin a block
                    beginning[number + k + 1] = releases[made + k]
                starts += offsets
                number, expected = number + lines, row + lines
                if end == cut:
                    break
                at = end + 1
                continue
            number += 1
            starts.append(at)
            release: Release | Unread | None = None
            if row is not None:
                assert of is not None  # a row is one of the table's
                release = Unread(of, row, number, base + at, end - at)
                releases.append(release)
                expected = row + 1
            else:
                try:
                    text = str(view[at:end], "utf-8")
                except UnicodeDecodeError:
                    return False
                before = len(warnings)
                parsed = _parse_line(text, self.source, number, result)
                if parsed is not None and len(warnings) == before:
                    release = parsed
                    release.origin, release.raw_size = ("jsonl", key, 0, 1), end - at
                if expected is not None and end > at:  # changed where it was: the next may be the next known
                    expected += 1
            if (number - 1) % BLOCK == 0:
                beginning[number] = release
            if end == cut:
                break
            at = end + 1
        self.blocks.add(view, self.number, starts, cut, beginning, eof)
        self.number, self.expected = number, expected
        return True

    @staticmethod
    def _block_at(buffer: bytearray, view: memoryview, at: int, cut: int, block: tuple) -> bool:
        """Whether the bytes at ``at`` are the known ``block`` of lines, all in this chunk."""
        _, span, digest = block
        end = at + span
        return end <= cut and (end == cut or buffer[end] == 10) and raw_key(view[at:end]) == digest


class _Blocks:
    """The blocks of a JSON Lines file (lines 1 to ``BLOCK``, the next ``BLOCK`` lines, ...; the
    last may be shorter), a chunk of lines at a time: each block's (lines, length in bytes,
    hash of its bytes, line breaks between its lines included) goes to the release of its
    first line as ``block``, for ``index.known`` to keep.  A block that spans chunks is
    hashed in parts (XXH3's streaming hash gives what hashing the whole gives)."""

    def __init__(self):
        self.open = None  # the block the last chunk ended in: [hasher, release, lines, bytes]

    def add(self, view: memoryview, number: int, starts: list[int], cut: int, beginning: dict, eof: bool) -> None:
        """A chunk's lines: ``number`` lines before them, their ``starts``; the last ends at ``cut``."""
        count = len(starts)
        if eof and count and starts[-1] == cut:  # the empty line after a final line break holds no record
            count -= 1

        def end_of(k):  # where the chunk's line k ends
            return starts[k + 1] - 1 if k + 1 < len(starts) else cut

        k = 0
        if self.open is not None and count:
            hasher, release, lines, span = self.open
            k = min(count, BLOCK - lines)
            end = end_of(k - 1)
            hasher.update(b"\n")
            hasher.update(view[starts[0] : end])
            self.open = [hasher, release, lines + k, span + 1 + end - starts[0]]
            if lines + k == BLOCK:
                self._close()
        while k < count:
            lines = min(count - k, BLOCK)
            first, end = starts[k], end_of(k + lines - 1)
            release = beginning.get(number + k + 1)
            if lines == BLOCK or eof:
                if release is not None:
                    release.block = (lines, end - first, raw_key(view[first:end]))
            else:
                self.open = [xxh3_128(view[first:end]), release, lines, end - first]
            k += lines
        if eof and self.open is not None:
            self._close()

    def _close(self) -> None:
        assert self.open is not None  # called with a block open
        hasher, release, lines, span = self.open
        if release is not None:
            release.block = (lines, span, hasher.digest())
        self.open = None


def _fill(handle, view: memoryview, filled: int) -> tuple[int, bool]:
    """Read into ``view`` after its first ``filled`` bytes: (bytes now in it, end of file)."""
    while filled < len(view):
        count = handle.readinto(view[filled:])
        if not count:
            return filled, True
        filled += count
    return filled, False


def _read_again(path: Path, unread: Unread) -> Release:
    """An unread line parsed after all, found again where it was (and checked unchanged)."""
    with open(path, "rb") as handle:
        handle.seek(unread.raw)
        line = handle.readline().removesuffix(b"\n")
    if raw_key(line) != unread.known.column("raw_keys")[unread.row]:
        raise SourceChanged(f"{unread.source} changed while it was being read; run the reindex again")
    release = _parse_line(str(line, "utf-8"), unread.source, unread.line, ReadResult())
    assert release is not None  # these bytes made a release in the build that knew them
    return release


def _parse_line(line: str, source: str, number: int, result: ReadResult) -> Release | None:
    """The release a line holds, added to ``result`` (None: a blank line, or a rejected one)."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        reason = f"invalid JSON ({error.msg} at column {error.colno})"
        result.rejected.append(Rejected(source, number, reason, _named_id(_ID_IN_LINE.findall(line))))
        return None
    try:
        release = release_from(record, source, number)
    except RecordError as error:
        named = [record.get("id")] if isinstance(record, dict) else []
        result.rejected.append(Rejected(source, number, str(error), _named_id(named)))
        return None
    result.releases.append(release)
    url = clean_line(record.get("url") or "")
    if url and not release.url:
        result.warnings.append(Warning_(source, number, f"url {url[:80]!r} is not an http(s) address; left out"))
    return release


def _named_id(found: list) -> str:
    """The one valid id among ``found`` (what a rejected line names), else ""."""
    ids = {value.strip() for value in found if isinstance(value, str)}
    if len(ids) != 1:
        return ""
    (release_id,) = ids
    return release_id if ID_PATTERN.match(release_id) else ""


def release_from(record, source: str, line: int) -> Release:
    if not isinstance(record, dict):
        raise RecordError("a line must hold one JSON object")
    missing = [name for name in REQUIRED if name not in record]
    empty = [name for name in REQUIRED if name in record and record[name] in (None, "")]
    if missing or empty:
        said = [f"missing required field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"] if missing else []
        if empty:  # present, but null or "": said as such, not as missing
            said.append(f"required field{'s' if len(empty) > 1 else ''} empty: {', '.join(empty)}")
        raise RecordError("; ".join(said))
    for name in REQUIRED + OPTIONAL_TEXT:
        if name in record and record[name] is not None and not isinstance(record[name], str):
            raise RecordError(f"field {name!r} must be a string")
    for name in OPTIONAL_LISTS:
        value = record.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise RecordError(f"field {name!r} must be a list of strings")
    release_id = record["id"].strip()
    if not ID_PATTERN.match(release_id):
        raise RecordError(f"id {release_id[:80]!r} may hold only letters, digits, '.', '_' and '-' (at most 160)")
    lang = normalize_lang(record["lang"])
    if lang not in LANGUAGES:
        raise RecordError(f"lang {record['lang'][:20]!r} is not 'en' or 'es'")
    try:
        date = parse_stated_date(record["date"])
    except DateError as error:
        raise RecordError(str(error)) from None
    title = clean_line(read_field(record["title"]))
    body = clean_text(read_field(record["body"]))
    if not title:
        raise RecordError("title is empty")
    if not body:
        raise RecordError("body is empty")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise RecordError("title or body is too long")
    summary = clean_text(read_field(record.get("summary") or "")) or first_paragraph(body)
    return Release(
        id=release_id,
        lang=lang,
        date=date,
        title=title,
        body=body,
        summary=summary,
        url=web_address(record.get("url") or ""),
        translation_key=clean_line(record.get("translation_key") or ""),
        countries=_codes(record.get("countries"), upper=True),
        topics=_codes(record.get("topics"), upper=False),
        source=source,
        line=line,
    )


def _codes(values, upper: bool) -> list[str] | None:
    if values is None:
        return None
    cleaned = (v.strip().upper() if upper else v.strip().lower() for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))
