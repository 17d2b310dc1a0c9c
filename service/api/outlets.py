"""Outlets: who publishes and who relays, with their ratings and one reliability."""
from __future__ import annotations

from flask_smorest import abort

from .. import outlets
from ..schemas import OutletListSchema, OutletQuerySchema, OutletSchema
from . import ServiceBlueprint

blp = ServiceBlueprint("outlets", __name__, url_prefix="/v1/outlets",
                       description="News outlets with their ratings from public rating sets.")


@blp.route("", methods=["GET"])
@blp.arguments(OutletQuerySchema, location="query")
@blp.response(200, OutletListSchema)
@blp.problems(429)
def list_outlets(query):
    """Outlets whose name, alias or domain matches `q`, and the rating sets loaded"""
    table = outlets.table()
    found = table.search(query["q"], query["limit"]) if query.get("q") else []
    return {"items": [outlet.as_dict() for outlet in found], "loaded": table.loaded}


@blp.route("/<path:domain>", methods=["GET"])
@blp.response(200, OutletSchema)
@blp.problems(404, 429)
def get_outlet(domain):
    """One outlet by its domain; a URL in its place is read for its host"""
    found = outlets.table().get(domain)
    if found is None:
        abort(404, message="No outlet is known by this domain.")
    return found.as_dict()
