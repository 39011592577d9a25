"""JSON Lines sources: one release object per line.

Required: ``id``, ``lang`` (``en``/``es``), ``date`` (ISO), ``title``, ``body``.
Optional: ``summary``, ``url``, ``translation_key``, ``countries`` (ISO 3166 alpha-2
codes), ``topics`` (taxonomy ids).  Explicit countries and topics replace what
enrichment would find.
"""

import codecs
import json
from functools import partial
from itertools import repeat
from pathlib import Path

from ..dates import DateError, parse_iso_date
from ..known import raw_key
from ..records import (
    ID_PATTERN, LANGUAGES, MAX_BODY, MAX_TITLE, ReadResult, Rejected, Release, Warning_,
    SourceChanged, Unread, UnreadSource, clean_line, clean_text, first_paragraph, normalize_lang, web_address,
)
from .decoding import decode

REQUIRED = ("id", "lang", "date", "title", "body")
OPTIONAL_TEXT = ("summary", "url", "translation_key")
OPTIONAL_LISTS = ("countries", "topics")
KNOWN = set(REQUIRED) | set(OPTIONAL_TEXT) | set(OPTIONAL_LISTS)


class RecordError(ValueError):
    pass


CHUNK = 8 << 20  # bytes read at a time
_next = (1).__add__  # the start of the line after a line break


def read(path: Path, known=None) -> ReadResult:
    """The releases of a JSON Lines file; ``known`` (an ``index.known.Known``) lets lines the
    live generation was built from, byte for byte, pass unparsed as :class:`Unread` releases."""
    result = _read_utf8(path, known)
    if result is None:  # not clean UTF-8: decoded as a whole, with its warnings
        text, warnings = decode(path.read_bytes(), str(path))
        result = parse(text, str(path))
        result.warnings[:0] = warnings
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
    large archive is hundreds of megabytes, mostly of lines that are only hashed).  The
    lines of a chunk are hashed and looked up in C (``map``), and the unread releases made
    by ``map``; only the lines not found are handled one by one (a small incremental build
    over a large archive spends much of its time here).  An unread line is found again by
    its place in the file if it is needed after all.
    """
    source = str(path)
    result = ReadResult()
    rows = known.lookup("jsonl") if known else {}
    of = UnreadSource(known, source, partial(_read_again, path)) if rows else None
    number = 0  # lines before the chunk
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
            ends = _line_ends(buffer, start, cut)
            starts = [start]
            starts.extend(map(_next, ends[:-1]))
            keys = list(map(raw_key, map(view.__getitem__, map(slice, starts, ends))))
            found = list(map(rows.get, keys))
            offsets = [at + base for at in starts] if base else starts
            done = 0  # lines of the chunk gone into the result
            for at in [at for at, row in enumerate(found) if row is None]:
                if at > done:
                    result.releases.extend(map(Unread, repeat(of, at - done), found[done:at],
                                               range(number + done + 1, number + at + 1), offsets[done:at]))
                try:
                    text = str(view[offsets[at] - base:ends[at]], "utf-8")
                except UnicodeDecodeError:
                    return None
                before = (len(result.releases), len(result.warnings))
                _parse_line(text, source, number + at + 1, result)
                if (len(result.releases), len(result.warnings)) == (before[0] + 1, before[1]):
                    result.releases[-1].origin = ("jsonl", keys[at], 0, 1)
                done = at + 1
            if done < len(found):
                result.releases.extend(map(Unread, repeat(of, len(found) - done), found[done:],
                                           range(number + done + 1, number + len(found) + 1), offsets[done:]))
            number += len(found)
            if eof:
                return result
            # The next chunk: the start of a line still in the buffer, moved to the front, and more.
            start = cut + 1
            tail = filled - start
            buffer[:tail] = bytes(view[start:filled])
            base, start = base + start, 0
            filled, eof = _fill(handle, view, tail)


def _line_ends(buffer: bytearray, start: int, cut: int) -> list[int]:
    """Where each line of ``buffer[start:cut]`` ends: at each line break, and the last at ``cut``."""
    ends = []
    find, append = buffer.find, ends.append
    at = find(b"\n", start, cut)
    while at >= 0:
        append(at)
        at = find(b"\n", at + 1, cut)
    append(cut)
    return ends


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
    result = ReadResult()
    _parse_line(str(line, "utf-8"), unread.source, unread.line, result)
    return result.releases[0]


def _parse_line(line: str, source: str, number: int, result: ReadResult) -> None:
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        result.rejected.append(Rejected(source, number, f"invalid JSON ({error.msg} at column {error.colno})"))
        return
    try:
        release = release_from(record, source, number)
    except RecordError as error:
        result.rejected.append(Rejected(source, number, str(error)))
        return
    result.releases.append(release)
    url = clean_line(record.get("url") or "")
    if url and not release.url:
        result.warnings.append(Warning_(source, number, f"url {url[:80]!r} is not an http(s) address; left out"))


def release_from(record, source: str, line: int) -> Release:
    if not isinstance(record, dict):
        raise RecordError("a line must hold one JSON object")
    missing = [name for name in REQUIRED if record.get(name) in (None, "")]
    if missing:
        raise RecordError(f"missing required field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
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
        date = parse_iso_date(record["date"])
    except DateError as error:
        raise RecordError(str(error)) from None
    title = clean_line(record["title"])
    body = clean_text(record["body"])
    if not title:
        raise RecordError("title is empty")
    if not body:
        raise RecordError("body is empty")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise RecordError("title or body is too long")
    summary = clean_text(record.get("summary") or "") or first_paragraph(body)
    return Release(
        id=release_id, lang=lang, date=date, title=title, body=body, summary=summary,
        url=web_address(record.get("url") or ""),
        translation_key=clean_line(record.get("translation_key") or ""),
        countries=_codes(record.get("countries"), upper=True),
        topics=_codes(record.get("topics"), upper=False),
        source=source, line=line,
    )


def _codes(values, upper: bool) -> list[str] | None:
    if values is None:
        return None
    cleaned = (v.strip().upper() if upper else v.strip().lower() for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))
