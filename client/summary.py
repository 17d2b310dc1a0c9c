"""An assessment as a few lines an editor reads in a terminal."""
from __future__ import annotations

from .problems import ProblemError
from .results import RELIABILITY_MEANINGS, Article, Assessment, SourceRecord

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
    desk = f", scored for desk {assessment.desk}" if assessment.desk else ""
    lines += ["", f"Assessment {assessment.id}{desk}, model {assessment.model.version}, "
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


def describe_article(article: Article, width: int = 60) -> str:
    """A report's claims as a table: who, of what kind, relayed by whom, grade, score,
    the largest factor and the claim."""
    if article.language != "en":
        return (f"Article {article.id}: not in English (language {article.language}); "
                "no claims were read from it.")
    header = ("#", "speaker", "kind", "relayed by", "grade", "score", "top factor", "claim")
    rows = []
    for number, claim in enumerate(article.claims, start=1):
        found = claim.assessment
        top = max(found.factors, key=lambda f: abs(f.weight)) if found and found.factors \
            else None
        rows.append((str(number), _cut(claim.source_name, 28), claim.source_type.replace("_", " "),
                     ", ".join(claim.relayed_by) or "-",
                     found.grade.code if found else "-",
                     f"{found.score:.2f}" if found else "opinion" if not claim.checkable
                     else "-",
                     f"{_cut(top.label, 30)} {top.weight:+.2f}" if top else "-",
                     _cut(claim.claim, width)))
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
             for row in [header] + rows]
    scored = sum(1 for claim in article.claims if claim.assessment)
    lines.append("")
    lines.append(f"Article {article.id}: {len(article.claims)} claims, {scored} scored.")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "\u2026"
