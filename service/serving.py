"""The model this process serves: loaded once at start, swapped only for a verified one."""
from __future__ import annotations

import logging
import threading
import time

from flask import current_app

log = logging.getLogger(__name__)


class ModelSlot:
    """Holds the Scorer; a failed load keeps the model already held."""

    def __init__(self, registry: str, poll_seconds: float):
        self.registry = registry
        self.poll_seconds = poll_seconds
        self.scorer = None
        self.error: str | None = "no model loaded yet"
        self._lock = threading.Lock()
        self._checked_at = 0.0

    def load(self, version: str | None = None):
        """Load `version` (default: the promoted one); raise ArtifactError and keep the old."""
        from model.scoring import Scorer

        scorer = Scorer.load(self.registry, version=version)
        with self._lock:
            self.scorer, self.error = scorer, None
            self._checked_at = time.monotonic()
        log.info("model loaded", extra={"model_version": scorer.version})
        return scorer

    def try_load(self) -> None:
        try:
            self.load()
        except Exception as error:  # ArtifactError, a missing registry or library: not ready
            self.error = f"{type(error).__name__}: {error}"
            log.error("model not loaded: %s", self.error)

    def follow_promotions(self) -> None:
        """Every few seconds, load the promoted version if another worker or a script moved it."""
        now = time.monotonic()
        if now - self._checked_at < self.poll_seconds:
            return
        self._checked_at = now
        try:
            from model.registry import current_version

            promoted = current_version(self.registry)
        except Exception as error:  # a registry being written: try again at the next poll
            log.warning("cannot read the promoted version: %s", error)
            return
        held = getattr(self.scorer, "version", None)
        if promoted and promoted != held:
            try:
                self.load(promoted)
            except Exception as error:
                log.error("promoted model %s refused, still serving %s: %s",
                          promoted, held, error)


def init_app(app) -> None:
    slot = ModelSlot(app.config["MODEL_REGISTRY"], app.config["MODEL_POLL_SECONDS"])
    slot.try_load()
    app.extensions["model"] = slot
    app.before_request(slot.follow_promotions)


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
