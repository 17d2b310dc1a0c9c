"""A small model trained on synthetic claims, saved to a registry of the session's own.

Mirrors what ``training.train.train`` saves (the pipeline, a card with the learned
modifiers, the per-source ``track_records.json`` and the raw ``policy.json``), so
``Scorer.load`` sees exactly what it sees in production, minus LIAR.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import synthetic_claims as synthetic
import yaml





@pytest.fixture(scope="session")
def synthetic_claims():
    """(requests, levels): 600 synthetic claims, seed 0."""
    return synthetic.make_claims(600, seed=0)


@pytest.fixture(scope="session")
def make_claims():
    return synthetic.make_claims


@pytest.fixture(scope="session")
def synthetic_sources():
    return synthetic.SOURCES


@pytest.fixture(scope="session")
def raw_policy():
    from training import config
    return yaml.safe_load(Path(config.POLICY).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def small_params():
    from training import config
    return {**config.PARAMS, "folds": 3}


@pytest.fixture(scope="session")
def fitted(synthetic_claims, raw_policy, small_params):
    from model.policy import parse_policy
    from training.fitting import fit

    requests, levels = synthetic_claims
    return fit(requests, np.asarray(levels), parse_policy(raw_policy), small_params)


@pytest.fixture(scope="session")
def model_registry(tmp_path_factory, fitted, raw_policy, small_params):
    """A registry folder whose CURRENT version is the synthetic model."""
    from model.policy import parse_policy
    from model.registry import promote, save_version

    folder = tmp_path_factory.mktemp("model-registry")
    card = {"data_slug": "synthetic", "training_rows": 600,
            "metrics": {"validation": {}}, "params": small_params,
            "policy_version": parse_policy(raw_policy).version,
            "calibration": fitted.calibration,
            "learned_modifiers": fitted.learned_modifiers}
    version = save_version(folder, fitted.pipeline, card,
                           {"track_records.json": fitted.track_records,
                            "policy.json": raw_policy})
    promote(folder, version)
    return folder


@pytest.fixture(scope="session")
def saved_pipeline(model_registry):
    """The synthetic model's fitted Pipeline, as training and evaluation load it."""
    from model.registry import load_version
    return load_version(model_registry).pipeline


@pytest.fixture(scope="session")
def scorer(model_registry):
    """The synthetic model, loaded as the service loads one (overrides tests/conftest.py's)."""
    from model.scoring import Scorer
    return Scorer.load(model_registry)


@pytest.fixture(scope="session")
def desk_claims():
    """(requests, levels): 900 synthetic claims of three desks (desk-c rare), seed 3."""
    return synthetic.make_claims(900, seed=3, desks=True)


@pytest.fixture(scope="session")
def desk_registry(tmp_path_factory, desk_claims, raw_policy, small_params):
    """A registry whose CURRENT version learned the desks' own habits."""
    from model.policy import parse_policy
    from model.registry import promote, save_version
    from training.fitting import fit

    from model.features import DESK_HABITS

    requests, levels = desk_claims
    # desk-c's 45 or so rows stay under the bar, so that it is a desk without habits.
    params = {**small_params, "features": {"desk": {**DESK_HABITS, "min_rows": 60}}}
    fitted = fit(requests, np.asarray(levels), parse_policy(raw_policy), params)
    folder = tmp_path_factory.mktemp("desk-registry")
    card = {"data_slug": "synthetic-desks", "training_rows": len(requests),
            "metrics": {"validation": {}}, "params": params,
            "policy_version": parse_policy(raw_policy).version,
            "calibration": fitted.calibration, "learned_modifiers": fitted.learned_modifiers,
            "desks": {"desk-a": 1, "desk-b": 1}}
    promote(folder, save_version(folder, fitted.pipeline, card,
                                 {"track_records.json": fitted.track_records,
                                  "policy.json": raw_policy}))
    return folder
