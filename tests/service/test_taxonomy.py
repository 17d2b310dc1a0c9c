"""GET /v1/taxonomy."""
from model.policy import load_policy


def test_taxonomy_lists_every_policy_type_with_its_prior(client):
    policy = load_policy()
    response = client.get("/v1/taxonomy")
    assert response.status_code == 200
    body = response.json
    assert body["policy_version"] == policy.version
    by_name = {kind["name"]: kind for kind in body["types"]}
    assert set(by_name) == set(policy.source_types)
    armed = by_name["armed_group"]
    expected = policy.source_types["armed_group"]
    assert armed["prior"] == {"a": expected.prior_a, "b": expected.prior_b}
    assert armed["mean"] == expected.prior_a / (expected.prior_a + expected.prior_b)
    assert armed["basis"] in ("estimated", "elicited") and armed["rationale"]
