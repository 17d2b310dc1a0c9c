"""Tests for model.registry: round trip, promotion, and every refusal."""
import hashlib
import json
import re

import numpy as np
import pytest
import sklearn
import skops.io
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from model.pipeline import request_frame
from model.registry import (ArtifactError, current_version, list_versions, load_scorer,
                            load_version, promote, save_version)

@pytest.fixture(scope="module")
def pipeline(fitted):
    """The synthetic model of conftest.py: the production pipeline, small."""
    return fitted.pipeline


def make_frame(make_claims, n, seed):
    requests, _ = make_claims(n, seed=seed)
    return request_frame(requests, [None] * n)


@pytest.fixture
def registry(tmp_path):
    return tmp_path / "registry"


CARD = {"data_slug": "synthetic", "metrics": {"accuracy": 0.5}}
TRACK = {"a senator": {"true": 2, "false": 1}}


def rewrite(version_dir, name, data):
    """Replace a file and re-sign SHA256SUMS, so only the content check can refuse it."""
    (version_dir / name).write_bytes(data)
    sums = {n: hashlib.sha256((version_dir / n).read_bytes()).hexdigest()
            for n in sorted(p.name for p in version_dir.iterdir()) if n != "SHA256SUMS"}
    (version_dir / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()))


def test_round_trip_predicts_the_same(registry, pipeline, make_claims):
    card = dict(CARD)
    version = save_version(registry, pipeline, card, {"track_records.json": TRACK})
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-synthetic-[0-9a-f]{6}", version)
    assert card == CARD, "the caller's card must not be changed"
    loaded = load_version(registry, version)
    assert loaded.version == version and loaded.path == registry / version
    unseen = make_frame(make_claims, 20, seed=2)
    np.testing.assert_array_equal(loaded.pipeline.predict_proba(unseen),
                                  pipeline.predict_proba(unseen))
    assert loaded.files == {"track_records.json": TRACK}
    assert loaded.card["metrics"] == CARD["metrics"]
    assert loaded.card["library_versions"]["scikit-learn"] == sklearn.__version__
    assert set(loaded.card["library_versions"]) == {"scikit-learn", "skops", "numpy",
                                                    "scipy", "python"}


def test_sha256sums_lists_every_other_file_sorted(registry, pipeline):
    version = save_version(registry, pipeline, CARD, {"track_records.json": TRACK})
    folder = registry / version
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    names = [line.split("  ")[1] for line in lines]
    assert names == sorted(["card.json", "pipeline.skops", "scorer.json", "scorer.npz",
                            "track_records.json"])
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_promote_switches_current(registry, pipeline):
    first = save_version(registry, pipeline, CARD, version="v1")
    second = save_version(registry, pipeline, CARD, version="v2")
    assert current_version(registry) is None
    with pytest.raises(ArtifactError, match="no CURRENT"):
        load_version(registry)
    promote(registry, first)
    assert current_version(registry) == "v1"
    assert (registry / "CURRENT").read_text() == "v1\n"
    assert load_version(registry).version == "v1"
    promote(registry, second)
    assert current_version(registry) == "v2"
    assert load_version(registry).version == "v2"
    assert list_versions(registry) == ["v1", "v2"]
    assert sorted(p.name for p in registry.iterdir()) == ["CURRENT", "v1", "v2"]


def test_list_versions_skips_incomplete_folders(registry, pipeline):
    save_version(registry, pipeline, CARD, version="v1")
    (registry / "half-written").mkdir()
    (registry / ".tmp-abc").mkdir()
    assert list_versions(registry) == ["v1"]
    assert list_versions(registry / "nowhere") == []
    with pytest.raises(ArtifactError, match="no SHA256SUMS"):
        load_version(registry, "half-written")


def test_tampered_pipeline_is_refused(registry, pipeline):
    promote(registry, save_version(registry, pipeline, CARD, version="good"))
    save_version(registry, pipeline, CARD, version="bad")
    target = registry / "bad" / "pipeline.skops"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    message = r"model version bad: file pipeline.skops does not match its sha256 \(expected"
    with pytest.raises(ArtifactError, match=message):
        load_version(registry, "bad")
    with pytest.raises(ArtifactError, match=message):
        promote(registry, "bad")
    assert current_version(registry) == "good"


def test_unlisted_file_is_refused(registry, pipeline):
    version = save_version(registry, pipeline, CARD)
    (registry / version / "notes.txt").write_text("hello")
    with pytest.raises(ArtifactError, match=r"unlisted files \['notes.txt'\]"):
        load_version(registry, version)


def test_missing_file_is_refused(registry, pipeline):
    version = save_version(registry, pipeline, CARD, {"track_records.json": TRACK})
    (registry / version / "track_records.json").unlink()
    with pytest.raises(ArtifactError, match=r"missing files \['track_records.json'\]"):
        load_version(registry, version)


def test_other_scikit_learn_version_is_refused(registry, pipeline):
    version = save_version(registry, pipeline, CARD)
    card = json.loads((registry / version / "card.json").read_text())
    card["library_versions"]["scikit-learn"] = "1.8.0"
    rewrite(registry / version, "card.json", json.dumps(card).encode())
    message = (f"model version {version} was saved with scikit-learn 1.8.0 "
               "(its card.json says so); "
               f"this is {sklearn.__version__}: retrain or install 1.8.0")
    with pytest.raises(ArtifactError, match=re.escape(message)):
        load_version(registry, version)


@pytest.mark.parametrize("numpy_version, refused", [("1.26.4", True), ("2.0.0", False)])
def test_numpy_must_share_the_major_version(registry, pipeline, numpy_version, refused):
    version = save_version(registry, pipeline, CARD)
    card = json.loads((registry / version / "card.json").read_text())
    card["library_versions"]["numpy"] = numpy_version
    rewrite(registry / version, "card.json", json.dumps(card).encode())
    if refused:
        with pytest.raises(ArtifactError, match="saved with numpy 1.26.4"):
            load_version(registry, version)
    else:
        assert load_version(registry, version).card["library_versions"]["numpy"] == "2.0.0"


def add_one(X):
    return X + 1


class Doubler(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X * 2


@pytest.mark.parametrize("step, type_name", [(FunctionTransformer(add_one), "add_one"),
                                             (Doubler(), "Doubler")])
def test_untrusted_type_is_refused(registry, pipeline, step, type_name):
    X = np.random.default_rng(0).normal(size=(30, 2))
    fitted = Pipeline([("step", step), ("clf", LogisticRegression())]).fit(X, X[:, 0] > 0)
    version = save_version(registry, pipeline, CARD)
    # An artifact that someone with write access swapped in and signed again.
    rewrite(registry / version, "pipeline.skops", skops.io.dumps(fitted))
    message = rf"untrusted types in artifact: \S*\.{type_name}$"
    with pytest.raises(ArtifactError, match=message):
        load_version(registry, version)
    with pytest.raises(ArtifactError, match="untrusted types"):
        promote(registry, version)
    assert current_version(registry) is None


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".", "..", ".hidden", "CURRENT",
                                  "a b", "x" * 129, "/abs"])
def test_bad_version_names_are_refused(registry, pipeline, name):
    with pytest.raises(ArtifactError, match="invalid version name"):
        save_version(registry, pipeline, CARD, version=name)
    with pytest.raises(ArtifactError, match="invalid version name"):
        load_version(registry, name)
    with pytest.raises(ArtifactError, match="invalid version name"):
        promote(registry, name)
    assert not registry.exists() or list(registry.iterdir()) == []


def test_current_pointing_outside_is_never_followed(tmp_path, pipeline):
    registry = tmp_path / "registry"
    save_version(tmp_path, pipeline, CARD, version="outside")
    registry.mkdir()
    (registry / "CURRENT").write_text("../outside\n")
    with pytest.raises(ArtifactError, match="invalid version name in CURRENT"):
        current_version(registry)
    with pytest.raises(ArtifactError, match="invalid version name in CURRENT"):
        load_version(registry)


def test_save_refuses_to_overwrite(registry, pipeline):
    save_version(registry, pipeline, CARD, {"track_records.json": TRACK}, version="v1")
    with pytest.raises(ArtifactError, match="already exists"):
        save_version(registry, pipeline, {"other": True}, version="v1")
    assert load_version(registry, "v1").files == {"track_records.json": TRACK}
    assert sorted(p.name for p in registry.iterdir()) == ["v1"]


@pytest.mark.parametrize("extra", [{"bad.json": object()}, {"nan.json": float("nan")}])
def test_failed_save_leaves_nothing_behind(registry, pipeline, extra):
    with pytest.raises((TypeError, ValueError)):
        save_version(registry, pipeline, CARD, extra, version="v1")
    assert list(registry.iterdir()) == []


@pytest.mark.parametrize("name", ["card.json", "SHA256SUMS", "../x.json", "notes.txt"])
def test_bad_extra_file_names_are_refused(registry, pipeline, name):
    with pytest.raises(ArtifactError):
        save_version(registry, pipeline, CARD, {name: {}})


def test_pipelines_the_compiled_scorer_cannot_run_are_refused_at_save(registry):
    X = np.random.default_rng(0).normal(size=(30, 2))
    fitted = Pipeline([("features", FunctionTransformer()),
                       ("model", LogisticRegression())]).fit(X, X[:, 0] > 0)
    with pytest.raises(AttributeError):
        save_version(registry, fitted, CARD)
    assert not registry.exists() or list(registry.iterdir()) == []


def test_the_compiled_form_loads_without_scikit_learn(registry, pipeline):
    """What the service loads: checked against the same SHA256SUMS, read with JSON and
    numpy.load(allow_pickle=False), and no scikit-learn import on the way."""
    import subprocess
    import sys

    version = save_version(registry, pipeline, CARD, {"track_records.json": TRACK})
    code = ("import sys; from model.registry import load_scorer; "
            f"loaded = load_scorer({str(registry)!r}, {version!r}); "
            "assert loaded.files == {'track_records.json': " + repr(TRACK) + "}; "
            "assert 'weights' in loaded.arrays; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sklearn', 'skops', 'pandas')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["scorer.json", "scorer.npz"])
def test_tampered_compiled_form_is_refused(registry, pipeline, name):
    version = save_version(registry, pipeline, CARD)
    target = registry / version / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    message = rf"model version {version}: file {name} does not match its sha256"
    for load in (load_scorer, load_version):
        with pytest.raises(ArtifactError, match=message):
            load(registry, version)


def test_an_unreadable_npz_is_refused_even_when_signed(registry, pipeline):
    version = save_version(registry, pipeline, CARD)
    rewrite(registry / version, "scorer.npz", b"PK\x03\x04 not really a zip")
    with pytest.raises(ArtifactError, match="scorer.npz could not be read"):
        load_scorer(registry, version)


def test_a_version_saved_before_the_compiled_form_says_to_retrain(registry, pipeline):
    version = save_version(registry, pipeline, CARD, version="old")
    folder = registry / version
    for name in ("scorer.json", "scorer.npz"):
        (folder / name).unlink()
    lines = [line for line in (folder / "SHA256SUMS").read_text().splitlines()
             if not line.endswith(("scorer.json", "scorer.npz"))]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    for load in (load_scorer, load_version):
        with pytest.raises(ArtifactError, match="saved before models were also saved in "
                                                "compiled form.*training.train"):
            load(registry, version)
