"""Signed webhooks from a transactional outbox.

events.py writes an event and one delivery row per subscription that wants it, in the
transaction of the change it reports; delivery.py's sender, a thread in every process of
the service, POSTs due deliveries under a lease, signed (signing.py), to addresses checked
against SSRF (addresses.py), retrying with backoff; subscriptions.py makes and lists them
for service/api/webhooks.py.
"""
from __future__ import annotations

from flask import current_app

from . import events, signing
from .delivery import Dispatcher


def init_app(app) -> None:
    signing.check_key(app.config["WEBHOOKS_SECRET_KEY"])
    dispatcher = Dispatcher(app)
    app.extensions["webhooks"] = dispatcher
    # Every served process sends (gunicorn builds the app in each worker); tests' apps
    # start theirs when a test wants one.
    if app.config["WEBHOOKS_DELIVER"] and not app.testing:
        dispatcher.start()
        app.before_request(dispatcher.start)


def wake() -> None:
    """Have this process's sender look at the outbox now (after a commit that wrote to it)."""
    current_app.extensions["webhooks"].wake()
