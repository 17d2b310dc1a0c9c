"""Scoring claims, reading stored assessments, and recording fact-checkers' verdicts."""
from __future__ import annotations

from flask import current_app
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy import select

from .. import db, desks, metrics, records, serving, webhooks
from ..assessing import Refusal, answer, prepare, score, store
from ..claimreview import claim_review
from ..problems import flatten_messages, problem_body
from ..schemas import (AssessmentRequestSchema, AssessmentSchema, BatchRequestSchema,
                       BatchResultSchema, ClaimReviewSchema, SourceRecordSchema,
                       VerdictSchema)
from ..tables import Assessment, Verdict
from ..verdicts import OtherDesk, UnknownAssessment, record_verdict
from . import ServiceBlueprint, json_response

JSON_LD = "application/ld+json"

blp = ServiceBlueprint("assessments", __name__, url_prefix="/v1/assessments",
                       description="Score a claim given who made it; record verdicts.")


def _scorer():
    slot = serving.slot()
    if slot.scorer is None:
        abort(503, message=f"No model is loaded ({slot.error}).")
    return slot.scorer


def _counted(body: dict) -> dict:
    metrics.ASSESSMENTS.labels(body["model"]["version"], body["band"]).inc()
    return body


@blp.route("", methods=["POST"])
@blp.needs_key(unless_setting_off="SCORING_REQUIRES_KEY")
@blp.arguments(AssessmentRequestSchema)
@blp.response(201, AssessmentSchema)
@blp.problems(413, 415, 429, 503)
def create_assessment(body):
    """Score one claim and store the assessment"""
    scorer = _scorer()
    session = db.session()
    try:
        prepared = prepare(session, scorer, body)
    except Refusal as refusal:
        abort(refusal.status, message=refusal.detail, errors=refusal.errors)
    result = answer(prepared, score(session, scorer, [prepared])[0])
    with db.transaction() as writer:
        store(writer, [(prepared, result)])
    return json_response(_counted(result), 201)


_ITEM = AssessmentRequestSchema()   # one instance for every batch item: loading keeps no state


def _item_error(status: int, detail: str, errors=None) -> dict:
    return {"status": status, "error": problem_body(status, detail, errors)}


@blp.route("/batch", methods=["POST"])
@blp.needs_key(unless_setting_off="SCORING_REQUIRES_KEY")
@blp.arguments(BatchRequestSchema)
@blp.response(200, BatchResultSchema)
@blp.problems(413, 415, 429, 503)
def create_batch(body):
    """Score several claims; each item gets its assessment or its own error, in order"""
    limit = current_app.config["MAX_BATCH_ITEMS"]
    if len(body["items"]) > limit:
        abort(422, message=f"A batch holds at most {limit} items.",
              errors={"items": [f"Longer than {limit}."]})
    scorer = _scorer()
    session = db.session()
    named = records.find_by_names(session, [
        item["source"].get("name") for item in body["items"]
        if isinstance(item, dict) and isinstance(item.get("source"), dict)
        and isinstance(item["source"].get("name"), str)])
    results, ready = [], []
    desk = desks.resolve(None)
    for index, item in enumerate(body["items"]):
        try:
            prepared = prepare(session, scorer, _ITEM.load(item), named, desk)
        except ValidationError as error:
            results.append(_item_error(422, "The item did not pass validation; see errors.",
                                       flatten_messages(error.messages)))
        except Refusal as refusal:
            results.append(_item_error(refusal.status, refusal.detail, refusal.errors))
        else:
            results.append(None)
            ready.append((index, prepared))
    outputs = score(session, scorer, [p for _, p in ready], explain=body["explain"])
    answered = [(prepared, answer(prepared, output))
                for (_, prepared), output in zip(ready, outputs)]
    with db.transaction() as writer:
        store(writer, answered)
    for (index, _), (_, result) in zip(ready, answered):
        results[index] = {"status": 201, "assessment": _counted(result)}
    return json_response({"items": [dict(item, index=index)
                                    for index, item in enumerate(results)]})


@blp.route("/<string:assessment_id>", methods=["GET"])
@blp.response(200, AssessmentSchema)
@blp.problems(404, 429, 503)
def get_assessment(assessment_id):
    """A stored assessment, as it was answered"""
    stored = db.session().get(Assessment, assessment_id)
    if stored is None:
        abort(404, message="No assessment has this id.")
    return {**stored.output, "desk": stored.desk}


@blp.route("/<string:assessment_id>/verdict", methods=["POST"])
@blp.needs_key()
@blp.arguments(VerdictSchema)
@blp.response(200, SourceRecordSchema)
@blp.problems(404, 413, 415, 429, 503)
def post_verdict(fields, assessment_id):
    """Record a fact-check verdict (a key of the assessment's desk, or an admin key);
    answers with the source's updated record"""
    scorer = serving.slot().scorer

    def training_counts(name):
        return scorer.training_track_record(name) if scorer is not None else None

    try:
        with db.transaction() as writer:
            recorded = record_verdict(writer, assessment_id, fields, training_counts,
                                      desks.may_judge)
            if recorded.source is None:
                result = records.record(None, recorded.assessment.output["source"])
            else:
                result = records.record(recorded.source,
                                        reliability=serving.reliability(recorded.source))
            # In this transaction: the verdict and its events are stored together or not at all.
            announced = webhooks.events.verdict_recorded(
                writer, recorded.assessment, fields, result, recorded.earlier,
                scorer.source_reliability if scorer is not None else None)
    except UnknownAssessment:
        abort(404, message="No assessment has this id.")
    except OtherDesk as refusal:
        abort(403, message=f"This claim was scored for desk {refusal.desk!r}: only a key of "
                           "that desk, or an admin key, may record its verdict.")
    desks.cache().hold(recorded.desk.desk, desks.calibration_of(recorded.desk))
    if announced:
        webhooks.wake()
    metrics.VERDICTS.labels(fields["verdict"]).inc()
    return result


@blp.route("/<string:assessment_id>/claimreview", methods=["GET"])
@blp.response(200, ClaimReviewSchema, content_type=JSON_LD,
              description="schema.org ClaimReview JSON-LD")
@blp.problems(404, 429, 503)
def get_claim_review(assessment_id):
    """The assessment as schema.org ClaimReview, rated by the desk's verdict if there is one"""
    session = db.session()
    stored = session.get(Assessment, assessment_id)
    if stored is None:
        abort(404, message="No assessment has this id.")
    verdict = session.execute(select(Verdict).where(Verdict.assessment_id == assessment_id)
                              ).scalar()
    given = None
    if verdict is not None:
        given = {"verdict": verdict.verdict, "evidence_url": verdict.evidence_url,
                 "notes": verdict.notes, "decided_at": verdict.updated_at}
    review = claim_review(stored.input["claim"], stored.output, stored.input.get("context"),
                          given, stored.created_at, current_app.config["CLAIMREVIEW_AUTHOR"])
    return current_app.response_class(current_app.json.dumps(review), mimetype=JSON_LD)
