"""The live versions of releases whose records a reindex rejected, read back from the live index.

A record that was good and is now rejected (a typo in its date, a field of the wrong type) still
names its release. Dropping the release would take it off the site for a typo; the reindex keeps
the version that is live instead, and says so beside the rejection. The index stores every field
a release is written from, so the release is rebuilt from them and goes through enrichment and
pairing as the others do.
"""

import datetime as dt
import pickle
import struct
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import IndexError as WhooshIndexError
from whoosh.reading import TermNotFound

from .records import Rejected, Release


def live_versions(directory: Path | None, rejected: list[Rejected], accepted: list) -> list[Release]:
    """The live releases named by records in ``rejected`` and by none of the releases
    ``accepted``, each marked on its rejection (``kept``); none when ``directory`` holds no
    index this version can read."""
    wanted: dict[str, Rejected] = {}
    for record in rejected:
        if record.release_id and record.release_id not in wanted:
            wanted[record.release_id] = record
    if wanted:
        present = {r.id for r in accepted}
        wanted = {i: record for i, record in wanted.items() if i not in present}
    if directory is None or not wanted:
        return []
    try:
        ix = FileStorage(str(directory), supports_mmap=False, readonly=True).open_index()
    except (OSError, WhooshIndexError, EOFError, struct.error, pickle.UnpicklingError):
        return []  # no live index to keep from (or one this version cannot open)
    kept = []
    try:
        with ix.reader() as reader:
            for release_id, record in wanted.items():
                fields = _stored(reader, release_id)
                release = _release(fields, record) if fields else None
                if release is not None:
                    record.kept = True
                    kept.append(release)
    finally:
        ix.close()
    return kept


def _stored(reader, release_id: str) -> dict | None:
    try:
        docnums = list(reader.postings("id", release_id).all_ids())
    except TermNotFound:
        return None
    return reader.stored_fields(docnums[0]) if docnums else None


def _release(fields: dict, record: Rejected) -> Release | None:
    """The release a live document was written from, found at ``record``'s place in the sources;
    None for a document without the fields this version writes."""
    try:
        return Release(
            id=fields["id"],
            lang=fields["lang"],
            date=dt.date.fromordinal(fields["date"]),
            title=fields["title"],
            body=fields["body"],
            summary=fields.get("summary") or "",
            url=fields.get("url") or "",
            translation_key=fields.get("translation_key") or "",
            countries=[c for c in (fields.get("countries") or "").split(",") if c],
            topics=[t for t in (fields.get("topics") or "").split(",") if t],
            source=record.source,
            line=record.line,
        )
    except (KeyError, TypeError, ValueError):
        return None
