"""The facets' checkbox lists, written without a template loop: what a visitor's browser reads."""

from html.parser import HTMLParser

from web.facet_list import facet_list


class _Items(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self.counts, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
        elif tag == "span" and attrs.get("class") in ("facet-label", "facet-count"):
            self._in = attrs["class"]
            (self.labels if self._in == "facet-label" else self.counts).append("")

    def handle_endtag(self, tag):
        if tag == "span" and self._in == "facet-label":
            self._in = None

    def handle_data(self, data):
        if self._in == "facet-label":
            self.labels[-1] += data
        elif self._in == "facet-count" and data not in "()":
            self.counts[-1] += data


def _value(value, label, count="1", selected=False, param="country"):
    return {"id": f"f-{param}-{value}", "value": value, "label": label, "_count": count, "selected": selected}


def _read(markup) -> _Items:
    items = _Items()
    items.feed(str(markup))
    return items


def test_each_value_is_a_checkbox_of_the_search_form_with_its_label_and_count():
    items = _read(
        facet_list([_value("MX", "Mexico", "1,204", selected=True), _value("GT", "Guatemala", "17")], "country")
    )
    assert [(i["name"], i["value"], i["id"], i["form"], "checked" in i) for i in items.inputs] == [
        ("country", "MX", "f-country-MX", "search-form", True),
        ("country", "GT", "f-country-GT", "search-form", False),
    ]
    assert items.labels == ["Mexico", "Guatemala"]
    assert items.counts == ["1,204", "17"]


def test_text_from_the_index_is_escaped_in_every_attribute_and_label():
    hostile = '"><script>alert(1)</script>'
    markup = str(facet_list([_value(hostile, f"<b>{hostile}</b>", "<i>2</i>")], "topic"))
    assert "<script>" not in markup and "<b>" not in markup and "<i>" not in markup
    items = _read(markup)
    assert items.inputs[0]["value"] == hostile
    assert items.labels == [f"<b>{hostile}</b>"]
    assert items.counts == ["<i>2</i>"]


def test_a_value_ticked_on_one_page_is_not_ticked_on_the_next():
    # the markup around the tick is remembered between pages: the tick itself never is
    ticked = _read(facet_list([_value("HN", "Honduras", selected=True)], "country"))
    plain = _read(facet_list([_value("HN", "Honduras", selected=False)], "country"))
    assert "checked" in ticked.inputs[0] and "checked" not in plain.inputs[0]


def test_a_language_is_named_with_a_capital_and_the_same_label_differs_by_interface():
    assert _read(facet_list([_value("es", "español", param="lang")], "lang", is_lang=True)).labels == ["Español"]
    assert _read(facet_list([_value("es", "Spanish", param="lang")], "lang", is_lang=True)).labels == ["Spanish"]
    assert _read(facet_list([_value("es", "español", param="lang")], "lang")).labels == ["español"]
