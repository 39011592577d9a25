import datetime as dt

import pytest

from index.readers import html, read_sources

from .helpers import FIXTURES

PAGES = FIXTURES / "html"
FURNITURE = ("SCRIPT_SHOULD_NOT_APPEAR", "STYLE_SHOULD_NOT_APPEAR", "NAV_SHOULD_NOT_APPEAR", "FOOTER_SHOULD_NOT_APPEAR")


def read(name):
    return read_sources([PAGES / name])


def test_article_with_meta_date_drops_scripts_styles_nav_and_footer():
    (page,) = read("en_article_meta.html").releases
    assert page.title == "Survey Counts Extra-Regional Migrants Crossing Panama"
    assert (page.lang, page.date) == ("en", dt.date(2019, 8, 7))
    assert "extra-regional migrants" in page.body and "Darién" in page.body
    for marker in FURNITURE:
        assert marker not in page.body and marker not in page.title
    assert not page.body.startswith(page.title)


def test_spanish_page_dated_by_time_element_titled_by_h1():
    (page,) = read("es_time_element.html").releases
    assert page.title == "Honduras amplía la atención a personas retornadas"
    assert (page.lang, page.date) == ("es", dt.date(2020, 3, 16))
    assert "San Pedro Sula" in page.body and "Inicio" not in page.body


def test_language_detected_and_visible_spanish_date_read():
    (page,) = read("es_text_date_nolang.html").releases
    assert page.lang == "es" and page.lang_detected
    assert page.date == dt.date(2019, 8, 7)
    assert "trata de personas" in page.body
    assert "7 Agosto, 2019" not in page.body


def test_pages_without_body_or_date_are_rejected_with_reason():
    result = read_sources([PAGES / "no_body.html", PAGES / "no_date.html"])
    assert not result.releases
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in result.rejected}
    assert "no body text" in reasons["no_body.html"]
    assert "no publication date" in reasons["no_date.html"]


def test_broken_markup_and_latin1_page(tmp_path):
    page = tmp_path / "latin.html"
    page.write_bytes(
        "<html lang=es><head><meta charset=iso-8859-1><title>Niñez migrante en Panamá</title></head>"
        "<body><article><h1>Niñez migrante en Panamá</h1><time datetime=2021-02-03>3 feb</time>"
        "<p>Más de 500 niñas y niños cruzaron la frontera <b>sin cerrar etiquetas<p>Segundo párrafo".encode("latin-1")
    )
    (release,) = read_sources([page]).releases
    assert release.title == "Niñez migrante en Panamá"
    assert "niñas y niños" in release.body and release.date == dt.date(2021, 2, 3)


def test_page_in_another_language_is_rejected():
    text = (
        "<html lang='fr'><head><title>Un titre</title><meta property='article:published_time' "
        "content='2020-01-01'></head><body><article><p>Du texte en français.</p></article></body></html>"
    )
    try:
        html.parse(text, "fr.html")
    except ValueError as error:
        assert "not English or Spanish" in str(error)
    else:
        raise AssertionError("a French page was accepted")


def test_a_templates_markup_is_not_the_pages_text():
    page = """<html lang="en"><head><title>Migrants reach Tapachula</title>
    <meta property="article:published_time" content="2021-05-02"></head><body><article>
    <h1>Migrants reach Tapachula</h1>
    <p>Hundreds of migrants reached Tapachula in Mexico on foot this week, officials said.</p>
    <template id="signup"><p>Subscribe to our newsletter today and get every update first.</p></template>
    <p>They were given water and shelter by local groups while they waited for papers.</p>
    </article></body></html>"""
    release = html.parse(page, "page.html")
    assert "Subscribe" not in release.body
    assert "Tapachula in Mexico" in release.body and "shelter by local groups" in release.body


def test_a_declarative_shadow_roots_content_is_the_pages_text():
    page = """<html lang="en"><head><title>Migrants reach Tapachula</title>
    <meta property="article:published_time" content="2021-05-02"></head><body><article>
    <h1>Migrants reach Tapachula</h1><news-body><template shadowrootmode="open">
    <p>Hundreds of migrants reached Tapachula in Mexico on foot this week, officials said.</p>
    <p>They were given water and shelter by local groups while they waited for papers.</p>
    </template></news-body></article></body></html>"""
    release = html.parse(page, "page.html")
    assert "Tapachula in Mexico" in release.body


def test_a_metadata_date_as_a_feed_writes_it_is_read_and_one_with_a_mistyped_year_passed_over():
    def page(stated: str) -> str:
        return f"""<html lang="en"><head><title>Migrants reach Tapachula</title>
        <meta property="article:published_time" content="{stated}"></head><body><article>
        <h1>Migrants reach Tapachula</h1><p>May 3, 2021</p>
        <p>Hundreds of migrants reached Tapachula in Mexico on foot this week, officials said.</p>
        </article></body></html>"""

    assert html.parse(page("Sun, 02 May 2021 10:00:00 +0000"), "page.html").date == dt.date(2021, 5, 2)
    # a year no release has (a digit lost, or a paste of many): the date the page shows
    for mistyped in ("Sun, 02 May 221 10:00:00 +0000", "0221-05-02", "Sun, 02 May 99999999999 10:00:00 +0000"):
        assert html.parse(page(mistyped), "page.html").date == dt.date(2021, 5, 3), mistyped


def _page(article: str, lang: str = "en", title: str = "Guatemala Expands Reintegration for Returnees") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | IOM</title></head>'
        f'<body><div class="cookie-banner">This website uses cookies. <button>Accept</button></div>'
        f"<main><article><h1>{title}</h1>{article}</article></main>"
        "<footer><p>&copy; 2019 IOM. All rights reserved.</p></footer></body></html>"
    )


BODY = (
    "<p>Quetzaltenango, Guatemala. The programme supports returned migrants with training.</p>"
    "<p>More than 1,500 people took part.</p>"
)


def test_a_date_line_with_a_label_is_the_date_not_the_footer_s_year():
    """ "Published on Aug. 14, 2021" above the text: the page's date, not 1 January of the
    footer's copyright year (2019-01-01, the extractor's guess), and not a line of the body."""
    for line, lang in [
        ("Published on Aug. 14, 2021", "en"),
        ("Posted: 14 August 2021", "en"),
        ("Published on Aug. 14, 2021 by IOM", "en"),
        ("Publicado el 14 de agosto de 2021", "es"),
        ("Fecha: 14 de agosto de 2021", "es"),
        ("Aug. 14, 2021", "en"),
    ]:
        release = html.parse(_page(f'<p class="meta">{line}</p>{BODY}', lang), "page.html")
        assert release.date == dt.date(2021, 8, 14), line
        assert "2021" not in release.body, line


def test_a_page_showing_only_a_year_is_rejected_not_dated_the_first_of_january():
    """Only the footer's "© 2019": no date, said as such, where it was dated 2019-01-01."""
    with pytest.raises(ValueError, match="no publication date"):
        html.parse(_page(BODY), "page.html")


def test_a_short_article_with_a_time_element_keeps_its_paragraphs_apart():
    """A bare <time> beside two short paragraphs: the extractor's fallback gave the title, the
    date and both paragraphs as one line; the body is the two paragraphs."""
    release = html.parse(_page(f'<time datetime="2021-08-25">25 August 2021</time>{BODY}'), "page.html")
    assert release.date == dt.date(2021, 8, 25)
    assert release.body == (
        "Quetzaltenango, Guatemala. The programme supports returned migrants with training.\n\n"
        "More than 1,500 people took part."
    )


def test_a_page_whose_article_is_empty_is_not_read_as_its_cookie_banner():
    page = _page("").replace("<title>", '<meta property="article:published_time" content="2021-08-27"><title>')
    with pytest.raises(ValueError, match="no body text"):
        html.parse(page, "page.html")


def test_a_cookie_class_on_the_page_s_body_does_not_make_the_article_furniture():
    """WordPress's cookie plugin marks <body class="cookies-not-set">: the page was rejected as
    having no body text, every line of it counted as the cookie banner's."""
    page = _page(f'<time datetime="2021-08-25">25 August 2021</time>{BODY}').replace(
        "<body>", '<body class="home cookies-not-set">'
    )
    release = html.parse(page, "page.html")
    assert release.body.startswith("Quetzaltenango, Guatemala.")


def test_a_paragraph_inside_a_list_item_is_read_once():
    page = _page(
        '<time datetime="2021-08-25">25 August 2021</time>'
        "<p>Quetzaltenango, Guatemala. The programme supports returned migrants.</p>"
        "<ul><li><div><p>First point of the list, with text enough to count.</p></div></li></ul>"
    )
    release = html.parse(page, "page.html")
    assert release.body.count("First point of the list") == 1


def test_a_page_cut_short_is_read_and_warned_of(tmp_path):
    """A partial copy of a page (cut in a paragraph, or inside a tag) went in without a word: the
    release lacked what was cut off, and replaced its live version silently."""
    whole = (PAGES / "en_article_meta.html").read_text(encoding="utf-8")
    cut = whole[: whole.index("</p>") + 40]
    for name, text in (("whole.html", whole), ("cut.html", cut), ("in-a-tag.html", whole[: whole.index("</p>") + 2])):
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = read_sources([tmp_path])
    assert len(result.releases) == 3
    assert sorted(w.source.rsplit("/", 1)[1] for w in result.warnings if "cut short" in w.message) == [
        "cut.html",
        "in-a-tag.html",
    ]
