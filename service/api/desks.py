"""Desks: each one's verdict count, calibration and how well calibrated its scores have been."""
from __future__ import annotations

from flask_smorest import abort
from sqlalchemy import select

from model.desks import DESK_PATTERN, is_desk_id

from .. import db
from ..desks import figures
from ..schemas import DESK_ID, DeskListSchema, DeskSchema
from ..tables import Desk
from . import ServiceBlueprint

blp = ServiceBlueprint("desks", __name__, url_prefix="/v1/desks",
                       description="Desks and their calibration from their own verdicts.")


@blp.route("", methods=["GET"])
@blp.response(200, DeskListSchema)
@blp.problems(429, 503)
def list_desks():
    """Every desk that has recorded a verdict, by id"""
    rows = db.session().execute(select(Desk).order_by(Desk.desk)).scalars()
    return {"items": [figures(row, row.desk) for row in rows]}


@blp.route("/<string:desk>", methods=["GET"], parameters=[{
    "in": "path", "name": "desk", "required": True,
    "schema": {"type": "string", "pattern": f"^{DESK_PATTERN}$"}}])
@blp.response(200, DeskSchema)
@blp.problems(404, 422, 429, 503)   # 404: text no id can hold (a NUL), as for every path
def get_desk(desk):
    """One desk; a well-formed id no verdict has used yet is a desk with none"""
    if not is_desk_id(desk):
        abort(422, message="The request did not pass validation; see errors.",
              errors={"desk": [DESK_ID.error]})
    return figures(db.session().get(Desk, desk), desk)
