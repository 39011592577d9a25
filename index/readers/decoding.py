"""Turning a source file's bytes into text: UTF-8 (with or without BOM), else Windows-1252."""

import codecs

from ..records import Warning_


def decode(data: bytes, source: str, declared: str | None = None) -> tuple[str, list[Warning_]]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), []
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        position = data.count(b"\n", 0, error.start) + 1
    if declared:
        try:
            return data.decode(declared), []
        except (LookupError, UnicodeDecodeError):
            pass
    # Latin-1 is what non-UTF-8 exports from Windows tools usually are; cp1252 is its superset.
    text = data.decode("cp1252", errors="replace")
    return text, [Warning_(source, position, "not valid UTF-8; read as Windows-1252 (Latin-1)")]
