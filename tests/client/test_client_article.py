"""`python -m client article FILE` and CredibilityClient.article against the real service."""
import json
import re

from client import CredibilityClient
from client.cli import main

REPORT = ("Tass, quoting the Defence Ministry and the FSB, reported that the attackers were "
          "forced back across the border with losses.\n\n"
          "\"We dream of a Russia freed from dictatorship,\" said Pavel Voronin.\n\n"
          "Kyiv denied any involvement.")


def test_article_prints_a_row_per_claim(live, tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    assert main(["article", str(path), "--published-at", "2026-05-23", "--url", live.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.match(r"^#\s+speaker\s+kind\s+relayed by\s+grade\s+score\s+top factor\s+claim$",
                    lines[0])
    assert re.match(r"^1\s+Defence Ministry\s+state agency\s+Tass\s+[A-F][1-6]\s+0\.\d\d\s+.+"
                    r"\s+The attackers were forced back", lines[1]), lines[1]
    assert re.match(r"^2\s+Pavel Voronin\s+.*\s+-\s+opinion\s+-\s+We dream", lines[2]), lines[2]
    assert re.match(r"^3\s+Kyiv\s+.*Kyiv denied any involvement\.$", lines[3]), lines[3]
    assert re.match(r"^Article [0-9a-f-]{36}: 3 claims, 2 scored\.$", lines[-1])
    assert live.statuses("POST", "/v1/articles") == [201]


def test_article_reads_standard_input_and_prints_json(live, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(REPORT))
    assert main(["article", "-", "--json", "--url", live.url]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["language"] == "en" and len(body["claims"]) == 3


def test_a_report_in_another_language_says_so(live, tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text("Министерство обороны заявило, что атака отражена.", encoding="utf-8")
    assert main(["article", str(path), "--url", live.url]) == 0
    assert "not in English (language ru)" in capsys.readouterr().out


def test_an_empty_report_is_refused_with_the_services_problem(live, tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text("  ", encoding="utf-8")
    assert main(["article", str(path), "--url", live.url]) == 1
    assert "text" in capsys.readouterr().err


def test_a_missing_file_is_a_usage_error(live, tmp_path, capsys):
    assert main(["article", str(tmp_path / "nope.txt"), "--url", live.url]) == 2


def test_the_client_reads_a_stored_article_back(live):
    service = CredibilityClient(live.url)
    made = service.article(REPORT, title="Raid", desk="desk-3")
    again = service.stored_article(made.id)
    assert [c.source_name for c in again.claims] == ["Defence Ministry", "Pavel Voronin", "Kyiv"]
    assert again.claims[0].relayed_by == ["Tass"] and again.claims[0].speakers[1] == "FSB"
    assert again.claims[1].assessment is None and not again.claims[1].checkable
    assert again.claims[0].assessment.score == made.claims[0].assessment.score
