"""A report's sentences with their offsets, from pysbd's rule-based splitter.

pysbd keeps "Lt. Gen.", "U.S." and "5 a.m." inside their sentences and a closing quote
with the sentence it closes, where a split on full stops does not (measured in
``training/article_report.py``). It knows nothing of offsets, so each sentence is found
again in the text, in order.
"""
from __future__ import annotations

import re
from typing import NamedTuple

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


def sentences(text: str) -> list[Sentence]:
    found = []
    for offset, paragraph in paragraphs(text):
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
