"""Reporting cues ("said", "denied", "according to", "quoting") and what a claim says.

A cue is a reporting verb or phrase. Not every "said" reports a claim: one inside a
quotation, one in a relative clause ("who says he speaks for..."), one after a negation
("did not say") or a determiner ("the claims") is skipped.
"""
from __future__ import annotations

import re

# Verbs whose object is the claim itself ("denied any involvement", "accused X of Y"):
# the claim is the whole clause, speaker included, so that it reads as what was said.
OBJECT_CUES = frozenset({
    "denied", "denies", "deny", "rejected", "rejects", "disputed", "disputes", "refuted",
    "dismissed", "accused", "accuses", "blamed", "blames", "confirmed", "confirms",
    "claimed responsibility", "put", "acknowledged", "admitted"})
# Cues whose content is a hope, a vow or a slogan: not a checkable statement of fact.
UNCHECKABLE_CUES = frozenset({"vowed", "vows", "pledged", "hoped", "hopes", "urged", "urges",
                              "chanted", "promised", "threatened", "wished", "called for",
                              "called on"})
_VERBS = (
    "said", "says", "say", "claimed responsibility", "claimed", "claims", "denied", "denies",
    "deny", "reported", "reports", "told", "tells", "announced", "announces", "accused",
    "accuses", "insisted", "insists", "added", "adds", "stated", "confirmed", "confirms",
    "wrote", "writes", "warned", "warns", "alleged", "alleges", "rejected", "rejects",
    "disputed", "disputes", "blamed", "blames", "vowed", "vows", "pledged", "hoped", "urged",
    "estimated", "acknowledged", "admitted", "argued", "explained", "noted", "maintained",
    "declared", "forecast", "forecasts", "predicted", "chanted", "dismissed", "refuted",
    "countered", "replied", "assured", "promised", "threatened", "quoted", "saying",
    "according to", "called for", "called on")
CUE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(v).replace(r"\ ", r"\s+") for v in _VERBS),
                               key=len, reverse=True))
    + r"|put\s+(?:the|its|their)\s+(?:number|figure|toll|death\s+toll|total|turnout|losses)"
      r"\s+at)\b", re.IGNORECASE)
# A word before the cue that makes it a noun or takes it back.
_NOUN_BEFORE = frozenset("the a an these those its his her their our such any of about no "
                         "two many several new unverified".split())
_NEGATION = re.compile(r"(?:\bnot|n't|\bnever|\bdeclined\s+to|\brefused\s+to|\bwould\s+not)"
                       r"\s+(?:\w+\s+)?$", re.IGNORECASE)
_RELATIVE = re.compile(r"\b(?:who|which|whom|whose)\b")   # "WHO" is the health agency
QUOTES = re.compile(r"[\"“”«»]")
_OPEN = "\"“«"
_CLOSE = "\"”»"

# What may stand between a cue and its "that": when, where and how it was said.
_MODIFIER = (r"(?:on|in|at|late\s+on|early\s+on|last|this|during|from|via|through|after|"
             r"before|by|outside|later|earlier|also|again|separately|publicly|repeatedly|"
             r"yesterday|today|tonight|overnight|shortly|then)\b")
_THAT = re.compile(r"^\s*,?\s*(?:" + _MODIFIER + r"[^\"“”,;]{0,80}?)?,?\s*that\s+",
                   re.IGNORECASE)
_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_LEADING_MODIFIERS = re.compile(
    r"^\s*(?:(?:,\s*)?(?:later|earlier|also|again|separately|publicly|repeatedly|"
    r"(?:late\s+|early\s+)?on\s+" + _DAYS + r"(?:\s+(?:morning|evening|night|afternoon))?|"
    r"(?:on|via)\s+(?:Telegram|Facebook|Instagram|X|Twitter|social\s+media|state\s+television)|"
    r"in\s+an?\s+(?:[\w-]+\s+){0,2}(?:statement|post|interview|briefing|report|video|address|"
    r"message|blog\s+post)(?:\s+(?:on|posted\s+on|read\s+on)\s+(?:\w+\s?){1,2})?|"
    r"by\s+telephone|last\s+\w+|this\s+\w+)\s*,?\s*)+", re.IGNORECASE)
# A cue at the end of a clause: only modifiers (and a participle) follow it.
_TAIL = re.compile(
    r"^\s*(?:(?:on|in|at|to|late|early|last|this|from|outside|via|by|later|earlier|also|"
    r"again|shortly|after|before|during|afterwards)\b(?:\s+[^\s,;\"“]+){0,5})?"
    r"(?:,\s*(?:posting|adding|citing|quoting|according|speaking|without|as|in|on|after|"
    r"while|referring)\b.*)?\s*[.!?]?[\"”]?\s*$", re.IGNORECASE | re.DOTALL)

CHANNELS = ((re.compile(r"\btelegram\b", re.I), "telegram"),
            (re.compile(r"\b(?:on x|twitter|instagram|facebook|social media|blog post)\b",
                        re.I), "social media"),
            (re.compile(r"\binterview\b|\btold (?:the )?[A-Z]", re.I), "interview"),
            (re.compile(r"\b(?:briefing|news conference|press conference|told reporters|"
                        r"conference call)\b", re.I), "briefing"),
            (re.compile(r"\bstate(?:ment)?\b", re.I), "statement"))

_OPINION = re.compile(
    r"\b(?:we|i)\s+(?:\w+\s+)?(?:hope|dream|believe|expect|want|wish|will\s+not\s+accept|"
    r"will\s+never|call\s+on|demand|urge|pray)\b|\blong\s+live\b|\bglory\s+to\b|\bdown\s+with\b|"
    r"\btoo\s+(?:late|little)\b|\bafraid\s+of\b|\bshameful\b|\bdisgrace\w*\b|\boutrageous\b|"
    r"\bdream\s+of\b", re.IGNORECASE)
_FIRST_HAND = re.compile(r"\b(?:i|we|he|she|they)\s+(?:had\s+)?(?:saw|seen|heard|watched|"
                         r"witnessed|felt)\b|\bi\s+was\s+there\b", re.IGNORECASE)
_OWN_SIDE = re.compile(
    r"\b(?:we|our|us)\b|\b(?:its|their)\s+(?:own\s+)?(?:fighters|troops|forces|units|marines|"
    r"soldiers|members|drones|air\s+defen[cs]es|militants|men|positions|artillery)\b|"
    r"\binvolvement\b", re.IGNORECASE)


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in a sentence, straight or curly quotes."""
    ranges, opened = [], None
    for match in QUOTES.finditer(text):
        mark = match.group()
        if opened is None and (mark in _OPEN and mark != "\"" or mark == "\""):
            opened = match.start()
        elif opened is not None and mark in _CLOSE:
            ranges.append((opened, match.end()))
            opened = None
    return ranges


def cues(text: str):
    """The reporting cues of a sentence that can report a claim, in order."""
    quoted = quoted_ranges(text)
    for match in CUE.finditer(text):
        if any(start < match.start() < end for start, end in quoted):
            continue
        before = text[max(0, match.start() - 300):match.start()]   # enough to judge the cue
        words = before.split()
        previous = words[-1].lower().strip(",") if words else ""
        word = match.group().lower()
        if previous in _NOUN_BEFORE and word not in ("according to", "said"):
            continue
        if previous == "as" and word == "saying":
            continue
        if _NEGATION.search(before):
            continue
        if word in ("quoted", "reported") and re.match(r"\s+by\b", text[match.end():]):
            continue
        clause = before[before.rfind(",") + 1:]
        if _RELATIVE.search(clause):
            continue
        yield match


def cue_word(match) -> str:
    word = " ".join(match.group().lower().split())
    return "put" if word.startswith("put ") else word


def strip_that(post: str, cue: str) -> tuple[str, str]:
    """(the told-object or modifiers before the content, the content) of a cue's rest."""
    if cue in ("told", "tells", "assured"):
        match = re.match(r"^\s*(?P<object>[^\"“;]{1,90}?)\s*,?\s+that\s+", post)
        if match:
            return match.group("object"), post[match.end():]
        match = re.match(r"^\s*(?P<object>(?:the\s+)?(?:[A-Z][\w.'’-]*\s*){1,4}|reporters|"
                         r"journalists|analysts|supporters|(?:an?|the)\s+[\w\s-]{1,40}?"
                         r"(?:agency|broadcaster|briefing|conference|outlet))\s+", post)
        if match:
            return match.group("object"), post[match.end():]
    match = _THAT.match(post)
    if match:
        return post[:match.end()], post[match.end():]
    match = _LEADING_MODIFIERS.match(post)
    if match:
        return post[:match.end()], post[match.end():]
    return "", post


def is_tail(post: str) -> bool:
    return bool(_TAIL.match(post))


def channel(text: str) -> str | None:
    for pattern, name in CHANNELS:
        if pattern.search(text):
            return name
    return None


def checkable(cue: str, content: str) -> bool:
    """False for hopes, vows, slogans and opinions, which no fact-check can settle."""
    return cue not in UNCHECKABLE_CUES and not _OPINION.search(content)


def first_hand(content: str) -> bool:
    return bool(_FIRST_HAND.search(content))


def own_side(content: str) -> bool:
    """The claim speaks of the speaker's own side: its fighters, our forces, its involvement."""
    return bool(_OWN_SIDE.search(content))
