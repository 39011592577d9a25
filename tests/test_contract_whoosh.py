"""Contract tests: the fast engine works on one Whoosh, and on indexes in that Whoosh's W3 format.

``index/whoosh_internals.py`` reads and writes Whoosh's files below its public API, as Whoosh
2.7.5 lays them out: it must refuse to load under another version rather than misread one.
An index in another format (another codec) is refused when the search opens it, with a message
saying how to mend it, and a reindex rebuilds it in full. What the engine gives on indexes it
does read is held equal to Whoosh's own in ``test_contract_scoring.py`` and
``test_contract_segments.py``.
"""

import importlib.util
import json

import pytest
import whoosh
from whoosh import index as whoosh_index
from whoosh.codec.plaintext import PlainTextCodec

from index import whoosh_internals
from index.build import reindex
from index.config import SAMPLES_DIR
from index.schema import SCHEMA_VERSION
from index.store import IndexStore
from search.engine import Archive, IndexUnavailable
from search.params import SearchParams

from .helpers import write_jsonl


def test_the_version_guard_refuses_another_whoosh():
    for other in ((2, 7, 4), (2, 8, 0), (3, 0, 0)):
        with pytest.raises(whoosh_internals.WhooshVersionError) as refused:
            whoosh_internals.check_version(other)
        message = str(refused.value)
        assert ".".join(map(str, other)) in message and "2.7.5" in message
        assert "whoosh-reloaded==2.7.5" in message  # what to install
    whoosh_internals.check_version(whoosh_internals.WRITTEN_FOR)


def test_the_module_will_not_load_under_another_whoosh(monkeypatch):
    """The guard runs when the module is imported: nothing of the project that reads or writes
    Whoosh's files can be used under a Whoosh it was not written for."""
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    spec = importlib.util.spec_from_file_location("fresh_whoosh_internals", whoosh_internals.__file__)
    with pytest.raises(ImportError, match="Whoosh 2.7.6 is installed"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_the_installed_whoosh_is_the_one_the_engine_was_written_for():
    assert tuple(whoosh.__version__) == whoosh_internals.WRITTEN_FOR


@pytest.fixture
def sample_built(tmp_path):
    """The sample archive's releases in a source of the test's own, built into a fresh index:
    (the source, the index root, the number of releases)."""
    records = [
        json.loads(line)
        for line in (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    source = write_jsonl(tmp_path / "releases.jsonl", records)
    root = tmp_path / "ix"
    reindex([source], root, progress=False)
    return source, root, len(records)


@pytest.fixture
def other_format(sample_built):
    """The sample archive, then its live generation rewritten by Whoosh in another codec (its
    plain-text one): an index Whoosh reads, but not in the W3 format the fast engine reads."""
    source, root, releases = sample_built
    store = IndexStore(root)
    ix = whoosh_index.open_dir(str(store.path(store.current_name())))
    ix.writer(codec=PlainTextCodec()).commit(optimize=True)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == releases  # Whoosh itself reads it
    return source, root


def test_an_index_in_another_format_is_refused_at_open_with_what_to_do(other_format):
    _, root = other_format
    archive = Archive(root)
    with pytest.raises(IndexUnavailable) as refused:
        archive.search(SearchParams(q="migrants"))
    message = str(refused.value)
    assert "PlainTextCodec" in message and "not Whoosh's W3 codec" in message
    assert "rebuild the index with a full reindex" in message and "scripts/reindex" in message
    assert not archive.warm()  # gunicorn's master starts without a generation, as with no index


def test_a_reindex_rebuilds_an_index_in_another_format_in_full(other_format):
    """Even an incremental one: adding to the refused generation would publish another."""
    source, root = other_format
    summary = reindex([source], root, mode="incremental", progress=False)
    assert summary.mode == "full"
    assert any("not in the W3 format this version searches): rebuilding in full" in m for m in summary.messages)
    result = Archive(root).search(SearchParams(q="migrants"))
    assert result.total > 0


def test_a_generation_of_another_schema_is_refused_at_open_and_rebuilt_in_full(sample_built):
    """An index written by another version of the project (its manifest's schema_version) is
    not read with guesses: the site refuses it, saying what to run, and a reindex, even an
    incremental one, rebuilds it in full."""
    source, root, _ = sample_built
    store = IndexStore(root)
    manifest_path = store.path(store.current_name()) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema_version"] = SCHEMA_VERSION - 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexUnavailable) as refused:
        Archive(root).search(SearchParams(q="migrants"))
    message = str(refused.value)
    assert f"schema {SCHEMA_VERSION - 1}" in message and "rebuild the index with a full reindex" in message
    summary = reindex([source], root, mode="incremental", progress=False)
    assert summary.mode == "full"
    assert any("written by another version" in m for m in summary.messages)
    assert Archive(root).search(SearchParams(q="migrants")).total > 0
