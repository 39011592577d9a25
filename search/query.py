"""The archive's query language, parsed into a small syntax tree.

Plain words (all must match), ``"exact phrases"``, prefixes (``migra*``, ``title:migra*``),
``OR`` (and words joined by slashes, ``hurricane/huracán``), ``-excluded`` words,
``(groups)``, and field prefixes: ``title:``, ``country:`` (a code or a name in either
language), ``topic:``, ``lang:``, ``year:2019``, ``year:2017..2019``, bare year ranges
``2017..2019`` and ranges of days or months ``date:2019-01-01..2019-06-30``,
``date:2019-06..2019-08`` (bare too, as a year range is; either way round).  Spanish field names
(``titulo:``, ``pais:``, ``tema:``, ``idioma:``, ``año:``, ``fecha:``) work too.

Parsing never fails: unbalanced quotes or parentheses, unknown fields, empty prefixes
and stray operators are read as plain text.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from index.dates import MAX_YEAR, MIN_YEAR

MAX_QUERY_CHARS = 500
MAX_DEPTH = 8

FIELD_ALIASES = {
    "title": "title",
    "titulo": "title",
    "título": "title",
    "country": "country",
    "pais": "country",
    "país": "country",
    "topic": "topic",
    "tema": "topic",
    "lang": "lang",
    "language": "lang",
    "idioma": "lang",
    "year": "year",
    "ano": "year",
    "año": "year",
    "date": "date",
    "fecha": "date",
}


@dataclass
class Word:
    text: str
    # The year this word is, when it is one typed among the words ("hurricane 2016,"): it also
    # finds that year's releases. Not under "-": "-2016" leaves out the word, not the year.
    year: int | None = None


@dataclass
class Phrase:
    text: str


@dataclass
class Prefix:
    """A word typed with a star at its end ("migra*"): every word of the archive it begins."""

    text: str  # the letters before the star
    field: str | None = None  # "title" for "title:migra*": the words it begins, in titles


@dataclass
class Field:
    name: str  # canonical field name
    value: str
    phrase: bool = False


@dataclass
class YearRange:
    start: int | None
    end: int | None


@dataclass
class DateRange:
    start: str | None  # ISO dates, either end may be open
    end: str | None


@dataclass
class Not:
    node: object


@dataclass
class AnyOf:
    nodes: list


@dataclass
class AllOf:
    nodes: list = field(default_factory=list)


@dataclass
class ParsedQuery:
    tree: AllOf
    text: str
    truncated: bool = False


_TOKEN = re.compile(
    r'\s+|(?P<lpar>\()|(?P<rpar>\))|(?P<quote>"[^"]*")|(?P<neg>-(?=[^\s\-]))|(?P<or>\|)|(?P<word>[^\s()"|]+)'
)
_PREFIXED = re.compile(r"^([^\W\d_]+):(.+)$")  # letters, a colon, more: a field prefix or two words
# ASCII digits, as the address's parameters take (Python's \d takes every script's).
# Three letters or more and a star: fewer would begin too many words to be of use.
_PREFIX = re.compile(r"^([^\W\d_][^\W_]*[^\W\d_])\*+$")
# Words joined by slashes ("hurricane/huracán", "Honduras/Guatemala"): either of them, as OR.
_WORD_PART = r"[^\W\d_][^\W_]*(?:[-'’.][^\W_]+)*\.?"  # "U.S." too
_SLASHED = re.compile(rf"{_WORD_PART}(?:/{_WORD_PART})+")
_YEAR_RANGE = re.compile(r"^([0-9]{4})?\.\.([0-9]{4})?$")
_YEAR = re.compile(r"^[0-9]{4}$")
_AROUND_A_YEAR = ".,;:!?¿¡()[]'\"«»“”"  # "drought in 2016," is the year 2016
_ANY_DATE = r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?"  # a year, a month or a day
_DATE_RANGE = re.compile(rf"^({_ANY_DATE})?\.\.({_ANY_DATE})?$")
_DAY_OR_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?$")


def parse(text: str) -> ParsedQuery:
    """Parse a user's query; never raises."""
    text = text or ""
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        text = text[:MAX_QUERY_CHARS]
    text = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in text)
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    tree = parser.parse_all()
    if not tree.nodes and tokens and all(kind == "word" and value in ("AND", "OR", "NOT") for kind, value in tokens):
        # Operators alone operate on nothing: read as the words they are ("NOT", "OR OR"), which
        # find what common words find, not the whole archive as an empty query does.
        tree = AllOf([Word(value) for _, value in tokens])
    return ParsedQuery(tree=tree, text=text.strip(), truncated=truncated)


# Quotation marks a phrase may be typed or pasted in besides '"': curly ones (a word processor's,
# a phone keyboard's), low-high German ones, guillemets (Spanish and French), full-width.
_QUOTE_MARKS = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02", '"'))


def straight_quotes(text: str) -> str:
    """``text`` with every quotation mark that opens or closes a phrase as '"', which the query
    syntax reads: "“trata de personas”" and "«trata de personas»" are the phrase."""
    return text if text.isascii() else text.translate(_QUOTE_MARKS)


def _balanced_quotes(text: str) -> str:
    """An odd number of quotes: the last one is unbalanced and read as a space."""
    text = straight_quotes(text)
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + " " + text[cut + 1 :]
    return text


def typed_filters(text: str) -> list[tuple[str, str]]:
    """Each filter typed at the top level of a query (a country, topic, language, year or date
    field the parser reads as one, neither excluded nor an alternative of an OR), as typed, with
    the query without it: for the searches near one that finds nothing ("remesas year:2019"
    without "year:2019")."""
    text = _balanced_quotes((text or "")[:MAX_QUERY_CHARS])
    tokens = [m for m in _TOKEN.finditer(text) if m.lastgroup]
    balanced = _balanced_positions([(m.lastgroup, m.group()) for m in tokens])
    # Years and dates the parser reads as alternatives of one another ("year:2015 year:2016"):
    # without one of them, the search is narrower, not wider.
    dated_together = any(
        isinstance(n, AnyOf) and all(isinstance(d, (YearRange, DateRange)) for d in n.nodes)
        for n in parse(text).tree.nodes
    )
    out, groups = [], []  # groups: the brackets open at a token
    for i, m in enumerate(tokens):
        if m.lastgroup == "lpar" and i in balanced:
            groups.append(i)
        elif m.lastgroup == "rpar" and groups:
            groups.pop()
        name, sep, value = m.group().partition(":")
        if m.lastgroup != "word" or groups:
            continue
        # a field, or a bare range of years or dates ("2017..2018"), which the parser reads as a filter
        if sep and FIELD_ALIASES.get(name.lower()) in (None, "title"):
            continue
        if not sep and not (".." in name and _dated(name)):
            continue
        before, after = tokens[i - 1] if i else None, tokens[i + 1] if i + 1 < len(tokens) else None
        if before is not None and (before.lastgroup in ("neg", "or") or before.group() in ("NOT", "OR")):
            continue
        if after is not None and (after.lastgroup == "or" or after.group() == "OR"):
            continue
        end = m.end()
        if sep and not value:  # country:"El Salvador"
            if after is None or after.lastgroup != "quote":
                continue
            end = after.end()
        typed = text[m.start() : end]
        nodes = parse(typed).tree.nodes  # "year:abc" is a word
        if len(nodes) == 1 and (isinstance(nodes[0], Field) or (_dated(typed) and not dated_together)):
            out.append((typed, " ".join((text[: m.start()] + text[end:]).split())))
    return out


def unread_dates(text: str) -> list[str]:
    """The year and date filters of a query that name no year or day there is
    ("date:2019-02-30", "year:20x9"), as typed: the parser reads each as words."""
    out = []
    for m in _TOKEN.finditer(_balanced_quotes((text or "")[:MAX_QUERY_CHARS])):
        name, sep, value = m.group().lstrip("-").partition(":")
        if m.lastgroup == "word" and sep and value and FIELD_ALIASES.get(name.lower()) in ("year", "date"):
            if not _dated(f"{name}:{value}") and m.group() not in out:
                out.append(m.group().lstrip("-"))
    return out


def tag_filters(text: str) -> list[tuple[str, str, str]]:
    """The ``country:`` and ``topic:`` filters of a query (in either language's names), as
    (typed, field, value), each once: the engine tells which name no value of the archive."""
    out: list[tuple[str, str, str]] = []
    if ":" not in (text or ""):
        return out  # most searches: not tokenised again on their way
    for m in _TOKEN.finditer(_balanced_quotes((text or "")[:MAX_QUERY_CHARS])):
        name, sep, value = m.group().lstrip("-").partition(":")
        field = FIELD_ALIASES.get(name.lower())
        if m.lastgroup == "word" and sep and value and field in ("country", "topic"):
            typed = m.group().lstrip("-")
            if typed not in [t for t, _, _ in out]:
                out.append((typed, field, value.strip('"')))
    return out


def _dated(typed: str) -> bool:
    """Whether the parser reads ``typed`` alone as one range of years or dates."""
    nodes = parse(typed).tree.nodes
    return len(nodes) == 1 and isinstance(nodes[0], (YearRange, DateRange))


def _tokenize(text: str) -> list[tuple[str, str]]:
    text = _balanced_quotes(text)
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if not kind:
            continue
        prefixed = _PREFIXED.match(match.group()) if kind == "word" else None
        if prefixed and prefixed[1].lower() not in FIELD_ALIASES:
            # No field of that name ("foo:bar"): two words, as if typed with a space, each
            # then searched, translated and loosened as a word of its own. Excluded
            # ("-foo:bar"), the two are one group, so that the minus takes both, as typed.
            negated = bool(tokens) and (tokens[-1][0] == "neg" or tokens[-1] == ("word", "NOT"))
            if negated:
                tokens.append(("pair", match.group()))
            else:
                tokens += [("word", prefixed[1]), ("word", prefixed[2])]
        else:
            tokens.append((kind, match.group()))
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0
        # Parentheses that have a partner are groups; the rest are plain text.
        self.balanced = _balanced_positions(tokens)

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def parse_all(self) -> AllOf:
        nodes = []
        while self.pos < len(self.tokens):
            node = self.parse_or(depth=0)
            if node is not None:
                nodes.append(node)
        return AllOf(_dates_as_alternatives(_years_as_alternatives(nodes)))

    def parse_or(self, depth):
        left = self.parse_unary(depth)
        options = [left] if left is not None else []
        while True:
            kind, value = self.peek()
            is_or = kind == "or" or (kind == "word" and value == "OR")
            if not is_or:
                break
            self.pos += 1
            right = self.parse_unary(depth)
            if right is not None:
                options.append(right)
        options = [o for o in options if o is not None]
        if not options:
            return None
        return options[0] if len(options) == 1 else AnyOf(options)

    def parse_unary(self, depth):
        kind, value = self.peek()
        if kind is None:
            return None
        if kind == "neg" or (kind == "word" and value == "NOT"):
            self.pos += 1
            target = self.parse_unary(depth)
            return Not(_without_years(target)) if target is not None else None
        if kind == "word" and value in ("AND", "OR", "NOT"):
            self.pos += 1  # a stray operator: AND is the default anyway
            return None
        return self.parse_primary(depth)

    def parse_primary(self, depth):
        kind, value = self.tokens[self.pos]
        index = self.pos
        self.pos += 1
        if kind == "lpar":
            if index not in self.balanced or depth >= MAX_DEPTH:
                return None
            nodes = []
            while self.pos < len(self.tokens) and self.tokens[self.pos][0] != "rpar":
                node = self.parse_or(depth + 1)
                if node is not None:
                    nodes.append(node)
            self.pos += 1  # the closing parenthesis
            nodes = _dates_as_alternatives(_years_as_alternatives(nodes))
            if not nodes:
                return None
            return nodes[0] if len(nodes) == 1 else AllOf(nodes)
        if kind == "rpar" or kind == "or":
            return None
        if kind == "quote":
            inner = value[1:-1].strip()
            return Phrase(inner) if inner else None
        if kind == "pair":  # "foo:bar" after a minus: its two words, one node under the minus
            name, _, rest = value.partition(":")
            return AllOf([self.parse_word(name), self.parse_word(rest)])
        return self.parse_word(value)

    def parse_word(self, value):
        prefix = _PREFIX.match(value)
        if prefix and len(prefix[1]) >= 3:
            return Prefix(prefix[1])
        year_range = _YEAR_RANGE.match(value)
        if year_range and any(year_range.groups()):
            return _year_range(*year_range.groups())
        date_range = _DATE_RANGE.match(value)
        if date_range and any(date_range.groups()):  # a bare range of days or months
            return _date_range(*date_range.groups()) or Word(value)
        name, sep, rest = value.partition(":")
        canonical = FIELD_ALIASES.get(name.lower()) if sep else None
        if canonical is None:
            slashed = value.strip(_AROUND_A_YEAR) if "/" in value else ""
            if slashed and _SLASHED.fullmatch(slashed):  # ("hurricane/huracán," as typed in a sentence)
                return AnyOf([Word(part) for part in slashed.split("/")])
            return Word(value, _typed_year(value))
        if not rest:
            kind, following = self.peek()
            if kind == "quote":
                self.pos += 1
                rest = following[1:-1].strip()
                if rest:
                    return Field(canonical, rest, phrase=True)
            return Word(name)  # an empty prefix is plain text
        if canonical == "title":
            prefix = _PREFIX.match(rest)
            if prefix and len(prefix[1]) >= 3:
                return Prefix(prefix[1], field="title")
        if canonical == "year":
            if _YEAR.match(rest):
                return YearRange(int(rest), int(rest))
            match = _YEAR_RANGE.match(rest)
            if match and any(match.groups()):
                return _year_range(*match.groups())
            return Word(rest)
        if canonical == "date":
            match = _YEAR_RANGE.match(rest)
            if match and any(match.groups()):
                return _year_range(*match.groups())
            match = _DATE_RANGE.match(rest)
            if match and any(match.groups()):
                return _date_range(*match.groups()) or Word(rest)
            if _DAY_OR_MONTH.match(rest):
                return _date_range(rest, rest) or Word(rest)
            if _YEAR.match(rest):
                return YearRange(int(rest), int(rest))
            return Word(rest)
        return Field(canonical, rest)


def _typed_year(value: str) -> int | None:
    """The year a word is, punctuation around it aside, if one the archive can hold."""
    digits = value.strip(_AROUND_A_YEAR)
    return int(digits) if _YEAR.match(digits) and MIN_YEAR <= int(digits) <= MAX_YEAR else None


def children(node) -> list:
    """A node's own nodes: a group's, or what "-" leaves out."""
    if isinstance(node, (AllOf, AnyOf)):
        return node.nodes
    if isinstance(node, Not):
        return [node.node]
    return []


def walk(node):
    """``node`` and every node under it, depth first, in the order typed."""
    yield node
    for child in children(node):
        yield from walk(child)


def _without_years(node):
    """``node`` with its words read as words only (what "-" leaves out)."""
    if isinstance(node, Word):
        return replace(node, year=None)
    if isinstance(node, (AnyOf, AllOf)):
        return replace(node, nodes=[_without_years(n) for n in node.nodes])
    if isinstance(node, Not):
        return replace(node, node=_without_years(node.node))
    return node


def _year_range(start, end):
    start, end = (int(start) if start else None), (int(end) if end else None)
    if start and end and start > end:
        start, end = end, start
    return YearRange(start, end)


def _years_as_alternatives(nodes: list) -> list:
    """A group's years typed as words ("hurricane 2016 2020") as alternatives: a release is of
    one year, so together they found only releases writing both, and meant either, as
    "year:2016 year:2020" does."""
    years = [n for n in nodes if isinstance(n, Word) and n.year is not None]
    if len({n.year for n in years}) < 2:
        return nodes
    first = nodes.index(years[0])
    rest = [n for n in nodes if not (isinstance(n, Word) and n.year is not None)]
    return rest[:first] + [AnyOf(years)] + rest[first:]


def _dates_as_alternatives(nodes: list) -> list:
    """A group's years and date ranges as alternatives when no two of them share a day.

    A release has one date: "year:2017 year:2019" taken together would find nothing, and means
    either year, as two years ticked do. Ranges that meet ("date:2019-01.. date:..2019-06")
    still narrow each other."""
    dated = [n for n in nodes if isinstance(n, (YearRange, DateRange))]
    if len(dated) < 2:
        return nodes
    spans = [_span(n) for n in dated]
    if any(max(a[0], b[0]) <= min(a[1], b[1]) for i, a in enumerate(spans) for b in spans[i + 1 :]):
        return nodes  # two that meet: the terms narrow each other, as written
    first = nodes.index(dated[0])
    rest = [n for n in nodes if not isinstance(n, (YearRange, DateRange))]
    return rest[:first] + [AnyOf(dated)] + rest[first:]


def _span(node) -> tuple[str, str]:
    """The first and last day a year or date range allows, as ISO text ("" and "~" when open)."""
    if isinstance(node, YearRange):
        start = f"{node.start:04d}-01-01" if node.start else ""
        end = f"{node.end:04d}-12-31" if node.end else "~"
        return start, end
    return node.start or "", node.end or "~"


def _date_range(start: str | None, end: str | None) -> DateRange | None:
    """Days from the first of ``start`` to the last of ``end`` (each a year, a month or a day,
    either open), in order whichever way they were written; None when a day or month named
    does not exist (2019-02-30, 2019-13), for the text to be read as typed."""
    first, last = _first_day(start), _last_day(end)
    for day in (first, last):
        try:
            if day:
                dt.date.fromisoformat(day)
        except ValueError:
            return None
    if first and last and first > last:  # ISO dates sort as strings
        first, last = _first_day(end), _last_day(start)
    return DateRange(first, last)


def _first_day(text: str | None) -> str | None:
    if not text:
        return None
    return text + "-01-01"[len(text) - 4 :] if len(text) < 10 else text


def _last_day(text: str | None) -> str | None:
    """The last day of a year, a month or a day; a month that does not exist is kept as written
    (for :func:`_date_range` to refuse)."""
    if not text or len(text) == 10:
        return text
    if len(text) == 4:
        return f"{text}-12-31"
    year, month = int(text[:4]), int(text[5:7])
    if not 1 <= month <= 12:
        return text
    return f"{text}-{calendar.monthrange(year, month)[1]:02d}"


def _balanced_positions(tokens) -> set[int]:
    stack, balanced = [], set()
    for i, (kind, _) in enumerate(tokens):
        if kind == "lpar":
            stack.append(i)
        elif kind == "rpar" and stack:
            balanced.add(stack.pop())
    return balanced


def phrases_of(node) -> list[str]:
    """Every positive quoted phrase's text in a tree ("the exact phrase": marked only as written)."""
    if isinstance(node, Phrase):
        return [node.text]
    if isinstance(node, Field) and node.name == "title" and node.phrase:
        return [node.value]
    if isinstance(node, (AllOf, AnyOf)):
        return [w for child in node.nodes for w in phrases_of(child)]
    return []


def words_of(node) -> list[str]:
    """Every positive word and phrase text in a tree (for highlighting and corrections); a
    prefix with its star ("migra*"), as typed."""
    if isinstance(node, Prefix):
        return [node.text + "*"]
    if isinstance(node, (Word, Phrase)):
        return [node.text]
    if isinstance(node, Field) and node.name == "title":
        return [node.value]
    if isinstance(node, (AllOf, AnyOf)):
        return [w for child in node.nodes for w in words_of(child)]
    return []
