"""The ``date`` field holds day ordinals; a site still serving an index of schema 4 (DATETIME)
reads its dates and answers date ranges the same."""

import datetime as dt

from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, NUMERIC, Schema

from index.schema import build_schema, stored_day
from search.compile import DayRange
from search.docvalues import DocValues

DAYS = [dt.date(2019, 5, 31), dt.date(2019, 6, 1), dt.date(2019, 6, 30), dt.date(2019, 7, 1), dt.date(2020, 6, 15)]


def found(ix, query):
    with ix.searcher() as searcher:
        return sorted(searcher.stored_fields(d)["id"] for d in query.matcher(searcher).all_ids())


def build(path, date_field, value):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), Schema(id=ID(stored=True), date=date_field))
    with ix.writer() as writer:
        for n, day in enumerate(DAYS):
            writer.add_document(id=str(n), date=value(day))
    return ix


def test_day_ranges_in_the_day_field_and_in_an_older_datetime_field(tmp_path):
    days = build(tmp_path / "days", NUMERIC(int, bits=32, shift_step=8, stored=True, sortable=True),
                 lambda d: d.toordinal())
    older = build(tmp_path / "older", DATETIME(stored=True, sortable=True),
                  lambda d: dt.datetime.combine(d, dt.time()))
    june = DayRange(dt.date(2019, 6, 1), dt.date(2019, 6, 30))
    since = DayRange(dt.date(2019, 7, 1), None)
    until = DayRange(None, dt.date(2019, 5, 31))
    for ix in (days, older):
        assert found(ix, june) == ["1", "2"]  # both ends kept, the days either side left out
        assert found(ix, since) == ["3", "4"]
        assert found(ix, until) == ["0"]


def test_a_stored_day_reads_as_a_date_in_both_forms():
    day = dt.date(2018, 6, 20)
    assert stored_day(day.toordinal()) == day
    assert stored_day(dt.datetime(2018, 6, 20)) == day


def test_the_search_side_reads_the_dates_of_a_schema_4_generation_as_day_numbers(tmp_path):
    """A generation written before schema 5 (the date a DATETIME) gives search the same day
    numbers as one of schema 5: date filters and date sorts work on it until the next reindex."""
    def generation(path, date_field, value):
        schema = build_schema()
        schema.remove("date")
        schema.add("date", date_field)
        path.mkdir()
        ix = whoosh_index.create_in(str(path), schema)
        with ix.writer() as writer:
            for n, day in enumerate(DAYS):
                writer.add_document(id=str(n), lang="en", date=value(day), year=day.year, group=str(n),
                                    countries="", topics="")
        return DocValues.load(ix.reader())

    older = generation(tmp_path / "older", DATETIME(stored=True, sortable=True),
                       lambda d: dt.datetime.combine(d, dt.time()))
    days = generation(tmp_path / "days", build_schema()["date"], lambda d: d.toordinal())
    assert older.dates == days.dates == [d.toordinal() for d in DAYS]
