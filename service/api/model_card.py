"""The model being served: its card, and reloading the newest promoted version."""
from __future__ import annotations

from flask_smorest import abort

from .. import serving
from ..schemas import ModelCardSchema
from . import ServiceBlueprint

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
@blp.problems(409, 429, 503)
def reload_model():
    """Load the promoted model now; a refused artifact leaves the served one in place"""
    slot = serving.slot()
    try:
        scorer = slot.reload()
    except serving.Refused as refused:
        version = refused.refusal["version"]
        what = f"Model {version} was refused" if version else "No promoted model could be read"
        abort(409, message=f"{what} ({refused.refusal['error']}); still serving "
                           f"{refused.held or 'no model'}.")
    except TimeoutError as error:
        abort(503, message=f"The reload has not finished: {error}; try again.")
    # This worker's answer; each other worker follows CURRENT within MODEL_POLL_SECONDS.
    return _card(scorer)
