"""``scripts/report``: what visitors searched for, week by week, from the counts the site keeps
in ``ANALYTICS_DIR`` (web/analytics.py).

    scripts/report                      # the last 4 weeks, each and together
    scripts/report --weeks 13 --json    # as JSON, for a spreadsheet or another program
    scripts/report --min-count 10       # only queries asked 10 times or more in a period

A query asked fewer than ``ANALYTICS_MIN_COUNT`` times (default 3) in a period is never
shown; ``--min-count`` may raise that floor, not lower it.

Exit status: 0 the report is printed; 2 usage error; 3 the counts file cannot be read.
"""

import argparse
import json
import os
import sqlite3
import sys

from .analytics import DEFAULT_MIN_COUNT, DEFAULT_WEEKS, positive
from .analytics_store import Store, report


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/report", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--dir", metavar="DIR", help="where the counts are kept (default: $ANALYTICS_DIR)")
    p.add_argument("--weeks", type=int, default=4, help="weeks shown, this one included (default 4)")
    p.add_argument(
        "--min-count",
        type=int,
        default=None,
        help="show a query only when asked this many times in the period "
        "(default and least: $ANALYTICS_MIN_COUNT, else 3)",
    )
    p.add_argument("--limit", type=int, default=20, help="queries per list (default 20)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--prune",
        action="store_true",
        help="delete the weeks older than $ANALYTICS_WEEKS (13) first (the running site does it hourly)",
    )
    return p


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def _share(value) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _pairs(values: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items()) or "none"


def text(data: dict, where: str) -> str:
    lines = [
        f"Searches counted in {where}; a query asked fewer than {data['min_count']} times in a period is not shown."
    ]
    sections = [(f"Week {w['label']} ({w['week']} to {w['end']})", w) for w in data["weeks"]]
    period = data["period"]
    sections.append((f"All {len(data['weeks'])} weeks ({period['from']} to {period['to']})", period))
    for title, s in sections:
        t = s["totals"]
        lines += [
            "",
            title,
            f"  searches {t['searches']} (with words {t['with_words']}), found nothing {t['empty']} "
            f"({_pct(t['empty'], t['searches'])}), spelling corrected {t['corrected']}, refined at once "
            f"{t['refined']} ({_pct(t['refined'], t['searches'])}), narrowed by a filter {t['narrowed']}, "
            f"reached a release {_share(s['reached_share'])}",
            f"  interface: {_pairs(s['interface_languages'])}; query language: {_pairs(s['query_languages'])}",
        ]
        for name, rows in (
            ("most frequent", s["queries"]),
            ("found nothing", s["nothing_found"]),
            ("spelling corrected", s["corrected"]),
        ):
            if rows:
                lines.append(f"  {name}:")
                key = {"found nothing": "empty", "spelling corrected": "corrected"}.get(name, "searches")
                for q in rows:
                    detail = (
                        f"  (found nothing {q['empty']}, refined {q['refined']}, reached {_share(q['reached_share'])})"
                        if key == "searches"
                        else f"  (of {q['searches']})"
                    )
                    lines.append(f"    {q[key]:>6}  {q['query']}{detail}")
        if s["refined"]:
            lines.append("  refined at once:")
            for q in s["refined"]:
                into = ", ".join(f"{r['query']} ({r['count']})" for r in q["replaced_by"])
                line = f"    {q['refined']:>6}  {q['query']}  (of {q['searches']})"
                lines.append(line + (f" -> {into}" if into else ""))
        if s["filters"]:
            lines.append("  filters: " + "; ".join(f"{name} {_pairs(values)}" for name, values in s["filters"].items()))
        lines.append(f"  sorts: {_pairs(s['sorts'])}")
        if s["hidden"]["queries"]:
            hidden = s["hidden"]
            lines.append(f"  rarer queries not shown: {hidden['queries']}; their searches: {hidden['searches']}")
        if s["dropped"]:
            lines.append(f"  not counted by query (a worker's memory bound was reached): {s['dropped']} searches")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    directory = args.dir or os.environ.get("ANALYTICS_DIR") or os.environ.get("ARCHIVE_ANALYTICS_DIR")
    if not directory:
        print(
            "scripts/report: no counts to read: set ANALYTICS_DIR (as the site has it) or give --dir", file=sys.stderr
        )
        return 2
    try:
        floor = positive(os.environ.get("ANALYTICS_MIN_COUNT") or DEFAULT_MIN_COUNT, "ANALYTICS_MIN_COUNT")
        keep = positive(os.environ.get("ANALYTICS_WEEKS") or DEFAULT_WEEKS, "ANALYTICS_WEEKS")
    except ValueError as error:
        print(f"scripts/report: {error}", file=sys.stderr)
        return 2
    min_count = floor if args.min_count is None else args.min_count
    if min_count < floor:
        print(
            f"scripts/report: --min-count {args.min_count} is below ANALYTICS_MIN_COUNT ({floor}): "
            "rarer queries are never shown",
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.weeks <= keep:
        print(
            f"scripts/report: --weeks must be from 1 to {keep} (ANALYTICS_WEEKS: older weeks are not kept)",
            file=sys.stderr,
        )
        return 2
    if args.limit < 1:
        print("scripts/report: --limit must be 1 or more", file=sys.stderr)
        return 2
    store = Store(directory)
    try:
        if args.prune:
            conn = store.connect()
            try:
                deleted = Store.prune(conn, keep)
            finally:
                conn.close()
            print(f"note: {deleted} rows of weeks older than {keep} deleted", file=sys.stderr)
        elif not store.exists():
            print(
                f"note: nothing counted yet in {directory} (the site counts when its ANALYTICS_DIR is this directory)",
                file=sys.stderr,
            )
        data = report(store, weeks=args.weeks, min_count=min_count, limit=args.limit)
    except (sqlite3.Error, OSError) as error:
        print(f"scripts/report: the counts in {directory} cannot be read: {error}", file=sys.stderr)
        return 3
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(text(data, directory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
