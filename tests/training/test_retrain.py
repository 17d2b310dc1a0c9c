"""training.retrain: candidate on base data plus verdicts, compared on held-out data, gated.

Synthetic data only: the base is a JSONL file (`--base jsonl:FILE`), so nothing reads LIAR.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from model.registry import current_version, list_versions, load_version
from training import config, retrain, train


def _load_fill_database():
    path = Path(__file__).with_name("test_export.py")
    spec = importlib.util.spec_from_file_location("_retrain_tests_export_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fill_database


fill_database = _load_fill_database()
KEYS = {"version", "promoted", "reasons", "metrics"}


@pytest.fixture(autouse=True)
def small_training(monkeypatch):
    monkeypatch.setattr(train, "code_revision", lambda: "test")   # no git from the tests
    monkeypatch.setitem(config.PARAMS, "folds", 3)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture
def clean_verdicts(url, make_claims):
    """A database of 200 assessments with their true synthetic verdicts."""
    fill_database(url, *make_claims(200, seed=5))
    return url


@pytest.fixture
def registry(tmp_path, trained_registry):
    """A copy of the session's registry: one promoted version trained on 500 clean claims."""
    copy = tmp_path / "registry"
    shutil.copytree(trained_registry, copy)
    return copy


def run(capsys, url, registry, base, *extra) -> dict:
    code = retrain.main(["--database-url", url, "--registry", str(registry),
                         "--base", f"jsonl:{base}", "--json", *extra])
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    return json.loads(last)


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_dry_run_changes_nothing(capsys, clean_verdicts, registry, jsonl_files, tmp_path):
    before = snapshot(registry)
    result = run(capsys, clean_verdicts, registry, jsonl_files["valid"], "--dry-run")
    assert KEYS <= set(result) and result["dry_run"] is True
    assert snapshot(registry) == before
    assert result["version"] not in list_versions(registry)
    empty = tmp_path / "no-registry"
    run(capsys, clean_verdicts, empty, jsonl_files["valid"], "--dry-run")
    assert not empty.exists()


def test_with_no_current_model_the_candidate_is_promoted(capsys, clean_verdicts, tmp_path,
                                                         jsonl_files):
    registry = tmp_path / "registry"
    result = run(capsys, clean_verdicts, registry, jsonl_files["valid"])

    assert KEYS <= set(result)
    assert result["promoted"] is True and "no promoted version" in result["reasons"][0]
    assert result["metrics"]["current"] is None
    assert current_version(registry) == result["version"]
    loaded = load_version(registry, result["version"])            # hashes intact
    decision = loaded.files["decision.json"]
    assert (loaded.path / "decision.json").is_file()
    assert decision["promoted"] is True and decision["version"] == result["version"]
    assert decision["metrics"] == result["metrics"]
    assert decision["tolerances"]["roc_auc_2"] == {"better": "higher",
                                                   "allowed_worse_by": 0.005}
    assert decision["verdicts"]["exported"] == 200
    assert decision["verdicts"]["trained_on"] + decision["verdicts"]["held_out"] == 200
    assert result["metrics"]["candidate"]["n"] == decision["verdicts"]["held_out"] > 20
    specs = {s["spec"]: s for s in decision["data"]["train"] + decision["data"]["held_out"]}
    assert set(specs) == {"jsonl:valid.jsonl", "jsonl:verdicts-train.jsonl",
                          "jsonl:verdicts-held-out.jsonl"}
    assert all(len(s["sha256"]) == 64 for s in specs.values())
    # the card's validation figures are the decision's: the same held-out data, same model
    assert loaded.card["metrics"]["validation"] == decision["metrics"]["candidate"]
    assert loaded.card["training_rows"] == 200 + decision["verdicts"]["trained_on"]


def test_the_gate_refuses_a_candidate_trained_on_shuffled_verdicts(
        capsys, url, registry, make_claims, write_jsonl, tmp_path):
    """The promoted model knows 500 clean claims; the candidate learns from a few clean
    claims and verdicts whose labels were shuffled, then both face clean held-out verdicts."""
    requests, levels = make_claims(400, seed=11)
    ids = [f"assessment-{i:04d}" for i in range(len(requests))]
    seed, share = config.PARAMS["seed"], 0.3
    held = [retrain.is_held_out(i, seed, share) for i in ids]
    training = [i for i, h in enumerate(held) if not h]
    shuffled = np.array(levels)[training][np.random.default_rng(0).permutation(len(training))]
    noisy = list(levels)
    for i, level in zip(training, shuffled):
        noisy[i] = int(level)
    fill_database(url, requests, noisy, ids)
    base = tmp_path / "base.jsonl"
    write_jsonl(base, *make_claims(40, seed=12))
    before = current_version(registry)

    result = run(capsys, url, registry, base, "--holdout", str(share))

    assert result["promoted"] is False
    assert "worse by more than" in result["reasons"][0]
    assert any(r.startswith("roc_auc_2 fell") and "worse" in r for r in result["reasons"])
    candidate, current = result["metrics"]["candidate"], result["metrics"]["current"]
    assert candidate["roc_auc_2"] < current["roc_auc_2"] - 0.05
    assert candidate["n"] == current["n"] == sum(held)
    assert current_version(registry) == before
    decision = load_version(registry, result["version"]).files["decision.json"]
    assert decision["promoted"] is False and decision["current_version"] == before


def test_a_candidate_with_more_clean_data_is_promoted(capsys, url, make_claims, registry,
                                                      jsonl_files):
    """Same base as the promoted model plus 300 clean verdicts, 300 more held out: the
    held-out slice is large enough that the comparison is not noise."""
    fill_database(url, *make_claims(600, seed=6))
    before = current_version(registry)
    result = run(capsys, url, registry, jsonl_files["train"], "--holdout", "0.5")
    assert result["promoted"] is True, result["reasons"]
    assert all(r.endswith(("allowed", "not worse")) or "standard error" in r
               for r in result["reasons"])
    assert current_version(registry) == result["version"] != before
    assert sorted(list_versions(registry)) == sorted([before, result["version"]])


def test_a_current_model_that_no_longer_loads_is_replaced(capsys, clean_verdicts, registry,
                                                          jsonl_files):
    card = registry / current_version(registry) / "card.json"
    card.write_bytes(card.read_bytes().replace(b"{", b"{ ", 1))   # one byte more
    result = run(capsys, clean_verdicts, registry, jsonl_files["valid"])
    assert result["promoted"] is True
    assert "cannot be used" in result["reasons"][0] and "sha256" in result["reasons"][0]
    assert current_version(registry) == result["version"]


def test_retraining_the_same_data_gives_a_twin_that_is_promoted(capsys, clean_verdicts,
                                                                  tmp_path, jsonl_files):
    registry = tmp_path / "registry"
    first = run(capsys, clean_verdicts, registry, jsonl_files["valid"])
    again = run(capsys, clean_verdicts, registry, jsonl_files["valid"])
    assert again["metrics"]["candidate"] == again["metrics"]["current"] \
        == first["metrics"]["candidate"]                       # training is deterministic
    assert again["promoted"] is True and current_version(registry) == again["version"]
    assert set(list_versions(registry)) == {first["version"], again["version"]}


def test_a_taken_version_name_gets_a_suffix(tmp_path):
    (tmp_path / "2026-01-01-jsonl-abcdef").mkdir()
    (tmp_path / "2026-01-01-jsonl-abcdef-r2").mkdir()
    assert retrain._free_name(tmp_path, "2026-01-01-jsonl-abcdef") == "2026-01-01-jsonl-abcdef-r3"
    assert retrain._free_name(tmp_path, "2026-01-01-liar-abcdef") == "2026-01-01-liar-abcdef"


def test_the_tolerances_are_printed(capsys, caplog, clean_verdicts, jsonl_files, tmp_path):
    with caplog.at_level(logging.INFO, logger="training.retrain"):
        run(capsys, clean_verdicts, tmp_path / "r", jsonl_files["valid"], "--dry-run")
    assert "roc_auc_2 may fall by at most 0.005" in caplog.text
    assert "ece_2 may rise by at most 0.01" in caplog.text


def test_a_database_that_cannot_be_read_exits_2(capsys, caplog, tmp_path, jsonl_files):
    with caplog.at_level(logging.ERROR, logger="training.retrain"):
        code = retrain.main(["--database-url", f"sqlite:///{tmp_path / 'none.db'}",
                             "--registry", str(tmp_path / "r"), "--base",
                             f"jsonl:{jsonl_files['valid']}", "--json"])
    assert code == 2 and "no SQLite database" in caplog.text
    assert capsys.readouterr().out == "" and not (tmp_path / "r").exists()



def test_the_database_is_the_one_the_service_reads(monkeypatch, capsys, caplog, tmp_path,
                                                   jsonl_files):
    missing = tmp_path / "service.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    with caplog.at_level(logging.ERROR, logger="training.retrain"):
        code = retrain.main(["--registry", str(tmp_path / "r"), "--base",
                             f"jsonl:{jsonl_files['valid']}", "--json"])
    assert code == 2 and "no SQLite database" in caplog.text and str(missing) in caplog.text


def test_without_database_url_the_services_default_is_read(monkeypatch, capsys, tmp_path):
    asked = []

    def decide(database_url, *_):
        asked.append(database_url)
        return {"version": "v", "promoted": False}

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(retrain, "retrain", decide)
    assert retrain.main(["--registry", str(tmp_path / "r")]) == 0
    assert asked == [f"sqlite:///{config.REPO_ROOT / 'var' / 'service.db'}"]

# -- the pieces ------------------------------------------------------------------------

FIGURES = {"roc_auc_2": 0.70, "ece_2": 0.05, "accuracy_6": 0.30}


@pytest.mark.parametrize("change, promoted", [
    ({}, True),
    ({"roc_auc_2": 0.695, "ece_2": 0.06, "accuracy_6": 0.29}, True),   # at every tolerance
    ({"roc_auc_2": 0.6949}, False),
    ({"ece_2": 0.0601}, False),
    ({"accuracy_6": 0.2899}, False),
    ({"roc_auc_2": 0.9, "ece_2": 0.0, "accuracy_6": 0.5}, True),
])
def test_gate(change, promoted):
    ok, reasons = retrain.gate({**FIGURES, **change}, FIGURES)
    assert ok is promoted
    assert len(reasons) == len(retrain.TOLERANCES)
    for name in change if not promoted else ():
        assert reasons[0].startswith(name) and "worse by more than" in reasons[0]


def test_gate_skips_a_figure_that_is_undefined():
    ok, reasons = retrain.gate({**FIGURES, "roc_auc_2": None}, FIGURES)
    assert ok and "roc_auc_2 not compared" in reasons[0]


def test_gate_refuses_without_held_out_data():
    ok, reasons = retrain.gate(None, FIGURES)
    assert not ok and "no held-out data" in reasons[0]


def test_the_split_is_fixed_by_seed_and_id():
    ids = [f"id-{i}" for i in range(2000)]
    held = {i for i in ids if retrain.is_held_out(i, 0, 0.2)}
    assert 350 < len(held) < 450
    assert held == {i for i in ids if retrain.is_held_out(i, 0, 0.2)}     # same each time
    assert held != {i for i in ids if retrain.is_held_out(i, 1, 0.2)}     # another seed
    lines = [{"assessment_id": i} for i in ["new-1", *ids, "new-2"]]      # more verdicts
    _, held_lines = retrain.split_verdicts(lines, 0, 0.2)
    assert held <= {line["assessment_id"] for line in held_lines}


def test_older_verdicts_weigh_less_by_the_half_life():
    lines = [{"verdict_at": "2026-01-01T00:00:00Z"}, {"verdict_at": "2025-01-01T00:00:00Z"},
             {"verdict_at": None}]
    weights = retrain.verdict_weights(lines, 365.0)
    assert weights == pytest.approx([1.0, 0.5, 1.0])
