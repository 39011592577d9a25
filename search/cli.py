"""``scripts/search``: search the archive from the command line, as the site and the API do.

scripts/search "trata de personas" --country GT --year 2019 --json
"""

import argparse
import json
import os
import sys

from markupsafe import Markup

from index import config

from .engine import Archive, IndexUnavailable
from .params import ParamError, parse_params


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/search", description="Search the release archive.")
    p.add_argument(
        "query",
        nargs="?",
        default="",
        help="the query, in the archive's query language; its words may stand apart and start "
        "with '-' (scripts/search hurricane -Haiti)",
    )
    p.add_argument("--index", metavar="DIR", help="index directory (default: $INDEX_DIR or var/index)")
    p.add_argument("--lang", action="append", default=[], help="only releases in this language (en, es)")
    p.add_argument("--country", action="append", default=[], help="only releases about this country (ISO code)")
    p.add_argument("--topic", action="append", default=[], help="only releases on this topic (taxonomy id)")
    p.add_argument("--year", action="append", default=[], help="only releases of this year (repeatable)")
    p.add_argument("--from", dest="date_from", help="from this year or date (2019, 2019-08-07)")
    p.add_argument("--to", dest="date_to", help="up to this year or date")
    p.add_argument("--sort", default=None, help="relevance (default), newest or oldest")
    p.add_argument("--page", default=None)
    p.add_argument("--per-page", dest="per_page", default=None)
    p.add_argument("--ui", default=None, help="interface language for labels and pairs: en (default) or es")
    p.add_argument("--separate", action="store_true", help="show both versions of a translation pair")
    p.add_argument(
        "--spell",
        metavar="1|0",
        default=None,
        help="1 (default): search misspelt words corrected when the query as typed finds nothing; "
        "0: search exactly as typed",
    )
    p.add_argument("--json", action="store_true", help="print the whole result model as JSON")
    return p


def _options_and_query(p: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` as the parser reads it: the options, then the query's words as one argument.

    A word of the query may start with "-" (an excluded word: ``-Haiti``), which argparse takes
    for an unknown option; so every argument that is not an option (one starting with "--", or
    -h) or an option's value is a word of the query, in order, as are all after "--"."""
    flags = {s for action in p._actions if action.nargs == 0 for s in action.option_strings}
    options: list[str] = []
    words: list[str] = []
    rest = iter(argv)
    for token in rest:
        if token == "--":
            words += rest
        elif token.startswith("--") or token in flags:
            options.append(token)
            if "=" not in token and token not in flags:
                value = next(rest, None)
                if value is not None:
                    options.append(value)
        else:
            words.append(token)
    return options + (["--", " ".join(words)] if words else [])


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(_options_and_query(p, sys.argv[1:] if argv is None else list(argv)))
    raw = {
        "q": args.query,
        "lang": args.lang,
        "country": args.country,
        "topic": args.topic,
        "year": args.year,
        "from": args.date_from,
        "to": args.date_to,
        "sort": args.sort,
        "page": args.page,
        "per_page": args.per_page,
        "ui": args.ui,
        "translations": "separate" if args.separate else None,
        "spell": args.spell,
    }
    archive = Archive(args.index or config.index_dir())
    try:
        params = parse_params(
            {k: v for k, v in raw.items() if v not in (None, [], "")} | {"q": args.query},
            known_topics=archive.known_topics(),
            known_countries=archive.known_countries(),
        )
        result = archive.search(params)
    except ParamError as error:
        _fail(args, "bad_parameter", error.message, param=error.param)
        return 2
    except IndexUnavailable as error:
        _fail(args, "index_unavailable", str(error))
        return 3
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    _print_text(result)
    return 0


def _fail(args, code: str, message: str, **extra) -> None:
    if args.json:
        json.dump({"error": {"code": code, "message": message, **extra}}, sys.stdout, ensure_ascii=False)
        print()
    else:
        print(f"search: {message}", file=sys.stderr)


def _plain(html: str) -> str:
    return Markup(html.replace("<mark>", "[").replace("</mark>", "]")).unescape()


def _print_text(result) -> None:
    # What was searched for comes first; notes about those results follow it.
    if result.corrected:
        print(f"showing results for: {result.searched_for} (search instead for {result.query!r} with --spell 0)")
    elif result.suggestion:
        print(f"did you mean: {result.suggestion}")
    for notice in result.notices:
        if notice["code"] != "corrected":  # said on its own line above
            print(f"note: {notice['message']}")
    first = (result.page - 1) * result.per_page
    print(f"{result.total} result{'s' if result.total != 1 else ''} ({result.took_ms:.1f} ms)")
    for number, hit in enumerate(result.hits, first + 1):
        print(f"\n{number}. {_plain(hit.title_html)}")
        print(f"   {hit.date} · {hit.lang} · {hit.id}")
        tags = [c.label for c in hit.countries] + [t.label for t in hit.topics]
        if tags:
            print(f"   {', '.join(tags)}")
        for snippet in hit.snippets:
            print(f"   … {_plain(snippet)} …")
        if hit.translation:
            print(f"   translation ({hit.translation.lang}): {hit.translation.id}")


def run() -> int:
    """``main``, for a shell: output cut short by its reader (``scripts/search ... | head``) ends
    the command quietly, as any Unix filter's does, without a traceback."""
    try:
        code = main()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at nothing, so that it does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(run())
