"""The model this process serves, and a watcher thread that swaps in newly promoted ones.

Each process (each gunicorn worker) holds one ``ModelSlot``. Its watcher thread reads
``CURRENT`` every ``MODEL_POLL_SECONDS``, or at once when ``POST /v1/model/reload`` wakes
it, and loads, verifies and test-scores a newly promoted version off the request path.
Only then is the slot's reference swapped, in one assignment. A request reads the slot
once and keeps that model to its end (see ``ModelSlot.scorer``), so an answer never mixes
two versions and the old model is freed when its last request ends. A version that fails
is refused: the held one keeps serving, and ``/readyz`` and the logs say what was refused
and why. A refused version is tried again only when ``CURRENT`` changes or on a reload.

At start there is nothing to keep serving: a ``CURRENT`` that fails the same checks stops
the process (``StartRefused``, and gunicorn stops with "Worker failed to boot"). With no
``CURRENT`` at all the process starts unready and serves the first promotion. A worker that
gunicorn starts later, in place of one that died, is not the server's start: it refuses
the version as the watcher does and starts unready, so that one bad file on disk does not
stop the workers that still serve (gunicorn.conf.py tells it by ``LATE_WORKER``).
"""
from __future__ import annotations

import datetime
import gc
import logging
import math
import os
import threading
import weakref
from pathlib import Path

from flask import current_app, has_request_context, request

log = logging.getLogger(__name__)

VERSION_HEADER = "X-Model-Version"
# Where a request keeps the model it read first (WSGI environ: one per request).
_PINNED = "credibility.scorer"
# A claim every model must score before it serves: loading alone does not prove it works.
_CANARY = {"claim": "The city budget rose by 3 percent since March, according to the report.",
           "source": {"name": "Canary", "type": "politician"},
           "context": {"channel": "statement"}}
# How long POST /v1/model/reload waits for the watcher's load.
RELOAD_WAIT_SECONDS = 30.0
# Set (by gunicorn.conf.py's post_fork) in a worker that replaces one of the first ones.
LATE_WORKER = "CREDIBILITY_LATE_WORKER"


class Refused(Exception):
    """The promoted version was refused; the held one keeps serving."""

    def __init__(self, refusal: dict, held: str | None):
        super().__init__(refusal["error"])
        self.refusal, self.held = refusal, held


class StartRefused(RuntimeError):
    """The promoted model cannot be served at start; the process must not start without it."""

    def __init__(self, registry: str, version: str | None, error: Exception):
        from model.registry import list_versions

        what = (f"model {version} ({Path(registry) / version})" if version
                else f"the CURRENT file of {registry}")
        try:
            others = [name for name in list_versions(registry) if name != version][-5:]
        except OSError:
            others = []
        choice = (f"versions there: {', '.join(others)}" if others else
                  "no other version there: train one with `python -m training.train --promote`")
        reason = " ".join(f"{type(error).__name__}: {error}".split())   # one line
        super().__init__(
            f"Not starting: {what} cannot be served: {reason}. Restore its files, or promote "
            f"a good version with `python -m training.promote --registry {registry} --version "
            f"VERSION` ({choice}); then start again.")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _verified(registry: str, version: str):
    """Load a version (hashes, library versions, trusted types) and score the canary."""
    from model.scoring import Scorer

    scorer = Scorer.load(registry, version=version)
    score = scorer.assess(_CANARY)["score"]
    if not (isinstance(score, float) and math.isfinite(score) and 0.0 <= score <= 1.0):
        raise ValueError(f"model version {version} scores a test claim {score!r}, "
                         "not a probability")
    return scorer


class ModelSlot:
    """Holds the Scorer; only a loaded, verified version replaces it."""

    def __init__(self, registry: str, poll_seconds: float):
        self.registry = registry
        self.poll_seconds = poll_seconds
        self._scorer = None
        self.error: str | None = "no model loaded yet"   # why none serves, while none does
        self.refused: dict | None = None   # {"version", "error", "at"}: CURRENT, not served
        self._changed = threading.Condition()   # guards the counters below
        self._started = self._finished = 0      # checks of CURRENT begun and done
        self._force = False
        self._wake = threading.Event()
        self._watcher: threading.Thread | None = None
        self._watcher_pid: int | None = None

    @property
    def scorer(self):
        """The served model; in a request, the one it read first, until the request ends."""
        if not has_request_context():
            return self._scorer
        return request.environ.setdefault(_PINNED, self._scorer)

    @scorer.setter
    def scorer(self, scorer) -> None:
        self._scorer = scorer

    # -- loading ------------------------------------------------------------------

    def load_promoted(self, required: bool = True) -> None:
        """At start: load CURRENT in this thread. None promoted: the process is not ready.
        A CURRENT that fails raises StartRefused, or, unless `required`, is refused as the
        watcher refuses one (the process starts unready)."""
        from model.registry import current_version

        version = None
        try:
            version = current_version(self.registry)
            scorer = None if version is None else _verified(self.registry, version)
        except Exception as error:  # ArtifactError, an unreadable file, a library skew, ...
            if required:
                raise StartRefused(self.registry, version, error) from error
            self._refuse(version, error, None)
            return
        if scorer is None:
            self.error = f"model registry {self.registry} has no CURRENT version"
        else:
            self._serve(scorer)

    def _check(self, force: bool = False) -> None:
        """Load CURRENT if it names another version than the one held (or if forced, a
        version refused before); swap it in only once it loads and scores."""
        from model.registry import current_version

        held = getattr(self._scorer, "version", None)
        try:
            promoted = current_version(self.registry)
        except Exception as error:  # a malformed CURRENT: keep serving what we have
            self._refuse(None, error, held)
            return
        if promoted is None:
            if self._scorer is None:
                self.error = f"model registry {self.registry} has no CURRENT version"
            return
        if promoted == held:
            self.refused = None        # rolled back to the served version: nothing refused
            return
        if not force and self.refused and self.refused["version"] == promoted:
            return                      # refused already; a reload or a new CURRENT retries
        try:
            scorer = _verified(self.registry, promoted)
        except Exception as error:  # ArtifactError, a library skew, a model that won't score
            self._refuse(promoted, error, held)
            return
        self._serve(scorer)

    def _serve(self, scorer) -> None:
        held = getattr(self._scorer, "version", None)
        # One assignment swaps the model; the old one is freed when its last request ends.
        self._scorer, self.error, self.refused = scorer, None, None
        if gc.get_freeze_count():   # a served worker froze its first model: this one too
            gc.freeze()
        log.info("process %d serves model %s (was %s)", os.getpid(), scorer.version, held,
                 extra={"model_version": scorer.version})

    def _refuse(self, version: str | None, error: Exception, held: str | None) -> None:
        text = f"{type(error).__name__}: {error}"
        if self.refused is None or (self.refused["version"], self.refused["error"]) != (
                version, text):
            log.error("process %d refused model %s, still serving %s: %s", os.getpid(),
                      version or "(unreadable CURRENT)", held or "no model", text,
                      extra={"model_version": held})
        self.refused = {"version": version, "error": text, "at": _now()}
        if self._scorer is None:
            self.error = text

    # -- the watcher thread ------------------------------------------------------

    def watch(self) -> None:
        """Start this process's watcher unless it runs (a forked child starts its own)."""
        if (self._watcher is not None and self._watcher_pid == os.getpid()
                and self._watcher.is_alive()):
            return
        with self._changed:
            if (self._watcher is None or self._watcher_pid != os.getpid()
                    or not self._watcher.is_alive()):
                self._watcher_pid = os.getpid()
                self._watcher = threading.Thread(
                    target=_watch, args=(weakref.ref(self), self._wake),
                    name="model-watcher", daemon=True)
                self._watcher.start()
                weakref.finalize(self, self._wake.set)   # a collected slot ends its watcher

    def _run_check(self) -> None:
        with self._changed:
            self._started += 1
            force, self._force = self._force, False
        try:
            self._check(force)
        except Exception:  # the watcher must outlive any one bad check
            log.exception("checking the promoted model failed")
        finally:
            with self._changed:
                self._finished += 1
                self._changed.notify_all()

    def reload(self, timeout: float = RELOAD_WAIT_SECONDS):
        """Have the watcher load CURRENT now, even a version refused before; wait for it.

        Returns the Scorer now served; raises Refused when CURRENT was refused, and
        TimeoutError when the load takes longer than ``timeout``.
        """
        self.watch()
        with self._changed:
            ticket, self._force = self._started, True
            self._wake.set()
            # The check numbered ticket + 1 began after this request asked for it.
            if not self._changed.wait_for(lambda: self._finished > ticket, timeout):
                raise TimeoutError(f"the model is still loading after {timeout:.0f} s")
        if self.refused is not None:
            raise Refused(dict(self.refused), getattr(self._scorer, "version", None))
        scorer = self._scorer
        if scorer is None:
            raise Refused({"version": None, "error": self.error, "at": _now()}, None)
        if has_request_context():   # the request that asked answers on the model it got
            request.environ[_PINNED] = scorer
        return scorer


def _watch(slot_ref, wake: threading.Event) -> None:
    """The watcher's loop; holds the slot only while checking, and ends with it."""
    slot = slot_ref()
    while slot is not None:
        slot._run_check()
        poll = max(float(slot.poll_seconds), 0.05)
        del slot
        wake.wait(poll)
        wake.clear()
        slot = slot_ref()


def init_app(app) -> None:
    slot = ModelSlot(app.config["MODEL_REGISTRY"], app.config["MODEL_POLL_SECONDS"])
    slot.load_promoted(required=not os.environ.get(LATE_WORKER))
    app.extensions["model"] = slot
    # Started by the first request of each process (gunicorn forks workers and each one
    # builds its own app); a served app starts it at once, tests' apps only when used.
    if not app.testing:
        slot.watch()
    app.before_request(slot.watch)
    app.after_request(_name_the_model)


def _name_the_model(response):
    """X-Model-Version on every response that a model had a part in."""
    scorer = request.environ.get(_PINNED)
    if scorer is not None:
        response.headers[VERSION_HEADER] = scorer.version
    return response


def slot() -> ModelSlot:
    return current_app.extensions["model"]


def reliability(source) -> dict | None:
    """A registered source's reliability (mean, 90% interval, grade) under the held model's
    policy: its type prior updated with its track record, as an assessment reports it."""
    scorer = slot().scorer
    return None if scorer is None else scorer.source_reliability(source.type, source.counts())


def policy():
    """The policy of the model being served, or the policy file's while none is loaded:
    requests are checked against the same source types they are scored under."""
    scorer = slot().scorer
    return current_app.extensions["policy"] if scorer is None else scorer.policy
