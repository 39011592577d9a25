"""The live versions of releases whose records a reindex rejected, read back from the live index.

A record that was good and is now rejected (a typo in its date, a field of the wrong type) still
names its release. Dropping the release would take it off the site for a typo; the reindex keeps
the version that is live instead, and says so beside the rejection. The index stores the fields
a release is written from, so the release is rebuilt from them and paired with the others.
"""

from dataclasses import dataclass, field
from pathlib import Path

from .records import Rejected, Release
from .schema import docnums_with_id, stored_release
from .store import IndexStore


@dataclass
class LiveVersions:
    """The releases kept, and why none could be (a live index that cannot be read), if so."""

    releases: list[Release] = field(default_factory=list)
    problem: str = ""


def live_versions(directory: Path | None, rejected: list[Rejected], accepted: list) -> LiveVersions:
    """The live releases named by records in ``rejected`` and by none of the releases
    ``accepted``, each marked on its rejection (``kept``) and as ``kept_live``."""
    wanted: dict[str, Rejected] = {}
    by_url: dict[str, Rejected] = {}  # pages whose id cannot be read (no date, no title)
    for record in rejected:
        if record.release_id and record.release_id not in wanted:
            wanted[record.release_id] = record
        elif not record.release_id and record.url:
            by_url.setdefault(record.url, record)
    present = {r.id for r in accepted} if wanted or by_url else set()
    wanted = {i: record for i, record in wanted.items() if i not in present}
    if directory is None or not (wanted or by_url):
        return LiveVersions()
    found: list[tuple[Rejected, dict]] = []
    try:
        ix = IndexStore(directory.parent).open(directory.name)
        try:
            with ix.reader() as reader:
                for release_id, record in wanted.items():
                    docnums = docnums_with_id(reader, release_id)
                    if docnums:
                        found.append((record, reader.stored_fields(docnums[0])))
                if by_url:
                    # No field indexes the address: the stored fields are read through, which
                    # only a page rejected without an id costs.
                    for fields in reader.all_stored_fields():
                        page = by_url.get(fields.get("url") or "")
                        if page is not None and not page.release_id and fields.get("id") not in present:
                            page.release_id = fields["id"]
                            found.append((page, fields))
        finally:
            ix.close()
    except Exception as error:  # noqa: BLE001 - a damaged live index: the build may be what repairs it
        return LiveVersions(problem=f"the live versions of rejected records could not be read ({error!r})")
    kept = LiveVersions()
    for record, fields in found:
        try:
            release = stored_release(fields)
        except (KeyError, TypeError, ValueError):
            continue  # a document without the fields this version writes
        release.source, release.line, release.kept_live = record.source, record.line, True
        record.kept = True
        kept.releases.append(release)
    return kept
