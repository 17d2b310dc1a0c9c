"""The sender: a daemon thread in each process that POSTs due deliveries.

A delivery is taken with a lease: one statement moves its `due_at` to the end of the
lease and stamps it with this take's token, and only rows still due are taken
(PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: writers are serialised), so two processes or
two replicas never send one delivery at once. The outcome is written only while the
token still holds. A process killed mid-send leaves the row to come due again when the
lease ends: at least once, with the event's id for receivers to drop repeats. A failed
attempt is retried after WEBHOOKS_RETRY_BASE_SECONDS * 2^(tries-1) (at most 128 times
that), less up to half at random so that receivers that were down are not hit all at
once; after WEBHOOKS_GIVE_UP_SECONDS the delivery is marked failed.
"""
from __future__ import annotations

import datetime
import logging
import os
import random
import secrets
import threading
import time

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..jsonio import dumps
from ..tables import (Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent, new_id,
                      utcnow)
from . import addresses, events, sending, signing

log = logging.getLogger(__name__)
MAX_BACKOFF_STEPS = 7          # the delay stops doubling at 2^7 = 128 times the base
USER_AGENT = "credibility-webhooks/1"


def aware(moment: datetime.datetime) -> datetime.datetime:
    # SQLite gives back naive times; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def backoff(tries: int, base: float, rng=random.random) -> float:
    """Seconds before the next attempt after `tries` attempts: doubling, with jitter."""
    delay = base * 2 ** min(max(tries - 1, 0), MAX_BACKOFF_STEPS)
    return delay * (0.5 + 0.5 * rng())


def body_of(event_id: str, event_type: str, created_at, data) -> bytes:
    return dumps({"id": event_id, "type": event_type,
                  "created_at": aware(created_at).isoformat().replace("+00:00", "Z"),
                  "data": data}).encode()


class Dispatcher:
    """Delivers due rows of the outbox from a thread of this process."""

    def __init__(self, app):
        config = app.config
        self.app = app
        self.key = config["WEBHOOKS_SECRET_KEY"]
        self.allow_http = config["WEBHOOKS_ALLOW_HTTP"]
        self.allow_private = config["WEBHOOKS_ALLOW_PRIVATE"]
        self.poll = max(float(config["WEBHOOKS_POLL_SECONDS"]), 0.01)
        self.timeout = float(config["WEBHOOKS_TIMEOUT_SECONDS"])
        self.lease = float(config["WEBHOOKS_LEASE_SECONDS"])
        self.retry_base = float(config["WEBHOOKS_RETRY_BASE_SECONDS"])
        self.give_up = float(config["WEBHOOKS_GIVE_UP_SECONDS"])
        # As many as can all time out within one lease, with room to spare.
        self.batch = int(max(1, min(20, self.lease // (2 * self.timeout))))
        self.announced: str | None = None     # the model version model.promoted was sent for
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _sessions(self):
        return self.app.extensions["db"]["write"], self.app.extensions["db"]["read"]

    # -- the thread -------------------------------------------------------------

    def start(self) -> None:
        """Start this process's sender unless it runs (a forked child starts its own)."""
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid, self._stop = os.getpid(), threading.Event()
                self._thread = threading.Thread(target=self._run, name="webhook-sender",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look for due deliveries now (an event was just written in this process)."""
        self._wake.set()

    def _run(self) -> None:
        stop, failing = self._stop, None
        while not stop.is_set():
            try:
                busy, failing = self.run_once(), None
            except Exception as error:  # the database away for a while: try next round
                text = f"{type(error).__name__}: {error}"
                if text != failing:     # once per kind of failure, not once a poll
                    log.exception("webhook sender round failed")
                busy, failing = False, text
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()

    def run_once(self) -> bool:
        """One round: announce a newly served model, send one batch of due deliveries.
        True when a full batch was taken (more may be due)."""
        self.announce_model()
        return self.deliver_due() >= self.batch

    # -- model.promoted ------------------------------------------------------------

    def announce_model(self) -> None:
        slot = self.app.extensions.get("model")
        scorer = getattr(slot, "_scorer", None)
        if scorer is None or scorer.version == self.announced:
            return
        write, _ = self._sessions()
        try:
            with write() as writer, writer.begin():
                events.model_promoted(writer, scorer)
        except IntegrityError:
            pass        # another process (or an earlier run) announced this version
        self.announced = scorer.version

    # -- deliveries -----------------------------------------------------------------

    def _due(self, now):
        # A paused subscription's deliveries wait for it to be resumed.
        return and_(WebhookDelivery.status == "pending", WebhookDelivery.due_at <= now,
                    WebhookDelivery.webhook_id.in_(select(Webhook.id)
                                                   .where(Webhook.active.is_(True))))

    def deliver_due(self) -> int:
        """Take up to a batch of due deliveries under a lease and send them; how many."""
        token, taken = self.take()
        for row in taken:
            self._send(row, token)
        return len(taken)

    def take(self) -> tuple[str, list]:
        """Lease up to a batch of due deliveries: the lease's token and the rows to send."""
        write, read = self._sessions()
        now = utcnow()
        with read() as reader:     # a read first: SQLite takes its write lock only if needed
            if reader.execute(select(WebhookDelivery.id).where(self._due(now)).limit(1)
                              ).first() is None:
                return "", []
        token = secrets.token_hex(16)
        chosen = (select(WebhookDelivery.id).where(self._due(now))
                  .order_by(WebhookDelivery.due_at).limit(self.batch)
                  .with_for_update(skip_locked=True))
        with write() as writer, writer.begin():
            # The outer condition again: PostgreSQL re-checks it on a row another took.
            writer.execute(update(WebhookDelivery)
                           .where(WebhookDelivery.id.in_(chosen.scalar_subquery()),
                                  self._due(now))
                           .values(lease=token, tries=WebhookDelivery.tries + 1,
                                   due_at=now + datetime.timedelta(seconds=self.lease))
                           .execution_options(synchronize_session=False))
            taken = writer.execute(
                select(WebhookDelivery.id, WebhookDelivery.tries, WebhookDelivery.created_at,
                       WebhookDelivery.give_up_at, Webhook.id, Webhook.url,
                       Webhook.secret_salt, Webhook.key_id, WebhookEvent.id,
                       WebhookEvent.type, WebhookEvent.created_at, WebhookEvent.data)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.lease == token)).all()
        return token, taken

    def _send(self, row, token: str) -> None:
        (delivery_id, tries, created_at, give_up_at, webhook_id, url, salt, key_id,
         event_id, event_type, event_at, data) = row
        body = body_of(event_id, event_type, event_at, data)
        started = time.monotonic()
        code, error = None, None
        try:
            secret = signing.secret(self.key, webhook_id, salt, key_id)
            target = addresses.check(url, self.allow_http, self.allow_private)
            headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                       signing.EVENT_HEADER: event_type,
                       signing.DELIVERY_HEADER: delivery_id,
                       signing.SIGNATURE_HEADER: signing.signature(secret, body)}
            code, answer = sending.post(target, body, headers, self.timeout)
            if not 200 <= code < 300:
                error = f"answered {code}: {answer[:200]}" if answer else f"answered {code}"
        except (signing.NoKey, signing.KeyChanged, addresses.Refused) as refusal:
            error = str(refusal)
        except Exception as failure:  # no answer: refused, reset, timed out, bad TLS, ...
            error = f"{type(failure).__name__}: {failure}"[:500]
        took = int((time.monotonic() - started) * 1000)
        self._settle(delivery_id, token, tries, created_at, give_up_at, code, error, took)

    def _settle(self, delivery_id, token, tries, created_at, give_up_at, code, error,
                took) -> None:
        write, _ = self._sessions()
        now = utcnow()
        mine = and_(WebhookDelivery.id == delivery_id, WebhookDelivery.lease == token)
        if error is None:
            values = {"status": "delivered", "delivered_at": now}
        else:
            retry_at = now + datetime.timedelta(seconds=backoff(tries, self.retry_base))
            until = (aware(give_up_at) if give_up_at is not None else
                     aware(created_at) + datetime.timedelta(seconds=self.give_up))
            values = ({"status": "failed"} if retry_at > until else {"due_at": retry_at})
            log.warning("webhook delivery %s, try %d: %s%s", delivery_id, tries, error,
                        "; gave up" if retry_at > until else "")
        with write() as writer, writer.begin():
            settled = writer.execute(update(WebhookDelivery).where(mine)
                                     .values(lease=None, last_status_code=code, **values)
                                     .execution_options(synchronize_session=False))
            # Not ours any more: another took it when the lease ran out, or it was deleted.
            if settled.rowcount == 0 and writer.get(WebhookDelivery, delivery_id) is None:
                return
            writer.execute(insert(WebhookAttempt), [
                {"id": new_id(), "delivery_id": delivery_id, "at": now, "status_code": code,
                 "error": None if error is None else error[:500], "duration_ms": took}])
