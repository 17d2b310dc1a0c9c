"""GET /v1/model, POST /v1/model/reload, and following promotions without a restart."""
import shutil
import time

import pytest

from service import create_app


@pytest.fixture
def registry_copy(tmp_path, model_registry_dir, scorer):
    """A registry of the test's own holding the default model, promoted."""
    folder = tmp_path / "registry"
    folder.mkdir()
    shutil.copytree(model_registry_dir / scorer.version, folder / scorer.version)
    (folder / "CURRENT").write_text(scorer.version + "\n")
    return folder


def add_version(registry, source: str, name: str, tamper: bool = False) -> None:
    shutil.copytree(registry / source, registry / name)
    if tamper:
        pipeline = registry / name / "pipeline.skops"
        data = bytearray(pipeline.read_bytes())
        data[len(data) // 2] ^= 0xFF
        pipeline.write_bytes(bytes(data))


def promote_by_hand(registry, name: str) -> None:
    (registry / "CURRENT").write_text(name + "\n")


@pytest.fixture
def own_app(settings, registry_copy):
    from service.db import upgrade

    upgrade(settings["DATABASE_URL"])
    app = create_app({**settings, "MODEL_REGISTRY": str(registry_copy)})
    yield app
    app.extensions["db"]["engine"].dispose()


def test_the_card_names_the_served_version(scoring_app, client, scorer):
    response = client.get("/v1/model")
    assert response.status_code == 200
    card = response.json
    assert card["version"] == scorer.version
    assert card["policy_version"] == scorer.policy_version
    assert set(scorer.card) <= set(card)


def test_without_a_model_the_card_is_503(client):
    assert client.get("/v1/model").status_code == 503


def test_reload_loads_the_newly_promoted_version(own_app, registry_copy, scorer,
                                                 admin_headers):
    client = own_app.test_client()
    assert client.get("/v1/model").json["version"] == scorer.version
    add_version(registry_copy, scorer.version, "retrained-2")
    promote_by_hand(registry_copy, "retrained-2")
    response = client.post("/v1/model/reload", headers=admin_headers)
    assert response.status_code == 200 and response.json["version"] == "retrained-2"
    scored = client.post("/v1/assessments", json={"claim": "Taxes doubled.",
                                                  "source": {"type": "politician"}})
    assert scored.json["model"]["version"] == "retrained-2"


def test_a_tampered_model_is_refused_and_the_old_one_kept(own_app, registry_copy, scorer,
                                                          admin_headers):
    client = own_app.test_client()
    add_version(registry_copy, scorer.version, "tampered-3", tamper=True)
    promote_by_hand(registry_copy, "tampered-3")
    response = client.post("/v1/model/reload", headers=admin_headers)
    assert response.status_code == 409
    assert "ArtifactError" in response.json["detail"] and scorer.version in response.json["detail"]
    assert client.get("/v1/model").json["version"] == scorer.version
    assert client.get("/readyz").status_code == 200


def test_workers_follow_a_promotion_without_a_reload_call(own_app, registry_copy, scorer):
    own_app.extensions["model"].poll_seconds = 0.1
    client = own_app.test_client()

    def served_within(seconds: float) -> str:
        # The watcher loads off the request path: the swap shows on a later request.
        deadline = time.monotonic() + seconds
        while True:
            version = client.get("/healthz").json["model_version"]
            if version != scorer.version or time.monotonic() > deadline:
                return version
            time.sleep(0.05)

    add_version(registry_copy, scorer.version, "retrained-4")
    promote_by_hand(registry_copy, "retrained-4")
    assert served_within(10) == "retrained-4"
    add_version(registry_copy, scorer.version, "tampered-5", tamper=True)
    promote_by_hand(registry_copy, "tampered-5")
    slot = own_app.extensions["model"]
    deadline = time.monotonic() + 10
    while slot.refused is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slot.refused["version"] == "tampered-5"
    assert client.get("/healthz").json["model_version"] == "retrained-4"
