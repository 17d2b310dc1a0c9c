"""A fact-check outcome on an assessment: the source's track record and the desk's
calibration it moves."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from . import desks, records
from .tables import Assessment, Desk, Source, Verdict, utcnow


class UnknownAssessment(Exception):
    pass


class OtherDesk(Exception):
    """The verdict's claim was scored for a desk the caller's key does not belong to."""

    def __init__(self, desk: str):
        super().__init__(desk)
        self.desk = desk


@dataclasses.dataclass
class Recorded:
    assessment: Assessment
    source: Source | None   # whose counters moved; None when the claim named no source
    desk: Desk              # the assessment's desk, refitted
    earlier: str | None     # the verdict this one replaced, if any


def record_verdict(writer, assessment_id: str, fields: dict, training_counts,
                   may_judge=lambda desk: True) -> Recorded:
    """Store or replace the verdict; count it once on the assessment's source; refit the
    assessment's desk from all its verdicts.

    `training_counts(name)` gives the counts a source registered now starts from;
    `may_judge(desk)` whether the caller may record a verdict for that desk (OtherDesk if
    not).
    """
    # Locks the assessment row (PostgreSQL; SQLite writers are serialised already), so two
    # verdicts on one assessment cannot both see "no verdict yet" and both count.
    assessment = writer.execute(select(Assessment).where(Assessment.id == assessment_id)
                                .with_for_update()).scalar()
    if assessment is None:
        raise UnknownAssessment(assessment_id)
    if not may_judge(assessment.desk):
        raise OtherDesk(assessment.desk)
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
    desk = desks.refit(writer, assessment.desk)
    if assessment.source_id is None:
        return Recorded(assessment, None, desk, before)
    if before != fields["verdict"]:
        if before is not None:
            records.count_verdict(writer, assessment.source_id, before, -1)
        records.count_verdict(writer, assessment.source_id, fields["verdict"], +1)
    source = writer.get(Source, assessment.source_id, populate_existing=True)
    return Recorded(assessment, source, desk, before)
