"""The committed default model was trained under the policy file that is in the repo.

The service checks requests against the served model's policy and scores under it; a
policy edit takes effect with the next trained version. This keeps the two from drifting
apart unnoticed in the repository: edit the policy, retrain, commit both.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.registry import load_version
from training import config


def test_the_default_model_carries_the_repository_policy():
    if not (Path(config.REGISTRY) / "CURRENT").is_file():
        pytest.skip("no committed default model under model/registry")
    loaded = load_version(config.REGISTRY)
    in_repo = yaml.safe_load(Path(config.POLICY).read_text(encoding="utf-8"))
    assert loaded.files["policy.json"] == in_repo, (
        "model/policy.yaml changed since the default model was trained: retrain it "
        "(python -m training.train --promote) and commit the new version")
