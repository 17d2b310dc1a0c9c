"""The model being served: its card, and reloading the newest promoted version."""
from __future__ import annotations

import logging

from flask_smorest import abort

from .. import serving
from ..schemas import ModelCardSchema
from . import ServiceBlueprint

log = logging.getLogger(__name__)
blp = ServiceBlueprint("model", __name__, url_prefix="/v1/model",
                       description="The model card, and model reloads.")


def _card(scorer) -> dict:
    return {**scorer.card, "version": scorer.version, "policy_version": scorer.policy_version}


@blp.route("", methods=["GET"])
@blp.response(200, ModelCardSchema)
@blp.problems(429, 503)
def get_model():
    """The model card: version, training data, metrics, policy version"""
    slot = serving.slot()
    if slot.scorer is None:
        abort(503, message=f"No model is loaded ({slot.error}).")
    return _card(slot.scorer)


@blp.route("/reload", methods=["POST"])
@blp.needs_key(admin=True)
@blp.response(200, ModelCardSchema)
@blp.problems(409, 429)
def reload_model():
    """Load the newest promoted model; a refused artifact leaves the served one in place"""
    slot = serving.slot()
    try:
        scorer = slot.load()
    except Exception as error:  # ArtifactError and friends: refuse, keep serving
        log.error("model reload refused: %s", error)
        held = slot.scorer.version if slot.scorer is not None else "none"
        abort(409, message=f"The promoted model was refused ({type(error).__name__}: "
                           f"{error}); still serving {held}.")
    return _card(scorer)
