"""A report's attributed claims: for each sentence, its cues, and for each cue the speaker
and the claim in one of four shapes.

1. Speaker first: ``The ministry said (on Tuesday) (that) <claim>``; with a relay,
   ``TASS, quoting the ministry and the FSB, reported that <claim>``, ``The governor,
   quoted by BNA, said <claim>``, ``X told Reuters that <claim>``.
2. Claim first: ``<claim>, officials said.``, ``"<quote>," the group said.``
3. Inverted: ``"<quote>," said Olena Kravets, a vendor.``
4. ``According to X, <claim>.``, ``<claim>, according to X.``, ``R quoted X as saying <claim>``,
   ``X raised rates, saying <claim>``.

Verbs whose object is the claim ("denied any involvement", "accused X of Y") give the
whole clause, speaker included. A sentence may hold several clauses, each with its cue
("A said X, while B said Y"); a clause that opens on its cue ("but said ...") keeps the
speaker of the clause before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import reporting
from .language import detect_language
from .sentences import sentences
from .speakers import PRONOUNS, Report, Speaker, is_outlet, outlet_name, speaker_after, \
    speaker_before, subject_words

_BOUNDARY = re.compile(r",\s*(?:while|but|and|whereas|although)\s+|;\s+|,\s*(?=saying\s)|"
                       r"\s+(?:but|and)\s+"
                       r"(?=(?:later\s+|also\s+)?(?:said|told|added|insisted|denied|claimed|"
                       r"warned|rejected|confirmed)\b)", re.IGNORECASE)
_TRIM = " \t\n,;:\"“”«»'"
# Longer "sentences" (a text without stops) are left alone: no claim is read from them.
MAX_SENTENCE_CHARS = 2000
_QUOTE_ONLY = re.compile(r"^\s*[\"“«][^\"“”«»]+[\"”»]\s*$")


@dataclass
class Claim:
    claim: str
    speaker: Speaker
    start: int
    end: int
    cue: str
    checkable: bool
    channel: str | None = None
    party_to_event: bool = False
    first_hand: bool = False

    def as_dict(self) -> dict:
        source = {"name": self.speaker.name, "type": self.speaker.kind}
        if self.speaker.role:
            source["role"] = self.speaker.role[:200]
        country = self.speaker.country()
        if country:
            source["country"] = country
        context = {"relayed_by": list(self.speaker.relayed_by),
                   "party_to_event": self.party_to_event, "first_hand": self.first_hand}
        if self.channel:
            context["channel"] = self.channel
        return {"claim": self.claim, "source": source,
                "speakers": [self.speaker.name] + list(self.speaker.others),
                "context": context, "span": {"start": self.start, "end": self.end},
                "cue": self.cue, "checkable": self.checkable}


@dataclass
class Extraction:
    language: str
    claims: list[Claim] = field(default_factory=list)


def extract(text: str) -> Extraction:
    """The language of a report and, if it is English, its attributed claims in order."""
    language = detect_language(text)
    if language != "en":
        return Extraction(language)
    report = Report(text)
    found: list[Claim] = []
    previous: list[Claim] = []
    for sentence in sentences(text):
        claims = _sentence_claims(report, sentence.text, sentence.start)
        if not claims and previous and _QUOTE_ONLY.match(sentence.text):
            claims = _quote_goes_on(previous[-1], sentence.text, sentence.start)
        found.extend(claims)
        previous = claims
    return Extraction(language, found)


def _quote_goes_on(before: Claim, text: str, offset: int) -> list[Claim]:
    """A sentence that is all quotation, after a quoted claim: the same speaker goes on."""
    content = _content(text, 0, len(text))
    if content is None:
        return []
    words, start, end = content
    return [Claim(_sentence_case(words), before.speaker, start + offset, end + offset,
                  before.cue, reporting.checkable(before.cue, words), before.channel,
                  reporting.own_side(words), before.first_hand)]


def _clauses(text: str, matches: list) -> list[tuple]:
    """(start, end, first cue, cue-less clause before it) of each clause that has a cue;
    other cue-less clauses join the one before."""
    cuts = [0] + [m.end() for m in _BOUNDARY.finditer(text)]
    ends = [m.start() for m in _BOUNDARY.finditer(text)] + [len(text)]
    clauses, opening = [], None
    for start, end in zip(cuts, ends):
        inside = [m for m in matches if start <= m.start() < end]
        if inside:
            clauses.append([start, end, inside[0], opening])
            opening = None
        elif clauses:
            clauses[-1][1] = end
        else:
            opening = (start, end)   # "A welcomed the fine but said ...": A is the speaker
    return [tuple(c) for c in clauses]


def _sentence_claims(report: Report, text: str, offset: int) -> list[Claim]:
    if len(text) > MAX_SENTENCE_CHARS:
        return []   # no report's sentence is this long; rules over it would only cost time
    matches = list(reporting.cues(text))
    if not matches:
        return []
    claims: list[Claim] = []
    for start, end, match, opening in _clauses(text, matches):
        before = claims
        if opening is not None and not claims:
            subject = _subject(text[opening[0]:opening[1]])
            before = [Claim("", subject, 0, 0, "", True)] if subject else []
        claim = _clause_claim(report, text, start, end, match, before)
        if claim is None:
            continue
        claim.start += offset
        claim.end += offset
        claims.append(claim)
    return claims


def _content(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The claim's words between start and end, trimmed, with their trimmed offsets."""
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip(_TRIM))
    right = len(piece.rstrip(_TRIM + "."))
    if right - left < 8:
        return None
    words = piece[left:right]
    if words.count("\"") % 2:  # a quote closed outside the claim: drop the stray mark
        words = words.replace("\"", "")
    return words, start + left, start + right


def _sentence_case(words: str) -> str:
    words = words.strip()
    if words and words[0].islower():
        words = words[0].upper() + words[1:]
    return words if words[-1:] in ".!?" else words + "."


def _clause_claim(report: Report, text: str, start: int, end: int, match,
                  earlier: list[Claim]) -> Claim | None:
    cue = reporting.cue_word(match)
    pre, post = text[start:match.start()], text[match.end():end]
    speaker, content, whole = None, None, False
    if cue == "according to":
        if not pre.strip(_TRIM):
            citing = re.match(r"^(?P<relay>[^,]+),\s*(?:citing|quoting)\s+(?P<who>[^,]+),", post)
            comma = citing.end() - 1 if citing else post.find(",")
            if comma < 0:
                return None
            speaker = speaker_before(citing.group("who") if citing else post[:comma])
            if citing and speaker is not None:
                speaker.relayed_by = [outlet_name(citing.group("relay"))]
            content = _content(text, match.end() + comma + 1, end)
        else:
            speaker = speaker_before(post)
            content = _content(text, start, match.start())
    elif cue == "quoted":
        said = re.match(r"^\s*(?P<who>.+?)\s+as\s+saying\s*(?:that\s+)?", post)
        if not said:
            return None
        speaker = speaker_before(said.group("who"))
        if speaker is not None:
            speaker.relayed_by = [outlet_name(pre)]
        content = _content(text, match.end() + said.end(), end)
    elif cue == "saying":
        speaker = _subject(text[:match.start()])
        content = _content(text, match.end(), end)
    elif _inverted(pre, post, cue):
        speaker = speaker_after(post)
        content = _content(text, start, match.start())
    elif reporting.is_tail(post):
        speaker, content = _tail(text, start, match, post)
    else:
        speaker = speaker_before(pre)
        if speaker is None and not pre.strip(_TRIM) and earlier:
            speaker = Speaker(earlier[-1].speaker.name, earlier[-1].speaker.role,
                              relayed_by=list(earlier[-1].speaker.relayed_by))
        lead, rest = reporting.strip_that(post, cue)
        if cue in ("told", "tells") and lead and speaker is not None and is_outlet(lead):
            speaker.relayed_by.append(outlet_name(lead))
        if cue in reporting.OBJECT_CUES and (cue in ("denied", "denies", "deny", "rejected",
                                                     "rejects", "disputed", "disputes",
                                                     "refuted", "dismissed")
                                             or not lead.rstrip().endswith("that")):
            whole = True
            content = _content(text, start + len(pre) - len(pre.lstrip(_TRIM)), end)
        else:
            content = _content(text, end - len(rest), end)
    if speaker is None or content is None:
        return None
    speaker = report.resolve(_expanded(report, speaker))
    if speaker.name.lower() in PRONOUNS:
        return None   # an "it said" with no one before it to be "it"
    if speaker.pronoun is None:
        report.remember(speaker)
    words, claim_start, claim_end = content
    if whole and (speaker.pronoun is not None):
        words = speaker.name + " " + text[match.start():claim_end - 0].strip(_TRIM + ".")
    whole_text = text[start:end]
    claim = Claim(_sentence_case(words), speaker, claim_start, claim_end, cue,
                  reporting.checkable(cue, words), reporting.channel(whole_text))
    claim.first_hand = reporting.first_hand(words) or speaker.kind == "eyewitness"
    claim.party_to_event = reporting.own_side(words)
    return claim


def _expanded(report: Report, speaker: Speaker) -> Speaker:
    speaker.name = report.expand(speaker.name)
    speaker.others = [report.expand(o) for o in speaker.others]
    return speaker


def _inverted(pre: str, post: str, cue: str) -> bool:
    """'"...," said X, a vendor.' or '..., said X.': the speaker follows the cue."""
    if cue in reporting.OBJECT_CUES or not re.search(r"[,\"”]\s*$", pre):
        return False
    head = post.strip().split(",")[0]
    words = head.rstrip(".!?").split()
    return 0 < len(words) <= 6 and (words[0][:1].isupper() or words[0].lower() in
                                    ("the", "a", "an")) and not re.search(r"\bthat\b", head)


def _tail(text: str, start: int, match, post: str):
    """A cue that ends its clause: the claim stands before the speaker."""
    pre = text[start:match.start()]
    citing = re.search(r",\s*(?:citing|quoting)\s+(?P<who>[^.]+)", post)
    closing = max(pre.rfind("\""), pre.rfind("”"))
    if closing > 0:
        speaker = speaker_before(pre[closing + 1:])
        content = _content(text, start, start + closing)
    else:
        comma = _last_top_comma(pre)
        if comma < 0:
            return None, None
        speaker = speaker_before(pre[comma + 1:])
        content = _content(text, start, start + comma)
    if citing and speaker is not None:
        relay = speaker.name
        speaker = speaker_before(citing.group("who"))
        if speaker is not None:
            speaker.relayed_by = [relay]
    return speaker, content


def _last_top_comma(text: str) -> int:
    depth, inside = 0, False
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char in "\"“”":
            inside = not inside
        elif char == ")":
            depth += 1
        elif char == "(":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0 and not inside:
            return index
    return -1


def _subject(text: str) -> Speaker | None:
    """The subject of a sentence: its words up to the first finite verb."""
    words = subject_words(text)
    return speaker_before(words) if words else None
