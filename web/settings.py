"""Reading the site's settings: the Flask config (overrides and ``ARCHIVE_<NAME>`` variables)
first, then the plain environment variable, then the default."""

import os


def setting(config, name: str, default=None):
    """The value of a setting (a config value of None or "" counts as unset)."""
    if config.get(name) not in (None, ""):
        return config[name]
    return os.environ.get(name) or default


def split_list(value) -> tuple[str, ...]:
    """A list from a setting separated by spaces or commas (a list or tuple is taken as it is)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v) for v in value)
    return tuple(part for part in str(value or "").replace(",", " ").split() if part)
