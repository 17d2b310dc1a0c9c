"""A broken policy file is refused with a PolicyError that names the place, never a crash."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from model.policy import DEFAULT_POLICY, PolicyError, parse_policy

RAW = yaml.safe_load(Path(DEFAULT_POLICY).read_text(encoding="utf-8"))


def edited(change):
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


@pytest.mark.parametrize("change, where", [
    (lambda r: r["modifiers"]["party_to_event"].update(sign="negatve"), "sign"),
    (lambda r: r["modifiers"]["party_to_event"].update(score_weight=0.6), "against its sign"),
    (lambda r: r["modifiers"]["corroborations"].update(score_weight="strong"), "number"),
    (lambda r: r["modifiers"]["corroborations"].update(score_weight=True), "number"),
    (lambda r: r["bands"].pop("high_from"), "high_from"),
    (lambda r: r["source_types"].update(military=None), "military"),
    (lambda r: r["source_types"]["ngo"]["prior"].update(a="many"), "number"),
    (lambda r: r["source_types"]["ngo"]["prior"].update(b=0), "a > 0"),
    (lambda r: r["source_types"]["ngo"].update(rationale=""), "rationale"),
    (lambda r: r.update(modifiers=[]), "modifiers"),
    (lambda r: r["track_record"].update(half_life_days=-1), "half_life_days"),
])
def test_broken_policies_are_policy_errors(change, where):
    with pytest.raises(PolicyError, match=where):
        parse_policy(edited(change))


def test_not_a_mapping_at_all():
    with pytest.raises(PolicyError):
        parse_policy(["version", "1"])


def test_the_shipped_policy_parses():
    assert parse_policy(RAW).version == RAW["version"]
