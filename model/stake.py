"""Claims that serve the speaker's stake: the forms of the policy file, found in a claim.

A party to the events has reasons to inflate the other side's losses, claim success,
deny involvement and blame the other side, and least reason to admit its own losses
(DOMAIN.md). The policy file's ``stake`` section writes those forms down as readable
patterns over named word lists; ``StakeRules`` compiles them once (when the policy is
read) and ``recognise`` returns the forms a claim takes, with the character spans of
the words that made each one, for the page to highlight.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from re import _constants as sre, _parser as sre_parse

DIRECTIONS = ("serves", "against")
# A few words of one sentence that name neither "we" nor "our": between a side and its verb.
GAP = r"(?:(?!\b(?:we|our|us)\b)[^.;!?\n]){0,50}?"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class StakeRulesError(ValueError):
    """A stake form or term list that cannot be compiled."""


@dataclass(frozen=True)
class StakeForm:
    name: str
    label: str            # the editor's words: "claims enemy losses"
    direction: str        # "serves" the source's side, or runs "against" it
    description: str
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    form: str


@dataclass(frozen=True)
class Recognised:
    """The forms a claim takes (in the policy's order) and the words that made them."""
    forms: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    serves: tuple[str, ...] = ()      # the forms that serve the source's side
    against: tuple[str, ...] = ()     # the forms that run against it


NOTHING = Recognised()


def _expand(pattern: str, terms: dict[str, tuple[str, ...]], where: str, depth: int = 0) -> str:
    def term(match):
        name = match.group(1)
        if name == "gap":
            return GAP
        if name not in terms:
            raise StakeRulesError(f"policy: {where} names an unknown term list {{{name}}}")
        if depth > 3:
            raise StakeRulesError(f"policy: {where}: term lists nest too deeply")
        return "(?:" + "|".join(_expand(t, terms, where, depth + 1).replace(" ", r"\s+")
                                for t in terms[name]) + ")"
    return _PLACEHOLDER.sub(term, pattern)


def _compile(pattern: str, terms, where: str) -> re.Pattern:
    try:
        return re.compile(_expand(pattern, terms, where), re.IGNORECASE)
    except re.error as error:
        raise StakeRulesError(f"policy: {where}: {error}") from None


HEAD = 5                        # a claim word's first letters that find its patterns
_WORD = re.compile(r"\w+")
_MAX_HEADS = 4000
NUMBER = "#"                    # the head of any word that starts with a digit
# Words in most claims: a pattern is better found by any other of its words.
COMMON = frozenset((
    "the a an of in on to at by for from with and or but as is are was were be been has "
    "have had it its this that these those there not no over under more less than about "
    "some many any all one two three after before since into out up down new said says "
    "say he she they we our us his her their who which what when while also would will "
    "can could other now".split()))


class _Unanchored(Exception):
    """No word the pattern needs could be read off it."""


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _heads(items, state: frozenset, skip: frozenset = None) -> frozenset:
    """Follow a parsed pattern from a word start: the first ``HEAD`` letters (lowered) of
    the first uncommon word a match holds there. ``state`` holds (letters so far, word
    ended) pairs, one for each way through the pattern."""
    for op, arg in items:
        if all(done for _, done in state):
            return state
        if op is sre.LITERAL:
            char = chr(arg).lower()
            if _is_word(char):
                state = frozenset((h, True) if done else (h + char, False) for h, done in state)
            else:
                state = _word_ends(state, skip)
        elif op is sre.AT and arg is sre.AT_BOUNDARY:
            state = frozenset().union(*(
                {(h, done)} if done or not h else _word_ends({(h, done)}, skip)
                for h, done in state))
        elif op is sre.AT or op in (sre.ASSERT, sre.ASSERT_NOT):
            continue
        elif op is sre.SUBPATTERN:
            state = _heads(arg[-1], state, skip)
        elif op is sre.BRANCH:
            state = frozenset().union(*(_heads(branch, state, skip) for branch in arg[1]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and _is_space(arg[2]):
            state = _word_ends(state, skip)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[:2] == (0, 1):
            state = state | _heads(arg[2], state, skip)
        elif op is sre.IN and _is_space(((op, arg),)):
            state = _word_ends(state, skip)
        elif op is sre.IN and arg == [(sre.CATEGORY, sre.CATEGORY_DIGIT)]:
            # A word that starts with a digit is known as NUMBER, whatever follows.
            if any(not done and h for h, done in state):
                state = _cut(state)
            state = frozenset((h, True) if done else (NUMBER, True) for h, done in state)
        else:
            state = _cut(state)
        if len(state) > _MAX_HEADS:
            raise _Unanchored
    return state


def _cut(state) -> frozenset:
    """The pattern goes on in a way not read here: a word of HEAD letters so far is known
    by them; a shorter one may go on, so nothing is known."""
    if any(not done and len(h) < HEAD for h, done in state):
        raise _Unanchored
    return frozenset((h[:HEAD], True) for h, _ in state)


def _word_ends(state, skip: frozenset = None) -> frozenset:
    """A word ended: its first letters are the head, unless it is a common word ("the"),
    when the next word, which the match also holds, is read instead."""
    skip = COMMON if skip is None else skip
    out = set()
    for h, done in state:
        if done:
            out.add((h, done))
        elif not h:
            raise _Unanchored
        else:
            out.add(("", False) if h in skip else (h[:HEAD], True))
    return frozenset(out)


def start_heads(pattern: str) -> frozenset[str] | None:
    """The first letters of the word every match of ``pattern`` starts with, when the
    pattern starts at a word boundary and they can be read off; else None."""
    items = list(sre_parse.parse(pattern, re.IGNORECASE))
    if len(items) < 2 or items[0] != (sre.AT, sre.AT_BOUNDARY):
        return None
    try:
        state = _cut(_heads(items[1:], frozenset({("", False)}), frozenset()))
    except _Unanchored:
        return None
    heads = frozenset(h for h, _ in state)
    return None if "" in heads else heads


def _is_space(items) -> bool:
    return (len(items) == 1 and items[0][0] is sre.IN
            and items[0][1] == [(sre.CATEGORY, sre.CATEGORY_SPACE)])


def word_heads(pattern: str) -> list[frozenset[str]]:
    """For each place in ``pattern`` where a word starts (after a word boundary or a
    space) and whose words can be read off, the first letters of those words: a match
    holds one word of each set, so a claim missing any set cannot match. Rarest first."""
    items = list(sre_parse.parse(pattern, re.IGNORECASE))
    found = []
    for i, (op, arg) in enumerate(items):
        before = items[i - 1] if i else None
        if before is None or not (before == (sre.AT, sre.AT_BOUNDARY)
                                  or before == (sre.LITERAL, ord(" "))
                                  or _is_space([before])
                                  or (before[0] is sre.MAX_REPEAT and _is_space(before[1][2]))):
            continue
        try:
            state = _heads(items[i:], frozenset({("", False)}))
        except _Unanchored:
            continue
        try:
            state = _cut(state)   # a match may run past the pattern's end inside a word
        except _Unanchored:
            continue
        if any(not h for h, _ in state):
            continue
        found.append(frozenset(h for h, _ in state))
    return sorted(set(found), key=_cost)


def _cost(heads: frozenset) -> int:
    return len(heads) + 10_000 * len(heads & COMMON)


@dataclass(frozen=True)
class StakeRules:
    forms: tuple[StakeForm, ...]
    terms: tuple[tuple[str, tuple[str, ...]], ...]
    _compiled: tuple = field(default=(), compare=False, repr=False)
    _by_head: dict = field(default_factory=dict, compare=False, repr=False)
    unanchored: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        terms, by_head, unanchored, compiled = dict(self.terms), {}, [], []
        for number, form in enumerate(self.forms):
            where = f"stake form {form.name}"
            patterns = tuple(_compile(p, terms, where) for p in form.patterns)
            for pattern in patterns:
                heads = word_heads(pattern.pattern)
                entry = (number, pattern, tuple(heads[1:]), start_heads(pattern.pattern))
                if not heads:
                    unanchored.append(entry)
                    continue
                for head in heads[0]:
                    by_head.setdefault(head, []).append(entry)
            compiled.append((form, tuple(_compile(p, terms, f"{where} unless")
                                         for p in form.unless)))
        object.__setattr__(self, "_compiled", tuple(compiled))
        object.__setattr__(self, "_by_head", {h: tuple(p) for h, p in by_head.items()})
        object.__setattr__(self, "unanchored", tuple(unanchored))

    def form(self, name: str) -> StakeForm:
        return next(f for f in self.forms if f.name == name)

    def recognise(self, text: str) -> Recognised:
        """The forms of the claim and the spans of the words that made each.

        Only the patterns that need one of the claim's words are tried, so a claim
        without the forms' words costs a set look-up per word."""
        if not text:
            return NOTHING
        by_head = self._by_head
        lowered = text.lower()
        tokens = [(m.start(), NUMBER if m.group()[0].isdigit() else m.group()[:HEAD])
                  for m in _WORD.finditer(lowered)]
        words = {word for _, word in tokens}
        candidates = set(self.unanchored)
        for word in words:
            found = by_head.get(word)
            if found:
                candidates.update(found)
        if not candidates:
            return NOTHING
        # Lowering may change a text's length (rare letters): then offsets are not the text's.
        aligned = len(lowered) == len(text)
        hits: dict[int, list[Span]] = {}
        for number, pattern, needs, starts in candidates:
            if not all(words & need for need in needs):
                continue
            name = self.forms[number].name
            for match in _matches(pattern, text, tokens, starts if aligned else None):
                if match.end() > match.start():
                    hits.setdefault(number, []).append(Span(match.start(), match.end(), name))
        forms, spans = [], []
        for number in sorted(hits):
            form, unless = self._compiled[number]
            if not any(u.search(text) for u in unless):
                forms.append(form)
                spans.extend(_merged(hits[number]))
        if not forms:
            return NOTHING
        spans = sorted(set(spans), key=lambda s: (s.start, s.end, s.form))
        return Recognised(tuple(f.name for f in forms), tuple(spans),
                          tuple(f.name for f in forms if f.direction == "serves"),
                          tuple(f.name for f in forms if f.direction == "against"))


def _merged(spans: list[Span]) -> list[Span]:
    """One form's spans with overlapping ones joined: the words, each marked once."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and span.start <= out[-1].end:
            if span.end > out[-1].end:
                out[-1] = Span(out[-1].start, span.end, span.form)
        else:
            out.append(span)
    return out


def _matches(pattern: re.Pattern, text: str, tokens, starts):
    """The pattern's matches, as ``finditer`` finds them; a pattern whose matches start
    at known words is tried only where those words start."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for at, word in tokens:
        if at < end or word not in starts:
            continue
        match = pattern.match(text, at)
        if match:
            yield match
            end = max(match.end(), at + 1)


def parse_stake(raw) -> StakeRules:
    """The policy file's ``stake`` section, checked and compiled."""
    if raw is None:
        return StakeRules((), ())
    if not isinstance(raw, dict) or not isinstance(raw.get("forms"), dict):
        raise StakeRulesError("policy: 'stake' needs a mapping of 'forms'")
    terms = {}
    for name, entries in (raw.get("terms") or {}).items():
        if not isinstance(entries, list) or not all(isinstance(e, str) and e for e in entries):
            raise StakeRulesError(f"policy: stake term list {name} must be a list of text")
        terms[str(name)] = tuple(entries)
    forms = []
    for name, entry in raw["forms"].items():
        where = f"stake form {name}"
        if not isinstance(entry, dict):
            raise StakeRulesError(f"policy: {where} must be a mapping")
        direction = entry.get("direction")
        if direction not in DIRECTIONS:
            raise StakeRulesError(f"policy: {where}: direction must be serves or against")
        patterns = entry.get("patterns")
        if not isinstance(patterns, list) or not patterns or not all(
                isinstance(p, str) and p for p in patterns + list(entry.get("unless") or [])):
            raise StakeRulesError(f"policy: {where} needs a list of patterns")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise StakeRulesError(f"policy: {where} lacks 'label'")
        forms.append(StakeForm(str(name), label.strip(), direction,
                               str(entry.get("description") or ""), tuple(patterns),
                               tuple(entry.get("unless") or ())))
    return StakeRules(tuple(forms), tuple(terms.items()))
