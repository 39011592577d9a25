"""Which releases left unread by an incremental build pairing needs read in full: those of
every group (a translation key, or a date) that a new, changed or removed release touches."""

from .known import Known
from .records import Unread, pairing_key


def settle(known: Known, releases: list) -> list:
    """The releases with every :class:`Unread` one whose pair may change read in full.

    A group (a translation key, or a date for releases without one) must be paired
    again when one of its releases is new or changed, or one it had is gone or changed.
    """
    unread = [r for r in releases if type(r) is Unread]  # each on a row of this table
    open_groups = {r.pairing_key or r.day for r in releases if type(r) is not Unread}
    present = bytearray(known.n)
    for r in unread:
        present[r.row] = 1
    keys, days = known.column("keys"), known.column("days")
    gone = present.find(0)
    while gone >= 0:  # a row no unread release is on: gone, changed, or now a duplicate
        open_groups.add(pairing_key(keys[gone]) or days[gone])
        gone = present.find(0, gone + 1)
    _leave_single_language_dates(releases, unread, open_groups)
    out = list(releases)
    for position in [
        p for p, r in enumerate(releases) if type(r) is Unread and (r.pairing_key or r.day) in open_groups
    ]:
        out[position] = releases[position].read()
    return out


def _leave_single_language_dates(releases: list, unread: list, open_groups: set) -> None:
    """Take out of ``open_groups`` each date whose releases without a translation key are now
    all in one language and none of whose unread releases had a pair: pairing such a date
    links nothing, so its unread releases keep their (empty) pairs without being read again.

    Archives where many releases share a date (the UN debates' chunks of one session) would
    otherwise read thousands of releases again for one change.
    """
    days = {group for group in open_groups if type(group) is int}  # translation keys are strings
    if not days:
        return
    languages: dict[int, set] = {}
    for r in releases:
        if not r.translation_key and r.day in days:
            languages.setdefault(r.day, set()).add(r.lang)
    had_pairs = {r.day for r in unread if r.pair and not r.translation_key and r.day in days}
    open_groups -= {day for day in days if not {"en", "es"} <= languages.get(day, set()) and day not in had_pairs}


def read_changed_pairs(releases: list) -> list:
    """Releases whose pair differs from the one they were hashed with, read in full (a safety net:
    ``settle`` reads every release whose pair can change beforehand)."""
    return [r.read() if type(r) is Unread and r.pair != r.of.pairs[r.row] else r for r in releases]
