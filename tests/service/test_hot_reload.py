"""Hot reload: each process's watcher swaps in a promoted model off the request path.

Through the Flask test client; test_verdict_loop.py does it through real gunicorn with
two workers, and loads the registry helpers below by path (the suite runs with
--import-mode=importlib).
"""
from __future__ import annotations

import gc
import importlib.util
import os
import shutil
import time
import weakref
from pathlib import Path

import pytest

from service import create_app
from service.db import upgrade

CLAIM = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
         "source": {"name": "Federal Security Service", "type": "state_agency"},
         "context": {"party_to_event": True, "relayed_by": ["TASS"]}}


# -- registries ---------------------------------------------------------------------

def _load_model_card_tests():
    path = Path(__file__).with_name("test_model_card.py")
    spec = importlib.util.spec_from_file_location("_hot_reload_model_card_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# add_version(registry, source, name, tamper=False): a copy of a version under a new
# name; with tamper, one byte of its pipeline changed and SHA256SUMS left as it was.
add_version = _load_model_card_tests().add_version


def copy_registry(source: Path, folder: Path) -> Path:
    """A registry of the test's own: the given one's versions and CURRENT."""
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def write_current(registry: Path, name: str) -> None:
    """Promote by hand, bypassing the verification training.promote does."""
    (registry / ".CURRENT-test").write_text(name + "\n")
    os.replace(registry / ".CURRENT-test", registry / "CURRENT")


# -- Flask test client --------------------------------------------------------------

@pytest.fixture
def registry(tmp_path, model_registry_dir):
    return copy_registry(model_registry_dir, tmp_path / "registry")


@pytest.fixture
def own_app(settings, registry):
    """An app that loads the registry copy itself and checks CURRENT every 0.1 s."""
    upgrade(settings["DATABASE_URL"])
    app = create_app({**settings, "MODEL_REGISTRY": str(registry), "MODEL_POLL_SECONDS": 0.1})
    yield app
    app.extensions["db"]["engine"].dispose()


def wait_for(predicate, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return result


def test_a_request_keeps_the_model_it_read_first(scoring_app, scorer):
    slot = scoring_app.extensions["model"]
    other = object()
    with scoring_app.test_request_context("/v1/assessments", method="POST"):
        assert slot.scorer is scorer
        slot.scorer = other                      # a swap while the request runs
        assert slot.scorer is scorer             # ... is not seen by it
    assert slot.scorer is other                  # but by the next one
    slot.scorer = scorer


def test_answers_name_the_model_that_made_them(scoring_app, client, scorer):
    scored = client.post("/v1/assessments", json=CLAIM)
    assert scored.status_code == 201
    assert scored.headers["X-Model-Version"] == scored.json["model"]["version"] == scorer.version
    assert client.get("/readyz").headers["X-Model-Version"] == scorer.version
    stored = client.get(f"/v1/assessments/{scored.json['id']}")   # made earlier, stored
    assert "X-Model-Version" not in stored.headers


def test_the_watcher_swaps_off_the_request_path_and_drops_the_old_model(own_app, registry):
    client = own_app.test_client()
    slot = own_app.extensions["model"]
    old = slot.scorer.version
    assert client.get("/healthz").json["model_version"] == old   # starts the watcher
    released = weakref.ref(slot.scorer)
    add_version(registry, old, "retrained-2")
    write_current(registry, "retrained-2")
    # The next request does not wait for the load (about a second): the old model answers.
    started = time.perf_counter()
    assert client.get("/healthz").json["model_version"] == old
    assert time.perf_counter() - started < 0.5
    wait_for(lambda: client.get("/healthz").json["model_version"] == "retrained-2")
    assert client.get("/readyz").json == {"status": "ready", "model_version": "retrained-2"}
    gc.collect()
    assert released() is None, "the old model is still referenced"


def test_a_refused_version_is_reported_until_current_moves_on(own_app, registry,
                                                              admin_headers, caplog):
    client = own_app.test_client()
    served = own_app.extensions["model"].scorer.version
    add_version(registry, served, "tampered-3", tamper=True)
    write_current(registry, "tampered-3")
    refused = client.post("/v1/model/reload", headers=admin_headers)
    assert refused.status_code == 409
    assert refused.json["detail"].startswith("Model tampered-3 was refused (ArtifactError: ")
    assert f"still serving {served}" in refused.json["detail"]

    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["model_version"] == served
    assert ready.json["refused"]["version"] == "tampered-3"
    assert "pipeline.skops does not match its sha256" in ready.json["refused"]["error"]
    assert any(r.levelname == "ERROR" and "refused model tampered-3" in r.getMessage()
               for r in caplog.records)
    assert client.post("/v1/assessments", json=CLAIM).json["model"]["version"] == served

    write_current(registry, served)              # rolled back: nothing is refused any more
    assert client.post("/v1/model/reload", headers=admin_headers).json["version"] == served
    assert client.get("/readyz").json == {"status": "ready", "model_version": served}


def test_a_malformed_current_is_refused_too(own_app, registry, admin_headers):
    client = own_app.test_client()
    served = own_app.extensions["model"].scorer.version
    (registry / "CURRENT").write_text("../elsewhere\n")
    answer = client.post("/v1/model/reload", headers=admin_headers)
    assert answer.status_code == 409
    assert answer.json["detail"].startswith("No promoted model could be read (ArtifactError: ")
    ready = client.get("/readyz").json
    assert ready["model_version"] == served and ready["refused"]["version"] is None


def test_the_watcher_ends_with_its_app(settings, registry):
    upgrade(settings["DATABASE_URL"])
    app = create_app({**settings, "MODEL_REGISTRY": str(registry)})
    app.test_client().get("/healthz")
    watcher = app.extensions["model"]._watcher
    assert watcher.is_alive() and watcher.daemon
    app.extensions["db"]["engine"].dispose()
    del app
    gc.collect()
    watcher.join(timeout=5)
    assert not watcher.is_alive()
