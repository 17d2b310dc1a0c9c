"""A report's sentences with their offsets, from pysbd's rule-based splitter.

pysbd keeps "Lt. Gen.", "U.S." and "5 a.m." inside their sentences and a closing quote
with the sentence it closes, where a split on full stops does not (measured in
``training/article_report.py``). It knows nothing of offsets, so each sentence is found
again in the text, in order.
"""
from __future__ import annotations

import re
import warnings
from typing import NamedTuple

with warnings.catch_warnings():
    # pysbd 0.3.4 has three regex strings with invalid escapes ("\s" outside a raw string):
    # compiling them from source warns (DeprecationWarning; SyntaxWarning from Python 3.12).
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import pysbd

_SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=False)
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[\"“A-Z])")
# A stop, question or exclamation mark with more text after it: only then can a paragraph
# hold two sentences (pysbd is most of an article's extraction time; skip it when it can't).
_INNER_STOP = re.compile(r"[.!?][\"”'’)]*\s+\S")


class Sentence(NamedTuple):
    text: str
    start: int   # offset of text[0] in the report


def paragraphs(text: str):
    """(offset, paragraph) pairs: a sentence never runs over a blank line."""
    position = 0
    for match in _PARAGRAPH.finditer(text):
        yield position, text[position:match.start()]
        position = match.end()
    yield position, text[position:]


# pysbd's time grows faster than a paragraph's length: a long one goes in pieces, cut
# where a sentence surely ends (a stop after a lowercase word of four letters or more,
# before a capital or a quote; abbreviations are shorter or capitalised).
PIECE_CHARS = 2000
_SURE_END = re.compile(r"(?<=[a-z]{4}[.!?])[\"”]?\s+(?=[\"“A-Z])")


def pieces(offset: int, paragraph: str):
    while len(paragraph) > PIECE_CHARS:
        cut = None
        for match in _SURE_END.finditer(paragraph, 0, PIECE_CHARS):
            cut = match.end()
        cut = cut or PIECE_CHARS
        yield offset, paragraph[:cut]
        offset, paragraph = offset + cut, paragraph[cut:]
    yield offset, paragraph


def sentences(text: str) -> list[Sentence]:
    found = []
    for offset, paragraph in (piece for part in paragraphs(text) for piece in pieces(*part)):
        if not paragraph.strip():
            continue
        if not _INNER_STOP.search(paragraph.strip()):
            at = len(paragraph) - len(paragraph.lstrip())
            found.append(Sentence(paragraph.strip(), offset + at))
            continue
        cursor = 0
        for piece in _SEGMENTER.segment(paragraph):
            piece = piece.strip()
            if not piece:
                continue
            at = paragraph.find(piece, cursor)
            if at < 0:   # pysbd changed the text after all: keep what can be placed
                continue
            found.append(Sentence(piece, offset + at))
            cursor = at + len(piece)
    return found
