"""The two CLIs, on synthetic JSONL and registries of the tests' own."""
from __future__ import annotations

import json
import logging

import pytest

from model.registry import current_version, list_versions, load_version
from training import evaluate, train

FIGURES = {"accuracy_6", "accuracy_2", "macro_f1_6", "roc_auc_2", "brier_2", "ece_2", "n"}


def last_json(capsys) -> dict:
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines, "nothing printed"
    return json.loads(lines[-1])


def run_evaluate(capsys, registry, data, *extra) -> dict:
    code = evaluate.main(["--data", f"jsonl:{data}", "--registry", str(registry), "--json",
                          *extra])
    assert code == 0
    return last_json(capsys)


def test_evaluate_prints_the_figures_as_json(capsys, trained_registry, jsonl_files):
    figures = run_evaluate(capsys, trained_registry, jsonl_files["valid"])
    assert FIGURES <= set(figures)
    assert figures["n"] == 200
    for key in FIGURES - {"n"}:
        assert 0.0 <= figures[key] <= 1.0, key
    assert figures["roc_auc_2"] > 0.7          # the synthetic signal is learnable
    assert figures["model"] == current_version(trained_registry)
    assert figures["history"] == "honest" and "leaky" not in figures


def test_evaluate_figures_match_the_card(capsys, trained_registry, jsonl_files):
    """train.train with no LIAR folder validates on nothing; evaluate is the same code."""
    card = load_version(trained_registry).card
    assert card["metrics"]["validation"] == {}
    assert card["data"]["train"][0]["spec"] == "jsonl:train.jsonl"
    first = run_evaluate(capsys, trained_registry, jsonl_files["valid"])
    again = run_evaluate(capsys, trained_registry, jsonl_files["valid"],
                         "--model", first["model"])
    assert first == again


def test_evaluate_writes_two_pngs(capsys, trained_registry, jsonl_files, tmp_path):
    folder = tmp_path / "plots"
    run_evaluate(capsys, trained_registry, jsonl_files["valid"], "--plots", str(folder))
    pngs = sorted(folder.glob("*.png"))
    assert len(pngs) == 2
    for path in pngs:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 1000


def test_row_deleaked_history_is_marked_leaky(capsys, trained_registry, jsonl_files):
    figures = run_evaluate(capsys, trained_registry, jsonl_files["valid"],
                           "--history", "row-deleaked")
    assert figures["leaky"] is True
    assert figures["history"] == "row-deleaked"


def test_evaluate_warns_when_the_data_was_trained_on(capsys, caplog, trained_registry,
                                                     jsonl_files):
    with caplog.at_level(logging.WARNING, logger="training.evaluate"):
        run_evaluate(capsys, trained_registry, jsonl_files["train"])
    assert "part of the model's training data" in caplog.text


def test_evaluate_without_a_registry_exits_2(capsys, caplog, tmp_path, jsonl_files):
    missing = tmp_path / "no-registry"
    with caplog.at_level(logging.ERROR, logger="training.evaluate"):
        code = evaluate.main(["--data", f"jsonl:{jsonl_files['valid']}",
                              "--registry", str(missing), "--json"])
    assert code == 2
    assert str(missing) in caplog.text and "no CURRENT version" in caplog.text
    assert capsys.readouterr().out == ""


def test_evaluate_with_missing_data_exits_2(caplog, trained_registry, tmp_path):
    with caplog.at_level(logging.ERROR, logger="training.evaluate"):
        code = evaluate.main(["--data", f"jsonl:{tmp_path / 'none.jsonl'}",
                              "--registry", str(trained_registry)])
    assert code == 2 and "no file at" in caplog.text


def test_evaluate_an_unknown_version_exits_2(caplog, trained_registry, jsonl_files):
    with caplog.at_level(logging.ERROR, logger="training.evaluate"):
        code = evaluate.main(["--data", f"jsonl:{jsonl_files['valid']}", "--registry",
                              str(trained_registry), "--model", "no-such-version"])
    assert code == 2 and "no-such-version" in caplog.text


@pytest.fixture
def no_git(monkeypatch):
    monkeypatch.setattr(train, "code_revision", lambda: "test-revision")


def test_train_creates_and_promotes_a_version(capsys, tmp_path, jsonl_files, no_git):
    registry = tmp_path / "registry"
    code = train.main(["--data", f"jsonl:{jsonl_files['valid']}", "--registry",
                       str(registry), "--promote"])
    assert code == 0
    version = capsys.readouterr().out.strip().splitlines()[-1]
    assert list_versions(registry) == [version]
    assert current_version(registry) == version
    loaded = load_version(registry)
    card = loaded.card
    assert card["training_rows"] == 200
    assert card["code_revision"] == "test-revision"
    assert card["policy_version"] == loaded.files["policy.json"]["version"]
    assert card["data"]["train"][0]["sha256"]
    assert card["params"]["folds"] >= 2
    records = loaded.files["track_records.json"]
    assert sum(sum(counts.values()) for counts in records.values()) == 200
    assert "global wire" in records


def test_train_without_promote_leaves_current_alone(capsys, tmp_path, jsonl_files, no_git,
                                                    trained_registry):
    registry = tmp_path / "registry"
    assert train.main(["--data", f"jsonl:{jsonl_files['valid']}", "--registry",
                       str(registry)]) == 0
    assert len(list_versions(registry)) == 1 and current_version(registry) is None


def test_train_on_bad_data_exits_2(caplog, tmp_path, no_git):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x", "verdict": "maybe"}\n', encoding="utf-8")
    registry = tmp_path / "registry"
    with caplog.at_level(logging.ERROR, logger="training.train"):
        code = train.main(["--data", f"jsonl:{bad}", "--registry", str(registry)])
    assert code == 2 and "bad.jsonl:1" in caplog.text
    assert list_versions(registry) == []


def test_evaluate_by_desk_prints_one_line_a_desk_then_the_whole(capsys, desk_registry):
    registry, valid = desk_registry
    card = load_version(registry).card
    assert set(card["desks"]) == {"desk-a", "desk-b", "desk-c"}
    assert evaluate.main(["--data", f"jsonl:{valid}", "--registry", str(registry), "--json",
                          "--by-desk"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    *desks, whole = lines
    assert [d["desk"] for d in desks] == ["desk-a", "desk-b", "desk-c"]
    assert sum(d["n"] for d in desks) == whole["n"] == 300
    assert FIGURES <= set(whole) and all(FIGURES <= set(d) for d in desks)
    # each claim is scored for its desk: desk-b's stricter verdicts are learned
    by = {d["desk"]: d for d in desks}
    assert by["desk-b"]["ece_2"] < 0.15 and by["desk-a"]["ece_2"] < 0.15


def test_evaluate_side_only_verdicts_gives_the_binary_figures(capsys, trained_registry,
                                                               tmp_path):
    folder = tmp_path / "averitec"
    folder.mkdir()
    records = [{"claim": f"Claim {i} census report", "label": label, "speaker": None,
                "reporting_source": "Facebook", "location_ISO_code": "US",
                "claim_date": "1-1-2020",
                "fact_checking_article": "https://web.archive.org/web/1/https://fullfact.org/"}
               for i, label in enumerate(["Supported", "Refuted"] * 10)]
    (folder / "dev.json").write_text(json.dumps(records), encoding="utf-8")
    assert evaluate.main(["--data", f"averitec:{folder}", "--registry", str(trained_registry),
                          "--json"]) == 0
    figures = last_json(capsys)
    assert {"accuracy_2", "roc_auc_2", "brier_2", "ece_2", "n"} <= set(figures)
    assert "accuracy_6" not in figures and figures["n"] == 20


def test_evaluate_calibrated_from_a_desks_verdicts(capsys, caplog, trained_registry,
                                                   jsonl_files, tmp_path, make_claims,
                                                   write_jsonl):
    """A stricter desk (every verdict one level down) calibrates the scores down."""
    requests, levels = make_claims(400, seed=9)
    strict = tmp_path / "strict.jsonl"
    write_jsonl(strict, requests, [max(0, level - 1) for level in levels])
    plain = run_evaluate(capsys, trained_registry, jsonl_files["valid"])
    calibrated = run_evaluate(capsys, trained_registry, jsonl_files["valid"],
                              "--calibrate-from", f"jsonl:{strict}", "--calibrate-n", "300")
    assert calibrated["verdicts"] == 300 and calibrated["shift"] < 0
    assert calibrated["calibrated_from"] == f"jsonl:{strict}"
    assert calibrated["roc_auc_2"] == pytest.approx(plain["roc_auc_2"], abs=1e-3)
    assert calibrated["brier_2"] != plain["brier_2"]
    with caplog.at_level(logging.WARNING):
        run_evaluate(capsys, trained_registry, jsonl_files["valid"],
                     "--calibrate-from", f"jsonl:{jsonl_files['train']}")
    assert "part of the model's training data" in caplog.text
