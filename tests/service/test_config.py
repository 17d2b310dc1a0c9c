"""Configuration: defaults, then environment, then overrides; the README lists every setting."""
import re
from pathlib import Path

import pytest

from service import create_app
from service.config import DEFAULTS, from_environment, split_list

README = Path(__file__).resolve().parents[2] / "README.md"


def test_environment_values_take_the_defaults_types():
    config = from_environment({"MAX_BATCH_ITEMS": "7", "SCORING_REQUIRES_KEY": "yes",
                               "MODEL_POLL_SECONDS": "2.5", "CORS_ORIGINS": "https://a"})
    assert config["MAX_BATCH_ITEMS"] == 7 and config["SCORING_REQUIRES_KEY"] is True
    assert config["MODEL_POLL_SECONDS"] == 2.5 and config["CORS_ORIGINS"] == "https://a"
    assert config["MAX_CLAIM_CHARS"] == DEFAULTS["MAX_CLAIM_CHARS"]


def test_a_bad_environment_value_names_its_variable():
    with pytest.raises(ValueError, match="MAX_BATCH_ITEMS"):
        from_environment({"MAX_BATCH_ITEMS": "many"})
    with pytest.raises(ValueError, match="SCORING_REQUIRES_KEY"):
        from_environment({"SCORING_REQUIRES_KEY": "perhaps"})


def test_overrides_beat_the_environment(monkeypatch, settings):
    monkeypatch.setenv("MAX_BATCH_ITEMS", "7")
    monkeypatch.setenv("MAX_CLAIM_CHARS", "99")
    app = create_app({**settings, "MAX_BATCH_ITEMS": 3})
    app.extensions["db"]["engine"].dispose()
    assert app.config["MAX_BATCH_ITEMS"] == 3 and app.config["MAX_CLAIM_CHARS"] == 99


def test_split_list_drops_blanks():
    assert split_list(" a, ,b ,") == ["a", "b"] and split_list("") == []


def test_the_readme_table_lists_every_setting():
    table = {}
    for line in README.read_text().splitlines():
        match = re.match(r"\| `([A-Z_]+)` \|", line)
        if match:
            table[match.group(1)] = line
    assert set(DEFAULTS) <= set(table), set(DEFAULTS) - set(table)
