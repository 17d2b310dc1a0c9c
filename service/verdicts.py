"""A fact-check outcome on an assessment, and the source's track record it moves."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from . import records
from .tables import Assessment, Source, Verdict, utcnow


class UnknownAssessment(Exception):
    pass


class Recorded(NamedTuple):
    source: Source | None       # whose counters moved; None when the assessment named none
    earlier: str | None         # the verdict this one replaced, if any


def record_verdict(writer, assessment_id: str, fields: dict, training_counts) -> Recorded:
    """Store or replace the verdict; count it once on the assessment's source.

    `training_counts(name)` gives the counts a source registered now starts from.
    """
    # Locks the assessment row (PostgreSQL; SQLite writers are serialised already), so two
    # verdicts on one assessment cannot both see "no verdict yet" and both count.
    assessment = writer.execute(select(Assessment).where(Assessment.id == assessment_id)
                                .with_for_update()).scalar()
    if assessment is None:
        raise UnknownAssessment(assessment_id)
    if assessment.source_id is None and assessment.source_key:
        described = {key: value for key, value in assessment.output["source"].items()
                     if key in ("name", "aliases") + records.IDENTITY and value}
        source = records.register_or_find(writer, described,
                                          training_counts(described["name"]))
        assessment.source_id = source.id
    earlier = writer.execute(select(Verdict).where(Verdict.assessment_id == assessment_id)
                             ).scalar()
    before = earlier.verdict if earlier is not None else None
    if earlier is None:
        writer.add(Verdict(assessment_id=assessment_id, **fields))
    else:
        for key in ("reviewer", "evidence_url", "notes", "verdict"):
            setattr(earlier, key, fields.get(key))
        earlier.updated_at = utcnow()
    writer.flush()
    if assessment.source_id is None:
        return Recorded(None, before)
    if before != fields["verdict"]:
        if before is not None:
            records.count_verdict(writer, assessment.source_id, before, -1)
        records.count_verdict(writer, assessment.source_id, fields["verdict"], +1)
    source = writer.get(Source, assessment.source_id, populate_existing=True)
    return Recorded(source, before)
