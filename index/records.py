"""The release record every reader produces, and the rejection every reader reports."""

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from .analysis import fold

LANGUAGES = ("en", "es")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,159}$")
MAX_TITLE = 1_000
MAX_BODY = 2_000_000


def pairing_key(key: str) -> str:
    """A translation key as two versions share it: its case and spacing aside ("2020-MX-covid" is
    "2020-mx-covid"), as staff typing it twice write it."""
    return " ".join(key.split()).casefold()


@dataclass
class Release:
    """One news release, as read from a source and then enriched."""

    id: str
    lang: str  # "en" or "es": a reader rejects a release whose language it cannot tell
    date: dt.date
    title: str
    body: str
    summary: str = ""
    url: str = ""
    translation_key: str = ""
    countries: list[str] | None = None  # explicit in the source, or found by enrichment
    topics: list[str] | None = None
    source: str = ""
    line: int = 0
    # Filled by enrichment:
    pair: str = ""
    lang_detected: bool = False
    # The language the title is written in (``index.language.title_language``); "" until known.
    # ``lang`` is the body's: a title alone may be in the other language.
    title_lang: str = ""
    source_hash: str = ""  # of the fields the source gave, before enrichment
    # Where the release came from, for the next incremental build to recognise it unchanged:
    # (format, hash of its raw source, its place among the releases of that source, their number);
    # None when the source is not recognisable that way (a file that was not clean UTF-8, a
    # record with a warning...).
    origin: tuple | None = None
    row = -1  # not a row of a table of ``index.known`` (an ``Unread`` release is on one)
    kept_live = False  # read back from the live index, its record being rejected (``index.live``)
    reread = False  # parsed again from a record the live generation knew (``Unread.read``)
    raw_size = 0  # the length in bytes of its raw source, for a JSON Lines line
    block = None  # on the first line of a block of JSON Lines lines: (lines, bytes, hash); see index.known

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def pairing_key(self) -> str:
        """The translation key as pairing compares it (``pairing_key``)."""
        return pairing_key(self.translation_key)

    @property
    def day(self) -> int:
        """The date as an ordinal (what ``index.known`` keeps)."""
        return self.date.toordinal()

    def forget_text(self) -> None:
        """Let go of the title, body and summary once they are written to the index (a full
        build does, to free their memory: what it does afterwards needs only the rest)."""
        self.title = self.body = self.summary = ""

    def content_hash(self) -> str:
        """A hash of everything that ends up in the index, so unchanged releases are skipped."""
        return field_hash(
            self.id,
            self.lang,
            self.date.isoformat(),
            self.title,
            self.body,
            self.summary,
            self.url,
            self.translation_key,
            self.countries,
            self.topics,
            self.pair,
        )


class SourceChanged(RuntimeError):
    """A source file changed while a reindex was reading it."""


class UnreadSource:
    """What the unread releases of one source share: the table whose rows they are
    (an ``index.known.Known``), the source's name, and ``reader(unread)``, which parses
    one of them again."""

    __slots__ = ("known", "source", "reader", "ids", "langs", "days", "keys", "pairs")

    def __init__(self, known, source: str, reader):
        self.known, self.source, self.reader = known, source, reader
        self.ids, self.langs, self.days, self.keys, self.pairs = known.row_columns()


class Unread:
    """A release whose source record is, byte for byte, one the live generation was built from.

    It carries what that build knew of the release (its row in ``index.known``): id,
    language, date, translation key, countries, topics, pair, content hash, and the source
    hash enrichment uses -- but not its text, so an incremental build need not parse, clean,
    hash and enrich it again.  ``read()`` parses the record again for when the text is
    needed after all.  ``raw`` is where its reader finds the record again; ``raw_size``, for a
    JSON Lines line, its length in bytes.
    """

    __slots__ = (
        "of",
        "row",
        "source",
        "line",
        "raw",
        "id",
        "lang",
        "day",
        "translation_key",
        "pair",
        "raw_size",
        "block",
    )

    def __init__(self, of: UnreadSource, row: int, line: int, raw, raw_size: int = 0):
        self.of, self.row, self.source, self.line, self.raw = of, row, of.source, line, raw
        self.raw_size, self.block = raw_size, None
        self.id = of.ids[row]
        self.lang = of.langs[row]
        self.day = of.days[row]
        self.translation_key = of.keys[row]
        self.pair = of.pairs[row]

    # The rest of the row, as a Release has it.
    known = property(lambda self: self.of.known)
    known_pair = property(lambda self: self.of.pairs[self.row])
    known_hash = property(lambda self: self.of.known.digest("hashes", self.row))
    date = property(lambda self: dt.date.fromordinal(self.day))
    year = property(lambda self: self.date.year)
    countries = property(lambda self: self.of.known.countries(self.row))
    topics = property(lambda self: self.of.known.topics(self.row))
    source_hash = property(lambda self: self.of.known.digest("source_hashes", self.row))
    lang_detected = property(lambda self: bool(self.of.known.column("detected")[self.row]))
    origin = property(lambda self: self.of.known.origin(self.row))
    pairing_key = property(lambda self: pairing_key(self.translation_key))

    def content_hash(self) -> str:
        if self.pair != self.known_pair:
            raise ValueError(f"{self.id}: its pair changed; read it in full before hashing it")
        return self.known_hash

    def read(self) -> Release:
        """The release parsed again from its source, with what enrichment and pairing gave it."""
        release = self.of.reader(self)
        if release.id != self.id:
            raise RuntimeError(f"{self.source}:{self.line}: read again as {release.id!r}, not {self.id!r}")
        release.source, release.line, release.origin = self.source, self.line, self.origin
        release.raw_size, release.block = self.raw_size, self.block
        release.countries, release.topics = self.countries, self.topics
        release.source_hash, release.pair = self.source_hash, self.pair
        release.reread = True
        return release


def field_hash(*fields) -> str:
    """A hash of a sequence of strings, lists of strings and None values (unambiguous)."""
    digest = hashlib.blake2b(digest_size=16)
    for value in fields:
        if value is None:
            digest.update(b"\x00N")
        elif isinstance(value, (list, tuple)):
            digest.update(b"\x00L" + "\x1f".join(value).encode("utf-8", "surrogatepass"))
        else:
            digest.update(b"\x00S" + str(value).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass
class Rejected:
    """A record that could not be read, with where it was and why."""

    source: str
    line: int
    reason: str
    release_id: str = ""  # the id the record names, when one could be read
    kept: bool = False  # that release's live version stays (``index.live``)
    url: str = ""  # the address a page gives for itself, which names its release when no id can be read

    def __str__(self) -> str:
        reason = self.reason
        if self.kept:
            reason += f"; the live version of {self.release_id} stays as it was"
        if self.source.startswith(("http://", "https://")):  # a page of a site: one record, named by its address
            return f"{self.source}: {reason}"
        return f"{self.source}:{self.line}: {reason}"


@dataclass
class Warning_:
    """Something worth telling staff that did not stop a record from being indexed."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}" if self.line else f"{self.source}: {self.message}"


@dataclass
class ReadResult:
    releases: list[Release | Unread] = field(default_factory=list)  # Unread: recognised unchanged
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)


# Control characters but tab and newline, as bytes: in UTF-8 no byte of a longer character is below 0x80,
# so deleting these bytes from the encoded text deletes exactly these characters.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Characters dropped from the text: the noncharacters U+FFFE and U+FFFF, and the invisible ones
# that are no part of a word but would split it when read (soft hyphens and zero-width spaces
# and joiners copied from PDFs and web pages, bidirectional marks, a byte order mark inside a
# text): "mi<soft hyphen>gración" is the word "migración". Queries drop them too (``normal_text``).
_DROPPED = (
    "\ufffe",
    "\uffff",
    "\u00ad",
    *map(chr, range(0x200B, 0x2010)),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    *map(chr, range(0x202A, 0x202F)),  # bidirectional embeddings and overrides
    *map(chr, range(0x2060, 0x2065)),  # word joiner, invisible operators
    *map(chr, range(0x2066, 0x206A)),  # bidirectional isolates
    "\ufeff",
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def clean_text(text: str) -> str:
    """Drop control and invisible characters, normalise to NFC, keep paragraphs apart by one
    blank line. (Dropped first: a letter and a combining accent they stood between compose.)"""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (a JSON escape can make them)
            text = _SURROGATE.sub("\ufffd", text)
    text = _without_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    cleaned = (p if _single_spaced(p) else " ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in cleaned if p)


def _single_spaced(paragraph: str) -> bool:
    """Whether ``" ".join(paragraph.split())`` would leave an ASCII paragraph as it is (most
    are: the test is a few scans in C, where splitting makes an object per word)."""
    return (
        paragraph.isascii()
        and "  " not in paragraph
        and "\n" not in paragraph
        and "\t" not in paragraph
        and paragraph[:1] != " "
        and paragraph[-1:] != " "
    )


def _without_controls(text: str) -> str:
    """``text`` without the control characters of ``_CONTROL_BYTES`` (a byte-table deletion in C,
    several times faster than a regular expression) and the characters of ``_DROPPED``."""
    data = text.encode("utf-8")
    kept = data.translate(None, _CONTROL_BYTES)
    if len(kept) != len(data):
        text = kept.decode("utf-8")
    return _without_dropped(text)


def _without_dropped(text: str) -> str:
    if not text.isascii():
        for character in _DROPPED:
            if character in text:
                if character == "\u00ad" and "Ã\u00ad" in text:
                    # "Ã" and a soft hyphen are "í" decoded wrongly ("paÃ\xads"): kept for
                    # ``index.readers.mojibake`` to repair, which drops the hyphens it leaves
                    text = _SOFT_HYPHEN_ALONE.sub("", text)
                    continue
                text = text.replace(character, "")
    return text


_SOFT_HYPHEN_ALONE = re.compile("(?<!Ã)\u00ad")


def normal_text(text: str) -> str:
    """``text`` as a release's text is read: NFC, without the invisible characters that would
    split its words (for a query, which may be pasted from anywhere)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _without_dropped(text))


def clean_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def web_address(text: str) -> str:
    """``text`` as a well-formed absolute http(s) address, normalised, else "".

    A release's url becomes a link: a ``javascript:`` or ``data:`` url, a relative one, one
    with a user name or an invalid host or port is no address of a news release. What is
    kept has a lower-case scheme and host (IDNA for a non-ASCII name) and every character
    that a URL may not hold percent-encoded, so it stays one inert attribute value
    wherever it is written (``https://example.org/"><script>`` keeps its quote as ``%22``).
    """
    url = clean_line(text)
    if _NORMAL_URL.fullmatch(url):
        return url  # the common case, already as it would come out
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return ""
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    if not _HOST_NAME.fullmatch(host):
        return ""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    address = f"{parts.scheme.lower()}://{netloc}{_percent_encoded(parts.path, _PATH_SAFE)}"
    if parts.query:
        address += "?" + _percent_encoded(parts.query, _QUERY_SAFE)
    if parts.fragment:
        address += "#" + _percent_encoded(parts.fragment, _QUERY_SAFE)
    return address


# RFC 3986: unreserved and sub-delimiter characters, ":" and "@" in paths; "/" and "?" too in
# queries and fragments. "%" is kept only as the start of an escape (see _percent_encoded).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]+")
_NORMAL_URL = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"  # with a port, the slow path checks its range
    r"(?:/(?:[A-Za-z0-9/:@!$&'()*+,;=._~-]|%[0-9A-Fa-f]{2})*)?"
    r"(?:\?(?:[A-Za-z0-9/?:@!$&'()*+,;=._~-]|%[0-9A-Fa-f]{2})*)?"
    r"(?:#(?:[A-Za-z0-9/?:@!$&'()*+,;=._~-]|%[0-9A-Fa-f]{2})*)?"
)


def _percent_encoded(part: str, safe: str) -> str:
    """``part`` with every character outside ``safe`` percent-encoded, escapes already there kept."""
    pieces = []
    last = 0
    for match in _ESCAPE.finditer(part):
        pieces.append(quote(part[last : match.start()], safe=safe))
        pieces.append(match.group().upper())
        last = match.end()
    pieces.append(quote(part[last:], safe=safe))
    return "".join(pieces)


def first_paragraph(body: str, limit: int = 400) -> str:
    para = body.split("\n\n", 1)[0]
    if len(para) <= limit:
        return para
    cut = para[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def derived_id(lang: str, date: dt.date, title: str) -> str:
    """A stable id from language, date and title: a re-export updates the release, not duplicates it."""
    words = re.findall(r"[a-z0-9]+", fold(title))
    digest = hashlib.sha1(f"{lang}|{date.isoformat()}|{' '.join(words)}".encode()).hexdigest()[:8]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return f"{lang}-{date.isoformat()}-{slug or 'release'}-{digest}"


def normalize_lang(value) -> str | None:
    """``"en-US"``, ``"ES"``, ``"es_MX"`` -> ``"en"``/``"es"``; ``None`` when empty."""
    if value is None:
        return None
    text = str(value).strip().lower().replace("_", "-")
    return text.split("-", 1)[0] or None
