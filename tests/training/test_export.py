"""training.export: verdicts from the service's database as training JSONL.

`fill_database` (also used by test_retrain.py, loaded by path) builds a migrated SQLite
database holding assessments of the given requests with the given verdicts.
"""
from __future__ import annotations

import datetime
import json
import logging

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from model.levels import LEVELS
from service.db import upgrade
from service.tables import Assessment, Source, Verdict, new_id
from training import datasets, export

START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def assessment_of(request: dict, created_at, source_id=None) -> Assessment:
    """An audit-log row as the service writes it: the request as sent, the answer given."""
    return Assessment(id=new_id(), created_at=created_at, input=request,
                      output={"score": 0.5, "source": {**request["source"], "id": source_id}},
                      model_version="test-model", policy_version="test-policy",
                      source_id=source_id)


def fill_database(url: str, requests: list[dict], levels: list[int | None],
                  ids: list[str] | None = None) -> list[str]:
    """A migrated database with one assessment per request and a verdict where the level
    is not None (one day apart, oldest first); the assessments' ids, in order. The ids
    are fixed (they decide retraining's held-out slice), "assessment-00000" and so on."""
    upgrade(url)
    engine = create_engine(url)
    made = []
    with Session(engine) as session, session.begin():
        for i, (request, level) in enumerate(zip(requests, levels)):
            moment = START + datetime.timedelta(days=i)
            assessment = assessment_of(request, moment)
            assessment.id = ids[i] if ids is not None else f"assessment-{i:05d}"
            session.add(assessment)
            if level is not None:
                session.add(Verdict(assessment_id=assessment.id, verdict=LEVELS[level],
                                    reviewer="desk-1", created_at=moment, updated_at=moment))
            made.append(assessment.id)
    engine.dispose()
    return made


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'service.db'}"


def test_exports_exactly_the_assessments_with_a_verdict(any_database, tmp_path, make_claims):
    """On SQLite, and on PostgreSQL when TEST_DATABASE_URL names one (as in CI)."""
    url = any_database
    requests, levels = make_claims(30, seed=7)
    with_verdict = [level if i % 3 else None for i, level in enumerate(levels)]
    ids = fill_database(url, requests, with_verdict)
    out = tmp_path / "out" / "verdicts.jsonl"

    assert export.main(["--database-url", url, "--out", str(out)]) == 0

    lines = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    expected = [i for i, level in enumerate(with_verdict) if level is not None]
    assert [line["assessment_id"] for line in lines] == [ids[i] for i in expected]
    claims = datasets.load(f"jsonl:{out}")          # the loader reads it as it is
    assert len(claims) == len(expected) == 20
    assert claims.levels == [levels[i] for i in expected]
    for line, request, i in zip(lines, claims.requests, expected):
        assert request["claim"] == requests[i]["claim"]
        assert request["source"] == requests[i]["source"]
        assert request["context"] == requests[i]["context"]
        assert line["reviewer"] == "desk-1" and line["model_version"] == "test-model"
        assert line["desk"] == "default"      # the desk the claim was scored for
        assert line["verdict_at"] == (START + datetime.timedelta(days=i)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    assert not list(out.parent.glob(".*tmp*")), "the temporary file is renamed away"


def test_a_registered_source_is_described_from_the_registry(url, tmp_path):
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        source = Source(id=new_id(), name="Global Wire", type="wire_agency",
                        role="News agency", country="GB", aliases=[])
        session.add(source)
        by_id = assessment_of({"claim": "The census data rose.", "source": {"id": source.id},
                               "context": {"corroborations": 2}}, START, source.id)
        # what the request says of its source wins over the registry, as when it was scored
        own_words = assessment_of({"claim": "Budget report.", "source": {
            "id": source.id, "role": "Wire desk"}}, START, source.id)
        session.add_all([by_id, own_words])
        session.flush()
        for assessment, verdict in ((by_id, "true"), (own_words, "half-true")):
            session.add(Verdict(assessment_id=assessment.id, verdict=verdict, reviewer="r"))
    engine.dispose()
    out = tmp_path / "v.jsonl"

    assert export.export(url, out) == 2

    claims = datasets.load(f"jsonl:{out}")
    sources = {r["claim"]: r["source"] for r in claims.requests}
    assert sources["The census data rose."] == {"name": "Global Wire", "type": "wire_agency",
                                                "role": "News agency", "country": "GB"}
    assert sources["Budget report."]["role"] == "Wire desk"
    contexts = {r["claim"]: r["context"] for r in claims.requests}
    assert contexts == {"The census data rose.": {"corroborations": 2}, "Budget report.": {}}


def test_a_replaced_verdict_is_exported_once_with_the_new_ruling(url, tmp_path, make_claims):
    requests, levels = make_claims(2, seed=3)
    ids = fill_database(url, requests, [0, 0])
    engine = create_engine(url)
    later = START + datetime.timedelta(days=30)
    with Session(engine) as session, session.begin():
        verdict = session.query(Verdict).filter_by(assessment_id=ids[1]).one()
        verdict.verdict, verdict.updated_at = "true", later
    engine.dispose()
    out = tmp_path / "v.jsonl"
    export.export(url, out)
    lines = [json.loads(text) for text in out.read_text().splitlines()]
    assert [(line["assessment_id"], line["verdict"]) for line in lines] == [
        (ids[0], "pants-fire"), (ids[1], "true")]
    assert lines[1]["verdict_at"] == "2026-01-31T00:00:00Z"


def test_a_line_the_loader_would_refuse_is_skipped(url, tmp_path, make_claims, caplog):
    requests, _ = make_claims(3, seed=4)
    ids = fill_database(url, requests, [1, 2, 3])
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        session.get(Assessment, ids[1]).input = {"claim": "", "source": {"name": "X"}}
    engine.dispose()
    out = tmp_path / "v.jsonl"
    with caplog.at_level(logging.WARNING, logger="training.export"):
        assert export.export(url, out) == 2
    assert ids[1] in caplog.text and "non-empty 'claim'" in caplog.text
    assert len(datasets.load(f"jsonl:{out}")) == 2


@pytest.mark.parametrize("make_url, says", [
    (lambda tmp: f"sqlite:///{tmp / 'missing.db'}", "no SQLite database at"),
    (lambda tmp: "not a database url", "cannot use database URL"),
    (lambda tmp: "nosuchdialect://host/db", "cannot use database URL"),
    (lambda tmp: "postgresql://user:secret@127.0.0.1:1/none", "cannot read"),
])
def test_a_database_that_cannot_be_read_exits_2(tmp_path, caplog, make_url, says):
    url = make_url(tmp_path)
    out = tmp_path / "v.jsonl"
    out.write_text("earlier export\n")
    with caplog.at_level(logging.ERROR, logger="training.export"):
        assert export.main(["--database-url", url, "--out", str(out)]) == 2
    assert says in caplog.text and "secret" not in caplog.text
    assert out.read_text() == "earlier export\n", "a failed export leaves the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.jsonl"]   # nothing created


def test_a_database_without_the_tables_exits_2(tmp_path, caplog):
    empty = tmp_path / "empty.db"
    engine = create_engine(f"sqlite:///{empty}")
    engine.connect().close()
    engine.dispose()
    with caplog.at_level(logging.ERROR, logger="training.export"):
        assert export.main(["--database-url", f"sqlite:///{empty}",
                            "--out", str(tmp_path / "v.jsonl")]) == 2
    assert "no such table" in caplog.text
    assert not (tmp_path / "v.jsonl").exists()


def test_each_line_names_the_desk_of_its_claim(url, tmp_path, make_claims):
    requests, levels = make_claims(6, seed=3)
    ids = fill_database(url, requests, levels)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        for number, assessment_id in enumerate(ids):
            session.get(Assessment, assessment_id).desk = f"desk-{number % 2}"
    engine.dispose()
    out = tmp_path / "verdicts.jsonl"
    assert export.main(["--database-url", url, "--out", str(out)]) == 0
    lines = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert [line["desk"] for line in lines] == [f"desk-{n % 2}" for n in range(6)]
