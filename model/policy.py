"""The house policy file: source types with their priors, and context modifiers."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from .stake import StakeRules, StakeRulesError, parse_stake

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")
MODIFIERS = ("party_to_event", "relay_hops", "first_hand", "corroborations",
             "evidence_attached", "evidence_verified", "serves_stake", "against_stake",
             "outlet_rating")
# A policy written before the stake forms (an older model version's policy.json) has none
# of these; its model has no such inputs either.
STAKE_MODIFIERS = ("serves_stake", "against_stake")


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
    stake: StakeRules = StakeRules((), ())
    # What one relay costs, in relays of an unrated outlet, by the relaying outlet's
    # reliability: ``relay_cost_unreliable`` at 0, ``relay_cost_reliable`` at 1.
    relay_cost_reliable: float = 1.0
    relay_cost_unreliable: float = 1.0

    def relay_cost(self, reliability: float | None) -> float:
        """A relay's weight in relays: 1 for an unrated outlet, less for a reliable one."""
        if reliability is None:
            return 1.0
        return (self.relay_cost_unreliable
                + (self.relay_cost_reliable - self.relay_cost_unreliable) * reliability)

    def source_type(self, name: str | None) -> SourceType:
        return self.source_types.get(name or "other", self.source_types["other"])

    def band(self, score: float) -> str:
        if score < self.band_low_below:
            return "low"
        return "high" if score >= self.band_high_from else "mixed"

    def prior(self, type_name: str | None, party_to_event: bool = False,
              base: tuple[float, float] | None = None) -> tuple[float, float]:
        """Beta prior of a source's reliability (its type's, or ``base``: a rated outlet's),
        shifted when it is a party to the events."""
        kind = self.source_type(type_name)
        a, b = base if base is not None else (kind.prior_a, kind.prior_b)
        if not party_to_event:
            return a, b
        shift = self.modifiers["party_to_event"].prior_shift
        mean = 1.0 / (1.0 + math.exp(-(math.log(a / b) + shift)))
        return mean * (a + b), (1.0 - mean) * (a + b)


def _section(mapping, key: str, where: str) -> dict:
    value = _require(mapping, key, where)
    if not isinstance(value, dict):
        raise PolicyError(f"policy: {where}: '{key}' must be a mapping")
    return value


def _require(mapping, key: str, where: str):
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] is None:
        raise PolicyError(f"policy: {where} lacks '{key}'")
    return mapping[key]


def _number(mapping, key: str, where: str) -> float:
    value = _require(mapping, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PolicyError(f"policy: {where}: '{key}' must be a number, not {value!r}")
    return float(value)


def _text(mapping, key: str, where: str) -> str:
    value = _require(mapping, key, where)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"policy: {where}: '{key}' must be non-empty text")
    return value


def parse_policy(raw) -> Policy:
    """Check and read a policy mapping; every problem is a PolicyError naming its place."""
    types = {}
    for name, entry in _section(raw, "source_types", "the file").items():
        where = f"source type {name}"
        prior = _section(entry, "prior", where)
        a, b = _number(prior, "a", where), _number(prior, "b", where)
        if not (a > 0 and b > 0):
            raise PolicyError(f"policy: {where} needs a > 0 and b > 0")
        basis = _require(entry, "basis", where)
        if basis not in ("estimated", "elicited"):
            raise PolicyError(f"policy: {where} basis must be estimated or elicited")
        types[name] = SourceType(name, _text(entry, "description", where), a, b, basis,
                                 _text(entry, "rationale", where))
    if "other" not in types:
        raise PolicyError("policy: source type 'other' is required")
    modifiers, section = {}, _section(raw, "modifiers", "the file")
    for name in MODIFIERS:
        if name in STAKE_MODIFIERS and name not in section and "stake" not in raw:
            continue
        if name == "outlet_rating" and name not in section and "outlets" not in raw:
            continue   # a policy from before outlets (an older version's policy.json)
        where = f"modifier {name}"
        entry = _section(section, name, "modifiers")
        weight, sign = _number(entry, "score_weight", where), _require(entry, "sign", where)
        if sign not in ("negative", "positive"):
            raise PolicyError(f"policy: {where}: sign must be negative or positive")
        if (sign == "negative" and weight > 0) or (sign == "positive" and weight < 0):
            raise PolicyError(f"policy: {where} has weight {weight} against its sign")
        shift = _number(entry, "prior_shift", where) if "prior_shift" in entry else 0.0
        modifiers[name] = Modifier(name, _text(entry, "label", where), weight, sign,
                                   _text(entry, "rationale", where), shift,
                                   str(entry.get("unit") or ""))
    bands = _section(raw, "bands", "the file")
    low, high = _number(bands, "low_below", "bands"), _number(bands, "high_from", "bands")
    if not 0 < low <= high < 1:
        raise PolicyError("policy: bands need 0 < low_below <= high_from < 1")
    learn = _number(raw, "learn_from_rows", "the file") if "learn_from_rows" in raw else 30
    record = raw.get("track_record") or {}
    half_life = _number(record, "half_life_days", "track_record") if record else 730.0
    if learn < 1 or half_life <= 0:
        raise PolicyError("policy: learn_from_rows must be >= 1 and half_life_days > 0")
    try:
        stake = parse_stake(raw.get("stake"))
    except StakeRulesError as error:
        raise PolicyError(str(error)) from None
    reliable = unreliable = 1.0
    if raw.get("outlets") is not None:
        costs = _section(_section(raw, "outlets", "the file"), "relay_cost", "outlets")
        reliable = _number(costs, "reliable", "outlets.relay_cost")
        unreliable = _number(costs, "unreliable", "outlets.relay_cost")
        if not 0 <= reliable <= unreliable:
            raise PolicyError("policy: outlets.relay_cost needs 0 <= reliable <= unreliable: "
                              "a relay never gains, and a reliable one costs no more")
    return Policy(_text({"version": str(_require(raw, "version", "the file"))}, "version",
                        "the file"), types, modifiers, low, high, int(learn), half_life, stake,
                  reliable, unreliable)


def load_policy(path: str | Path | None = None) -> Policy:
    with open(path or DEFAULT_POLICY, encoding="utf-8") as handle:
        return parse_policy(yaml.safe_load(handle))
