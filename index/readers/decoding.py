"""Turning a source file's bytes into text: UTF-8 (with or without BOM), else Windows-1252."""

import codecs
import re

from ..records import Warning_


def decode(data: bytes, source: str, declared: str | None = None) -> tuple[str, list[Warning_]]:
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    for utf16, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if not bom and data.startswith(utf16):
            return data[len(utf16) :].decode(name, errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        position = data.count(b"\n", 0, error.start) + 1
        if _cut_in_a_character(data, error, bom):
            # A UTF-8 file cut short (a partial copy or download): keep it UTF-8, not mojibake.
            return data[: error.start].decode("utf-8"), [
                Warning_(
                    source,
                    position,
                    "the file ends in the middle of a UTF-8 character (was it cut short?); "
                    "the incomplete character was dropped",
                )
            ]
    # A BOM says UTF-8, but a file with one may still hold lines of another export: they are
    # read line by line below, as in a file without one, not turned into U+FFFD unsaid.
    if declared:
        try:
            return data.decode(declared), []
        except (LookupError, UnicodeDecodeError):
            pass
    # Latin-1 is what non-UTF-8 exports from Windows tools usually are; cp1252 is its superset.
    # Line by line: a file put together from two exports may hold both, and its UTF-8 lines
    # read as Windows-1252 would be garbled ("NiÃ±ez").
    lines, latin, utf8 = [], [], False
    for number, line in enumerate(data.split(b"\n"), 1):
        text = _plausible_utf8(line)
        if text is not None:
            lines.append(text)
            utf8 = utf8 or not line.isascii()
        else:
            lines.append(line.decode("cp1252", errors="replace"))
            latin.append(number)
    text = "\n".join(lines)
    if not utf8:
        return text, [Warning_(source, position, "not valid UTF-8; read as Windows-1252 (Latin-1)")]
    reason = "not valid UTF-8 while other lines are; read as Windows-1252 (Latin-1)"
    warnings = [Warning_(source, number, reason) for number in latin[:5]]
    if len(latin) > 5:
        warnings.append(Warning_(source, latin[5], f"and {len(latin) - 5} more lines from here: {reason}"))
    return text, warnings


# What a line's non-ASCII characters may be for it to count as UTF-8 in a file that is not UTF-8
# throughout: the letters of the Latin alphabets, and typographic punctuation, currency signs
# and symbols.  Windows-1252 text can form valid UTF-8 by chance ("Ú–" is the bytes of one
# Arabic letter), but it rarely forms these.
_PLAUSIBLE = re.compile(r"[\x00-\x7f\u00a0-\u024f\u1e00-\u1eff\u2000-\u214f]*")


def _plausible_utf8(line: bytes) -> str | None:
    """``line`` decoded as UTF-8, when it is valid UTF-8 of plausible characters; else None."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if line.isascii() or _PLAUSIBLE.fullmatch(text) else None


def _cut_in_a_character(data: bytes, error: UnicodeDecodeError, bom: bool) -> bool:
    """Whether the only fault is an incomplete multi-byte character at the very end.

    A lone accented letter at the end of a Latin-1 file looks the same, so one stray lead
    byte counts as a cut only when the file shows itself to be UTF-8 (a BOM, or other
    non-ASCII characters, all valid).
    """
    if error.reason != "unexpected end of data" or error.end != len(data):
        return False
    tail = data[error.start :]
    return bom or len(tail) > 1 or not data[: error.start].isascii()


def read_text_source(path, parse, data: bytes | None = None):
    """Decode a text source file (or its ``data``) and parse it, the decoding warnings first."""
    text, warnings = decode(path.read_bytes() if data is None else data, str(path))
    result = parse(text, str(path))
    result.warnings[:0] = warnings
    return result


def read_known_file(fmt: str, data: bytes, source: str, known, parse_data):
    """The releases of a source file read as a whole (a listing, an HTML page), recognised by
    the hash of its bytes: when ``known`` (an ``index.known.Known``) has every release the
    same bytes gave before, they pass unparsed as ``Unread`` releases; otherwise
    ``parse_data(data)`` reads them, and when they all went in without a warning or a
    rejection each is marked with its origin for the next build.
    """
    from ..known import raw_key

    key = raw_key(data)
    first = known.lookup(fmt).get(key) if known else None
    if first is not None:
        from ..records import ReadResult, Unread, UnreadSource

        of = UnreadSource(known, source, _ReadOnce(parse_data, data).release)
        lines = known.column("lines")
        rows = range(first, first + known.column("count")[first])
        return ReadResult(releases=[Unread(of, row, lines[row], i) for i, row in enumerate(rows)])
    result = parse_data(data)
    if result.releases and not result.rejected and not result.warnings:
        count = len(result.releases)
        for i, release in enumerate(result.releases):
            release.origin = (fmt, key, i, count)
    return result


class _ReadOnce:
    """A file's releases parsed again, once, when any of them is needed in full."""

    def __init__(self, parse_data, data: bytes):
        self.parse_data, self.data = parse_data, data
        self.releases: list | None = None

    def release(self, unread):
        """The release ``unread`` stands for (its ``raw`` is its place among the file's releases)."""
        if self.releases is None:
            self.releases = self.parse_data(self.data).releases
        return self.releases[unread.raw]
