"""Desks: which desk a claim is scored for, and each desk's calibration.

A desk's calibration lives in the database (table ``desks``) so that every worker and
replica scores with the same one: each verdict refits it from all the desk's verdicts,
in the verdict's own transaction, with the desk's row locked. Each process keeps a copy
of the calibrations it used for ``DESK_CACHE_SECONDS``, so a request for a desk read
within that time asks the database nothing, and a verdict reaches every process within it.
"""
from __future__ import annotations

import datetime
import threading
import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from model.desks import IDENTITY, DeskCalibration, fit_calibration, is_desk_id, prequential_ece
from model.levels import HELD_UP_FROM, LEVEL_INDEX

from . import keys
from .tables import Assessment, Desk, Verdict, utcnow

# Beyond this many desks held, expired copies are dropped: well-formed desk ids are free
# to make up, and each one a client sends must not stay in memory for good.
HELD_AT_MOST = 4096


def init_app(app) -> None:
    default = app.config["DEFAULT_DESK"]
    if not is_desk_id(default):
        raise ValueError(f"DEFAULT_DESK {default!r} is not a desk id "
                         "(lower-case letters, digits, '.', '_' and '-'; up to 64)")
    app.extensions["desks"] = DeskCache(float(app.config["DESK_CACHE_SECONDS"]))


def default_desk() -> str:
    return current_app.config["DEFAULT_DESK"]


def resolve(named: str | None) -> str:
    """The desk a request is scored for: the one it names, else its API key's, else
    DEFAULT_DESK."""
    if named:
        return named
    holder = keys.caller()
    return holder.desk if holder is not None and holder.desk else default_desk()


def may_judge(desk: str) -> bool:
    """Whether this request's key may record a verdict for a claim scored for ``desk``."""
    holder = keys.caller()
    return holder is not None and (holder.admin or (holder.desk or default_desk()) == desk)


def calibration_of(row: Desk | None) -> DeskCalibration:
    if row is None or not row.verdicts:
        return IDENTITY
    return DeskCalibration(float(row.shift), float(row.slope), int(row.verdicts))


class DeskCache:
    """Calibrations this process read, each kept for ``seconds``."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._held: dict[str, tuple[DeskCalibration, float]] = {}
        self._lock = threading.Lock()

    def calibrations(self, session, desks) -> dict[str, DeskCalibration]:
        """Each desk's calibration; only the desks not held or held too long are read."""
        now = time.monotonic()
        found, stale = {}, []
        for desk in set(desks):
            held = self._held.get(desk)
            if held is not None and held[1] > now:
                found[desk] = held[0]
            else:
                stale.append(desk)
        if stale:
            rows = {row.desk: row for row in session.execute(
                select(Desk).where(Desk.desk.in_(stale))).scalars()}
            for desk in stale:
                found[desk] = calibration_of(rows.get(desk))
                self.hold(desk, found[desk], now)
        return found

    def hold(self, desk: str, calibration: DeskCalibration, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._held) >= HELD_AT_MOST:
                self._held = {d: h for d, h in self._held.items() if h[1] > now}
                if len(self._held) >= HELD_AT_MOST:
                    self._held.clear()
            self._held[desk] = (calibration, now + self.seconds)


def cache() -> DeskCache:
    return current_app.extensions["desks"]


def _insert(writer):
    name = writer.get_bind().dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(Desk)


def refit(writer, desk: str) -> Desk:
    """Refit ``desk``'s calibration from all its verdicts and store it.

    The desk's row is locked first (made if new), so verdicts for one desk refit one at a
    time, each from every verdict committed before it and its own: none is lost. A
    replaced verdict is one row, so it counts once, as it now stands.
    """
    writer.execute(_insert(writer).values(desk=desk, verdicts=0, shift=0.0, slope=1.0,
                                          updated_at=utcnow())
                   .on_conflict_do_nothing(index_elements=["desk"]))
    row = writer.execute(select(Desk).where(Desk.desk == desk).with_for_update()
                         .execution_options(populate_existing=True)).scalar_one()
    pairs = writer.execute(
        select(Assessment.model_logit, Assessment.score, Verdict.verdict)
        .join(Verdict, Verdict.assessment_id == Assessment.id)
        .where(Assessment.desk == desk, Assessment.model_logit.is_not(None))).all()
    held = [LEVEL_INDEX[verdict] >= HELD_UP_FROM for _, _, verdict in pairs]
    calibration = fit_calibration([logit for logit, _, _ in pairs], held)
    row.verdicts, row.shift, row.slope = calibration.verdicts, calibration.shift, calibration.slope
    row.ece = prequential_ece([score for _, score, _ in pairs], held)
    row.updated_at = utcnow()
    writer.flush()
    return row


def figures(row: Desk | None, desk: str) -> dict:
    """A desk's record as GET /v1/desks answers it; a desk without verdicts has zeros."""
    calibration = calibration_of(row)
    updated = None
    if row is not None and row.updated_at is not None:
        moment = row.updated_at
        if moment.tzinfo is None:   # SQLite hands back naive datetimes; they are UTC
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        updated = moment.isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"desk": desk, "verdicts": calibration.verdicts,
            "calibration": {"shift": calibration.shift, "slope": calibration.slope},
            "ece": None if row is None else row.ece, "updated_at": updated}
