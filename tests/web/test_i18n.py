"""The message catalogs: every interface text is in the Spanish catalog, translated."""

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
