"""The trained pipeline through the registry: what is loaded is what was trained."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import skops.io

from model.pipeline import request_frame
from model.registry import (TRUSTED_TYPES, ArtifactError, current_version, list_versions,
                            load_version)
from model.scoring import Scorer


def test_the_trained_pipeline_round_trips(model_registry, fitted, synthetic_claims,
                                          make_claims):
    loaded = load_version(model_registry)
    assert loaded.version == current_version(model_registry)
    assert list_versions(model_registry) == [loaded.version]
    unseen, _ = make_claims(60, seed=99)
    records = [fitted.track_records.get("global wire"), None] * 30
    frame = request_frame(unseen, records)
    np.testing.assert_array_equal(loaded.pipeline.predict_proba(frame),
                                  fitted.pipeline.predict_proba(frame))
    assert loaded.files["track_records.json"] == fitted.track_records
    assert loaded.card["learned_modifiers"] == fitted.learned_modifiers


def test_every_project_class_in_the_pipeline_is_trusted_in_code(fitted):
    blob = skops.io.dumps(fitted.pipeline)
    project = [t for t in skops.io.get_untrusted_types(data=blob)
               if t.split(".")[0] in ("model", "training")]
    assert project, "the pipeline holds the project's own estimators"
    assert set(project) <= set(TRUSTED_TYPES)
    assert not [t for t in skops.io.get_untrusted_types(data=blob) if t not in TRUSTED_TYPES]


def test_scorer_reports_its_version_policy_and_records(scorer, model_registry, fitted):
    assert scorer.version == current_version(model_registry)
    assert scorer.policy_version == scorer.policy.version == scorer.card["policy_version"]
    assert scorer.training_track_record("Global Wire") == fitted.track_records["global wire"]
    assert scorer.training_track_record("  the GLOBAL wire ") == \
        fitted.track_records["global wire"]
    assert scorer.training_track_record("Nobody Ever Seen") is None
    assert scorer.training_track_record(None) is None
    answer = scorer.assess({"claim": "Jobs rose", "source": {"type": "politician"}})
    assert answer["model"] == {"version": scorer.version,
                               "policy_version": scorer.policy_version}


@pytest.fixture
def copy_of_registry(model_registry, tmp_path):
    target = tmp_path / "registry"
    shutil.copytree(model_registry, target)
    return target


@pytest.mark.parametrize("where", [0, 0.5, -1])
def test_one_changed_byte_is_refused(copy_of_registry, where):
    version = current_version(copy_of_registry)
    target = copy_of_registry / version / "pipeline.skops"
    data = bytearray(target.read_bytes())
    data[int(where * (len(data) - 1)) if where else 0] ^= 0x20
    target.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="pipeline.skops does not match its sha256"):
        Scorer.load(copy_of_registry)
    with pytest.raises(ArtifactError):
        Scorer.load(copy_of_registry, version)


@pytest.mark.parametrize("name", ["track_records.json", "policy.json", "card.json"])
def test_a_changed_json_file_is_refused(copy_of_registry, name):
    target = copy_of_registry / current_version(copy_of_registry) / name
    target.write_bytes(target.read_bytes().replace(b"{", b"{ ", 1))
    with pytest.raises(ArtifactError, match=f"{name} does not match its sha256"):
        Scorer.load(copy_of_registry)


def test_an_unknown_version_is_refused(model_registry):
    with pytest.raises(ArtifactError, match="not found"):
        Scorer.load(model_registry, "1999-01-01-nothing")
