"""Release text cleaning, over any Unicode text: what a release's title and body become."""

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.records import clean_text

# Controls, noncharacters and the invisible characters that would split a word (soft hyphen,
# zero-width spaces and joiners, bidirectional marks, a byte order mark): dropped. A soft hyphen
# after "Ã" is "í" decoded wrongly: kept for the readers' repair (index.readers.mojibake).
OTHERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
CONTROLS = re.compile(rf"{OTHERS}|(?<!Ã)\u00ad")
# Any code point, lone surrogates included, with controls, line breaks and accents more often.
TEXT = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from("\x00\x01\x0b\x1f\x7f\r\n\t \ufffe\uffff\ud800é\u0301\u00ad\u200b\u200d\u2060\ufeff"),
    ),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_cleaned_text_has_no_controls_or_surrogates_and_is_nfc(text):
    cleaned = clean_text(text)
    assert not CONTROLS.search(cleaned)
    assert not re.search(r"[\ud800-\udfff]", cleaned)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "\r" not in cleaned and "\n\n\n" not in cleaned and cleaned == cleaned.strip()
    assert clean_text(cleaned) == cleaned


@example("Ã\x00\u00ad")
@settings(max_examples=400, deadline=None)
@given(TEXT.filter(lambda t: not re.search(r"[\ud800-\udfff]", t)))
def test_cleaning_keeps_every_word(text):
    # (the others first: a soft hyphen is read after them, as the cleaning reads it)
    dropped = CONTROLS.sub("", re.sub(OTHERS, "", text.replace("\r", "\n")))
    expected = unicodedata.normalize("NFC", dropped).split()
    assert clean_text(text).split() == expected


def test_paragraphs_stay_apart_by_one_blank_line():
    assert clean_text("One\r\n\r\n\r\nTwo\x00 words\rThree\n \t\nFour") == "One\n\nTwo words Three\n\nFour"
    # Line ends are read before control characters and noncharacters are dropped.
    assert clean_text("One\r\ufffe\nTwo\n\x0b\nThree") == "One\n\nTwo\n\nThree"
