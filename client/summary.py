"""An assessment as a few lines an editor reads in a terminal."""
from __future__ import annotations

from .problems import ProblemError
from .results import RELIABILITY_MEANINGS, Assessment, SourceRecord

TOP_FACTORS = 5


def describe(assessment: Assessment, top: int = TOP_FACTORS) -> str:
    grade = assessment.grade
    lines = [
        f"Score   {assessment.score:.2f} ({assessment.band}): the chance that fact-checkers "
        "rate the claim at least half-true",
        f"Grade   {grade.code}: source {grade.source_reliability} = {grade.reliability_meaning}; "
        f"information {grade.information_credibility} = {grade.credibility_meaning}",
        f"Source  {_source_line(assessment.source)}",
        "",
        "Why (signed weights on the log-odds scale):",
    ]
    factors = assessment.factors[:top]
    lines += [f"  {factor.weight:+.2f}  {factor.label} ({factor.basis})" for factor in factors]
    if len(assessment.factors) > top:
        rest = len(assessment.factors) - top
        lines.append(f"  ... and {rest} smaller factor{'s' if rest > 1 else ''} "
                     "(--json shows all)")
    if assessment.what_would_change:
        lines += ["", "What would change it:"]
        lines += [f"  {change.score:.2f}  if {change.change}"
                  for change in assessment.what_would_change]
    lines += ["", f"Assessment {assessment.id}, model {assessment.model.version}, "
                  f"policy {assessment.model.policy_version}"]
    return "\n".join(lines)


def describe_record(source: SourceRecord) -> str:
    """A source's record, as a verdict answers it: who, its record, its grade, its id."""
    lines = [_source_line(source)]
    if source.reliability is not None:
        grade = source.reliability.grade
        lines.append(f"Grade   {grade} = {RELIABILITY_MEANINGS.get(grade, 'unknown grade')}")
    lines.append(f"Source  {source.id or '(not registered)'}")
    return "\n".join(lines)


def _source_line(source: SourceRecord) -> str:
    name = source.name or "(unnamed)"
    kind = (source.type or "unknown type").replace("_", " ")
    parts = [f"{name}, {kind}"]
    record = source.track_record
    if record is not None and record.total:
        parts.append(f"{record.held_up} of {record.total} earlier claims held up")
    if source.reliability is not None:
        r = source.reliability
        parts.append(f"reliability {r.mean:.2f} (90% {r.low:.2f}-{r.high:.2f})")
    return "; ".join(parts)


def describe_problem(error: ProblemError) -> str:
    text = str(error)
    if error.request_id:
        text += f"\n  (request id {error.request_id})"
    return text
