"""Per-document facet values of one index generation, read once from Whoosh columns.

Facet counting and filtering then work on plain Python arrays indexed by document
number, instead of asking Whoosh to group every query's matches.
"""

import datetime as dt
from dataclasses import dataclass

FACETS = ("year", "country", "topic", "lang")


@dataclass
class DocValues:
    live: list[int]  # document numbers that are not deleted
    ids: list[str]
    langs: list[str]
    years: list[int]
    dates: list[dt.datetime | None]
    countries: list[tuple[str, ...]]
    topics: list[tuple[str, ...]]
    groups: list[int]  # the translation group as a small integer
    docnum_by_id: dict[str, int]

    @classmethod
    def load(cls, reader) -> "DocValues":
        live = list(reader.all_doc_ids())
        ids = list(reader.column_reader("id"))
        langs = list(reader.column_reader("lang"))
        years = list(reader.column_reader("year"))
        dates = list(reader.column_reader("date"))
        countries = [tuple(v.split(",")) if v else () for v in reader.column_reader("countries")]
        topics = [tuple(v.split(",")) if v else () for v in reader.column_reader("topics")]
        group_numbers: dict[str, int] = {}
        groups = [group_numbers.setdefault(g, len(group_numbers)) for g in reader.column_reader("group")]
        return cls(
            live=live, ids=ids, langs=langs, years=years, dates=dates, countries=countries,
            topics=topics, groups=groups, docnum_by_id={ids[d]: d for d in live},
        )

    def values(self, facet: str, docnum: int) -> tuple:
        if facet == "year":
            return (self.years[docnum],)
        if facet == "lang":
            return (self.langs[docnum],)
        if facet == "country":
            return self.countries[docnum]
        return self.topics[docnum]
