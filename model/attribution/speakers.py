"""Who said it: a speaker's name and role from the words before or after a cue, the
report's own abbreviations and full names, and pronouns and descriptions resolved to
the nearest earlier speaker that fits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from model.names import normalise_name
from model.roles import classify_source

PRONOUNS = frozenset({"it", "he", "she", "they", "we", "i"})
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:(?:but|and|however|meanwhile|separately|earlier|later|also|still|yet|instead|so)\b"
    r"\s*,?\s*|(?:in|on|at|after|before|during|asked|speaking|writing|from)\s[^,]*,\s*(?=\S))",
    re.IGNORECASE)
_TRAILING = re.compile(
    r"\s*,?\s*(?:\b(?:later|also|earlier|again|separately|previously|publicly|repeatedly|"
    r"has|have|had|on\s+\w+|last\s+\w+|in\s+a\s+statement|once|then|itself|first))+\s*,?\s*$",
    re.IGNORECASE)
# "Officials in the coastal city of Merin" -> "Officials": where they are is not who.
_PLACE = re.compile(r"\s+in\s+(?:the\s+)?(?:[a-z-]+\s+){0,3}?(?:of\s+)?"
                    r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?$")
_PREFIX = re.compile(r"^(?:(?:the\s+)?press\s+service\s+of|a\s+statement\s+(?:from|by)|"
                     r"data\s+from|figures\s+from|a\s+report\s+(?:from|by))\s+", re.IGNORECASE)
_PREPOSITION_PART = re.compile(r"^(?:in|on|at|after|before|during|speaking|asked|according|"
                               r"while|with|without|for|from|under|writing|posting)\b",
                               re.IGNORECASE)
_APPOSITION_PART = re.compile(r"^(?:who|which|whose|whom|an?\b|one\s+of)\b", re.IGNORECASE)
TITLES = frozenset(
    "minister commissioner mayor attorney governor president colonel general spokesman "
    "spokeswoman spokesperson chief executive director senator secretary lieutenant major "
    "captain judge ambassador adviser advisor chairman chairwoman chair leader organiser "
    "organizer officer commander sergeant admiral prosecutor premier deputy head rep "
    "representative envoy coach lawyer analyst editor founder ceo dr mr mrs ms prof gen lt "
    "col sgt capt gov sen".split())
# Words that make a capitalised name an organisation rather than a person.
ORGANISATION_WORDS = frozenset(
    "ministry agency analytics foods builders energy union front battalion corps guard "
    "commission committee service services unit force forces navy army police organization "
    "organisation party platform bank council kremlin legion movement group company "
    "federation news office department authority administration court government "
    "parliament district command staff military corporation inc ltd institute foundation "
    "university association league alliance nations borders cross crescent agencies times "
    "post today independent media radio television tv channel network fund programme "
    "program centre center commission board bureau".split())
# Names of armed formations that "the group" or "the militants" may refer to.
ARMED_WORDS = frozenset("front battalion corps legion movement guard army brigade group "
                        "militia rebels forces".split())
PERSON_WORDS = frozenset(
    "resident residents worker official spokesman spokeswoman spokesperson lawyer governor "
    "source deputy coach leader adviser advisor vendor witness organiser organizer chief "
    "commander minister mayor doctor nurse soldier officer analyst man woman director "
    "executive president judge prosecutor politician".split())
# What a description's head word may resolve to: words in the name or role, or kinds.
DESCRIPTION_KINDS = {
    "group": {"armed_group", "advocacy_group", "military"}, "militants": {"armed_group"},
    "rebels": {"armed_group"}, "legion": {"armed_group"}, "movement": {"armed_group"},
    "battalion": {"armed_group", "military"}, "front": {"armed_group"},
    "ministry": {"state_agency"}, "agency": {"state_agency", "international_org"},
    "company": {"corporation"}, "firm": {"corporation"}, "charity": {"ngo"},
    "organisation": {"ngo", "international_org"}, "organization": {"ngo", "international_org"},
    "union": {"advocacy_group"}, "source": set(), "official": set(), "spokesman": set(),
    "spokeswoman": set(), "commission": {"state_agency", "international_org"},
}
_PROPER_TOKEN = re.compile(r"^(?:[A-Z][\w.'’-]*|\d[\w-]*|of|the|for|and|de|al|in|on)$")
_CAPITALISED = re.compile(r"^[A-Z][\w.'’-]*$")
_RUN = re.compile(r"\b[A-Z][a-z][\w'’-]*(?:\s+(?:[A-Z][\w'’.-]*|bin|al|de|van|von))+")
_ABBREVIATION = re.compile(
    r"(?P<full>(?:[A-Z][\w'’.-]*|of|the|for|and|de)(?:\s+(?:[A-Z][\w'’.-]*|of|the|for|and|"
    r"de)){0,8})\s*\((?P<short>[A-Z][A-Za-z]{1,7})\)")
_KNOWN_AS = re.compile(r"^(?:known\s+as|also\s+known\s+as|called)\s+(?P<short>.+)$",
                       re.IGNORECASE)
_RELAY_PART = re.compile(r"^(?:quoted|cited)\s+by\s+(?P<relay>.+)$", re.IGNORECASE)
_SOURCE_PART = re.compile(r"^(?:quoting|citing)\s+(?P<sources>.+)$", re.IGNORECASE)
_OUTLET_WORDS = re.compile(
    r"\b(?:news\s+agency|agency|broadcaster|outlet|newspaper|daily|television|tv|radio|"
    r"channel|website|news)\b", re.IGNORECASE)
_OUTLET_KINDS = frozenset({"state_media", "wire_agency", "independent_media"})
_DEMONYMS = {"russia": "RU", "russian": "RU", "moscow": "RU", "kremlin": "RU",
             "ukraine": "UA", "ukrainian": "UA", "kyiv": "UA", "israel": "IL",
             "israeli": "IL", "kenya": "KE", "kenyan": "KE", "u.s.": "US", "american": "US",
             "british": "GB", "german": "DE", "french": "FR", "chinese": "CN"}


def source_kind(name: str | None, role: str | None = None) -> str:
    """The one place a speaker's kind is looked up (an outlet table may join it here)."""
    return classify_source(name=name, role=role)


@dataclass
class Speaker:
    name: str
    role: str | None = None
    others: list[str] = field(default_factory=list)   # more speakers of the same claim
    relayed_by: list[str] = field(default_factory=list)
    told: str | None = None
    pronoun: str | None = None   # as written, when the text said "it", "he", ...
    antecedent: str | None = None   # the subject of the pronoun's own clause, if named

    @property
    def kind(self) -> str:
        return source_kind(self.name, self.role)

    @property
    def person(self) -> bool:
        words = self.name.split()
        lowered = {re.sub(r"['’]s?$", "", w.lower()) for w in words}
        if lowered & ORGANISATION_WORDS:
            return False
        if all(_CAPITALISED.match(w) and not w.isupper() for w in words) and 2 <= len(words) <= 4:
            return True
        return bool(lowered & PERSON_WORDS) or bool(
            self.role and set(self.role.lower().split()) & TITLES)

    @property
    def plural(self) -> bool:
        last = self.name.split()[-1].lower() if self.name.split() else ""
        return last.endswith("s") and not last.endswith("ss") and not self.name.isupper()

    def country(self) -> str | None:
        text = f"{self.name} {self.role or ''}".lower()
        for word in re.findall(r"[\w.]+", text):
            word = word.removesuffix("s") if word.endswith("s") and word[:-1] in _DEMONYMS \
                else word
            if word in _DEMONYMS:
                return _DEMONYMS[word]
        return None


class Report:
    """What the whole report tells about its speakers: abbreviations and full names."""

    def __init__(self, text: str):
        self.abbreviations: dict[str, str] = {}
        for match in _ABBREVIATION.finditer(text):
            self.abbreviations[match.group("short")] = _full_name(match.group("full"),
                                                                  match.group("short"))
        self.runs = [m.group() for m in _RUN.finditer(text)]
        self.speakers: list[Speaker] = []

    def expand(self, name: str) -> str:
        """An abbreviation to the name the text gave it; a surname to the full name."""
        bare = _ARTICLE.sub("", name.strip())
        bare = re.sub(r"\s*\([A-Z][A-Za-z]{1,7}\)$", "", bare).strip()
        if bare in self.abbreviations:
            return self.abbreviations[bare]
        if re.fullmatch(r"[A-Z][a-z][\w'’-]+", bare):
            for run in self.runs:
                words = run.split()
                if len(words) >= 2 and words[-1] == bare:
                    return " ".join(w for w in words if w.lower() not in TITLES
                                    and not _is_title(w))
        return bare

    def resolve(self, speaker: Speaker) -> Speaker:
        """A pronoun or a description ("the group") to the nearest earlier speaker that fits."""
        word = speaker.name.lower()
        if word in PRONOUNS and speaker.antecedent:
            return Speaker(self.expand(speaker.antecedent), pronoun=speaker.name,
                           relayed_by=speaker.relayed_by)
        if word in PRONOUNS:
            for earlier in reversed(self.speakers):
                if earlier.name.lower() in PRONOUNS:
                    continue
                if (word in ("he", "she", "i") and earlier.person) or (
                        word == "it" and not earlier.person and not earlier.plural) or (
                        word in ("they", "we") and not earlier.person):
                    return Speaker(earlier.name, earlier.role, pronoun=speaker.name,
                                   relayed_by=speaker.relayed_by, told=speaker.told)
            return speaker
        words = word.split()
        if 1 <= len(words) <= 3 and speaker.name[:1].islower() and words[-1] in DESCRIPTION_KINDS:
            head = words[-1]
            about_people = head in PERSON_WORDS
            unknown = None
            for distance, earlier in enumerate(reversed(self.speakers)):
                if earlier.name.lower() in PRONOUNS or earlier.name == speaker.name or (
                        earlier.person != about_people):
                    continue
                text = f"{earlier.name} {earlier.role or ''}".lower()
                kinds = DESCRIPTION_KINDS[head]
                if re.search(rf"\b{head}", text) or earlier.kind in kinds or (
                        "armed_group" in kinds and set(text.split()) & ARMED_WORDS):
                    return Speaker(earlier.name, earlier.role, pronoun=speaker.name,
                                   relayed_by=speaker.relayed_by, told=speaker.told)
                if unknown is None and distance < 3 and earlier.kind == "other":
                    unknown = earlier
            if unknown is not None and not about_people:
                # A named organisation of no known kind: "Altrion said ... the company said".
                return Speaker(unknown.name, unknown.role, pronoun=speaker.name,
                               relayed_by=speaker.relayed_by, told=speaker.told)
        return speaker

    def remember(self, speaker: Speaker) -> None:
        self.speakers.append(speaker)


_FINITE = re.compile(r"^(?:[a-z]+ed|has|have|had|is|was|were|are|will|would|rose|fell|won|"
                     r"took|hit|made|cut|kept|said|told|says|that|who|which)$")


def subject_words(text: str) -> str:
    """The words of a clause up to its first finite verb (or relative pronoun)."""
    words = []
    for word in text.split():
        if _FINITE.match(word):
            break
        words.append(word)
    return " ".join(words)


def _is_title(word: str) -> bool:
    return word.lower().strip(".") in TITLES


def _full_name(full: str, short: str) -> str:
    words = full.split()
    while words and words[0].lower() in ("the", "of", "for", "and"):
        words = words[1:]
    for start in range(len(words)):
        initials = "".join(w[0] for w in words[start:] if w[:1].isupper())
        if initials.upper() == short.upper():
            return " ".join(words[start:])
    return " ".join(words) or short


def _proper(part: str) -> bool:
    words = _ARTICLE.sub("", part).split()
    return bool(words) and words[0][:1].isupper() and all(_PROPER_TOKEN.match(w) for w in words)


def _split_parts(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _name_and_title(name: str) -> tuple[str, str | None]:
    """"Prime Minister Victor Andrei" -> ("Victor Andrei", "Prime Minister")."""
    words = name.split()
    for index in range(len(words) - 1, 0, -1):
        if _is_title(words[index - 1]) or (words[index - 1][:1].islower()
                                           and words[index - 1].lower() not in
                                           ("of", "the", "and", "for", "de", "al")):
            tail = words[index:]
            if tail and all(_CAPITALISED.match(w) or w.isdigit() for w in tail) and not (
                    {w.lower() for w in tail} & ORGANISATION_WORDS and len(tail) == 1
                    and tail[0].lower() in ORGANISATION_WORDS):
                return " ".join(tail), " ".join(words[:index])
            break
    return name, None


def outlet_name(text: str) -> str:
    """"the state news agency CTK" -> "CTK"; "the TASS news agency" -> "TASS"."""
    text = re.sub(r"\s+(?:by\s+telephone|on\s+\w+|in\s+an?\s+\w+.*)$", "", text.strip())
    text = _ARTICLE.sub("", text)
    text = re.sub(r"\s+(?:news\s+agency|agency|broadcaster|newspaper|daily|outlet)$", "", text,
                  flags=re.IGNORECASE)
    name, _ = _name_and_title(text)
    return name


_AUDIENCES = re.compile(r"\b(?:reporters|journalists|analysts|supporters|investors|"
                        r"lawmakers|parliament|conference|briefing|crowd|audience|meeting|"
                        r"summit|residents)\b", re.IGNORECASE)


def is_outlet(text: str) -> bool:
    if _AUDIENCES.search(text):
        return False
    name = outlet_name(text)
    return bool(_OUTLET_WORDS.search(text)) or source_kind(name) in _OUTLET_KINDS


def _clean_name(text: str) -> str:
    text = _PREFIX.sub("", text.strip().strip(",").strip())
    text = _PLACE.sub("", text)
    return _ARTICLE.sub("", text).strip()


def speaker_before(text: str) -> Speaker | None:
    """The speaker from the words before a cue ("Its spokesman, Igor Tarasov,")."""
    text = QUOTE_MARKS.sub("", text).strip()
    text = _TRAILING.sub("", text).strip().strip(",").strip()
    text = _LEADING.sub("", text).strip()
    if not text:
        return None
    parts = _split_parts(text)
    relay, sources, short, kept = [], [], None, []
    for index, part in enumerate(parts):
        if m := _RELAY_PART.match(part):
            relay.append(outlet_name(m.group("relay")))
        elif m := _SOURCE_PART.match(part):
            sources = _split_speakers(m.group("sources"))
        elif m := _KNOWN_AS.match(part):
            short = m.group("short")
        elif index < len(parts) - 1 and _PREPOSITION_PART.match(part) and not kept:
            continue
        else:
            kept.append(part)
    if sources:
        relay = [outlet_name(p) for p in kept[:1]] + relay
        kept = sources
    if not kept:
        return None
    last = kept[-1].split()
    if len(last) > 1 and last[-1].lower() in PRONOUNS:
        # "The EG released a video it said showed ...": "it" is the clause's subject.
        subject = subject_words(" ".join(last[:-1]))
        return Speaker(last[-1], relayed_by=relay,
                       antecedent=_clean_name(subject) if subject and _proper(subject) else None)
    if short:
        name, role = short, ", ".join(kept)
    else:
        # Later parts that open with "a", "who" or a participle describe the first.
        named = [kept[0]] + [p for p in kept[1:] if not _APPOSITION_PART.match(p)
                             and not _PREPOSITION_PART.match(p)]
        proper = [p for p in named if _proper(p)]
        name = proper[0] if proper else named[0]
        # Two speakers quoted together are two speakers, not one's role.
        role = None if sources else ", ".join(p for p in kept if p != name) or None
    names = _split_speakers(name) if not sources else [name]
    name = _clean_name(names[0])
    others = [_clean_name(n) for n in names[1:]] + [_clean_name(s) for s in (
        sources[1:] if sources else [])]
    if len(name.split()) > 12 or not name:
        return None
    bare, title = _name_and_title(name)
    if title:
        role = ", ".join(r for r in (title, role) if r)
        name = bare
    return Speaker(name, role, others=[o for o in others if o and o != name], relayed_by=relay)


def _split_speakers(text: str) -> list[str]:
    """"the Defence Ministry and the FSB" -> two speakers; "Trade and Industry" stays one."""
    pieces = re.split(r",\s*(?:and\s+)?(?=the\s)|\s+and\s+(?=the\s)", text.strip())
    return [p.strip() for p in pieces if p.strip()]


def speaker_after(text: str) -> Speaker | None:
    """The speaker from the words after a cue ("said Olena Kravets, a 52-year-old vendor")."""
    text = QUOTE_MARKS.sub("", text).strip()
    match = re.match(r"^\s*(?P<name>(?:[A-Z][a-z]{0,3}\.\s+)*[^,.;:]+?)"
                     r"(?:\s*,\s*(?P<role>[^.;]+?))?\s*"
                     r"(?:\b(?:on|in|at|told|late|early)\b[^,]*)?\s*[.!?]?\s*$", text)
    if not match:
        return None
    name = _clean_name(re.sub(r"\s+(?:on|in|at|late|early)\s+.*$", "", match.group("name")))
    if not name or len(name.split()) > 10:
        return None
    role = match.group("role")
    bare, title = _name_and_title(name)
    if title:
        role = ", ".join(r for r in (title, role) if r)
    return Speaker(bare, role.strip() if role else None)


QUOTE_MARKS = re.compile(r"[\"“”«»]")


def same_speaker(a: str, b: str) -> bool:
    return normalise_name(a) == normalise_name(b)
