"""A desk's calibration: shrunk toward no change, decided by many verdicts."""
from __future__ import annotations

import numpy as np
import pytest

from model.desks import (IDENTITY, DeskCalibration, expected_calibration_error,
                         fit_calibration, is_desk_id, prequential_ece)


def _verdicts(n, shift, slope, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 1.5, n)
    held = rng.random(n) < 1.0 / (1.0 + np.exp(-(shift + slope * logits)))
    return logits, held


def test_no_verdicts_is_the_shared_model():
    assert fit_calibration([], []) == IDENTITY
    assert IDENTITY.apply(0.7) == 0.7 and IDENTITY.change(0.7) == 0.0 and IDENTITY.is_identity


def test_five_verdicts_barely_move_it_and_five_hundred_decide_it():
    # A desk where claims hold up far less often than the shared model says.
    few = fit_calibration(*_verdicts(5, -1.5, 1.0))
    many = fit_calibration(*_verdicts(500, -1.5, 1.0))
    assert abs(few.shift) < 0.5 and few.verdicts == 5
    assert many.shift == pytest.approx(-1.5, abs=0.3) and many.verdicts == 500
    assert many.slope == pytest.approx(1.0, abs=0.3)


def test_a_desk_whose_verdicts_follow_the_model_keeps_it():
    calibration = fit_calibration(*_verdicts(2000, 0.0, 1.0, seed=3))
    assert calibration.shift == pytest.approx(0.0, abs=0.15)
    assert calibration.slope == pytest.approx(1.0, abs=0.15)


def test_slope_is_learned_and_stays_positive():
    flat = fit_calibration(*_verdicts(3000, 0.0, 0.4, seed=1))
    assert flat.slope == pytest.approx(0.4, abs=0.1)
    inverted = fit_calibration(*_verdicts(3000, 0.0, -1.0, seed=2))
    assert inverted.slope > 0   # never turns the ranking upside down


def test_all_held_up_stays_finite():
    calibration = fit_calibration(np.zeros(50), np.ones(50))
    assert np.isfinite(calibration.shift) and calibration.shift > 0
    assert calibration.apply(1.0) == calibration.shift + calibration.slope


def test_calibration_brings_ece_down_on_unseen_verdicts():
    logits, held = _verdicts(1300, -1.0, 0.7, seed=5)
    fitted = fit_calibration(logits[:300], held[:300])
    raw = 1 / (1 + np.exp(-logits[300:]))
    calibrated = 1 / (1 + np.exp(-np.array([fitted.apply(z) for z in logits[300:]])))
    assert (expected_calibration_error(calibrated, held[300:])
            < expected_calibration_error(raw, held[300:]) / 2)


def test_prequential_ece_of_nothing_is_none():
    assert prequential_ece([], []) is None
    assert prequential_ece([0.9, 0.9], [1, 0]) == pytest.approx(0.4)


@pytest.mark.parametrize("desk,ok", [("desk-3", True), ("default", True), ("a", True),
                                     ("politifact.com", True), ("Desk", False), ("", False),
                                     ("-x", False), ("x" * 64, True), ("x" * 65, False),
                                     ("a b", False), (3, False), ("desk\n", False)])
def test_desk_ids_are_slugs(desk, ok):
    assert is_desk_id(desk) is ok


def test_calibration_round_trips_as_dict():
    calibration = DeskCalibration(-0.4, 0.8, 240)
    assert DeskCalibration(**calibration.as_dict()) == calibration


def _gradient(calibration, logits, held):
    """The penalised objective's gradient at a fitted calibration."""
    from model.desks import SHIFT_PRECISION, SLOPE_PRECISION

    z, y = np.asarray(logits, float), np.asarray(held, float)
    p = 1 / (1 + np.exp(-(calibration.shift + calibration.slope * z)))
    return (np.sum(p - y) + SHIFT_PRECISION * calibration.shift,
            np.sum((p - y) * z) + SLOPE_PRECISION * (calibration.slope - 1.0))


def test_a_slope_held_at_its_bound_gets_the_best_shift_for_it():
    """Verdicts unrelated to the model's log-odds push the slope below its bound: it stays
    at the bound, and the shift is the optimum for that slope (zero gradient in it)."""
    from model.desks import SLOPE_BOUNDS

    rng = np.random.default_rng(5)
    logits = rng.normal(0.0, 1.5, 2000)
    held = rng.random(2000) < 0.4
    calibration = fit_calibration(logits, held)
    assert calibration.slope == SLOPE_BOUNDS[0]
    shift_gradient, slope_gradient = _gradient(calibration, logits, held)
    assert abs(shift_gradient) < 1e-6 and slope_gradient > 0
    # Inside the bounds both gradients vanish.
    inside = fit_calibration(*_verdicts(2000, 0.3, 0.8, seed=6))
    assert np.abs(_gradient(inside, *_verdicts(2000, 0.3, 0.8, seed=6))).max() < 1e-6
