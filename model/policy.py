"""The house policy file: source types with their priors, and context modifiers."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")
MODIFIERS = ("party_to_event", "relay_hops", "first_hand", "corroborations",
             "evidence_attached", "evidence_verified")


class PolicyError(ValueError):
    """The policy file is missing something or holds an impossible value."""


@dataclass(frozen=True)
class SourceType:
    name: str
    description: str
    prior_a: float
    prior_b: float
    basis: str
    rationale: str

    @property
    def mean(self) -> float:
        return self.prior_a / (self.prior_a + self.prior_b)


@dataclass(frozen=True)
class Modifier:
    name: str
    label: str
    score_weight: float
    sign: str
    rationale: str
    prior_shift: float = 0.0
    unit: str = ""


@dataclass(frozen=True)
class Policy:
    version: str
    source_types: dict[str, SourceType]
    modifiers: dict[str, Modifier]
    band_low_below: float
    band_high_from: float
    learn_from_rows: int
    half_life_days: float

    def source_type(self, name: str | None) -> SourceType:
        return self.source_types.get(name or "other", self.source_types["other"])

    def band(self, score: float) -> str:
        if score < self.band_low_below:
            return "low"
        return "high" if score >= self.band_high_from else "mixed"

    def prior(self, type_name: str | None, party_to_event: bool = False) -> tuple[float, float]:
        """Beta prior of a source's reliability, shifted when it is a party to the events."""
        kind = self.source_type(type_name)
        a, b = kind.prior_a, kind.prior_b
        if not party_to_event:
            return a, b
        shift = self.modifiers["party_to_event"].prior_shift
        mean = 1.0 / (1.0 + math.exp(-(math.log(a / b) + shift)))
        return mean * (a + b), (1.0 - mean) * (a + b)


def _require(mapping: dict, key: str, where: str):
    if key not in mapping:
        raise PolicyError(f"policy: {where} lacks '{key}'")
    return mapping[key]


def parse_policy(raw: dict) -> Policy:
    types = {}
    for name, entry in _require(raw, "source_types", "the file").items():
        prior = _require(entry, "prior", f"source type {name}")
        a, b = float(_require(prior, "a", name)), float(_require(prior, "b", name))
        if not (a > 0 and b > 0):
            raise PolicyError(f"policy: source type {name} needs a > 0 and b > 0")
        basis = _require(entry, "basis", name)
        if basis not in ("estimated", "elicited"):
            raise PolicyError(f"policy: source type {name} basis must be estimated or elicited")
        types[name] = SourceType(name, _require(entry, "description", name), a, b, basis,
                                 _require(entry, "rationale", name))
    if "other" not in types:
        raise PolicyError("policy: source type 'other' is required")
    modifiers = {}
    for name in MODIFIERS:
        entry = _require(_require(raw, "modifiers", "the file"), name, "modifiers")
        weight, sign = float(_require(entry, "score_weight", name)), _require(entry, "sign", name)
        if (sign == "negative" and weight > 0) or (sign == "positive" and weight < 0):
            raise PolicyError(f"policy: modifier {name} has weight {weight} against its sign")
        modifiers[name] = Modifier(name, _require(entry, "label", name), weight, sign,
                                   _require(entry, "rationale", name),
                                   float(entry.get("prior_shift", 0.0)), entry.get("unit", ""))
    bands = _require(raw, "bands", "the file")
    low, high = float(bands["low_below"]), float(bands["high_from"])
    if not 0 < low <= high < 1:
        raise PolicyError("policy: bands need 0 < low_below <= high_from < 1")
    return Policy(str(_require(raw, "version", "the file")), types, modifiers, low, high,
                  int(raw.get("learn_from_rows", 30)),
                  float(raw.get("track_record", {}).get("half_life_days", 730)))


def load_policy(path: str | Path | None = None) -> Policy:
    with open(path or DEFAULT_POLICY, encoding="utf-8") as handle:
        return parse_policy(yaml.safe_load(handle))
