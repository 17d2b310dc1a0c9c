"""Desks: which desk a claim is scored for, its calibration from its own verdicts (at once,
in every worker within DESK_CACHE_SECONDS), who may judge it, and GET /v1/desks."""
import concurrent.futures
import math
import time

import pytest
from sqlalchemy import event, select

from model.desks import fit_calibration, prequential_ece
from model.levels import HELD_UP_FROM, LEVEL_INDEX, LEVELS
from service import create_app, db
from service.db import upgrade
from service.tables import Assessment, Desk, Verdict, new_id

from ..conftest import ADMIN_KEY, WRITER_KEY

DESK3_KEY = "desk-3-test-key"
DESK4_KEY = "desk-4-test-key"
CLAIM = {"claim": "Officials say 120 soldiers and 6 tanks were lost near the river.",
         "source": {"type": "state_agency", "affiliation": "Ruritania"},   # no record
         "context": {"party_to_event": True, "relayed_by": ["TASS"]}}
MALFORMED = ["Desk-3", "-desk", "desk 3", "desk-3\n", "d" * 65, "", "désk", 3, None]


@pytest.fixture
def settings(settings):
    return {**settings, "API_KEYS": f"{WRITER_KEY},{DESK3_KEY}@desk-3,{DESK4_KEY}@desk-4"}


def key(value):
    return {"X-API-Key": value}


def assess(client, headers=None, **extra):
    response = client.post("/v1/assessments", json={**CLAIM, **extra}, headers=headers or {})
    assert response.status_code == 201, response.json
    return response.json


def verdict(client, headers, assessment_id, level):
    return client.post(f"/v1/assessments/{assessment_id}/verdict", headers=headers,
                       json={"verdict": level, "reviewer": "a reviewer"})


def logit(p):
    return math.log(p / (1 - p))


def held(level):
    return LEVEL_INDEX[level] >= HELD_UP_FROM


def test_the_desk_is_the_bodys_then_the_keys_then_the_default(scoring_app, runner):
    client = scoring_app.test_client()
    assert assess(client)["desk"] == "default"
    assert assess(client, key(WRITER_KEY))["desk"] == "default"     # a key of no desk
    assert assess(client, key(DESK3_KEY))["desk"] == "desk-3"
    assert assess(client, key(DESK3_KEY), desk="desk-9")["desk"] == "desk-9"
    made = runner.invoke(args=["keys", "create", "fifth", "--desk", "desk-5"])
    assert made.exit_code == 0, made.output
    assert assess(client, key(made.output.strip()))["desk"] == "desk-5"
    batch = client.post("/v1/assessments/batch", headers=key(DESK3_KEY),
                        json={"items": [{**CLAIM, "desk": "desk-7"}, CLAIM]}).json["items"]
    assert [item["assessment"]["desk"] for item in batch] == ["desk-7", "desk-3"]
    stored = client.get(f"/v1/assessments/{batch[0]['assessment']['id']}").json
    assert stored["desk"] == "desk-7"


def test_default_desk_is_a_setting(settings, scorer):
    upgrade(settings["DATABASE_URL"])
    app = create_app({**settings, "DEFAULT_DESK": "house"})
    try:
        slot = app.extensions["model"]
        slot.scorer, slot.error = scorer, None
        assert assess(app.test_client())["desk"] == "house"
    finally:
        app.extensions["db"]["engine"].dispose()
    with pytest.raises(ValueError, match="DEFAULT_DESK"):
        create_app({**settings, "DEFAULT_DESK": "House Desk"})


@pytest.mark.parametrize("desk", MALFORMED)
def test_a_malformed_desk_is_a_422_on_desk(scoring_app, desk):
    client = scoring_app.test_client()
    response = client.post("/v1/assessments", json={**CLAIM, "desk": desk})
    assert response.status_code == 422 and set(response.json["errors"]) == {"desk"}
    batch = client.post("/v1/assessments/batch",
                        json={"items": [CLAIM, {**CLAIM, "desk": desk}]}).json["items"]
    assert [item["status"] for item in batch] == [201, 422]
    assert set(batch[1]["error"]["errors"]) == {"desk"}


def test_verdicts_calibrate_their_desk_at_once_and_no_other(scoring_app):
    client = scoring_app.test_client()
    before = {desk: assess(client, desk=desk) for desk in ("desk-3", "desk-4", "default")}
    assert before["desk-3"]["score"] == before["desk-4"]["score"] == before["default"]["score"]
    assert all(f["basis"] != "desk" for f in before["desk-3"]["factors"])
    # desk-3's claims like this one never hold up.
    for _ in range(40):
        assessed = assess(client, key(DESK3_KEY))
        assert verdict(client, key(DESK3_KEY), assessed["id"], "false").status_code == 200
    after = assess(client, desk="desk-3")
    assert after["score"] < before["desk-3"]["score"] - 0.05
    desk_factors = [f for f in after["factors"] if f["basis"] == "desk"]
    assert len(desk_factors) == 1
    assert desk_factors[0]["label"] == "Calibrated to desk-3's 40 verdicts"
    assert desk_factors[0]["weight"] < 0
    # The explanation stays exact, and the levels agree with the calibrated score.
    total = after["intercept"] + sum(f["weight"] for f in after["factors"])
    assert total == pytest.approx(logit(after["score"]), abs=1e-9)
    levels = after["distribution"]
    assert sum(levels[level] for level in LEVELS[HELD_UP_FROM:]) == pytest.approx(
        after["score"], abs=1e-12)
    assert sum(levels.values()) == pytest.approx(1.0, abs=1e-12)
    # The desk's shift is the difference between the two answers' log-odds.
    assert logit(after["score"]) - logit(before["desk-3"]["score"]) == pytest.approx(
        desk_factors[0]["weight"], abs=1e-9)
    # Other desks are scored as before.
    for desk in ("desk-4", "default"):
        again = assess(client, desk=desk)
        assert again["score"] == before[desk]["score"]
        assert again["factors"] == before[desk]["factors"]


def test_only_the_desks_key_or_an_admin_key_records_its_verdict(scoring_app):
    client = scoring_app.test_client()
    assessed = assess(client, desk="desk-3")
    for other in (DESK4_KEY, WRITER_KEY):
        refused = verdict(client, key(other), assessed["id"], "false")
        assert refused.status_code == 403
        assert refused.content_type == "application/problem+json"
        assert "'desk-3'" in refused.json["detail"]
    assert client.get("/v1/desks/desk-3").json["verdicts"] == 0     # nothing was counted
    assert verdict(client, key(DESK3_KEY), assessed["id"], "false").status_code == 200
    assert verdict(client, key(ADMIN_KEY), assessed["id"], "true").status_code == 200
    # The writer key belongs to DEFAULT_DESK: it judges the default desk's claims.
    default = assess(client)
    assert verdict(client, key(WRITER_KEY), default["id"], "true").status_code == 200
    assert verdict(client, key(DESK3_KEY), default["id"], "true").status_code == 403


def test_a_replaced_verdict_counts_once_as_it_now_stands(scoring_app):
    client = scoring_app.test_client()
    assessed = assess(client, desk="desk-3")
    assert verdict(client, key(DESK3_KEY), assessed["id"], "false").status_code == 200
    assert verdict(client, key(DESK3_KEY), assessed["id"], "true").status_code == 200
    figures = client.get("/v1/desks/desk-3").json
    expected = fit_calibration([logit(assessed["score"])], [True])
    assert figures["verdicts"] == 1
    assert figures["calibration"]["shift"] == pytest.approx(expected.shift, abs=1e-9)
    assert figures["calibration"]["slope"] == pytest.approx(expected.slope, abs=1e-9)


def test_desk_figures(scoring_app):
    client = scoring_app.test_client()
    given, levels = [], []
    for number in range(12):
        claim = {**CLAIM, "claim": f"{CLAIM['claim']} Report {number}.", "desk": "desk-3"}
        assessed = client.post("/v1/assessments", json=claim).json
        level = LEVELS[number % len(LEVELS)]
        assert verdict(client, key(DESK3_KEY), assessed["id"], level).status_code == 200
        given.append(assessed["score"])
        levels.append(level)
    with scoring_app.app_context():
        logits = [row.model_logit for row in db.session().execute(
            select(Assessment).where(Assessment.desk == "desk-3")).scalars()]
    figures = client.get("/v1/desks/desk-3").json
    expected = fit_calibration(logits, [held(level) for level in levels])
    assert figures["desk"] == "desk-3" and figures["verdicts"] == 12
    assert figures["calibration"]["shift"] == pytest.approx(expected.shift, abs=1e-9)
    assert figures["calibration"]["slope"] == pytest.approx(expected.slope, abs=1e-9)
    # Prequential: each verdict judged against the score the desk was given before it.
    assert figures["ece"] == pytest.approx(
        prequential_ece(given, [held(level) for level in levels]), abs=1e-12)
    assert figures["updated_at"].endswith("Z")
    listed = client.get("/v1/desks").json["items"]
    assert [item["desk"] for item in listed] == ["desk-3"] and listed[0] == figures


def test_an_unknown_desk_is_a_desk_without_verdicts_and_a_malformed_one_a_422(client):
    assert client.get("/v1/desks/brand-new").json == {
        "desk": "brand-new", "verdicts": 0, "calibration": {"shift": 0.0, "slope": 1.0},
        "ece": None, "updated_at": None}
    assert client.get("/v1/desks").json == {"items": []}
    refused = client.get("/v1/desks/Not-A-Desk")
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"desk"}


def _store(app, desk, count):
    """Assessments of ``desk`` as the scoring endpoint stores them, with log-odds spread."""
    ids = []
    with app.app_context(), db.transaction() as writer:
        for number in range(count):
            model_logit = (number % 9 - 4) / 2.0
            assessment = Assessment(
                id=new_id(), input={"claim": "c", "source": {"type": "other"}},
                output={"source": {"name": None}}, model_version="stored-by-test",
                policy_version="p", desk=desk, model_logit=model_logit,
                score=1 / (1 + math.exp(-model_logit)))
            writer.add(assessment)
            ids.append(assessment.id)
    return ids


def test_concurrent_verdicts_on_one_desk_lose_nothing(settings, any_database):
    """Two apps (two workers' engines) on one database, eight threads: every verdict is in
    the desk's count and its calibration is the refit from all of them."""
    upgrade(any_database)
    apps = [create_app({**settings, "DATABASE_URL": any_database}) for _ in range(2)]
    try:
        ids = _store(apps[0], "desk-3", 48)
        levels = [LEVELS[(number * 5) % len(LEVELS)] for number in range(len(ids))]

        def post(job):
            number, (assessment_id, level) = job
            with apps[number % 2].test_client() as client:
                return verdict(client, key(DESK3_KEY), assessment_id, level).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            assert set(pool.map(post, enumerate(zip(ids, levels)))) == {200}
        with apps[1].app_context():
            session = db.session()
            row = session.get(Desk, "desk-3")
            pairs = session.execute(select(Assessment.model_logit, Verdict.verdict)
                                    .join(Verdict, Verdict.assessment_id == Assessment.id)).all()
        assert len(pairs) == row.verdicts == 48
        expected = fit_calibration([z for z, _ in pairs], [held(level) for _, level in pairs])
        assert row.shift == pytest.approx(expected.shift, abs=1e-9)
        assert row.slope == pytest.approx(expected.slope, abs=1e-9)
    finally:
        for app in apps:
            app.extensions["db"]["engine"].dispose()


def test_another_worker_uses_a_verdicts_calibration_within_the_cache_time(settings, scorer):
    """Worker B holds desk-3's calibration for DESK_CACHE_SECONDS without asking the
    database; a verdict recorded by worker A reaches B's scores when that time is up."""
    upgrade(settings["DATABASE_URL"])
    seconds = 2.0
    apps = [create_app({**settings, "DESK_CACHE_SECONDS": seconds}) for _ in range(2)]
    for app in apps:
        slot = app.extensions["model"]
        slot.scorer, slot.error = scorer, None
    worker_a, worker_b = (app.test_client() for app in apps)
    read = []

    def count_desk_reads(_conn, _cursor, statement, *_):
        if "FROM desks" in statement:
            read.append(statement)

    try:
        event.listen(apps[1].extensions["db"]["engine"], "before_cursor_execute",
                     count_desk_reads)
        first = assess(worker_b, desk="desk-3")
        held_from = time.monotonic()
        assert len(read) == 1
        for _ in range(20):
            assessed = assess(worker_a, desk="desk-3")
            assert verdict(worker_a, key(DESK3_KEY), assessed["id"], "false").status_code == 200
        assert assess(worker_a, desk="desk-3")["score"] < first["score"]   # A's own: at once
        held_copy = assess(worker_b, desk="desk-3")
        if time.monotonic() - held_from < seconds * 0.9:   # still within B's cache time
            assert held_copy["score"] == first["score"] and len(read) == 1
        time.sleep(max(0.0, held_from + seconds + 0.1 - time.monotonic()))
        assert assess(worker_b, desk="desk-3")["score"] < first["score"]
        assert len(read) == 2
    finally:
        for app in apps:
            app.extensions["db"]["engine"].dispose()


def test_the_document_describes_desks(client):
    spec = client.get("/openapi.json").json
    schemas = spec["components"]["schemas"]
    for name in ("AssessmentRequest", "Assessment"):
        assert schemas[name]["properties"]["desk"]["pattern"] == "^[a-z0-9][a-z0-9._-]{0,63}$"
    assert "desk" in schemas["Factor"]["properties"]["basis"]["description"]
    assert set(spec["paths"]) >= {"/v1/desks", "/v1/desks/{desk}"}
    one = spec["paths"]["/v1/desks/{desk}"]["get"]
    assert {"200", "422"} <= set(one["responses"])
