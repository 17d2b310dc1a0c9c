"""The one place a score is made: request in, score with grades and explanation out.

No web code here: the service validates, resolves the source and its record, and calls
``Scorer.assess``. Everything the model needs ships in its registry version folder: the
pipeline, the policy it was trained under and the track records it was trained on.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import grades
from .explain import counterfactual_rows, factors, with_desk_factor
from .compiled import CompiledPipeline
from .desks import IDENTITY, DeskCalibration
from .inputs import CONTEXT_COLUMNS, COUNT_COLUMNS, to_row
from .levels import HELD_UP_FROM, LEVELS, held_up
from .names import normalise_name
from .policy import Policy, parse_policy
from .registry import load_scorer
from .roles import classify_source


# The blocks a counterfactual edit may change, with the row columns each one reads.
EDITABLE_BLOCKS = (("context", CONTEXT_COLUMNS), ("track_record", COUNT_COLUMNS))


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


def _calibrated(calibration: DeskCalibration, logit: float) -> float:
    return logit if calibration.is_identity else calibration.apply(logit)


def recalibrated_levels(levels, score: float) -> list[float]:
    """The six levels with each side rescaled to a new score: within "held up" and within
    "did not", the model's shares stay; the top three levels sum to ``score``."""
    levels = [float(p) for p in levels]
    out = []
    for part, share in ((levels[:HELD_UP_FROM], 1.0 - score), (levels[HELD_UP_FROM:], score)):
        total = sum(part)
        out.extend(share * p / total if total > 0 else share / len(part) for p in part)
    return out


def resolve_type(source: dict, policy: Policy) -> str:
    """The request's source type if it names a known one, else one read from name and role."""
    given = source.get("type")
    if given in policy.source_types:
        return given
    guessed = classify_source(name=source.get("name"), role=source.get("role"))
    return guessed if guessed in policy.source_types else "other"


class Scorer:
    """A loaded model version in its compiled form (no scikit-learn needed)."""

    def __init__(self, compiled: CompiledPipeline, card: dict, policy: Policy,
                 track_records: dict, version: str):
        self.compiled, self.card, self.policy, self.version = compiled, card, policy, version
        self.policy_version = policy.version
        self.track_records = track_records
        self.learned = set(card.get("learned_modifiers", []))

    @classmethod
    def load(cls, registry_dir: str | Path, version: str | None = None) -> "Scorer":
        loaded = load_scorer(registry_dir, version)
        return cls(CompiledPipeline(loaded.spec, loaded.arrays), loaded.card,
                   parse_policy(loaded.files["policy.json"]),
                   loaded.files.get("track_records.json", {}), loaded.version)

    def training_track_record(self, source_name: str | None) -> dict | None:
        """The verdict counts this version was trained on for a source, if any."""
        return self.track_records.get(normalise_name(source_name or "")) if source_name else None

    def _row(self, request: dict, track_record: dict | None) -> dict:
        return to_row(request, resolve_type(request.get("source") or {}, self.policy),
                      track_record, self.policy.stake)

    def _answer(self, request: dict, track_record: dict | None, row: dict, score: float,
                levels) -> dict:
        context = request.get("context") or {}
        source_type = row["source_type"]
        # The grade judges the source in this claim's context (a party to the events gets a
        # lower prior); the source record's reliability is the source's own, claim-free.
        outlet = (request.get("source") or {}).get("outlet") or {}
        base = tuple(outlet["beta"]) if outlet.get("beta") else None
        in_context = self._reliability(source_type, track_record, bool(row["party_to_event"]),
                                       base)
        reliability = (self._reliability(source_type, track_record, base=base)
                       if row["party_to_event"] else in_context)
        return {
            "score": score,
            "band": self.policy.band(score),
            "distribution": dict(zip(LEVELS, (float(p) for p in levels))),
            "grade": {
                "source_reliability": in_context.grade,
                "information_credibility": grades.information_credibility(
                    score, int(context.get("corroborations") or 0),
                    bool(row["evidence_attached"] or row["evidence_verified"]),
                    bool(row["evidence_verified"]), in_context.grade,
                    serves_stake=bool(row["serves_stake"])),
            },
            "stake": self._stake(request, row),
            "reliability": reliability.as_dict(),
            "source_type": source_type,
            "model": {"version": self.version, "policy_version": self.policy_version},
        }

    def _stake(self, request: dict, row: dict) -> dict:
        """The stake forms found in a party's claim (no one else's is read for them), with
        spans in the claim as sent (Unicode code points), and whether they weigh."""
        found = row["stake"]
        if not found.forms:
            return {"forms": [], "spans": [], "weighed": False}
        raw = request.get("claim")
        lead = len(raw) - len(raw.lstrip()) if isinstance(raw, str) else 0
        forms = [self.policy.stake.form(name) for name in found.forms]
        return {
            "forms": [{"name": f.name, "label": f.label, "direction": f.direction}
                      for f in forms],
            "spans": [{"start": s.start + lead, "end": s.end + lead, "form": s.form}
                      for s in found.spans],
            "weighed": bool(row["party_to_event"]),
        }

    def _reliability(self, source_type: str, track_record: dict | None,
                     party_to_event: bool = False,
                     base: tuple[float, float] | None = None) -> grades.Reliability:
        good, total = held_up(track_record or {})
        a, b = self.policy.prior(source_type, party_to_event, base)
        return grades.reliability(a, b, good, total, source_type)

    def source_reliability(self, source_type: str | None, track_record: dict | None) -> dict:
        """A source's reliability (mean, 90% interval, Admiralty grade) without a claim."""
        kind = source_type if source_type in self.policy.source_types else "other"
        return self._reliability(kind, track_record).as_dict()

    def _calibrated_answer(self, request, track_record, row, logit: float, levels,
                           calibration: DeskCalibration) -> dict:
        """The answer for a desk: its calibration applied to the shared model's log-odds."""
        calibrated = _calibrated(calibration, logit)
        score = _sigmoid(calibrated)
        if calibrated != logit:
            levels = recalibrated_levels(levels, score)
        answer = self._answer(request, track_record, row, score, levels)
        answer["model_logit"] = logit
        return answer

    def assess(self, request: dict, track_record: dict | None = None,
               explain: bool = True, calibration: DeskCalibration = IDENTITY,
               desk: str | None = None) -> dict:
        """Score one claim; with ``explain`` add intercept, factors and counterfactuals.

        ``calibration`` maps the shared model's log-odds to the desk's (``desk`` names it
        in its factor); the answer's ``model_logit`` is the log-odds before it.
        """
        row = self._row(request, track_record)
        logit, contributions, levels, features = self.compiled.evaluate(row)
        answer = self._calibrated_answer(request, track_record, row, logit, levels,
                                         calibration)
        if explain:
            answer["intercept"] = self.compiled.intercept
            answer["factors"] = with_desk_factor(
                factors(self.compiled, row, request, contributions, features, self.policy,
                        self.learned, track_record),
                desk, calibration, _calibrated(calibration, logit) - logit)
            answer["what_would_change"] = [
                {"change": change, "score": _sigmoid(_calibrated(
                    calibration, self._edited_logit(row, edited, logit, contributions)))}
                for change, edited in counterfactual_rows(row, request)]
        return answer

    def _edited_logit(self, row: dict, edited: dict, logit: float, contributions) -> float:
        """The log-odds of an edited row: an edit touches the context or the record, so
        only the blocks of the columns it changed are scored again."""
        for name, columns in EDITABLE_BLOCKS:
            if any(edited[c] != row[c] for c in columns):
                logit += (self.compiled.partial_logit(edited, (name,))
                          - contributions[self.compiled.block_names.index(name)])
        return logit

    def assess_many(self, requests: list[dict], track_records: list[dict | None],
                    explain: bool = True, calibrations: list[DeskCalibration] | None = None,
                    desks: list[str | None] | None = None) -> list[dict]:
        """Score many claims in order, each with its desk's calibration if given; without
        explanations they are scored as one matrix."""
        calibrations = calibrations or [IDENTITY] * len(requests)
        desks = desks or [None] * len(requests)
        if explain:
            return [self.assess(r, t, calibration=c, desk=d)
                    for r, t, c, d in zip(requests, track_records, calibrations, desks)]
        rows = [self._row(r, t) for r, t in zip(requests, track_records)]
        if not rows:
            return []
        logits, levels = self.compiled.evaluate_many(rows)
        answers = []
        for r, t, row, logit, lv, c in zip(requests, track_records, rows, logits, levels,
                                           calibrations):
            answers.append(self._calibrated_answer(r, t, row, float(logit), lv, c))
        return answers
