"""Refuse an address whose parameters are not UTF-8, with the 400 of a wrong parameter.

Werkzeug leaves a byte that is not UTF-8 as it was written ("%FF"), so that ``q=ni%F1`` (Latin-1)
would be searched as the text "ni%F1" and the page would echo it: the visitor learns nothing
of what went wrong. A browser always sends UTF-8; a script that does not is told so.
"""

from urllib.parse import unquote_to_bytes

from flask import request

from search.params import PARAM_NAMES, ParamError

NOT_UTF8 = "is not valid UTF-8"
# The parameters the site reads: a search's, the embed frame's (results, target) and the
# suggestions' (limit, format). Others, such as a campaign's utm_* tags on a link to a release,
# are ignored by every page, so need no check.
READ = frozenset(PARAM_NAMES) | {"results", "target", "limit", "format"}


def check_parameters() -> None:
    """Raise :class:`ParamError` for the first parameter the site reads whose value does not decode."""
    raw = request.query_string
    if b"%" not in raw and raw.isascii():
        return  # nothing escaped, nothing beyond ASCII: UTF-8 by construction
    for part in raw.split(b"&"):
        name, _, value = part.partition(b"=")
        param = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        if param not in READ:
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise ParamError(param, f"'{param}' {NOT_UTF8}: percent-encode its UTF-8 bytes") from None


def init_app(app) -> None:
    app.before_request(check_parameters)
