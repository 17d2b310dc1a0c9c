"""From a validated request to a stored assessment: resolve the source, score, record."""
from __future__ import annotations

import dataclasses
import datetime

from sqlalchemy import insert

from model.names import normalise_name
from model.roles import classify_source

from . import desks, outlets, records
from .tables import Assessment, Source, new_id, utcnow

# A Core INSERT on the table: the ORM's bulk path would cost more than the row itself.
_INSERT = insert(Assessment.__table__)
SOURCE_FIELDS = ("name", "type", "role", "affiliation", "country", "region", "url", "domain")
OUTLET_FIELDS = ("domain", "name", "kind", "rated", "mean", "summary")
ANSWER_FIELDS = ("score", "band", "distribution", "grade", "intercept", "factors",
                 "what_would_change", "stake")


class Refusal(Exception):
    """The request is well-formed but cannot be scored as asked (an unknown source id)."""

    def __init__(self, status: int, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


@dataclasses.dataclass
class Prepared:
    body: dict            # the validated request as the client sent it
    request: dict         # what the scorer reads: the source filled from the registry
    source: Source | None
    counts: dict | None   # the track record handed to the scorer
    desk: str             # the desk it is scored for
    model_logit: float | None = None   # the shared model's log-odds, once scored


def prepare(session, scorer, body: dict, named: dict | None = None,
            desk: str | None = None) -> Prepared:
    """Resolve the request's source: by id, by name or alias, or as given inline; and its
    desk: the one it names, else ``desk`` (the key's, else DEFAULT_DESK).

    ``named``, when given, holds the registered sources of every name a batch uses
    (``records.find_by_names``), so that a batch asks the database once, not per item.
    """
    given = {key: body["source"][key] for key in SOURCE_FIELDS if body["source"].get(key)}
    source = None
    if body["source"].get("id"):
        source = session.get(Source, body["source"]["id"])
        if source is None:
            raise Refusal(422, "No registered source has this id.",
                          {"source.id": ["No registered source has this id."]})
    elif given.get("name"):
        source = (records.find_by_name(session, given["name"]) if named is None
                  else named.get(normalise_name(given["name"])))
    described = {}
    if source is not None:
        described = {key: getattr(source, key) for key in ("name",) + records.IDENTITY
                     if getattr(source, key)}
    described.update(given)  # what this request says of its source wins, for this claim
    # An outlet (by url, domain or name) gives its kind before the name's rules guess one.
    request = outlets.resolved({"claim": body["claim"], "source": described,
                                "context": body["context"]}, scorer.policy)
    described = request["source"]
    if not described.get("type"):
        described["type"] = classify_source(name=described.get("name"),
                                            role=described.get("role"))
    if source is not None:
        counts = source.counts()
    elif described.get("name"):
        counts = scorer.training_track_record(described["name"])
    else:
        counts = None
    chosen = body.get("desk") or desk or desks.resolve(None)
    # The model reads the desk too: a desk it was trained with has habits of its own.
    request["desk"] = chosen
    return Prepared(body, request, source, counts, chosen)


def score(session, scorer, prepared: list[Prepared], explain: bool = True) -> list[dict]:
    """The scorer's answers, each calibrated to its desk (as this process holds it)."""
    calibrations = desks.cache().calibrations(session, {p.desk for p in prepared})
    if len(prepared) == 1 and explain:
        one = prepared[0]
        return [scorer.assess(one.request, one.counts, calibration=calibrations[one.desk],
                              desk=one.desk)]
    return scorer.assess_many([p.request for p in prepared], [p.counts for p in prepared],
                              explain=explain,
                              calibrations=[calibrations[p.desk] for p in prepared],
                              desks=[p.desk for p in prepared])


def answer(prepared: Prepared, output: dict) -> dict:
    """The response body: the scorer's answer with an id, a time, the desk and the source
    record, in the contract's order (DESIGN.md). Keeps the model's log-odds on
    ``prepared`` for the audit log."""
    prepared.model_logit = output["model_logit"]
    body = {"id": new_id(),
            "created_at": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z")}
    body.update({key: output[key] for key in ANSWER_FIELDS if key in output})
    inline = dict(prepared.request["source"], type=output.get("source_type")
                  or prepared.request["source"]["type"])
    body["source"] = records.record(prepared.source, inline, prepared.counts,
                                    output.get("reliability"))
    outlet = prepared.request["source"].get("outlet")
    if outlet:
        body["source"]["outlet"] = {key: outlet[key] for key in OUTLET_FIELDS}
    context = prepared.request["context"]
    given = [str(hop) for hop in context.get("relayed_by") or [] if str(hop).strip()]
    body["relays"] = [{"given": hop, "outlet": relay and {key: relay[key] for key in OUTLET_FIELDS}}
                      for hop, relay in zip(given, context.get("relays") or [])]
    body["model"] = output["model"]
    body["desk"] = prepared.desk
    return body


def store(writer, answered: list[tuple[Prepared, dict]]) -> None:
    """The audit log entries, one INSERT for all: for each, the request as sent, the answer
    as given, and the model."""
    rows = []
    for prepared, body in answered:
        name = prepared.request["source"].get("name")
        rows.append({
            "id": body["id"],
            "created_at": datetime.datetime.fromisoformat(
                body["created_at"].replace("Z", "+00:00")),
            "input": prepared.body, "output": body,
            "model_version": body["model"]["version"],
            "policy_version": body["model"]["policy_version"],
            "source_id": prepared.source.id if prepared.source is not None else None,
            "source_key": normalise_name(name) if name and prepared.source is None else None,
            "desk": prepared.desk, "model_logit": prepared.model_logit, "score": body["score"]})
    if rows:
        writer.connection().execute(_INSERT, rows)
