"""Tests for model.names: the normal form of a name, and LIAR slugs for display."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.names import display_name, normalise_name

# Every code point, lone surrogates and control characters included.
any_text = st.text(st.characters(codec=None, categories=None))
# Text built from the characters that stress normalisation most.
tricky_text = st.lists(st.sampled_from(
    list("aA .-'’&_\t\n\u200f\u202e\u0301\u00df\u0130ﬁ①\ufeff\ud800") + ["The ", "the ", "F.S.B."]),
).map("".join)


@pytest.mark.parametrize("text, expected", [
    ("  The F.S.B. ", "fsb"),
    ("F.S.B.", "fsb"),
    ("barack-obama", "barack obama"),
    ("U.S. Senator", "us senator"),
    ("Russia’s Ministry of Defense", "russias ministry of defense"),
    ("O'Brien", "obrien"),
    ("Ministère de l'Intérieur", "ministere de linterieur"),
    ("ＴＡＳＳ", "tass"),
    ("x.com", "x com"),
    ("AT&T", "at and t"),
    ("Straße", "strasse"),
    ("МИД   России", "мид россии"),
    ("the the the", "the"),
    ("", ""),
    ("\u202eRTL\u202c text\x00", "rtl text"),
])
def test_normalise_name(text, expected):
    assert normalise_name(text) == expected


@pytest.mark.parametrize("slug, expected", [
    ("barack-obama", "Barack Obama"),
    ("chain-email", "Chain Email"),
    ("GaGOP", "GaGOP"),
    ("", ""),
])
def test_display_name(slug, expected):
    assert display_name(slug) == expected


@given(any_text)
def test_normalise_never_raises_and_returns_clean_text(text):
    result = normalise_name(text)
    assert isinstance(result, str)
    assert result == result.strip()
    assert "  " not in result
    assert not result.startswith("the ")


@given(st.one_of(any_text, tricky_text))
def test_normalise_is_idempotent(text):
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(any_text)
def test_display_name_never_raises(text):
    assert isinstance(display_name(text), str)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40)
       | st.sampled_from(["The F.S.B.", "O'Brien & Sons", "the  the cnn", "U.S.-based",
                          "tass.com", "A\x7fB\tC", "Russia`s", "_x_"]))
def test_the_ascii_path_normalises_as_the_general_one(text):
    from model.names import _general, _normalised

    assert _normalised(text) == _general(text)
