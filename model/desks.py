"""A desk's calibration: the shared model's log-odds mapped to what held up for that desk.

A desk is a team whose verdicts define "held up" for it. Its verdicts calibrate its
scores at once, without retraining: ``desk_logit = shift + slope * model_logit``, fitted
by penalised maximum likelihood on the desk's (model log-odds, held up) pairs, with a
Gaussian prior centred on no change (shift 0, slope 1). The prior's strength is a
handful of virtual verdicts, so five verdicts barely move a desk and five hundred decide
it. A desk with no verdicts keeps the shared model unchanged.

Desk ids are slugs (DESIGN.md): ``[a-z0-9][a-z0-9._-]{0,63}``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

DESK_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"
DESK_ID = re.compile(DESK_PATTERN + r"\Z")
DEFAULT_DESK = "default"

# Prior precision of the shift and of the slope. The information one verdict carries
# about the shift is p(1 - p), about 0.2: with 6, five verdicts move the shift about 14%
# of the way to what they alone say, five hundred about 94% of the way.
SHIFT_PRECISION = 6.0
SLOPE_PRECISION = 10.0
# A slope is a scale on the model's log-odds: kept positive and bounded so that a desk's
# calibration never turns the model's ranking upside down.
SLOPE_BOUNDS = (0.05, 4.0)


def is_desk_id(value) -> bool:
    return isinstance(value, str) and DESK_ID.match(value) is not None


@dataclass(frozen=True)
class DeskCalibration:
    """``logit -> shift + slope * logit``; the identity for a desk without verdicts."""
    shift: float = 0.0
    slope: float = 1.0
    verdicts: int = 0

    @property
    def is_identity(self) -> bool:
        return self.verdicts == 0 or (self.shift == 0.0 and self.slope == 1.0)

    def apply(self, logit: float) -> float:
        return self.shift + self.slope * logit

    def change(self, logit: float) -> float:
        """What the calibration adds to a log-odds: its factor's weight."""
        return self.apply(logit) - logit

    def as_dict(self) -> dict:
        return {"shift": self.shift, "slope": self.slope, "verdicts": self.verdicts}


IDENTITY = DeskCalibration()


def _pushed_past_bound(slope: float, gradient: float) -> bool:
    """The slope sits at a bound and descending the objective would take it beyond."""
    return ((slope <= SLOPE_BOUNDS[0] and gradient > 0)
            or (slope >= SLOPE_BOUNDS[1] and gradient < 0))


def fit_calibration(logits, held_up, weights=None, shift_precision: float = SHIFT_PRECISION,
                    slope_precision: float = SLOPE_PRECISION,
                    iterations: int = 50) -> DeskCalibration:
    """The MAP (shift, slope) of a logistic regression of ``held_up`` on ``logits``.

    Newton's method on two parameters; the prior makes the problem strictly convex, so
    it converges from the identity in a few steps whatever the data (all held up, none,
    one verdict). A slope held at one of its bounds while the data push it further stays
    there, and the shift is then the best one for that slope (projected Newton).
    """
    z = np.asarray(logits, dtype=float).ravel()
    y = np.asarray(held_up, dtype=float).ravel()
    if z.shape != y.shape:
        raise ValueError("logits and held_up must have the same length")
    w = np.ones_like(z) if weights is None else np.asarray(weights, dtype=float).ravel()
    if len(z) == 0:
        return IDENTITY
    z = np.clip(z, -30.0, 30.0)
    theta = np.array([0.0, 1.0])
    centre = np.array([0.0, 1.0])
    precision = np.diag([shift_precision, slope_precision])
    design = np.column_stack([np.ones_like(z), z])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (w * (p - y)) + precision @ (theta - centre)
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + precision
        if _pushed_past_bound(theta[1], gradient[1]):
            step = np.array([gradient[0] / hessian[0, 0], 0.0])
        else:
            step = np.linalg.solve(hessian, gradient)
        theta = theta - step
        theta[1] = min(max(theta[1], SLOPE_BOUNDS[0]), SLOPE_BOUNDS[1])
        if np.abs(step).max() < 1e-10:
            break
    return DeskCalibration(float(theta[0]), float(theta[1]), int(len(z)))


def logit(probability: float) -> float:
    p = min(max(float(probability), 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def expected_calibration_error(score, held, bins: int = 10) -> float:
    """ECE of P(held up) over equal-width bins, weighted by the share of claims in each."""
    score, held = np.asarray(score, dtype=float).ravel(), np.asarray(held, dtype=float).ravel()
    which = np.minimum((score * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(score[mask].mean() - held[mask].mean())
    return float(total)


def prequential_ece(scores, held_up, bins: int = 10) -> float | None:
    """ECE of the scores a desk was given before each verdict was known, or None.

    Each pair is (the score the desk saw when it asked, whether the claim held up), so
    the figure judges the calibration as it stood at the time, never one fitted on the
    verdict it is judged by.
    """
    if len(np.asarray(scores).ravel()) == 0:
        return None
    return expected_calibration_error(scores, held_up, bins)
