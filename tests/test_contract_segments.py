"""Contract tests: the bulk segment writer (``index.segments``) writes what Whoosh's own writer writes.

A full build writes its segments without Whoosh's ``SegmentWriter``, in Whoosh's W3 block format
(``index/whoosh_internals.py``). These tests are the proof that the result is the index Whoosh
would have written: the same terms, postings, positions, block statistics, field lengths,
stored fields, columns and search results, in one process and in several; that the posting
arrays beside each segment (``index.posting_arrays``) hold each term's postings and give the same
scores; and that Whoosh deletes them with their segment when it merges it.
"""

import json
from itertools import pairwise

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from index import segments, whoosh_internals
from index.benchmark_corpus import release_records
from index.build import _pairs_together, prepare
from index.config import SAMPLES_DIR
from index.posting_arrays import PostingArrays
from index.schema import build_schema, document
from index.spool import Spool


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
    segments.write_full(ix, docs, procs=procs)
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
            assert [a.doc_field_length(d, fieldname) for d in range(a.doc_count_all())] == [
                b.doc_field_length(d, fieldname) for d in range(b.doc_count_all())
            ]
        if a.has_column(fieldname):
            assert list(a.column_reader(fieldname)) == list(b.column_reader(fieldname)), fieldname
    assert list(a.all_stored_fields()) == list(b.all_stored_fields())


def test_bulk_writer_writes_what_whoosh_writes(tmp_path, documents):
    assert_same_index(whoosh_built(tmp_path / "whoosh", documents), bulk_built(tmp_path / "bulk", documents))


def block_figures(reader, fieldname, text):
    matcher = reader.postings(fieldname, text)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight()))
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
    # A term, a phrase and a term with a country taken from an English text of the volume (UN
    # debates, or the synthetic text used where ../shared is absent), and a Spanish term.
    english = next(d for d in reversed(documents) if d.get("body_en") and d.get("countries"))
    words = [t.text for t in expected.schema["body_en"].analyzer(english["body_en"])]
    country = english["countries"].split(",")[0]
    queries = [
        wq.Term("body_en", words[0]),
        wq.Phrase("body_en", words[3:5]),
        wq.And([wq.Term("body_en", words[6]), wq.Term("countries", country)]),
        wq.Term("body_es", "migracion"),
    ]
    with expected.searcher() as one, small.searcher() as many:
        for q in queries:
            got = [(hit.docnum, round(hit.score, 6)) for hit in many.search(q, limit=None)]
            assert got == [(hit.docnum, round(hit.score, 6)) for hit in one.search(q, limit=None)], q
            assert got, q


class Failing(list):
    """Documents whose third from last cannot be read (a disk gone wrong)."""

    def __getitem__(self, n):
        if n == len(self) - 3:
            raise OSError(28, "No space left on device")
        return super().__getitem__(n)


def test_an_error_in_a_build_process_reaches_the_caller_and_commits_nothing(tmp_path, documents):
    ix = new_index(tmp_path / "ix")
    with pytest.raises(OSError) as raised:
        segments.write_full(ix, Failing(documents), procs=2)
    assert raised.value.errno == 28
    assert "in a build process" in "".join(getattr(raised.value, "__notes__", []))
    assert whoosh_index.open_dir(str(tmp_path / "ix")).doc_count_all() == 0  # no segment committed


def test_a_spool_gives_back_the_documents_in_any_process(tmp_path, documents):
    spool = Spool.write(tmp_path / "docs.spool", iter(documents))
    try:
        assert len(spool) == len(documents)
        assert spool[0] == documents[0] and spool[len(documents) - 1] == documents[-1]
        ix = new_index(tmp_path / "ix")
        segments.write_full(ix, spool, procs=2)  # the forked processes read it too
        assert [f["id"] for f in ix.reader().all_stored_fields()] == [d["id"] for d in documents]
    finally:
        spool.close()
    assert not (tmp_path / "docs.spool").exists()


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
    tally = segments.write_full(ix, documents, procs=2, vocabulary_fields=("body_en", "body_es"))
    expected = vocabulary.Tally()
    for doc in documents:
        expected.add_text(f"{doc['title']}\n{doc['body']}")
    assert tally.counts == expected.counts and tally.counts["migracion"] > 0
    assert tally.forms() == expected.forms() and tally.forms()["migracion"] == "migración"


def test_posting_arrays_hold_each_frequent_terms_postings(tmp_path, documents):
    """Beside each segment, the documents and weights of its text terms in ARRAYS_FROM or more
    documents, the same as the segment's own postings."""
    ix = bulk_built(tmp_path / "ix", documents, procs=2)
    checked = 0
    for leaf in ix.reader().leaf_readers():
        reader = leaf[0]
        arrays = PostingArrays.open(tmp_path / "ix", whoosh_internals.segment_of(reader))
        assert arrays is not None
        try:
            for fieldname, text in reader.all_terms():
                if not fieldname.startswith(("body_", "title_")):
                    continue
                found = arrays.get(fieldname, text.decode("utf-8"))
                if reader.doc_frequency(fieldname, text) < segments.ARRAYS_FROM:
                    assert found is None
                    continue
                expected = postings(reader, fieldname, text)
                assert found[0].tolist() == [d for d, _, _ in expected]
                assert found[1].tolist() == [w for _, w, _ in expected]
                # and, in these fields with positions, each document's positions (every
                # document, and every third), as Whoosh decodes them from its blocks
                decode = reader.schema[fieldname].format.decode_positions
                for chosen in (expected, expected[::3]):
                    owner, positions = arrays.positions(
                        fieldname, text.decode("utf-8"), np.array([d for d, _, _ in chosen])
                    )
                    assert list(zip(owner.tolist(), positions.tolist(), strict=True)) == [
                        (i, position) for i, (_, _, value) in enumerate(chosen) for position in decode(value)
                    ]
                checked += 1
        finally:
            arrays.close()
    assert checked > 100


def test_posting_arrays_of_the_first_format_are_read_without_positions(tmp_path):
    """A generation written before positions were kept (``ARRAYS01``) still gives its postings;
    its phrases read positions from Whoosh's blocks (``positions`` is None)."""
    import marshal
    from array import array

    class Segment:
        def segment_id(self):
            return "MAIN_old"

    docs, weights = array("i", [3, 8, 21]), array("f", [1.0, 2.0, 1.0])
    table = {("body_en", "peac"): (0, len(docs))}
    body = docs.tobytes() + weights.tobytes()
    PostingArrays.path(tmp_path, Segment()).write_bytes(
        body + marshal.dumps(table) + PostingArrays._TAIL.pack(len(body), b"ARRAYS01")
    )
    arrays = PostingArrays.open(tmp_path, Segment())
    assert arrays is not None
    try:
        found = arrays.get("body_en", "peac")
        assert found[0].tolist() == [3, 8, 21] and found[1].tolist() == [1.0, 2.0, 1.0]
        assert arrays.positions("body_en", "peac", np.array([8])) is None
    finally:
        arrays.close()


def test_scores_are_the_same_with_and_without_posting_arrays(tmp_path, documents):
    from whoosh import query as wq

    from search.scoring import GenerationScorer

    ix = bulk_built(tmp_path / "ix", documents, procs=2)
    with ix.searcher() as searcher:
        live = (1 << ix.doc_count_all()) - 1
        plain = GenerationScorer(searcher, live)
        fast = GenerationScorer(searcher, live, folder=str(tmp_path / "ix"))
        for q in (
            wq.Term("body_en", "nation"),
            wq.Or([wq.Term("body_en", "peac"), wq.Term("title_en", "peac")]),
            wq.And([wq.Term("body_en", "develop"), wq.Term("body_en", "countri")]),
            wq.Term("body_es", "migrant"),
        ):
            a, b = plain.evaluate(searcher, q), fast.evaluate(searcher, q)
            assert a.mask.any() and (a.mask == b.mask).all() and (a.scores == b.scores).all(), q
        assert fast._arrays and all(v is not None for v in fast._arrays.values())
        fast.close()


def test_a_segment_lacks_only_the_terms_whoosh_does_not_hold(tmp_path, documents):
    """``PostingArrays.lacks`` (search skips Whoosh's term table for such terms) is never True
    for a term the segment holds, in any field; for words of the other segments, of the other
    language and made up, it is True wherever Whoosh holds no such term in a text field."""
    ix = bulk_built(tmp_path / "ix", documents, procs=2)
    leaves = [leaf for leaf, _ in ix.reader().leaf_readers()]
    assert len(leaves) > 1
    text_fields = ("body_", "title_", "exact_")
    every = {(f, t.decode("utf-8")) for leaf in leaves for f, t in leaf.all_terms() if f.startswith(text_fields)}
    every |= {("countries", "MX"), ("countries", "ZZ"), ("topics", "health"), ("id", "no-such-id")}
    made_up = {
        (f"{kind}_{lang}", f"zq{n}x") for kind in ("body", "title", "exact") for lang in ("en", "es") for n in range(50)
    }
    lacked = 0
    for leaf in leaves:
        arrays = PostingArrays.open(tmp_path / "ix", whoosh_internals.segment_of(leaf))
        assert arrays is not None
        try:
            for fieldname, text in sorted(every | made_up):
                holds = (fieldname, text.encode("utf-8")) in leaf
                lacks = arrays.lacks(fieldname, text)
                assert not (holds and lacks), (fieldname, text)
                if fieldname.startswith(text_fields):
                    assert lacks == (not holds), (fieldname, text)  # a hash met by chance: one in 2**64
                    lacked += lacks
                else:
                    assert not lacks  # the other fields' terms are not listed: Whoosh is asked
        finally:
            arrays.close()
    assert lacked > 1000


def test_a_segment_of_one_language_lacks_every_term_of_the_others_fields(tmp_path, documents):
    english = [doc for doc in documents if doc["lang"] == "en" and "body_es" not in doc]
    ix = bulk_built(tmp_path / "ix", english)
    (leaf, _), *_ = ix.reader().leaf_readers()
    arrays = PostingArrays.open(tmp_path / "ix", whoosh_internals.segment_of(leaf))
    assert arrays is not None
    try:
        for fieldname in ("body_es", "title_es", "exact_es"):
            assert (fieldname, b"migrant") not in leaf and arrays.lacks(fieldname, "migrant")
        assert ("body_en", b"migrant") in leaf and not arrays.lacks("body_en", "migrant")
    finally:
        arrays.close()


def test_posting_arrays_of_the_second_format_say_nothing_of_the_terms_they_lack(tmp_path):
    """A generation written before the other terms were listed (``ARRAYS02``) is read as before:
    every term it has no arrays for is looked up in Whoosh's table."""
    import marshal
    from array import array

    class Segment:
        def segment_id(self):
            return "MAIN_second"

    docs, weights = array("i", [3, 8]), array("f", [1.0, 2.0])
    positions = array("H", [4, 1, 9])
    body = docs.tobytes() + weights.tobytes() + positions.tobytes()
    tables = ({("body_en", "peac"): (0, len(docs))}, {"body_en": {"peac": 2}})
    PostingArrays.path(tmp_path, Segment()).write_bytes(
        body + marshal.dumps(tables) + PostingArrays._TAIL.pack(len(body), b"ARRAYS02")
    )
    arrays = PostingArrays.open(tmp_path, Segment())
    assert arrays is not None
    try:
        assert arrays.get("body_en", "peac")[0].tolist() == [3, 8]
        assert arrays.positions("body_en", "peac", np.array([8]))[1].tolist() == [1, 9]
        assert not arrays.lacks("body_en", "peac") and not arrays.lacks("body_en", "zzz")
    finally:
        arrays.close()


@pytest.mark.parametrize("layout", ["bulk", "Whoosh's writer"])
def test_posting_values_within_some_documents_are_whooshs(tmp_path, documents, layout):
    """``posting_values`` gives a term's values in the documents asked for, the same as Whoosh's
    matcher, reading only the blocks that hold them: asked for the first or the last document of
    one block, a few spread over the list, every one, or none that hold the term."""
    import random

    ix = (
        bulk_built(tmp_path / "ix", documents, procs=1)
        if layout == "bulk"
        else whoosh_built(tmp_path / "ix", documents)
    )
    reader = ix.reader()
    rng = random.Random(3)
    checked = 0
    for fieldname, text in reader.all_terms():
        if fieldname != "body_en" or reader.doc_frequency(fieldname, text) <= 2 * whoosh_internals.BLOCK_POSTINGS:
            continue
        expected = {d: v for d, _, v in postings(reader, fieldname, text)}
        ids = sorted(expected)
        block = whoosh_internals.BLOCK_POSTINGS
        absent = sorted(set(range(reader.doc_count_all())) - set(ids))[:5]
        for within in (
            [ids[block - 1]],
            [ids[block]],
            [ids[-1]],
            sorted(rng.sample(ids, 7)),
            ids,
            absent,
            sorted(absent + [ids[2 * block - 1]]),
        ):
            got = whoosh_internals.posting_values(reader, fieldname, text, within)
            assert got == {d: expected[d] for d in within if d in expected}, (text, within)
        checked += 1
    assert checked >= 10


def frequent_phrases(searcher, fieldname, count):
    """Two-word phrases (as analysed terms) of the index's most frequent words."""
    analyzer = searcher.schema[fieldname].analyzer
    texts = (searcher.stored_fields(d).get("body", "") for d in range(searcher.doc_count_all()))
    seen = {}
    for text in texts:
        terms = [t.text for t in analyzer(text)]
        for pair in pairwise(terms):
            seen[pair] = seen.get(pair, 0) + 1
    return [list(pair) for pair, _ in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


@pytest.mark.parametrize("layout", ["bulk", "bulk and a segment of Whoosh's writer"])
def test_phrases_over_posting_lists_of_several_blocks_score_as_whoosh(tmp_path, documents, layout):
    """Phrase positions are read only from the posting blocks holding documents that have every
    word (``whoosh_internals.posting_values``): the documents and scores are Whoosh's own, for
    phrases of frequent words (posting lists of several blocks, most of them skipped)."""
    import numpy as np
    from whoosh import collectors

    from search.scoring import GenerationScorer

    ix = bulk_built(tmp_path / "ix", documents[:-40], procs=1)
    if layout != "bulk":
        writer = ix.writer()
        for doc in documents[-40:]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        live = (1 << ix.doc_count_all()) - 1
        scorer = GenerationScorer(searcher, live, folder=str(tmp_path / "ix"))
        phrases = frequent_phrases(searcher, "body_en", 40)
        several_blocks = 0
        for words in phrases:
            query = wq.Phrase("body_en", words)
            collector = collectors.UnlimitedCollector()
            searcher.search_with_collector(query, collector)
            expected = {hit.docnum: hit.score for hit in collector.results()}
            found = scorer.evaluate(searcher, query)
            got = {int(d): float(found.scores[d]) for d in np.flatnonzero(found.mask)}
            assert set(got) == set(expected), words
            for docnum, score in expected.items():
                assert got[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12), words
            if max(searcher.doc_frequency("body_en", w) for w in words) > whoosh_internals.BLOCK_POSTINGS:
                several_blocks += 1
        assert several_blocks >= 10
        scorer.close()


def test_posting_arrays_go_with_their_segment_when_whoosh_merges_it(tmp_path, documents):
    ix = bulk_built(tmp_path / "ix", documents[:300], procs=1)
    before = sorted(p.name for p in (tmp_path / "ix").glob("*.arrays"))
    assert len(before) == 1
    writer = ix.writer()
    for doc in documents[300:320]:
        writer.add_document(**doc)
    writer.commit(optimize=True)  # one new segment, merged by Whoosh's writer: no arrays
    assert sorted(p.name for p in (tmp_path / "ix").glob("*.arrays")) == []


def test_posting_values_encoded_at_once_are_whooshs_encoding():
    """Frequent terms' posting values come from numpy: the same bytes as Whoosh's Positions
    format gives (frequency, then the pickled position deltas), for gaps of one, two and four
    bytes, single positions and the longest lists encoded this way."""
    import random
    from array import array
    from pickle import dumps

    from whoosh.system import pack_uint

    rng = random.Random(4)
    for trial in range(60):
        frequencies, positions, expected = array("I"), array("I"), []
        for _ in range(rng.randint(whoosh_internals.MANY_POSTINGS, 300)):
            frequency = rng.choice([1, 1, 2, 3, rng.randint(4, 40), 1000])
            gap = rng.choice([3, 300, 70_000, 2**20])
            found = sorted(rng.sample(range(frequency * gap + 1), frequency))
            frequencies.append(frequency)
            positions.extend(found)
            deltas = [found[0]] + [b - a for a, b in pairwise(found)]
            expected.append(pack_uint(frequency) + dumps(deltas, 2))
        assert whoosh_internals.positions_values(frequencies, positions) == expected, trial


@pytest.mark.parametrize("layout", ["bulk", "Whoosh's writer"])
def test_stored_fields_read_from_the_segments_are_whooshs(tmp_path, documents, layout):
    """``stored_fields_reader`` (search reads a hit's fields with it) gives every document's
    stored fields as the searcher does, across segments, deleted documents included."""
    ix = (
        bulk_built(tmp_path / "ix", documents, procs=2)
        if layout == "bulk"
        else whoosh_built(tmp_path / "ix", documents)
    )
    writer = ix.writer()
    writer.delete_document(3)
    writer.add_document(**documents[0])  # a segment of Whoosh's own after the first ones
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        assert layout == "Whoosh's writer" or len(searcher.leaf_searchers()) > 2
        read = whoosh_internals.stored_fields_reader(searcher)
        for docnum in range(searcher.doc_count_all()):
            assert read(docnum) == searcher.stored_fields(docnum), docnum
        with pytest.raises(IndexError):
            read(-1)
