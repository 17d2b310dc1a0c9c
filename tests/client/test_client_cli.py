"""`python -m client` against the real service: the summary, --json, score-file, exit codes."""
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from client import CredibilityClient
from client.cli import main
from service.tables import Assessment

ROOT = Path(__file__).resolve().parents[2]
CLAIM = "Since March 10 Kyiv has lost over 100 men and six tanks."
FSB_ARGS = ["--source-type", "state_agency", "--source", "Federal Security Service",
            "--party-to-event", "--relayed-by", "TASS", "--relayed-by", "RIA"]


def test_score_prints_score_band_grade_and_factors(live, capsys):
    assert main(["score", CLAIM, *FSB_ARGS, "--corroborations", "1", "--url", live.url]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Score   0\.\d\d \((low|mixed|high)\)", out, re.M), out
    grade = re.search(r"^Grade   ([A-F])([1-6]): source \1 = [a-z ]+; information \2 = ", out,
                      re.M)
    assert grade, out
    factors = re.findall(r"^  ([+-]\d+\.\d\d)  (.+) \((learned|policy)\)$", out, re.M)
    assert 1 <= len(factors) <= 5
    labels = [label for _, label, _ in factors]
    assert "Party to the events it describes" in labels
    assert any(label.startswith("Relayed by TASS (state media; outlet rating") for label in labels)
    assert "What would change it:" in out and "Federal Security Service" in out


def test_score_json_prints_the_answer(live, capsys):
    assert main(["score", CLAIM, "--source-type", "state_agency", "--json",
                 "--url", live.url]) == 0
    body = json.loads(capsys.readouterr().out)
    assert 0 < body["score"] < 1 and body["source"]["type"] == "state_agency"


def _stored_request(live, assessment_id: str) -> dict:
    with live.app.extensions["db"]["engine"].connect() as connection:
        return connection.execute(
            select(Assessment.input).where(Assessment.id == assessment_id)).scalar_one()


def test_score_says_what_the_page_and_the_api_can(live, capsys):
    assert main(["score", CLAIM, *FSB_ARGS, "--affiliation", "Russia", "--country", "RU",
                 "--channel", "statement", "--topic", "military", "--published-at", "2024-03-12",
                 "--evidence", "https://example.org/a", "--evidence", "https://example.org/b",
                 "--verified-evidence", "https://example.org/geolocated", "--json",
                 "--url", live.url]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["source"]["affiliation"] == "Russia" and body["source"]["country"] == "RU"
    sent = _stored_request(live, body["id"])
    assert sent["source"] == {"name": "Federal Security Service", "type": "state_agency",
                              "affiliation": "Russia", "country": "RU"}
    context = sent["context"]
    assert (context["channel"], context["topic"], context["published_at"]) == (
        "statement", "military", "2024-03-12")
    assert context["evidence"] == ["https://example.org/a", "https://example.org/b",
                                   {"url": "https://example.org/geolocated", "verified": True}]
    labels = [factor["label"] for factor in body["factors"]]
    assert "Venue: statement" in labels and "Topic: military" in labels


def test_verified_evidence_raises_the_score_as_the_api_says(live, capsys):
    assert main(["score", CLAIM, *FSB_ARGS, "--json", "--url", live.url]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["score", CLAIM, *FSB_ARGS, "--verified-evidence", "https://example.org/v",
                 "--json", "--url", live.url]) == 0
    verified = json.loads(capsys.readouterr().out)
    promised = {change["change"]: change["score"] for change in plain["what_would_change"]}
    assert verified["score"] == pytest.approx(
        promised["verified evidence (geolocated, dated) is attached"])


def test_verdict_records_the_outcome_and_prints_the_source_record(live, capsys,
                                                                   writer_headers):
    assessment = CredibilityClient(live.url).score(CLAIM, {"name": "Federal Security Service",
                                                           "type": "state_agency"})
    argv = ["verdict", assessment.id, "false", "--reviewer", "desk-3",
            "--evidence-url", "https://example.org/check/123", "--url", live.url]
    assert main(argv) == 1
    assert "401 Unauthorized" in capsys.readouterr().err
    assert main([*argv, "--api-key", writer_headers["X-API-Key"]]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Federal Security Service, state agency; 0 of 1 earlier claims held up; "
                     r"reliability 0\.\d\d \(90% 0\.\d\d-0\.\d\d\)", out, re.M), out
    assert re.search(r"^Source  [0-9a-f-]{36}$", out, re.M), out
    assert main([*argv, "--api-key", writer_headers["X-API-Key"], "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["track_record"]["total"] == 1 and record["track_record"]["counts"]["false"] == 1
    assert live.statuses("POST", f"/v1/assessments/{assessment.id}/verdict") == [401, 200, 200]


def test_a_verdict_on_an_unknown_assessment_exits_1(live, capsys, writer_headers):
    assert main(["verdict", "00000000-0000-0000-0000-000000000000", "true", "--reviewer", "r",
                 "--api-key", writer_headers["X-API-Key"], "--url", live.url]) == 1
    assert "404 Not Found" in capsys.readouterr().err

def test_score_file_writes_one_result_per_line_in_order(live, tmp_path, capsys):
    live.app.config["MAX_BATCH_ITEMS"] = 2
    lines = [json.dumps({"claim": f"The mayor said {n} bridges were built.",
                         "source": {"name": f"Mayor {n}", "type": "politician"}})
             for n in range(5)]
    lines[2] = json.dumps({"claim": "", "source": {"name": "Mayor 2"}})
    lines.insert(4, "{not json")
    lines.insert(1, "")  # a blank line is no request and gets no result
    claims, results = tmp_path / "claims.jsonl", tmp_path / "results.jsonl"
    claims.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["score-file", str(claims), "--out", str(results), "--url", live.url]) == 0
    written = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 6
    assert [row.get("source", {}).get("name") for row in written] == [
        "Mayor 0", "Mayor 1", None, "Mayor 3", None, "Mayor 4"]
    assert written[2]["error"]["status"] == 422 and "claim" in written[2]["error"]["errors"]
    assert written[4]["error"]["status"] == 400 and "line 6" in written[4]["error"]["detail"]
    assert "6 results, 2 of them errors" in capsys.readouterr().err
    assert live.statuses("POST", "/v1/assessments/batch") == [422, 200, 200, 200]


def test_a_key_from_the_environment(live, monkeypatch, capsys, writer_headers):
    live.app.config["SCORING_REQUIRES_KEY"] = True
    assert main(["score", CLAIM, "--source-type", "ngo", "--url", live.url]) == 1
    assert "401 Unauthorized" in capsys.readouterr().err
    monkeypatch.setenv("CREDIBILITY_API_KEY", writer_headers["X-API-Key"])
    assert main(["score", CLAIM, "--source-type", "ngo", "--url", live.url]) == 0
    assert writer_headers["X-API-Key"] not in capsys.readouterr().out


def test_a_refused_request_exits_1_with_the_problem(live, capsys):
    assert main(["score", " ", "--source-type", "warlord", "--url", live.url]) == 1
    err = capsys.readouterr().err
    assert "422 Unprocessable Entity" in err
    assert "claim: The claim is empty." in err and "source.type: Unknown source type" in err


def test_an_unreachable_service_exits_1(capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(["score", CLAIM, "--source-type", "ngo", "--url", f"http://127.0.0.1:{port}",
                 "--tries", "1"])
    assert code == 1 and "refused" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["score", CLAIM],                                         # no source
    ["score-file", "/nonexistent/claims.jsonl"],              # no file
])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2


@pytest.mark.parametrize("argv", [
    [],
    ["score"],
    ["score", CLAIM, "--source-type", "ngo", "--corroborations", "-1"],
    ["score", CLAIM, "--source-type", "ngo", "--tries", "0"],
    ["score", CLAIM, "--source-type", "ngo", "--published-at", "12 March"],
    ["verdict", "some-id", "false"],                          # no reviewer
    ["verdict", "some-id", "maybe", "--reviewer", "desk-3"],  # not a verdict
])
def test_argument_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2


def test_python_dash_m_client_runs():
    done = subprocess.run([sys.executable, "-m", "client", "score", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--source-type" in done.stdout
    done = subprocess.run([sys.executable, "-m", "client", "verdict", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--reviewer" in done.stdout


def test_score_for_a_desk_says_which(live, capsys):
    assert main(["score", CLAIM, "--source-type", "state_agency", "--desk", "desk-3",
                 "--url", live.url]) == 0
    assert "scored for desk desk-3" in capsys.readouterr().out
    assert main(["score", CLAIM, "--source-type", "state_agency", "--desk", "Desk 3",
                 "--url", live.url]) == 1
    assert "desk" in capsys.readouterr().err
