"""The ``date`` field holds day ordinals: day ranges keep both ends and leave out the days
either side, and a stored day reads back as the date."""

import datetime as dt

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, Schema

from index.schema import stored_day
from search.compile import DayRange

DAYS = [dt.date(2019, 5, 31), dt.date(2019, 6, 1), dt.date(2019, 6, 30), dt.date(2019, 7, 1), dt.date(2020, 6, 15)]


def found(ix, query):
    with ix.searcher() as searcher:
        return sorted(searcher.stored_fields(d)["id"] for d in query.matcher(searcher).all_ids())


def test_day_ranges_in_the_day_field(tmp_path):
    tmp_path.joinpath("days").mkdir()
    ix = whoosh_index.create_in(
        str(tmp_path / "days"),
        Schema(id=ID(stored=True), date=NUMERIC(int, bits=32, shift_step=8, stored=True, sortable=True)),
    )
    with ix.writer() as writer:
        for n, day in enumerate(DAYS):
            writer.add_document(id=str(n), date=day.toordinal())
    assert found(ix, DayRange(dt.date(2019, 6, 1), dt.date(2019, 6, 30))) == ["1", "2"]
    assert found(ix, DayRange(dt.date(2019, 7, 1), None)) == ["3", "4"]
    assert found(ix, DayRange(None, dt.date(2019, 5, 31))) == ["0"]


def test_a_stored_day_reads_as_its_date():
    day = dt.date(2018, 6, 20)
    assert stored_day(day.toordinal()) == day
