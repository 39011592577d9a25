"""The one result model every caller gets: web pages, the JSON API and ``scripts/search``."""

from dataclasses import asdict, dataclass, field


@dataclass
class Label:
    value: str
    label: str  # in the interface language
    labels: dict[str, str]  # {"en": ..., "es": ...}


@dataclass
class Translation:
    id: str
    lang: str
    title: str
    title_lang: str  # the language the title is written in (``lang`` unless it is in the other one)
    url: str
    matched: bool  # whether the translation matched the query too


@dataclass
class Hit:
    id: str
    lang: str
    date: str  # ISO date
    title: str
    title_lang: str  # the language the title is written in (``lang`` unless it is in the other one)
    url: str  # the original release's address, when the source gave one
    title_html: str  # escaped, with <mark> around matched words
    snippets: list[str]  # escaped fragments with <mark> around matched words
    summary: str
    countries: list[Label]
    topics: list[Label]
    translation: Translation | None
    score: float | None


@dataclass(slots=True)
class FacetValue:
    value: str
    label: str
    labels: dict[str, str]
    count: int
    selected: bool


@dataclass
class SearchResult:
    query: str
    params: dict  # SearchParams.to_dict(): the search's parameters as an address gives them
    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None  # a correction that would find more, offered beside these results (never searched_for)
    notices: list[dict]
    took_ms: float
    generation: str
    matched_any: bool = False  # the all-words query found nothing; any-word results are shown
    searched_for: str = ""  # the query whose results these are: ``query``, or its spelling correction
    corrected: bool = False  # ``searched_for`` is ``query`` with misspelt words replaced

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Brief:
    """A release in a list: related releases, latest releases, suggestions."""

    id: str
    lang: str
    date: str
    title: str
    title_lang: str


@dataclass
class ReleaseDetail:
    id: str
    lang: str
    date: str
    title: str
    title_lang: str
    paragraphs: list[str]
    summary: str
    url: str
    countries: list[Label]
    topics: list[Label]
    translation: Brief | None
    related: list[Brief]
    generation: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Suggestion:
    text: str  # what to put in the search box
    kind: str  # "term" (a word the archive uses) or "title" (a release)
    id: str | None = None  # the release, for titles
    lang: str | None = None
    # ``text`` cut into what was typed and the rest, in order: [(text, typed?), ...]. For a term, what
    # was typed, then its completion; for a title, the starts of its words that were typed.
    parts: list[tuple[str, bool]] = field(default_factory=list)
