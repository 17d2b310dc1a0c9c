"""Webhooks in one process: subscriptions, the outbox written with each verdict, signed
deliveries to a real receiver on loopback, retries, leases, refusals."""
from __future__ import annotations

import datetime
import threading
import time

import pytest
from sqlalchemy import func, select, update

from client import verify_signature
from service.tables import (Verdict, WebhookAttempt, WebhookDelivery,
                            WebhookEvent)
from service.webhooks import events
from service.webhooks.addresses import Refused, check, why_refused

from .receivers import receiving

KEY = "k" * 40
CLAIM = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
         "source": {"name": "Test Ministry of Defence", "type": "state_agency"}}


@pytest.fixture
def settings(settings, any_database):
    return {**settings, "DATABASE_URL": any_database, "WEBHOOKS_SECRET_KEY": KEY,
            "WEBHOOKS_ALLOW_HTTP": True, "WEBHOOKS_ALLOW_PRIVATE": True,
            "WEBHOOKS_POLL_SECONDS": 0.02, "WEBHOOKS_RETRY_BASE_SECONDS": 0.05,
            "WEBHOOKS_TIMEOUT_SECONDS": 2.0}


@pytest.fixture
def sender(scoring_app):
    dispatcher = scoring_app.extensions["webhooks"]
    yield dispatcher
    dispatcher.stop()


@pytest.fixture
def receiver():
    with receiving() as receiver:
        yield receiver


def subscribe(client, admin_headers, receiver, events_=("verdict.recorded",), **extra):
    answer = client.post("/v1/webhooks", headers=admin_headers,
                         json={"url": receiver.url, "events": list(events_), **extra})
    assert answer.status_code == 201, answer.json
    receiver.secret = answer.json["secret"]
    return answer.json


def assess(client, claim=CLAIM) -> str:
    answer = client.post("/v1/assessments", json=claim)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def judge(client, headers, assessment_id, verdict="false"):
    answer = client.post(f"/v1/assessments/{assessment_id}/verdict", headers=headers,
                         json={"verdict": verdict, "reviewer": "desk-7"})
    assert answer.status_code == 200, answer.json
    return answer.json


def rows(app, model):
    with app.extensions["db"]["read"]() as session:
        return session.execute(select(model)).scalars().all()


def test_a_subscription_shows_its_secret_once_and_needs_an_admin_key(
        client, admin_headers, writer_headers, receiver):
    assert client.post("/v1/webhooks", json={"url": receiver.url, "events": ["model.promoted"]},
                       headers=writer_headers).status_code == 403
    made = subscribe(client, admin_headers, receiver, ["model.promoted", "verdict.recorded"],
                     desk="politics")
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    assert made["events"] == ["model.promoted", "verdict.recorded"] and made["desk"] == "politics"
    shown = client.get(f"/v1/webhooks/{made['id']}", headers=admin_headers).json
    assert "secret" not in shown and shown["url"] == receiver.url
    listed = client.get("/v1/webhooks", headers=admin_headers).json["items"]
    assert [item["id"] for item in listed] == [made["id"]] and "secret" not in listed[0]
    assert client.get("/v1/webhooks", headers=writer_headers).status_code == 403

    paused = client.patch(f"/v1/webhooks/{made['id']}", headers=admin_headers,
                          json={"active": False, "events": ["source.grade_changed"],
                                "desk": None})
    assert paused.status_code == 200, paused.json
    assert (paused.json["active"], paused.json["events"], paused.json["desk"]) == (
        False, ["source.grade_changed"], None)
    assert client.delete(f"/v1/webhooks/{made['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"/v1/webhooks/{made['id']}", headers=admin_headers).status_code == 404
    assert client.delete(f"/v1/webhooks/{made['id']}", headers=admin_headers).status_code == 404


def test_the_secret_is_not_stored(app, client, admin_headers, receiver):
    """A copy of the database cannot sign: no column holds the secret or a hash of it."""
    made = subscribe(client, admin_headers, receiver)
    with app.extensions["db"]["engine"].connect() as connection:
        row = connection.exec_driver_sql("SELECT * FROM webhooks").one()
    assert made["secret"] not in " ".join(map(str, row))
    assert made["secret"].removeprefix("whsec_") not in " ".join(map(str, row))


@pytest.mark.parametrize("body, field", [
    ({"url": "https://x.example", "events": []}, "events"),
    ({"url": "https://x.example", "events": ["verdict.deleted"]}, "events.0"),
    ({"url": "https://x.example", "events": ["model.promoted"], "desk": "Politics!"}, "desk"),
    ({"events": ["model.promoted"]}, "url"),
])
def test_bad_subscriptions_are_refused_with_the_field(client, admin_headers, body, field):
    answer = client.post("/v1/webhooks", headers=admin_headers, json=body)
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json


def test_urls_must_be_https_and_public(app, client, admin_headers):
    app.config.update(WEBHOOKS_ALLOW_HTTP=False, WEBHOOKS_ALLOW_PRIVATE=False)
    for url, why in [("http://93.184.215.14/hook", "https"),
                     ("https://127.0.0.1/hook", "loopback"),
                     ("https://localhost:8443/hook", "loopback"),
                     ("https://10.1.2.3/hook", "private"),
                     ("https://[::1]/hook", "loopback"),
                     ("https://[::ffff:192.168.0.1]/hook", "private"),
                     ("https://169.254.169.254/latest/meta-data", "metadata"),
                     ("https://user:pw@93.184.215.14/hook", "password"),
                     ("ftp://93.184.215.14/hook", "https")]:
        answer = client.post("/v1/webhooks", headers=admin_headers,
                             json={"url": url, "events": ["model.promoted"]})
        assert answer.status_code == 422, (url, answer.json)
        assert why in answer.json["errors"]["url"][0], (url, answer.json)
    # Allowing private addresses still refuses the metadata service, which is public on Azure.
    assert "metadata" in why_refused("169.254.169.254", allow_private=True)
    assert "metadata" in why_refused("168.63.129.16", allow_private=True)
    assert why_refused("127.0.0.1", allow_private=True) is None
    assert why_refused("93.184.215.14", allow_private=False) is None
    with pytest.raises(Refused, match="multicast"):
        check("https://224.0.0.1/", allow_http=False, allow_private=True)


def test_without_a_secret_key_no_webhook_can_be_made(app, client, admin_headers, receiver):
    app.config["WEBHOOKS_SECRET_KEY"] = ""
    answer = client.post("/v1/webhooks", headers=admin_headers,
                         json={"url": receiver.url, "events": ["model.promoted"]})
    assert answer.status_code == 503 and "WEBHOOKS_SECRET_KEY" in answer.json["detail"]


def test_a_short_secret_key_stops_the_start(settings):
    from service import create_app

    with pytest.raises(ValueError, match="at least 32"):
        create_app({**settings, "WEBHOOKS_SECRET_KEY": "short"})


def test_a_verdict_is_delivered_once_signed_with_its_source(
        scoring_app, client, admin_headers, writer_headers, receiver, sender):
    made = subscribe(client, admin_headers, receiver)
    assessment_id = assess(client)
    record = judge(client, writer_headers, assessment_id)
    sender.start()
    assert receiver.wait_for(lambda r: len(r.events) == 1)
    time.sleep(0.3)       # a second copy would come now
    [got] = receiver.received
    assert got["valid"] and got["status"] == 200 and receiver.duplicates == 0
    assert got["headers"]["X-Credibility-Event"] == "verdict.recorded"
    assert got["headers"]["Content-Type"] == "application/json"
    event = got["event"]
    assert set(event) == {"id", "type", "created_at", "data"}
    assert event["type"] == "verdict.recorded" and event["created_at"].endswith("Z")
    assert event["data"]["verdict"]["assessment_id"] == assessment_id
    assert event["data"]["verdict"]["verdict"] == "false"
    assert event["data"]["desk"] == "default"
    assert event["data"]["source"] == record          # the source's updated record
    # The signature is over the raw body and the secret: a changed byte or secret fails.
    assert not verify_signature(made["secret"], got["headers"], got["body"] + b" ")
    assert not verify_signature(made["secret"] + "x", got["headers"], got["body"])

    deliveries = client.get(f"/v1/webhooks/{made['id']}/deliveries",
                            headers=admin_headers).json
    assert deliveries["total"] == 1
    [delivery] = deliveries["items"]
    assert delivery["id"] == got["headers"]["X-Credibility-Delivery"]
    assert (delivery["status"], delivery["event_id"], delivery["last_status_code"]) == (
        "delivered", event["id"], 200)
    assert [a["status_code"] for a in delivery["attempts"]] == [200]


def test_the_event_is_stored_with_the_verdict_or_not_at_all(
        scoring_app, client, admin_headers, writer_headers, receiver, monkeypatch):
    subscribe(client, admin_headers, receiver)
    assessment_id = assess(client)
    written = events.verdict_recorded

    def written_then_failing(*args, **kwargs):
        written(*args, **kwargs)
        raise RuntimeError("the process failed before the commit")

    monkeypatch.setattr(events, "verdict_recorded", written_then_failing)
    with pytest.raises(RuntimeError):
        client.post(f"/v1/assessments/{assessment_id}/verdict", headers=writer_headers,
                    json={"verdict": "false", "reviewer": "desk-7"})
    assert rows(scoring_app, Verdict) == [] and rows(scoring_app, WebhookEvent) == []
    monkeypatch.setattr(events, "verdict_recorded", written)
    judge(client, writer_headers, assessment_id)
    assert len(rows(scoring_app, Verdict)) == len(rows(scoring_app, WebhookEvent)) == 1


def test_nothing_is_written_without_a_subscription(scoring_app, client, writer_headers):
    judge(client, writer_headers, assess(client))
    assert rows(scoring_app, WebhookEvent) == [] and rows(scoring_app, WebhookDelivery) == []


def test_a_receiver_answering_500_gets_it_on_retry(
        scoring_app, client, admin_headers, writer_headers, sender):
    with receiving(answers=[500, 503]) as receiver:
        made = subscribe(client, admin_headers, receiver)
        judge(client, writer_headers, assess(client))
        sender.start()
        assert receiver.wait_for(lambda r: len(r.events) == 1)
    assert [got["status"] for got in receiver.received] == [500, 503, 200]
    assert len({got["event"]["id"] for got in receiver.received}) == 1
    assert all(got["valid"] for got in receiver.received)
    deadline = time.monotonic() + 10
    while True:   # the outcome is written just after the answer
        [delivery] = client.get(f"/v1/webhooks/{made['id']}/deliveries",
                                headers=admin_headers).json["items"]
        if delivery["status"] == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    assert "answered 500" in delivery["attempts"][0]["error"]


def test_backoff_doubles_with_jitter_and_stops_doubling():
    from service.webhooks.delivery import backoff

    assert [backoff(n, 30, rng=lambda: 1.0) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(1, 30, rng=lambda: 0.0) == 15
    assert backoff(40, 30, rng=lambda: 1.0) == 30 * 128
    # With WEBHOOKS_RETRY_BASE_SECONDS=30, the attempts at the longest delays span a day.
    elapsed, tries = 0.0, 0
    while elapsed < 86400:
        tries += 1
        elapsed += backoff(tries, 30, rng=lambda: 0.75)
    assert 20 <= tries <= 40


def test_a_delivery_that_keeps_failing_is_marked_failed_and_can_be_retried(
        scoring_app, client, admin_headers, writer_headers, sender):
    scoring_app.config["WEBHOOKS_GIVE_UP_SECONDS"] = 1.5
    sender.give_up = 1.5
    with receiving(answers=[500] * 1000) as receiver:
        made = subscribe(client, admin_headers, receiver)
        judge(client, writer_headers, assess(client))
        sender.start()
        path = f"/v1/webhooks/{made['id']}/deliveries"
        deadline = time.monotonic() + 20
        while client.get(path + "?status=failed", headers=admin_headers).json["total"] == 0:
            assert time.monotonic() < deadline, "never marked failed"
            time.sleep(0.05)
        [failed] = client.get(path, headers=admin_headers).json["items"]
        assert failed["status"] == "failed" and failed["next_attempt_at"] is None
        assert len(failed["attempts"]) >= 2
        assert {a["status_code"] for a in failed["attempts"]} == {500}
        tried = len(receiver.received)
        receiver.answers.clear()      # the receiver is fixed; an editor retries
        retried = client.post(f"{path}/{failed['id']}/retry", headers=admin_headers)
        assert retried.status_code == 202 and retried.json["status"] == "pending"
        assert receiver.wait_for(lambda r: len(r.received) > tried and
                                 r.received[-1]["status"] == 200)
    assert client.post(f"{path}/nope/retry", headers=admin_headers).status_code == 404


def test_a_paused_subscription_gets_no_new_events_and_holds_its_queue(
        scoring_app, client, admin_headers, writer_headers, receiver, sender):
    made = subscribe(client, admin_headers, receiver)
    judge(client, writer_headers, assess(client))              # queued, not yet sent
    client.patch(f"/v1/webhooks/{made['id']}", headers=admin_headers, json={"active": False})
    judge(client, writer_headers, assess(client))              # not queued: paused
    sender.start()
    time.sleep(0.5)
    assert receiver.received == []
    client.patch(f"/v1/webhooks/{made['id']}", headers=admin_headers, json={"active": True})
    assert receiver.wait_for(lambda r: len(r.events) == 1)
    time.sleep(0.3)
    assert len(receiver.received) == 1


def test_a_desk_filter_passes_only_that_desks_events(
        scoring_app, client, admin_headers, writer_headers, receiver, sender):
    subscribe(client, admin_headers, receiver, ["verdict.recorded", "model.promoted"],
              desk="politics")
    ours, theirs = assess(client, {**CLAIM, "desk": "politics"}), assess(client)
    judge(client, writer_headers, theirs)
    judge(client, admin_headers, ours)        # the writer's key is the default desk's
    sender.start()      # also announces the served model: model.promoted has no desk
    assert receiver.wait_for(lambda r: len(r.events) == 2)
    time.sleep(0.3)
    verdicts = receiver.of_type("verdict.recorded")
    assert [event["data"]["verdict"]["assessment_id"] for event in verdicts] == [ours]
    assert verdicts[0]["data"]["desk"] == "politics"
    assert len(receiver.of_type("model.promoted")) == 1


def test_a_grade_change_is_announced_with_old_and_new_grade(
        scoring_app, client, admin_headers, writer_headers, receiver, sender):
    subscribe(client, admin_headers, receiver, ["source.grade_changed"])
    source = client.post("/v1/sources", headers=writer_headers,
                         json={"name": "Grade Mover Agency", "type": "wire_agency"}).json
    grades = [source["reliability"]["grade"]]
    claim = {"claim": "The bridge was closed on Monday.", "source": {"id": source["id"]}}
    for _ in range(40):
        grades.append(judge(client, writer_headers, assess(client, claim),
                            "pants-fire")["reliability"]["grade"])
    moves = [(old, new) for old, new in zip(grades, grades[1:]) if old != new]
    assert moves, f"40 pants-fire verdicts left the grade at {grades[-1]}"
    sender.start()
    assert receiver.wait_for(lambda r: len(r.events) == len(moves))
    time.sleep(0.3)
    changed = receiver.of_type("source.grade_changed")
    assert [(e["data"]["old_grade"], e["data"]["new_grade"]) for e in changed] == moves
    assert {e["data"]["source_id"] for e in changed} == {source["id"]}
    assert all(got["valid"] for got in receiver.received)


def test_model_promoted_is_announced_once_per_version_by_many_processes(
        scoring_app, client, admin_headers, receiver, settings):
    from service import create_app

    subscribe(client, admin_headers, receiver, ["model.promoted"])
    others = [create_app(settings) for _ in range(3)]
    try:
        senders = [scoring_app.extensions["webhooks"]] + [
            other.extensions["webhooks"] for other in others]
        for other in others:
            slot = other.extensions["model"]
            slot.scorer = scoring_app.extensions["model"].scorer
        threads = [threading.Thread(target=one.announce_model) for one in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for one in senders:
            one.announce_model()
            one.deliver_due()
    finally:
        for other in others:
            other.extensions["db"]["engine"].dispose()
    assert len(rows(scoring_app, WebhookEvent)) == 1
    [event] = receiver.of_type("model.promoted")
    version = scoring_app.extensions["model"].scorer.version
    assert event["data"]["version"] == version
    assert event["data"]["metrics"] == scoring_app.extensions["model"].scorer.card["metrics"]
    assert len(receiver.received) == 1


def test_two_senders_never_send_one_delivery_at_the_same_time(
        scoring_app, client, admin_headers, writer_headers, receiver, settings):
    """Two processes' senders (two apps over one database) take batches at once: each
    delivery is taken by one of them, and sent once."""
    from service import create_app

    subscribe(client, admin_headers, receiver)
    for _ in range(40):
        judge(client, writer_headers, assess(client))
    other = create_app(settings)
    try:
        one, two = scoring_app.extensions["webhooks"], other.extensions["webhooks"]
        one.batch = two.batch = 3
        taken: list[list[str]] = [[], []]
        start = threading.Barrier(2)

        def take_all(sender, mine):
            start.wait()
            while True:
                token, batch = sender.take()
                if not batch:
                    return
                mine.extend(row[0] for row in batch)
                for row in batch:
                    sender._send(row, token)

        threads = [threading.Thread(target=take_all, args=(s, m))
                   for s, m in zip((one, two), taken)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.extensions["db"]["engine"].dispose()
    assert len(taken[0]) + len(taken[1]) == 40
    assert not set(taken[0]) & set(taken[1])
    assert len(receiver.events) == 40 and receiver.duplicates == 0


def test_a_sender_that_dies_holding_a_lease_leaves_it_to_another(
        scoring_app, client, admin_headers, writer_headers, receiver, settings):
    from service import create_app

    subscribe(client, admin_headers, receiver)
    judge(client, writer_headers, assess(client))
    dead = scoring_app.extensions["webhooks"]
    dead.lease = 2.0
    token, [row] = dead.take()           # taken, then the process "dies" before sending
    other = create_app(settings)
    try:
        alive = other.extensions["webhooks"]
        assert alive.take() == ("", [])  # leased: not due to anyone else
        time.sleep(2.1)
        assert alive.deliver_due() == 1
    finally:
        other.extensions["db"]["engine"].dispose()
    assert len(receiver.events) == 1
    [delivery] = rows(scoring_app, WebhookDelivery)
    assert (delivery.status, delivery.tries) == ("delivered", 2)
    dead._send(row, token)    # the first sender comes back late: it sends, but writes nothing
    [delivery] = rows(scoring_app, WebhookDelivery)
    assert (delivery.status, delivery.tries) == ("delivered", 2)
    assert receiver.duplicates == 1       # at least once: the receiver drops the repeat


def test_addresses_are_checked_again_at_delivery(
        scoring_app, client, admin_headers, writer_headers, receiver, sender):
    made = subscribe(client, admin_headers, receiver)
    judge(client, writer_headers, assess(client))
    sender.allow_private = False          # e.g. the setting was turned off since
    assert sender.deliver_due() == 1
    assert receiver.received == []
    [delivery] = client.get(f"/v1/webhooks/{made['id']}/deliveries",
                            headers=admin_headers).json["items"]
    assert delivery["status"] == "pending" and delivery["last_status_code"] is None
    assert "loopback" in delivery["attempts"][0]["error"]


def test_a_changed_secret_key_is_not_used_to_sign(
        scoring_app, client, admin_headers, writer_headers, receiver, sender):
    made = subscribe(client, admin_headers, receiver)
    judge(client, writer_headers, assess(client))
    sender.key = "another-key-" + "x" * 40
    assert sender.deliver_due() == 1 and receiver.received == []
    [delivery] = client.get(f"/v1/webhooks/{made['id']}/deliveries",
                            headers=admin_headers).json["items"]
    assert "another WEBHOOKS_SECRET_KEY" in delivery["attempts"][0]["error"]


def test_a_slow_receiver_is_cut_off_and_redirects_are_not_followed(
        scoring_app, client, admin_headers, writer_headers, sender):
    hold = threading.Event()
    with receiving(hold=hold) as slow:      # never answers the first POST
        made = subscribe(client, admin_headers, slow)
        judge(client, writer_headers, assess(client))
        sender.timeout = 0.5
        started = time.monotonic()
        sender.deliver_due()
        assert time.monotonic() - started < 3
        hold.set()
    with receiving(answers=[302]) as moved:
        client.patch(f"/v1/webhooks/{made['id']}", headers=admin_headers,
                     json={"url": moved.url})
        with scoring_app.extensions["db"]["write"]() as writer, writer.begin():
            writer.execute(update(WebhookDelivery).values(due_at=datetime.datetime.now(
                datetime.timezone.utc)))
        moved.secret = slow.secret
        sender.deliver_due()
        assert [got["status"] for got in moved.received] == [302]
    [delivery] = client.get(f"/v1/webhooks/{made['id']}/deliveries",
                            headers=admin_headers).json["items"]
    assert [a["status_code"] for a in delivery["attempts"]] == [None, 302]
    assert delivery["status"] == "pending"


def test_article_assessed_is_an_event_type_with_an_emitter(
        scoring_app, client, admin_headers, receiver):
    subscribe(client, admin_headers, receiver, ["article.assessed"])
    with scoring_app.extensions["db"]["write"]() as writer, writer.begin():
        event_id = events.article_assessed(writer, {"id": "a1", "claims": []})
    assert event_id is not None
    with scoring_app.extensions["db"]["read"]() as session:
        assert session.execute(select(func.count()).select_from(WebhookDelivery)).scalar() == 1
        assert session.get(WebhookEvent, event_id).type == "article.assessed"
    assert rows(scoring_app, WebhookAttempt) == []


def test_an_assessed_article_is_delivered_with_its_claims(
        scoring_app, client, admin_headers, receiver, sender):
    subscribe(client, admin_headers, receiver, ["article.assessed"], desk="desk-9")
    text = ("The Defence Ministry said its forces destroyed three enemy tanks near the "
            "border on Tuesday. Kyiv denied any involvement in the attack.")
    other_desk = client.post("/v1/articles", json={"text": text})
    assert other_desk.status_code == 201
    posted = client.post("/v1/articles", json={"text": text, "desk": "desk-9"})
    assert posted.status_code == 201, posted.json
    sender.start()
    assert receiver.wait_for(lambda r: len(r.events) == 1)
    time.sleep(0.3)       # the default desk's article is not this webhook's: no second event
    [got] = receiver.received
    assert got["valid"] and got["headers"]["X-Credibility-Event"] == "article.assessed"
    data = got["event"]["data"]
    assert data["desk"] == "desk-9" and data["article"]["id"] == posted.json["id"]
    claims = posted.json["claims"]
    assert [c["assessment_id"] for c in data["article"]["claims"]] == [
        c["assessment"]["id"] if c["assessment"] else None for c in claims]
    assert [c["speaker"] for c in data["article"]["claims"]] == [c["source"]["name"]
                                                                 for c in claims]
