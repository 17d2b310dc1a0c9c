"""The house policy file: the taxonomy of issue 2, its priors and modifiers, and refusals."""
from __future__ import annotations

import copy

import pytest
import yaml

from model.policy import DEFAULT_POLICY, MODIFIERS, PolicyError, load_policy, parse_policy

ISSUE_TYPES = ("state_agency", "state_media", "government_official", "politician",
               "opposition_politician", "exiled_politician", "political_party", "military",
               "armed_group", "wire_agency", "independent_media", "ngo",
               "international_org", "academic", "eyewitness", "social_media_account",
               "anonymous", "advocacy_group", "corporation", "other")
SIGNS = {"party_to_event": "negative", "relay_hops": "negative", "first_hand": "positive",
         "corroborations": "positive", "evidence_attached": "positive",
         "evidence_verified": "positive", "serves_stake": "negative",
         "against_stake": "positive", "outlet_rating": "positive"}


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))


def test_the_file_parses_and_has_a_version(raw):
    policy = load_policy()
    assert policy == parse_policy(raw)
    assert isinstance(policy.version, str) and policy.version.strip()
    assert 0 < policy.band_low_below <= policy.band_high_from < 1


@pytest.mark.parametrize("name", ISSUE_TYPES)
def test_every_type_of_the_issue_is_described(raw, name):
    entry = raw["source_types"][name]
    for key in ("description", "rationale"):
        assert isinstance(entry[key], str) and len(entry[key].strip()) > 10, key
    assert entry["basis"] in ("estimated", "elicited")
    a, b = float(entry["prior"]["a"]), float(entry["prior"]["b"])
    assert a > 0 and b > 0
    kind = load_policy().source_types[name]
    assert kind.mean == pytest.approx(a / (a + b))


@pytest.mark.parametrize("name", ["armed_group", "exiled_politician"])
def test_types_absent_from_public_data_are_elicited(name):
    kind = load_policy().source_types[name]
    assert kind.basis == "elicited"
    assert kind.rationale.strip()


def test_priors_are_a_handful_of_virtual_verdicts():
    for kind in load_policy().source_types.values():
        assert kind.prior_a + kind.prior_b <= 12, kind.name


def test_modifiers_have_their_signs_and_rationales():
    policy = load_policy()
    assert set(policy.modifiers) == set(MODIFIERS) == set(SIGNS)
    for name, sign in SIGNS.items():
        modifier = policy.modifiers[name]
        assert modifier.sign == sign
        assert modifier.score_weight != 0
        assert (modifier.score_weight < 0) == (sign == "negative")
        assert modifier.label.strip() and modifier.rationale.strip()
    # verified evidence counts for more than evidence nobody has checked
    assert policy.modifiers["evidence_verified"].score_weight > \
        policy.modifiers["evidence_attached"].score_weight


def test_party_to_the_events_lowers_the_prior_mean_and_keeps_its_strength():
    policy = load_policy()
    for name in policy.source_types:
        a, b = policy.prior(name)
        pa, pb = policy.prior(name, party_to_event=True)
        assert pa / (pa + pb) < a / (a + b)
        assert pa + pb == pytest.approx(a + b)


def test_unknown_type_falls_back_to_other():
    policy = load_policy()
    assert policy.source_type("no_such_type") == policy.source_types["other"]
    assert policy.source_type(None) == policy.source_types["other"]


def test_bands_follow_the_thresholds():
    policy = load_policy()
    low, high = policy.band_low_below, policy.band_high_from
    assert policy.band(0.0) == "low"
    assert policy.band(low) == ("mixed" if low < high else "high")
    assert policy.band(high) == "high"
    assert policy.band(1.0) == "high"
    if low < high:
        assert policy.band((low + high) / 2) == "mixed"


def edited(raw, change):
    out = copy.deepcopy(raw)
    change(out)
    return out


BROKEN = {
    "no other type": lambda r: r["source_types"].pop("other"),
    "weight against a negative sign": lambda r: r["modifiers"]["party_to_event"].update(
        score_weight=0.6),
    "weight against a positive sign": lambda r: r["modifiers"]["corroborations"].update(
        score_weight=-0.1),
    "bands inverted": lambda r: r.update(bands={"low_below": 0.7, "high_from": 0.5}),
    "band at zero": lambda r: r.update(bands={"low_below": 0.0, "high_from": 0.5}),
    "band at one": lambda r: r.update(bands={"low_below": 0.4, "high_from": 1.0}),
    "zero prior": lambda r: r["source_types"]["military"]["prior"].update(a=0),
    "negative prior": lambda r: r["source_types"]["military"]["prior"].update(b=-1),
    "unknown basis": lambda r: r["source_types"]["military"].update(basis="guessed"),
    "no rationale": lambda r: r["source_types"]["military"].pop("rationale"),
    "no description": lambda r: r["source_types"]["ngo"].pop("description"),
    "missing modifier": lambda r: r["modifiers"].pop("relay_hops"),
    "modifier without a sign": lambda r: r["modifiers"]["first_hand"].pop("sign"),
    "no version": lambda r: r.pop("version"),
    "no source types": lambda r: r.pop("source_types"),
}


@pytest.mark.parametrize("what", sorted(BROKEN))
def test_broken_policies_are_refused(raw, what):
    with pytest.raises(PolicyError, match="policy"):
        parse_policy(edited(raw, BROKEN[what]))


def test_a_zero_weight_is_allowed_either_sign(raw):
    policy = parse_policy(edited(raw, lambda r: r["modifiers"]["relay_hops"].update(
        score_weight=0.0)))
    assert policy.modifiers["relay_hops"].score_weight == 0.0


def test_a_newsroom_edit_is_read(raw, tmp_path):
    changed = edited(raw, lambda r: (r.update(version="house-1"),
                                     r["source_types"]["military"]["prior"].update(a=1, b=9)))
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(changed), encoding="utf-8")
    policy = load_policy(path)
    assert policy.version == "house-1"
    assert policy.source_types["military"].mean == pytest.approx(0.1)
