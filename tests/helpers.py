"""Helpers shared by the tests."""

import json
import os
from pathlib import Path

import pytest

from index.config import PROJECT_ROOT

SHARED = Path(os.environ.get("SHARED_DIR", PROJECT_ROOT.parent / "shared"))
FIXTURES = Path(__file__).parent / "fixtures"


def shared_path(*parts) -> Path:
    """A path under ../shared, skipping the test cleanly when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent on this machine)")
    return path


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def release(**fields) -> dict:
    """A valid JSON Lines release record, with ``fields`` overriding the defaults."""
    record = {
        "id": "r1",
        "lang": "en",
        "date": "2020-05-04",
        "title": "A release about migrant workers",
        "body": "IOM supports migrant workers in the region with training and information.",
    }
    record.update(fields)
    return record


def archive_of(records, root: Path):
    """An Archive of ``records`` (JSON Lines release records), built in ``root`` by the reindex."""
    from index.build import reindex
    from search.engine import Archive

    reindex([write_jsonl(root / "releases.jsonl", records)], root / "ix", progress=False)
    return Archive(root / "ix")


REINDEX_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "reindex"


def run_reindex(*args, env=None, timeout=120):
    """``scripts/reindex`` as staff run it, in a subprocess; the CompletedProcess (text)."""
    import subprocess

    return subprocess.run(
        [str(REINDEX_SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def rejections(stderr: str) -> dict[tuple[str, int], str]:
    """The ``rejected: FILE:LINE: reason`` lines of a reindex's standard error, by (file name, line)."""
    import re

    found = {}
    for match in re.finditer(r"^rejected: (.+?):(\d+): (.*)$", stderr, re.M):
        found[(Path(match[1]).name, int(match[2]))] = match[3]
    return found


def stored(root) -> dict[str, dict]:
    """The stored fields of every release in the live generation of the index at ``root``, by id."""
    from index.store import IndexStore

    with IndexStore(root).open().searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.documents()}
