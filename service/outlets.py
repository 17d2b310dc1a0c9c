"""The outlet table this process serves, read once (model/outlets.py) from OUTLET_DATA."""
from __future__ import annotations

import logging

from flask import current_app

from model.outlets import load_outlets, resolve

log = logging.getLogger(__name__)


def init_app(app) -> None:
    table = load_outlets(app.config["OUTLET_DATA"] or None)
    app.extensions["outlets"] = table
    log.debug("outlets: %d, rating sets: %s", len(table), ", ".join(table.loaded))


def table():
    return current_app.extensions["outlets"]


def resolved(request: dict, policy) -> dict:
    """The scorer's request with its source's outlet and its relays resolved."""
    return resolve(request, table(), policy)
