"""Synthetic training data as JSONL files, and a registry trained on them.

The generator lives in tests/model/synthetic_claims.py (on the import path through
pyproject.toml). Nothing here reads LIAR; tests that do skip without it.
"""
from __future__ import annotations


import pytest
import synthetic_claims as synthetic


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: retrains on LIAR (about a minute); deselect with -m 'not slow'")





@pytest.fixture(scope="session")
def make_claims():
    return synthetic.make_claims


@pytest.fixture(scope="session")
def write_jsonl():
    return synthetic.write_jsonl


@pytest.fixture(scope="session")
def desk_registry(tmp_path_factory, small_params):
    """(registry, valid.jsonl): a version trained by training.train on 900 synthetic
    claims of three desks, and 300 more of them held out."""
    from model.registry import promote
    from training import config, train

    folder = tmp_path_factory.mktemp("desk-registry")
    files = {}
    for split, n, seed in (("train", 900, 3), ("valid", 300, 4)):
        files[split] = folder / f"{split}.jsonl"
        synthetic.write_jsonl(files[split], *synthetic.make_claims(n, seed=seed, desks=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train, "code_revision", lambda: "test")   # no git from the tests
        version, _ = train.train([f"jsonl:{files['train']}"], folder / "registry",
                                 config.POLICY, small_params)
    promote(folder / "registry", version)
    return folder / "registry", files["valid"]


@pytest.fixture(scope="session")
def jsonl_files(tmp_path_factory):
    """{"train": path, "valid": path}: 500 and 200 synthetic claims in the export format."""
    folder = tmp_path_factory.mktemp("jsonl")
    files = {}
    for split, n, seed in (("train", 500, 1), ("valid", 200, 2)):
        files[split] = folder / f"{split}.jsonl"
        synthetic.write_jsonl(files[split], *synthetic.make_claims(n, seed=seed))
    return files


@pytest.fixture(scope="session")
def small_params():
    from training import config
    return {**config.PARAMS, "folds": 3}


@pytest.fixture(scope="session")
def trained_registry(tmp_path_factory, jsonl_files, small_params):
    """A registry with one promoted version trained by training.train on train.jsonl."""
    from model.registry import promote
    from training import config, train

    folder = tmp_path_factory.mktemp("registry")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train, "code_revision", lambda: "test")   # no git from the tests
        version, _ = train.train([f"jsonl:{jsonl_files['train']}"], folder, config.POLICY,
                                 small_params)
    promote(folder, version)
    return folder
