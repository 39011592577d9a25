"""JSON Lines sources: one release object per line.

Required: ``id``, ``lang`` (``en``/``es``), ``date`` (ISO), ``title``, ``body``.
Optional: ``summary``, ``url``, ``translation_key``, ``countries`` (ISO 3166 alpha-2
codes), ``topics`` (taxonomy ids).  Explicit countries and topics replace what
enrichment would find.
"""

import codecs
import hashlib
import json
from pathlib import Path

from ..dates import DateError, parse_iso_date
from ..records import (
    ID_PATTERN, LANGUAGES, MAX_BODY, MAX_TITLE, ReadResult, Rejected, Release, Warning_,
    SourceChanged, Unread, clean_line, clean_text, first_paragraph, normalize_lang, web_address,
)
from .decoding import decode

REQUIRED = ("id", "lang", "date", "title", "body")
OPTIONAL_TEXT = ("summary", "url", "translation_key")
OPTIONAL_LISTS = ("countries", "topics")
KNOWN = set(REQUIRED) | set(OPTIONAL_TEXT) | set(OPTIONAL_LISTS)


class RecordError(ValueError):
    pass


CHUNK = 8 << 20  # bytes read at a time


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
    """``parse`` for a file that is valid UTF-8 (with or without a BOM), one line at a time,
    so that each line's bytes are hashed and only lines not in ``known`` are parsed.

    None when the file is not valid UTF-8: a file is valid exactly when each of its lines
    is (a line break is never part of a multi-byte character), and then every line decodes
    to what decoding the whole file gives.  The file is read in chunks into one buffer (a
    large archive is hundreds of megabytes, mostly of lines that are only hashed); an
    unread line is found again by its place in the file if it is needed after all.
    """
    source = str(path)
    result = ReadResult()
    rows = known.lookup("jsonl") if known else {}
    columns = known.row_columns() if rows else ()
    append, get, sha256 = result.releases.append, rows.get, hashlib.sha256
    number = 0
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
            end = buffer.find(b"\n", start, filled)
            if end < 0 and not eof:  # the rest of the line is still in the file
                tail = filled - start
                if tail == len(buffer):
                    bigger = bytearray(2 * len(buffer))
                    bigger[:tail] = view[start:filled]
                    view.release()
                    buffer, view = bigger, memoryview(bigger)
                else:
                    buffer[:tail] = bytes(view[start:filled])  # the start of one line, moved to the front
                base, start = base + start, 0
                filled, eof = _fill(handle, view, tail)
                continue
            last = end < 0
            if last:
                end = filled
            line = view[start:end]
            number += 1
            key = sha256(line).digest()
            row = get(key)
            if row is not None:
                append(Unread(known, row, columns, source, number, _read_again, (path, base + start, key)))
            else:
                try:
                    text = str(line, "utf-8")
                except UnicodeDecodeError:
                    return None
                before = (len(result.releases), len(result.warnings))
                _parse_line(text, source, number, result)
                if (len(result.releases), len(result.warnings)) == (before[0] + 1, before[1]):
                    result.releases[-1].origin = ("jsonl", key, 0, 1)
            if last:
                return result
            start = end + 1


def _fill(handle, view: memoryview, filled: int) -> tuple[int, bool]:
    """Read into ``view`` after its first ``filled`` bytes: (bytes now in it, end of file)."""
    while filled < len(view):
        count = handle.readinto(view[filled:])
        if not count:
            return filled, True
        filled += count
    return filled, False


def _read_again(place: tuple, source: str, number: int) -> Release:
    """An unread line parsed after all, found again where it was (and checked unchanged)."""
    path, offset, key = place
    with open(path, "rb") as handle:
        handle.seek(offset)
        line = handle.readline().removesuffix(b"\n")
    if hashlib.sha256(line).digest() != key:
        raise SourceChanged(f"{source} changed while it was being read; run the reindex again")
    result = ReadResult()
    _parse_line(str(line, "utf-8"), source, number, result)
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
