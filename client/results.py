"""The service's answers as typed records; each keeps the JSON it was made from in `raw`."""
from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem

# The six-level fact-check scale of the HTTP contract; "held up" is half-true or better.
LEVELS = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")
HELD_UP = LEVELS[3:]

# Admiralty code (NATO AJP-2.1), as DESIGN.md and model/grades.py word it.
RELIABILITY_MEANINGS = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}
CREDIBILITY_MEANINGS = {
    "1": "confirmed by independent sources", "2": "probably true", "3": "possibly true",
    "4": "doubtful", "5": "improbable", "6": "truth cannot be judged",
}


@dataclass(frozen=True)
class Grade:
    source_reliability: str
    information_credibility: str

    @property
    def code(self) -> str:
        return f"{self.source_reliability}{self.information_credibility}"

    @property
    def reliability_meaning(self) -> str:
        return RELIABILITY_MEANINGS.get(self.source_reliability, "unknown grade")

    @property
    def credibility_meaning(self) -> str:
        return CREDIBILITY_MEANINGS.get(self.information_credibility, "unknown grade")


@dataclass(frozen=True)
class Factor:
    label: str
    weight: float
    basis: str


@dataclass(frozen=True)
class Change:
    change: str
    score: float


@dataclass(frozen=True)
class TrackRecord:
    counts: dict[str, int]
    total: int

    @property
    def held_up(self) -> int:
        return sum(self.counts.get(level, 0) for level in HELD_UP)


@dataclass(frozen=True)
class Reliability:
    mean: float
    low: float
    high: float
    grade: str


@dataclass(frozen=True)
class SourceRecord:
    id: str | None
    name: str | None
    type: str | None
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    affiliation: str | None = None
    country: str | None = None
    notes: str | None = None
    track_record: TrackRecord | None = None
    reliability: Reliability | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict) -> SourceRecord:
        record, reliability = body.get("track_record"), body.get("reliability")
        return cls(
            id=body.get("id"), name=body.get("name"), type=body.get("type"),
            aliases=list(body.get("aliases") or []), role=body.get("role"),
            affiliation=body.get("affiliation"), country=body.get("country"),
            notes=body.get("notes"),
            track_record=TrackRecord(dict(record["counts"]), int(record["total"]))
            if record else None,
            reliability=Reliability(reliability["mean"], reliability["low"],
                                    reliability["high"], reliability["grade"])
            if reliability else None,
            raw=body)


@dataclass(frozen=True)
class ModelRef:
    version: str
    policy_version: str


@dataclass(frozen=True)
class Assessment:
    id: str
    created_at: str
    score: float
    band: str
    distribution: dict[str, float]
    grade: Grade
    # None and empty for an assessment scored in a batch with "explain": false.
    intercept: float | None
    factors: list[Factor]
    what_would_change: list[Change]
    source: SourceRecord
    model: ModelRef
    desk: str | None = None    # the desk it was scored for (None from a service without desks)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict) -> Assessment:
        return cls(
            id=body["id"], created_at=body["created_at"], score=body["score"],
            band=body["band"], distribution=dict(body["distribution"]),
            grade=Grade(**body["grade"]), intercept=body.get("intercept"),
            factors=[Factor(item["label"], item["weight"], item["basis"])
                     for item in body.get("factors", [])],
            what_would_change=[Change(item["change"], item["score"])
                               for item in body.get("what_would_change", [])],
            source=SourceRecord.from_json(body["source"]),
            model=ModelRef(body["model"]["version"], body["model"]["policy_version"]),
            desk=body.get("desk"), raw=body)


@dataclass(frozen=True)
class BatchResult:
    """One item of `score_many`, at its place: its assessment, or the problem it had."""

    index: int
    status: int
    assessment: Assessment | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.assessment is not None

    def as_json(self) -> dict:
        """What `score-file` writes: the assessment, or `{"error": problem}`."""
        if self.assessment is not None:
            return self.assessment.raw
        return {"error": self.problem.as_json()}


@dataclass(frozen=True)
class SourcePage:
    items: list[SourceRecord]
    total: int


@dataclass(frozen=True)
class ModelCard:
    """The model card; its metrics and training data vary by model, so they stay in `raw`."""

    version: str
    policy_version: str
    created_at: str | None = None
    metrics: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict) -> ModelCard:
        return cls(version=body["version"], policy_version=body["policy_version"],
                   created_at=body.get("created_at"), metrics=dict(body.get("metrics") or {}),
                   raw=body)


@dataclass(frozen=True)
class ArticleClaim:
    """One attributed claim of a report; `assessment` is None for an unscored opinion."""

    claim: str
    source_name: str
    source_type: str
    speakers: list[str]
    relayed_by: list[str]
    cue: str
    checkable: bool
    start: int
    end: int
    assessment: Assessment | None = None
    verdict: str | None = None

    @classmethod
    def from_json(cls, body: dict) -> ArticleClaim:
        verdict = body.get("verdict")
        return cls(claim=body["claim"], source_name=body["source"].get("name") or "",
                   source_type=body["source"].get("type") or "other",
                   speakers=list(body.get("speakers") or []),
                   relayed_by=list((body.get("context") or {}).get("relayed_by") or []),
                   cue=body.get("cue") or "", checkable=bool(body.get("checkable")),
                   start=body["span"]["start"], end=body["span"]["end"],
                   assessment=Assessment.from_json(body["assessment"])
                   if body.get("assessment") else None,
                   verdict=verdict.get("verdict") if verdict else None)


@dataclass(frozen=True)
class Article:
    """A report as POST /v1/articles answers it: its language and its claims, in order."""

    id: str
    language: str
    claims: list[ArticleClaim]
    title: str | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict) -> Article:
        return cls(id=body["id"], language=body["language"], title=body.get("title"),
                   claims=[ArticleClaim.from_json(item) for item in body.get("claims", [])],
                   raw=body)
