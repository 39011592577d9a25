"""The listing text staff export from the news site.

Each release is a date line (``7 August, 2019`` or ``7 de agosto de 2019``), its title,
then one or more summary paragraphs; blank lines between them vary.
"""

from pathlib import Path

from .. import language
from ..dates import DateError, looks_like_date, mistyped_date, parse_labelled_date
from ..records import ReadResult, Rejected, Release, Warning_, clean_line, clean_text, derived_id, first_paragraph
from .decoding import read_known_file, read_text_source
from .markup import read_field


def read(path: Path, known=None) -> ReadResult:
    return read_known_file(
        "listing", path.read_bytes(), str(path), known, lambda data: read_text_source(path, parse, data)
    )


def parse(text: str, source: str) -> ReadResult:
    result = ReadResult()
    blocks: list[dict] = []
    current: dict | None = None
    stray_line = 0
    for number, line in enumerate(text.splitlines(), 1):
        try:
            parsed = parse_labelled_date(line)
        except DateError as error:
            current = {"line": number, "error": str(error), "lines": []}
            blocks.append(current)
            continue
        if parsed and _byline(current, parsed[0]):
            continue  # "Published on August 8, 2019" under the title of that day: the same date said again
        if parsed:
            date, month_lang = parsed
            current = {"line": number, "date": date, "month_lang": month_lang, "lines": []}
            blocks.append(current)
        elif current is not None:
            titled = current.get("titled", False)
            current["titled"] = titled or bool(line.strip())
            fault = mistyped_date(line) if titled else None  # a title is not taken for one
            if fault:
                # A date line that cannot be read (a mistyped month, numbers alone, a place after
                # it): the release under it is rejected (named, and the reindex fails) rather than
                # read silently as text of the release above, which keeps only its own.
                current = {
                    "line": number,
                    "error": f"{line.strip()!r} {fault}, so the release under it is left out (and not read as "
                    f"text of the release at line {current['line']}); write the date alone on its line, as "
                    "'7 August, 2019' or '7 de agosto de 2019'",
                    "lines": [],
                }
                blocks.append(current)
                continue
            if titled and looks_like_date(line):
                # Less sure ("August 2019", "12 of Agust 2019"; a short line of a body may look
                # so too): warned of, and read as text.
                result.warnings.append(
                    Warning_(
                        source,
                        number,
                        f"{line.strip()!r} looks like a date line but is not one, so it and the lines under it "
                        f"are read as text of the release at line {current['line']}; if it is a date, write it "
                        "as '7 August, 2019' or '7 de agosto de 2019'",
                    )
                )
            current["lines"].append(line)
        elif line.strip() and not stray_line:
            stray_line = number
    if stray_line:
        result.rejected.append(Rejected(source, stray_line, "text before the first date line belongs to no release"))
    for block in blocks:
        _read_block(block, source, result)
    return result


def _byline(block: dict | None, date) -> bool:
    """Whether a date line of ``date`` is the byline of ``block``: right under its title (no text
    yet), the day its date line gave."""
    return (
        block is not None
        and block.get("date") == date
        and block.get("titled", False)
        and not any(line.strip() for line in block["lines"][_title_at(block["lines"]) + 1 :])
    )


def _title_at(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.strip()), len(lines))


def _read_block(block: dict, source: str, result: ReadResult) -> None:
    line = block["line"]
    if "error" in block:
        result.rejected.append(Rejected(source, line, block["error"]))
        return
    lines = block["lines"]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        result.rejected.append(Rejected(source, line, "date line with no title after it"))
        return
    # Markup pasted into an export ("<b>", "&amp;", "<br>") is read as a JSON Lines field's is.
    title = clean_line(read_field(lines[0]))
    body = clean_text(read_field("\n".join(lines[1:])))
    if not body:
        result.warnings.append(Warning_(source, line, "release has a title but no summary text"))
    lang = language.detect(f"{title}\n{body}", fallback=block["month_lang"])
    if lang is None:
        result.rejected.append(Rejected(source, line, "cannot tell whether the release is in English or Spanish"))
        return
    result.releases.append(
        Release(
            id=derived_id(lang, block["date"], title),
            lang=lang,
            date=block["date"],
            title=title,
            body=body,
            summary=first_paragraph(body),
            source=source,
            line=line,
            lang_detected=True,
        )
    )
