"""training.promote: switch CURRENT by hand, after verifying the version."""
from __future__ import annotations

import logging
import shutil

import pytest

from model.registry import current_version, load_version, promote, save_version
from training import promote as promote_cli


@pytest.fixture
def two_versions(tmp_path, trained_registry):
    """(registry, older, newer): a copy of the session's registry plus a second version,
    the newer one promoted."""
    registry = tmp_path / "registry"
    shutil.copytree(trained_registry, registry)
    older = current_version(registry)
    loaded = load_version(registry)
    newer = save_version(registry, loaded.pipeline, {**loaded.card, "data_slug": "newer"},
                         loaded.files)
    promote(registry, newer)
    return registry, older, newer


def run(registry, version) -> int:
    return promote_cli.main(["--registry", str(registry), "--version", version])


def test_rolls_back_to_an_older_version(capsys, two_versions):
    registry, older, newer = two_versions
    assert run(registry, older) == 0
    assert current_version(registry) == older
    assert capsys.readouterr().out.splitlines() == [f"previous CURRENT: {newer}",
                                                    f"new CURRENT: {older}"]
    assert run(registry, newer) == 0 and current_version(registry) == newer


def test_first_promotion_has_no_previous(capsys, two_versions):
    registry, older, _ = two_versions
    (registry / "CURRENT").unlink()
    assert run(registry, older) == 0
    assert capsys.readouterr().out.splitlines()[0] == "previous CURRENT: (none)"


def test_refuses_a_tampered_version(capsys, caplog, two_versions):
    registry, older, newer = two_versions
    pipeline = registry / older / "pipeline.skops"
    data = bytearray(pipeline.read_bytes())
    data[len(data) // 2] ^= 0x01                  # one bit of one byte
    pipeline.write_bytes(bytes(data))
    with caplog.at_level(logging.ERROR, logger="training.promote"):
        assert run(registry, older) == 2
    assert "does not match its sha256" in caplog.text
    assert f"CURRENT is still {newer}" in caplog.text
    assert current_version(registry) == newer and capsys.readouterr().out == ""


def test_refuses_a_version_with_an_unlisted_file(caplog, two_versions):
    registry, older, newer = two_versions
    (registry / older / "decision.json").write_text("{}")
    with caplog.at_level(logging.ERROR, logger="training.promote"):
        assert run(registry, older) == 2
    assert "unlisted files ['decision.json']" in caplog.text
    assert current_version(registry) == newer


@pytest.mark.parametrize("version, says", [("no-such-version", "not found"),
                                           ("../outside", "invalid version name")])
def test_refuses_an_unknown_version(caplog, two_versions, version, says):
    registry, older, newer = two_versions
    with caplog.at_level(logging.ERROR, logger="training.promote"):
        assert run(registry, version) == 2
    assert says in caplog.text and older in caplog.text    # and names the versions there are
    assert current_version(registry) == newer
