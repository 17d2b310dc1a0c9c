"""The source types of the house policy, with their priors, for clients' drop-downs."""
from __future__ import annotations

from .. import serving
from ..schemas import TaxonomySchema
from . import ServiceBlueprint

blp = ServiceBlueprint("taxonomy", __name__, url_prefix="/v1/taxonomy",
                       description="Source types and their prior reliability.")


@blp.route("", methods=["GET"])
@blp.response(200, TaxonomySchema)
@blp.problems(429)
def get_taxonomy():
    """Source types with descriptions, priors and the reasons for them"""
    policy = serving.policy()
    return {"policy_version": policy.version,
            "types": [{"name": kind.name, "description": kind.description,
                       "prior": {"a": kind.prior_a, "b": kind.prior_b}, "mean": kind.mean,
                       "basis": kind.basis, "rationale": kind.rationale}
                      for kind in policy.source_types.values()]}
