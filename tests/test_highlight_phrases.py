"""What a visitor sees marked: phrases only as a whole, glossary equivalents only as the glossary
writes them, the words typed wherever they match."""

import re
from itertools import pairwise

import pytest
from whoosh import query as wq

from index.build import reindex
from search import highlight
from search.engine import Archive
from search.glossary import Glossary
from search.params import parse_params

from .helpers import archive_of, release, write_jsonl

GLOSSARY = """
[[entry]]
en = ["trafficking", "human trafficking", "trafficking in persons"]
es = ["trata de personas", "trata"]
"""

RELEASES = [
    release(
        id="es-alerta",
        lang="es",
        title="Alerta sobre la trata de personas en la frontera",
        body="La OIM advierte sobre la trata de personas en la región. Muchas personas fueron tratadas "
        "en el hospital local. La trata de las personas migrantes es un delito. Otras personas "
        "esperan en la frontera.",
    ),
    release(
        id="es-delito",
        lang="es",
        date="2021-03-02",
        title="Un delito grave",
        body="La trata es un delito grave. Las personas tratadas con respeto denuncian más. "
        # markup as text, written as character references (raw tags would be read as HTML)
        'Cita: la "trata" de personas &lt;script&gt;alert(1)&lt;/script&gt; &amp; más.',
    ),
    release(
        id="en-crime",
        lang="en",
        date="2022-06-01",
        title="Human trafficking in the region",
        body="Traffickers exploit migrants. Human trafficking and trafficking in persons are crimes. "
        "Many persons crossed the border.",
    ),
    release(
        id="en-border",
        lang="en",
        date="2023-01-10",
        title="A new border crossing opens",
        body="The border crossing at the river opened today. The border is long. Crossing the river "
        "takes an hour, and two more border crossings will open.",
    ),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("highlight")
    source = write_jsonl(root / "releases.jsonl", RELEASES)
    reindex([source], root / "ix", progress=False)
    glossary_file = root / "glossary.toml"
    glossary_file.write_text(GLOSSARY, encoding="utf-8")
    archive = Archive(root / "ix")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GLOSSARY_FILE", str(glossary_file))  # as an operator names another glossary
        assert archive.compiler.glossary.entries == Glossary.load(glossary_file).entries  # loaded once, here
    return archive


def hits(archive, q, ui="en"):
    result = archive.search(parse_params({"q": q, "translations": "separate", "per_page": "50"}, ui=ui))
    return {hit.id: hit for hit in result.hits}


def marked(hit) -> list[str]:
    """The marked texts of a hit's title and snippets, whitespace squeezed."""
    return [
        " ".join(m.split())
        for field in [hit.title_html, *hit.snippets]
        for m in re.findall(r"<mark>(.*?)</mark>", field, re.S)
    ]


def test_a_multi_word_equivalent_is_marked_whole_never_its_common_word(archive):
    found = hits(archive, "trafficking", ui="es")
    alerta = found["es-alerta"]
    assert "Alerta sobre la <mark>trata de personas</mark> en la frontera" == alerta.title_html
    assert sorted(set(marked(alerta))) == ["trata de las personas", "trata de personas"]
    assert all("<mark>personas</mark>" not in s for s in alerta.snippets)


def test_a_one_word_equivalent_is_marked_as_written_not_every_word_of_its_stem(archive):
    delito = hits(archive, "trafficking", ui="es")["es-delito"]
    assert "La <mark>trata</mark> es un delito grave." in " ".join(delito.snippets)
    assert "tratadas" in " ".join(delito.snippets)
    assert not any(m.lower().startswith("tratad") for m in marked(delito))


def test_english_equivalents_of_a_spanish_word(archive):
    crime = hits(archive, "trata")["en-crime"]
    assert crime.title_html == "<mark>Human trafficking</mark> in the region"
    snippet = " ".join(crime.snippets)
    assert "<mark>Human trafficking</mark> and <mark>trafficking in persons</mark> are crimes" in snippet
    assert "Many persons crossed" in snippet  # "persons" alone is no equivalent of "trata"
    assert "Traffickers exploit" in snippet  # nor a trafficker


def test_a_word_typed_is_marked_wherever_it_matched(archive):
    alerta = hits(archive, "personas", ui="es")["es-alerta"]
    assert [m.lower() for m in marked(alerta)].count("personas") >= 4
    # "trata" typed means every word the index found for it, "tratadas" too
    delito = hits(archive, "trata", ui="es")["es-delito"]
    assert {"trata", "tratadas"} <= {m.lower() for m in marked(delito)}


def test_a_quoted_phrase_is_marked_only_where_it_occurs(archive):
    border = hits(archive, '"border crossing"')["en-border"]
    assert border.title_html == "A new <mark>border crossing</mark> opens"
    assert sorted(marked(border)) == ["border crossing", "border crossing", "border crossings"]
    snippet = " ".join(border.snippets)
    assert "The border is long. Crossing the river" in snippet


def test_a_title_phrase_is_marked_whole_in_the_title(archive):
    border = hits(archive, 'title:"border crossing"')["en-border"]
    assert border.title_html == "A new <mark>border crossing</mark> opens"


def test_markup_inside_and_around_a_marked_phrase_stays_escaped(archive):
    delito = hits(archive, "trafficking", ui="es")["es-delito"]
    snippet = " ".join(delito.snippets)
    assert "<mark>trata&#34; de personas</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; más" in snippet
    assert set(re.findall(r"<(/?\w+)", snippet)) == {"mark", "/mark"}


def test_snippets_are_chosen_around_the_phrase_not_its_words():
    text = "Las personas llegan. " * 30 + "Un informe sobre la trata de personas en la región."
    query = wq.Phrase("body_es", ["trat", "person"])
    wanted = highlight.wanted(query)["body_es"]
    snippets = highlight.snippets(text, "es", wanted)
    assert len(snippets) == 1 and "la <mark>trata de personas</mark> en la región." in snippets[0]
    # a phrase longer than a snippet's window is still one whole snippet
    assert highlight.snippets(text, "es", wanted, size=5) == ["<mark>trata de personas</mark>"]


@pytest.mark.parametrize(
    "text",
    [
        "TAPACHULA, México – La OIM registró un aumento de niñas y adolescentes migrantes que llegan.",
        "CAYENA, Guayana Francesa – Un grupo de voluntarios orienta a personas migrantes haitianas.",
        "Un informe.\nMARACAIBO – Llegan personas\nmigrantes a la ciudad de Maracaibo cada semana en bus.",
    ],
)
def test_a_snippet_starts_and_ends_at_whole_words(text):
    """A snippet's window near the text's start began inside its first word ("HULA, México"
    for "TAPACHULA, México"); a line break is a word's edge as a space is."""
    wanted = highlight.wanted(wq.Term("body_es", "migrant"))["body_es"]
    words = text.split()
    for size in range(20, 2 * len(text), 3):  # windows whose edges fall at every point of the text
        (snippet,) = highlight.snippets(text, "es", wanted, size=size)
        plain = snippet.replace("<mark>", "").replace("</mark>", "")
        assert plain.split()[0] in words and plain.split()[-1] in words, (size, snippet)
        assert "<mark>migrantes</mark>" in snippet


class _Alternatives(wq.Query):
    """A query node of a kind the highlighter does not know, read through its children."""

    def __init__(self, children):
        self._children = children

    def children(self):
        return iter(self._children)


def test_terms_and_phrases_under_other_query_nodes_are_marked():
    query = wq.Or(
        [
            wq.Term("body_en", "border"),
            _Alternatives([wq.Term("body_es", "fronter"), wq.Phrase("body_es", ["trat", "person"])]),
        ]
    )
    wanted = highlight.wanted(query, typed=["border"])
    text = "La frontera norte y la trata de personas; otras personas."
    assert (
        highlight.title(text, "es", wanted["body_es"])
        == "La <mark>frontera</mark> norte y la <mark>trata de personas</mark>; otras personas."
    )


def test_a_phrase_is_found_where_the_index_positions_put_its_words_together():
    """Following a phrase from its first word finds the same places as analysing every word
    and reading consecutive positions, as the index does (stop words take no position)."""
    import json

    from index.analysis import _TOKEN, analyzer
    from index.config import SAMPLES_DIR

    rows = [
        json.loads(line)
        for line in (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    checked = 0
    for row in rows:
        text = f"{row['title']}\n{row['body']}"
        words = list(_TOKEN.finditer(text))
        every = analyzer(row["lang"]).items[0]._analyse([m.group() for m in words])
        pairs = {(a[0], b[0]) for a, b in pairwise(every) if a[0] != b[0]}
        for first, second in sorted(pairs)[::5]:
            expected = [
                (words[i].start(), words[j].end()) for (a, i), (b, j) in pairwise(every) if (a, b) == (first, second)
            ]
            field = f"body_{row['lang']}"
            wanted = highlight.wanted(wq.Phrase(field, [first, second]))[field]
            assert highlight._spans(text, row["lang"], wanted) == expected, (first, second)
            checked += 1
    assert checked > 500


def test_words_of_different_first_letters_are_all_marked_in_the_order_of_the_text(archive):
    # each first letter is looked for on its own (search.highlight._candidates): the marks
    # must still come out whole, accents and capitals included, in the order of the text
    border = hits(archive, "river hour border")["en-border"]
    assert [m.lower() for m in marked(border)] == ["border", "border", "river", "border", "river", "hour", "border"]
    alerta = hits(archive, "region frontera oim", ui="es")["es-alerta"]
    assert marked(alerta) == ["frontera", "OIM", "región", "frontera"]  # the title's, then the body's


def _sample_texts():
    """(text, language) of every sample release."""
    import json

    from index.config import SAMPLES_DIR

    for line in (SAMPLES_DIR / "releases.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            yield f"{row['title']}\n{row['body']}", row["lang"]


def _ntrex_texts():
    """(text, language) of NTREX's 123 articles in each language (../shared)."""
    import json

    from .helpers import shared_path

    path = shared_path("datasets", "ntrex-128-en-es", "articles.jsonl")
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        yield f"{row['title']}\n{row['body']}", row["lang"][:2]  # es-MX is read as Spanish


@pytest.mark.parametrize("texts", [_sample_texts, _ntrex_texts], ids=["samples", "ntrex"])
def test_a_word_is_marked_wherever_the_analyser_gives_its_term(texts):
    """Only the tokens starting with a wanted term's first two characters are analysed
    (search.highlight._candidates): every other token of the text is analysed too here, and
    none of them may have been a match."""
    from index.analysis import _TOKEN, analyzer

    checked = 0
    for text, lang in texts():
        tokens = list(_TOKEN.finditer(text))
        every = analyzer(lang).items[0]._analyse([m.group() for m in tokens])
        for term in sorted({t for t, _ in every})[::3]:
            expected = [(tokens[i].start(), tokens[i].end()) for t, i in every if t == term]
            spans = highlight._spans(text, lang, highlight.Wanted(frozenset([term])))
            assert spans == expected, term
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("term", "lang", "text", "marked_words"),
    [
        # English Snowball stems these four to a second letter of their own
        ("lie", "en", "They were lying; some lie, a liar lies. Dying.", ["lying", "lie", "lies"]),
        ("tie", "en", "Tying the ties", ["Tying", "ties"]),
        ("iom", "en", "IOM's staff; the IOM team", ["IOM's", "IOM"]),
        ("migracion", "es", "La Migración y las MIGRACIONES; migrar", ["Migración", "MIGRACIONES"]),
        ("x", "en", "x and X-ray, xenon", ["x", "X"]),
        # second characters the folding table does not list: folded one by one
        ("5μg", "en", "5μg of lead, 5Μg of zinc", ["5μg", "5Μg"]),
        ("aκ", "en", "aΚ and aκ", ["aΚ", "aκ"]),
    ],
)
def test_words_whose_stem_begins_otherwise_or_is_one_letter_are_marked(term, lang, text, marked_words):
    spans = highlight._spans(text, lang, highlight.Wanted(frozenset([term])))
    assert [text[a:b] for a, b in spans] == marked_words


def test_a_quoted_phrase_is_the_phrase_as_written_not_its_stems(tmp_path):
    """ "trata de personas" in quotes listed and marked "tratadas como personas" (treated as
    persons): the same stems beside a stop word. The words as written are required (singular
    or plural), and the phrase is marked only as written."""
    records = [
        release(
            id="treated",
            lang="es",
            title="Un trato digno",
            body="Las familias retornadas fueron tratadas como personas con derechos.",
        ),
        release(
            id="both",
            lang="es",
            date="2021-03-03",
            title="Contra la trata",
            body="Las víctimas fueron tratadas como personas. La trata de personas es un delito.",
        ),
        release(
            id="plural",
            date="2021-03-04",
            title="New crossings",
            body="Two border crossings opened this week.",
        ),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    found = hits(archive, '"trata de personas"', ui="es")
    assert set(found) == {"both"}
    assert [m.lower() for m in marked(found["both"]) if "person" in m.lower()] == ["trata de personas"]
    # unquoted, the words are found in any form, as ever
    assert {"treated", "both"} <= set(hits(archive, "tratadas personas", ui="es"))
    # a plural is still the phrase
    assert marked(hits(archive, '"border crossing"')["plural"]) == ["border crossings"]
    # typed or pasted in other quotation marks, the phrase is the same phrase
    for typed in ("“trata de personas”", "«trata de personas»", "„trata de personas“", "« trata de personas »"):
        assert set(hits(archive, typed, ui="es")) == {"both"}, typed
        result = archive.search(parse_params({"q": typed, "ui": "es"}))
        assert not result.corrected and result.query.count('"') == 2
    assert [s.text for s in archive.suggest("“trata de")] == [s.text for s in archive.suggest('"trata de')]


def test_a_quoted_glossary_term_is_searched_as_written(tmp_path, monkeypatch):
    """The glossary's Spanish "trata" (trafficking) has the stem of "tratadas" (treated) and
    "tratado" (treaty): `trafficking` listed releases about treating people as persons and
    about treaties. Written in quotes in the glossary, a term counts only as written (singular
    or plural), and a word typed that meets it only by stem does not expand to it."""
    glossary_file = tmp_path / "glossary.toml"
    glossary_file.write_text(
        '[[entry]]\nen = ["trafficking", "human trafficking"]\nes = [\'"trata de personas"\', \'"trata"\']\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("GLOSSARY_FILE", str(glossary_file))
    records = [
        release(id="treated", lang="es", title="Un trato digno", body="Piden ser tratadas como personas con derechos."),
        release(
            id="treaty",
            lang="es",
            date="2021-03-03",
            title="Nuevo tratado",
            body="El tratado comercial entra en vigor.",
        ),
        release(id="trata", lang="es", date="2021-03-04", title="Alerta", body="Aumentan las tratas de personas."),
    ]
    reindex([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "ix", progress=False)
    archive = Archive(tmp_path / "ix")
    assert set(hits(archive, "trafficking")) == {"trata"}
    assert set(hits(archive, "human trafficking")) == {"trata"}
    assert "trafficking" not in " ".join(t.text for t in archive.compiler.glossary.expand({"es": ("trat",)}, "tratado"))


def test_girls_finds_and_marks_girls_not_boys_through_the_shipped_glossary(tmp_path):
    """Spanish stems "niñas" (girls) and "niños" (boys) alike: the glossary (data/glossary.toml,
    as shipped) gives "girls" the Spanish '"niñas"' as written and "boys" '"niños"', so `girls`
    lists a release about girls and not one about boys only, and marks "niñas", never "niños";
    and the other way round."""
    records = [
        release(id="girls", lang="es", title="Becas", body="Las niñas de la comunidad reciben becas escolares."),
        release(id="boys", lang="es", date="2021-03-03", title="Fútbol", body="Los niños juegan al fútbol cada tarde."),
    ]
    archive = archive_of(records, tmp_path)
    found = hits(archive, "girls", ui="es")
    assert set(found) == {"girls"}
    assert {m.lower() for m in marked(found["girls"])} == {"niñas"}
    found = hits(archive, "boys", ui="es")
    assert set(found) == {"boys"}
    assert {m.lower() for m in marked(found["boys"])} == {"niños"}
