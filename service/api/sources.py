"""The source registry: who makes claims, under which names, with what track record."""
from __future__ import annotations

from flask_smorest import abort
from sqlalchemy import func, select

from model.names import normalise_name

from .. import db, records, serving
from ..schemas import (SourceCreateSchema, SourceListSchema, SourcePatchSchema,
                       SourceQuerySchema, SourceRecordSchema)
from ..tables import Source, SourceName
from . import ServiceBlueprint

blp = ServiceBlueprint("sources", __name__, url_prefix="/v1/sources",
                       description="The registry of sources and their track records.")


def _record(source: Source) -> dict:
    return records.record(source, reliability=serving.reliability(source))


def _conflict(taken: records.NameTaken):
    owner = f" (source {taken.source_id})" if taken.source_id else ""
    abort(409, message=f"The name or alias '{taken.key}' belongs to another source{owner}.")


@blp.route("", methods=["GET"])
@blp.arguments(SourceQuerySchema, location="query")
@blp.response(200, SourceListSchema)
@blp.problems(429, 503)
def list_sources(query):
    """Registered sources, optionally those with a name or alias containing `q`"""
    session = db.session()
    chosen = select(Source)
    if "q" in query:
        key = normalise_name(query["q"])
        if not key:  # nothing searchable left, such as "%" or "!!"
            return {"items": [], "total": 0}
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matching = select(SourceName.source_id).where(SourceName.key.like(pattern, escape="\\"))
        chosen = chosen.where(Source.id.in_(matching))
    total = session.execute(select(func.count()).select_from(chosen.subquery())).scalar()
    page = session.execute(chosen.order_by(Source.name, Source.id)
                           .limit(query["limit"]).offset(query["offset"])).scalars()
    return {"items": [_record(source) for source in page], "total": total}


@blp.route("", methods=["POST"])
@blp.needs_key()
@blp.arguments(SourceCreateSchema)
@blp.response(201, SourceRecordSchema)
@blp.problems(409, 413, 415, 429, 503)
def create_source(fields):
    """Register a source; its track record starts from what the model trained on"""
    scorer = serving.slot().scorer
    counts = scorer.training_track_record(fields["name"]) if scorer is not None else None
    try:
        with db.transaction() as writer:
            source = records.register(writer, fields, counts)
            result = _record(source)
    except records.NameTaken as taken:
        _conflict(taken)
    return result


@blp.route("/<string:source_id>", methods=["GET"])
@blp.response(200, SourceRecordSchema)
@blp.problems(404, 429, 503)
def get_source(source_id):
    """One registered source, its track record also broken down by topic"""
    session = db.session()
    source = session.get(Source, source_id)
    if source is None:
        abort(404, message="No source has this id.")
    answer = _record(source)
    answer["track_record"]["by_topic"] = records.by_topic(session, source.id)
    return answer


@blp.route("/<string:source_id>", methods=["PATCH"])
@blp.needs_key()
@blp.arguments(SourcePatchSchema, required=False)   # no body: nothing changes
@blp.response(200, SourceRecordSchema)
@blp.problems(404, 409, 413, 415, 429, 503)
def patch_source(fields, source_id):
    """Change a source's names or description; its track record is left as it is"""
    try:
        with db.transaction() as writer:
            source = writer.get(Source, source_id)
            if source is None:
                abort(404, message="No source has this id.")
            result = _record(records.change(writer, source, fields))
    except records.NameTaken as taken:
        _conflict(taken)
    return result
