"""Text decoded wrongly once before it reached a source ("MÃ©xico" for "México"), repaired.

An export that read UTF-8 as Windows-1252 and wrote it back as UTF-8 leaves every accented
letter as two characters: the file is valid UTF-8, so decoding cannot tell, and the release
would be indexed, shown and tagged as garbled ("MÃ©xico" is no place). ftfy knows these
mistakes and undoes only what is one; a release it repairs is warned of, with its line.
"""

import re

from ..records import Release, Warning_, derived_id

# A lead character of a two-byte UTF-8 sequence read as Windows-1252 (Â to ô), followed by what
# a continuation byte reads as there: what must be in a text for ftfy to be asked at all.
_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
)
_FIELDS = ("title", "body", "summary")


def repair(releases: list) -> list[Warning_]:
    """Repair the garbled text of ``releases`` in place; a warning for each release repaired
    (which is then read again by every build, as any release warned of is)."""
    warnings = []
    for release in releases:
        if type(release) is not Release or not any(_garbled(getattr(release, f)) for f in _FIELDS):
            continue
        mended = {f: _fixed(getattr(release, f)) for f in _FIELDS}
        changed = [f for f in _FIELDS if mended[f] != getattr(release, f)]
        # what a repair leaves of the soft hyphens the cleaning kept ("Ã" and one is "í")
        mended = {f: text.replace("\u00ad", "") for f, text in mended.items()}
        if not changed:
            for name in _FIELDS:
                setattr(release, name, mended[name])
            continue
        example = _first_change(getattr(release, changed[0]))
        derived = release.id == derived_id(release.lang, release.date, release.title)
        for name in changed:
            setattr(release, name, mended[name])
        if derived:  # an id made from the title (a listing's, a page's): made from the repaired one
            release.id = derived_id(release.lang, release.date, release.title)
        release.origin = None
        warnings.append(
            Warning_(
                release.source,
                release.line,
                f"text decoded wrongly before it reached this file ({example}); repaired: "
                "is the export's encoding set to UTF-8?",
            )
        )
    return warnings


def _garbled(text: str) -> bool:
    # Each of Spanish's and English's accents, ñ, ¿, ¡ and typographic quotes and dashes garbles to
    # a text holding one of these three: searched for in C first, the pattern only then (a
    # large archive's build would spend seconds on the pattern alone).
    return ("Ã" in text or "Â" in text or "â€" in text) and _HINT.search(text) is not None


def _fixed(text: str) -> str:
    from ftfy import fix_encoding  # imported when a text needs it: most sources never do

    return fix_encoding(text)


def _first_change(before: str) -> str:
    """The first word the repair changes, and its repair ("'MÃ©xico' read as 'México'")."""
    for word in before.split():
        if _HINT.search(word):
            fixed = _fixed(word).replace("\u00ad", "")
            if fixed != word.replace("\u00ad", ""):
                return f"{word.replace(chr(0xAD), '')!r} read as {fixed!r}"
    return "its accented letters"
