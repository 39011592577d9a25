"""The bulk segment writer writes what Whoosh's own writer writes, in one process or several."""

import json

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from index import segments
from index.benchmark_corpus import release_records
from index.build import _pairs_together, prepare
from index.config import SAMPLES_DIR
from index.schema import build_schema, document


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """The sample archive and 700 release-sized texts (posting lists of several blocks), enriched."""
    folder = tmp_path_factory.mktemp("sources")
    records, _ = release_records(700)
    extra = folder / "volume.jsonl"
    extra.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    releases, summary = prepare([SAMPLES_DIR, extra])
    assert not summary.rejected
    releases = _pairs_together(releases)
    return [document(r, r.content_hash()) for r in releases]


def new_index(path):
    path.mkdir()
    return whoosh_index.create_in(str(path), build_schema())


def whoosh_built(path, docs):
    ix = new_index(path)
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def bulk_built(path, docs, procs=1):
    ix = new_index(path)
    segments.write_full(ix, len(docs), docs.__getitem__, procs=procs)
    return ix


def postings(reader, fieldname, text):
    matcher = reader.postings(fieldname, text)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return out


def assert_same_index(expected, actual):
    a, b = expected.reader(), actual.reader()
    assert a.doc_count_all() == b.doc_count_all()
    terms = list(a.all_terms())
    assert terms == list(b.all_terms())
    for fieldname, text in terms:
        assert postings(a, fieldname, text) == postings(b, fieldname, text), (fieldname, text)
        assert a.doc_frequency(fieldname, text) == b.doc_frequency(fieldname, text)
        assert a.frequency(fieldname, text) == b.frequency(fieldname, text)
    for fieldname, field in a.schema.items():
        assert a.field_length(fieldname) == b.field_length(fieldname), fieldname
        if field.scorable:
            assert a.max_field_length(fieldname) == b.max_field_length(fieldname)
            assert a.min_field_length(fieldname) == b.min_field_length(fieldname)
            assert [a.doc_field_length(d, fieldname) for d in range(a.doc_count_all())] == \
                [b.doc_field_length(d, fieldname) for d in range(b.doc_count_all())]
        if a.has_column(fieldname):
            assert list(a.column_reader(fieldname)) == list(b.column_reader(fieldname)), fieldname
    assert list(a.all_stored_fields()) == list(b.all_stored_fields())


def test_bulk_writer_writes_what_whoosh_writes(tmp_path, documents):
    assert_same_index(whoosh_built(tmp_path / "whoosh", documents), bulk_built(tmp_path / "bulk", documents))


def block_figures(reader, fieldname, text):
    matcher = reader.postings(fieldname, text)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.block_min_length(), matcher.block_max_length(),
                    matcher.block_max_weight()))
        matcher.next()
    return out


def test_block_statistics_match_whoosh(tmp_path, documents):
    """The per-block figures Whoosh's matchers use to skip blocks (lengths, weights) are the same."""
    a = whoosh_built(tmp_path / "whoosh", documents).reader()
    b = bulk_built(tmp_path / "bulk", documents).reader()
    frequent = a.most_frequent_terms("body_en", number=20)
    assert max(n for n, _ in frequent) > 128  # posting lists of several blocks
    for _, text in frequent:
        assert block_figures(a, "body_en", text) == block_figures(b, "body_en", text), text


def test_parallel_slices_and_small_segments_keep_document_order(tmp_path, documents, monkeypatch):
    """Two processes, and segments cut small: the same documents at the same numbers, and the
    same search results as one segment written by Whoosh."""
    expected = whoosh_built(tmp_path / "whoosh", documents)
    parallel = bulk_built(tmp_path / "two", documents, procs=2)
    monkeypatch.setattr(segments, "SEGMENT_POSTINGS", 5000)
    small = bulk_built(tmp_path / "small", documents, procs=2)
    assert len(parallel.reader().leaf_readers()) == 2
    assert len(small.reader().leaf_readers()) > 4
    assert_same_index(expected, parallel)
    assert [f["id"] for f in small.reader().all_stored_fields()] == [d["id"] for d in documents]
    queries = [wq.Term("body_en", "develop"), wq.Phrase("body_en", ["human", "right"]),
               wq.And([wq.Term("body_en", "peac"), wq.Term("countries", "US")]), wq.Term("body_es", "migracion")]
    with expected.searcher() as one, small.searcher() as many:
        for q in queries:
            got = [(hit.docnum, round(hit.score, 6)) for hit in many.search(q, limit=None)]
            assert got == [(hit.docnum, round(hit.score, 6)) for hit in one.search(q, limit=None)], q
            assert got, q


def test_an_error_in_a_build_process_reaches_the_caller_and_commits_nothing(tmp_path, documents):
    def document_at(n):
        if n == len(documents) - 3:
            raise OSError(28, "No space left on device")
        return documents[n]

    ix = new_index(tmp_path / "ix")
    with pytest.raises(OSError) as raised:
        segments.write_full(ix, len(documents), document_at, procs=2)
    assert raised.value.errno == 28
    assert "in a build process" in "".join(getattr(raised.value, "__notes__", []))
    assert whoosh_index.open_dir(str(tmp_path / "ix")).doc_count_all() == 0  # no segment committed


def test_boosts_are_refused(tmp_path, documents):
    ix = new_index(tmp_path / "ix")
    writer = segments.BulkSegmentWriter(ix)
    with pytest.raises(ValueError):
        writer.add_document(_boost=2.0, **documents[0])
    writer.cancel()


def test_the_vocabulary_is_counted_while_indexing(tmp_path, documents):
    """The words counted as the body fields are analysed are those the vocabulary module finds
    in each release's title and text (releases per word, accented forms)."""
    from index import vocabulary
    ix = new_index(tmp_path / "ix")
    tally = segments.write_full(ix, len(documents), documents.__getitem__, procs=2,
                                vocabulary_fields=("body_en", "body_es"))
    expected = vocabulary.Tally()
    for doc in documents:
        expected.add_text(f"{doc['title']}\n{doc['body']}")
    assert tally.counts == expected.counts and tally.counts["migracion"] > 0
    assert tally.forms() == expected.forms() and tally.forms()["migracion"] == "migración"
