"""The message catalogs: every interface text is in the Spanish catalog, translated."""

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from index.config import PROJECT_ROOT

WEB = PROJECT_ROOT / "web"


def _key(message):
    return message if isinstance(message, str) else message[0]


def test_spanish_catalog_has_every_interface_text_translated():
    with (WEB / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, str(WEB / "babel.cfg"))
    used = {_key(found[2]) for found in extract_from_dir(str(WEB), method_map, options_map)}
    with (WEB / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    entries = {_key(m.id): m for m in catalog if m.id}
    missing = sorted(used - entries.keys())
    assert not missing, f"not in the Spanish catalog (run pybabel extract and update, see web/babel.cfg): {missing}"
    untranslated = sorted(k for k in used if not all(_key_strings(entries[k])) or entries[k].fuzzy)
    assert not untranslated, f"untranslated or fuzzy: {untranslated}"


def _key_strings(message):
    return [message.string] if isinstance(message.string, str) else list(message.string)


def test_placeholders_survive_translation():
    import re

    with (WEB / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = _key_strings(message)
        wanted = set(re.findall(r"%\((\w+)\)s", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)s", string)) == wanted, (message.id, string)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_a_string_made_once_is_what_jinjas_gettext_makes(app, lang, autoescape):
    """Templates' ``_()`` keeps each translated string without variables once made: for every
    message of the catalog, in both languages, the same text and type as Jinja's own newstyle
    gettext gives, and again from what it kept."""
    from flask import g
    from flask_babel import get_locale, get_translations
    from jinja2 import ext

    path = PROJECT_ROOT / "web" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    strings = [m.id for m in catalog if m.id and isinstance(m.id, str)] + ["100%% <b>&</b>"]
    assert len(strings) > 100
    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        env = app.jinja_env.overlay(autoescape=autoescape)
        translations = get_translations()
        context = {"_translations": translations, "_locale": str(get_locale())}
        reference = ext._make_new_gettext(lambda s: translations.ugettext(s))
        template = env.from_string("{{ _(s) }}\x00{{ gettext(s) }}\x00{{ ref(s) }}")
        for s in strings:
            try:
                expected = reference(env.from_string("").new_context(context), s)
            except (KeyError, TypeError, ValueError):
                continue  # a message with placeholders is never used without its variables
            for _ in range(2):  # made, then kept
                made, again, theirs = template.render(s=s, ref=reference, **context).split("\x00")
                assert made == again == theirs == str(expected), s
