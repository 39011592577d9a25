"""Writing the table of known releases (``index.known_table``): copying rows in runs gives
what copying them one by one would."""

import random

from index import known_table


def without_placeholders(gathered, rows):
    """The values gathered for the releases with a row (the others' places are filled later)."""
    return [value for value, row in zip(gathered, rows, strict=True) if row >= 0]


def check_gathering(rows, values):
    fresh = [position for position, row in enumerate(rows) if row < 0]
    runs = known_table._runs(rows, fresh)
    assert sum(length for _, _, length in runs) == len(rows)
    gathered = known_table._gatherer(rows, runs)(values)
    assert len(gathered) == len(rows)
    assert without_placeholders(gathered, rows) == [values[row] for row in rows if row >= 0], rows
    table = b"".join(n.to_bytes(2, "big") for n in range(len(values)))
    made = {position: b"\xff\xff" for position in fresh}
    expected = b"".join(b"\xff\xff" if row < 0 else table[2 * row : 2 * row + 2] for row in rows)
    assert known_table._gather_fixed(table, runs, made, 2) == expected, rows


def test_runs_copy_the_rows_they_stand_for_with_releases_without_a_row_between_them():
    values = [f"v{n}" for n in range(400)]
    # A release read in full (-1) just before row 0 must not join row 0 to the run before it.
    for rows in ([], [-1], [0], [3, 4, 5, -1, 0, 1, 2, 9, -1, -1, 7, 8, 11, 10], [-1, 0, 1, -1, 2, 3], list(range(12))):
        check_gathering(rows, values)
    shuffled = list(range(300))
    random.Random(4).shuffle(shuffled)  # a source whose records were reordered: a run per row
    check_gathering(shuffled + [-1], values)
    # Few runs, as after a small change to a large archive: copied by slices.
    check_gathering(list(range(150)) + [-1, 0] + list(range(200, 400)) + [-1], values)


def test_a_hash_that_is_not_one_is_kept_as_a_hash_that_matches_nothing():
    assert known_table._digest_bytes("ab" * 16) == bytes([0xAB] * 16)
    assert (
        known_table._digest_bytes("") == known_table._digest_bytes("zz") == known_table._digest_bytes("ab") == bytes(16)
    )
