"""GET /v1/outlets, and outlets in assessments: relays weighed by who relays."""
from __future__ import annotations

import pytest

from training import config

FSB = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
       "source": {"name": "Federal Security Service", "type": "state_agency",
                  "affiliation": "Russia", "country": "RU"},
       "context": {"party_to_event": True, "channel": "statement", "topic": "military"}}


@pytest.fixture(params=["shipped", "all"])
def outlet_settings(request, settings):
    """The shipped table alone (a fresh clone), then with every rating set of ../shared."""
    if request.param == "shipped":
        settings["OUTLET_DATA"] = ""
    elif not (config.DATASETS / "mbfc-sources").is_dir():
        pytest.skip(f"no rating sets at {config.DATASETS}")
    else:
        settings["OUTLET_DATA"] = str(config.DATASETS)
    return settings


def _relayed(client, relay):
    body = {**FSB, "context": {**FSB["context"], "relayed_by": [relay]}}
    response = client.post("/v1/assessments", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_tass_and_tass_com_are_one_outlet(outlet_settings, scoring_app):
    client = scoring_app.test_client()
    by_name = _relayed(client, "TASS")
    by_domain = _relayed(client, "tass.com")
    assert by_name["score"] == by_domain["score"]
    assert by_name["relays"][0]["outlet"]["domain"] == "tass.com"
    assert by_domain["relays"] == [{"given": "tass.com", "outlet": by_name["relays"][0]["outlet"]}]


def test_state_media_relay_costs_more_than_a_wire_and_both_name_the_outlet(
        outlet_settings, scoring_app):
    client = scoring_app.test_client()
    tass, reuters = _relayed(client, "TASS"), _relayed(client, "Reuters")
    direct = client.post("/v1/assessments", json=FSB).json
    unknown = _relayed(client, "Some Channel Nobody Rated")
    assert tass["score"] < unknown["score"] < reuters["score"] < direct["score"]
    label = {answer["relays"][0]["given"]: next(f for f in answer["factors"]
                                               if f["label"].startswith("Relayed"))
             for answer in (tass, reuters, unknown)}
    assert label["TASS"]["label"].startswith("Relayed by TASS (state media; outlet rating ")
    assert label["Reuters"]["label"].startswith("Relayed by Reuters (wire agency; outlet rating ")
    assert label["Some Channel Nobody Rated"]["label"] == \
        "Relayed second-hand (Some Channel Nobody Rated)"
    assert label["Some Channel Nobody Rated"]["weight"] == pytest.approx(-0.2)   # the flat weight
    assert all(f["basis"] == "policy" for f in label.values())
    for answer in (tass, reuters, unknown):   # the explanation stays exact
        total = answer["intercept"] + sum(f["weight"] for f in answer["factors"])
        assert total == pytest.approx(_logit(answer["score"]), abs=1e-9)


def test_an_outlet_as_the_source(outlet_settings, scoring_app):
    client = scoring_app.test_client()
    claim = "The ministry said the bridge was hit on Tuesday."
    tass = client.post("/v1/assessments", json={"claim": claim,
                                                "source": {"url": "https://tass.com/politics/1"}})
    assert tass.status_code == 201, tass.json
    source = tass.json["source"]
    assert source["type"] == "state_media" and source["name"] == "TASS"
    assert source["outlet"]["domain"] == "tass.com" and source["outlet"]["rated"]
    rating = next(f for f in tass.json["factors"] if f["label"].startswith("Outlet rating"))
    assert rating["label"].startswith("Outlet rating: TASS (state media; outlet rating ")
    assert rating["basis"] == "policy"
    reuters = client.post("/v1/assessments", json={"claim": claim,
                                                   "source": {"domain": "reuters.com"}})
    assert reuters.json["source"]["type"] == "wire_agency"
    assert reuters.json["score"] > tass.json["score"]
    assert reuters.json["source"]["reliability"]["mean"] > source["reliability"]["mean"]


def test_an_unknown_domain_is_an_unrated_outlet(outlet_settings, scoring_app):
    response = scoring_app.test_client().post("/v1/assessments", json={
        "claim": "The harbour reopened on Monday.",
        "source": {"domain": "unheard-of-gazette.example", "type": "independent_media"}})
    assert response.status_code == 201, response.json
    outlet = response.json["source"]["outlet"]
    assert outlet == {"domain": "unheard-of-gazette.example", "name": "unheard-of-gazette.example",
                      "kind": "independent_media", "rated": False, "mean": None,
                      "summary": "independent media; unrated"}
    assert not any(f["label"].startswith("Outlet rating") for f in response.json["factors"])


@pytest.mark.parametrize("source,field", [
    ({"url": "javascript:alert(1)"}, "source.url"), ({"url": "tass.com"}, "source.url"),
    ({"url": "https://"}, "source.url"), ({"domain": "https://tass.com/x"}, "source.domain"),
    ({"domain": "not a domain"}, "source.domain"), ({"url": 3}, "source.url"),
    ({"domain": "tass.com\n"}, "source.domain"), ({"url": "https://tass.com\n"}, "source.url")])
def test_a_malformed_outlet_is_a_422(client, source, field):
    response = client.post("/v1/assessments", json={"claim": "x", "source": source})
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_outlets_search_and_lookup(outlet_settings, app):
    client = app.test_client()
    found = client.get("/v1/outlets?q=tass").json
    assert found["items"][0]["domain"] == "tass.com"
    assert "TASS" == found["items"][0]["name"] and "lin2023" in found["loaded"]
    tass = found["items"][0]
    assert {r["source"] for r in tass["ratings"]} >= {"lin2023"}
    assert all(r["citation"] for r in tass["ratings"])
    assert 0 < tass["reliability"]["mean"] < 0.5 and tass["reliability"]["grade"] in "DE"
    assert client.get("/v1/outlets/tass.com").json == tass
    assert client.get("/v1/outlets/https://www.tass.com/politics/1").json == tass
    assert client.get("/v1/outlets/tass.ru").json["domain"] == "tass.com"
    missing = client.get("/v1/outlets/unheard-of-gazette.example")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert client.get("/v1/outlets").json["items"] == []
    assert client.get("/v1/outlets?q=" + "x" * 201).status_code == 422


def test_outlets_loaded_from_the_rating_sets(settings, app):
    if not (config.DATASETS / "mbfc-sources").is_dir():
        pytest.skip(f"no rating sets at {config.DATASETS}")
    loaded = app.test_client().get("/v1/outlets?q=reuters").json["loaded"]
    assert loaded == ["names", "lin2023", "mbfc", "idiap", "baly", "euvsdisinfo"]


def _logit(p):
    import math

    return math.log(p / (1 - p))
