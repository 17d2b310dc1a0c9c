"""Normalised source names, for matching inline names to the registry and to rules.

``normalise_name("  The F.S.B. ")`` is ``"fsb"``; ``normalise_name("barack-obama")`` is
``"barack obama"``. The function is total (any ``str``, including control characters,
lone surrogates and right-to-left text) and idempotent.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Dotted initialisms ("U.S.", "F.S.B.") lose their dots so that they read as one word.
_INITIALISM = re.compile(r"\b(?:\w\.){2,}")
# Apostrophes join ("O'Brien" is "obrien", "Russia's" is "russias") rather than split.
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u02b9`\u00b4")
_LEADING_THE = "the "


def _fold(text: str) -> str:
    """Compatibility-fold, casefold and strip accents."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text)


def _char(c: str) -> str:
    if c in _APOSTROPHES:
        return ""
    if c == "&":
        return " and "
    category = unicodedata.category(c)
    if category in ("Cf", "Cs"):  # invisible format marks (RTL, ZWJ) and lone surrogates
        return ""
    if category[0] in "PSZ" or category == "Cc":
        return " "
    return c


def normalise_name(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a name, without a leading "the"."""
    return _normalised(str(text))


# Plain ASCII (most names, every domain) in one translate: what _char does to each ASCII
# character, letters and digits lower-cased; tests check it against the general path.
_ASCII = {code: (chr(code).lower() if chr(code).isalnum() else
                 "" if chr(code) in _APOSTROPHES else " and " if chr(code) == "&" else " ")
          for code in range(128)}


@lru_cache(maxsize=100_000)   # the same sources are named again and again
def _normalised(text: str) -> str:
    if text.isascii():
        text = " ".join(_INITIALISM.sub(lambda m: m.group(0).replace(".", ""), text.lower())
                        .translate(_ASCII).split())
        while text.startswith(_LEADING_THE):
            text = text[len(_LEADING_THE):]
        return text
    return _general(text)


def _general(text: str) -> str:
    text = "".join(c for c in str(text) if unicodedata.category(c) != "Cs")
    text = _INITIALISM.sub(lambda m: m.group(0).replace(".", ""), _fold(text))
    text = " ".join("".join(_char(c) for c in text).split())
    # Folding again: removing punctuation can expose new compatibility sequences.
    text = " ".join(_fold(text).split())
    while text.startswith(_LEADING_THE):
        text = text[len(_LEADING_THE):]
    return text


def display_name(slug: str) -> str:
    """A LIAR speaker slug as a person reads it: "barack-obama" -> "Barack Obama"."""
    words = re.split(r"[-_\s]+", str(slug))
    return " ".join(w[:1].upper() + w[1:] for w in words if w)
