"""Loaders: JSONL in the service's schema, LIAR where it lies (never copied)."""
from __future__ import annotations

import hashlib
import json

import pytest

from model.levels import LEVEL_INDEX, LEVELS
from model.policy import load_policy
from training import config
from training.datasets import DataError, load, load_jsonl

SOURCE_TYPES = set(load_policy().source_types)


def test_jsonl_round_trip(tmp_path, make_claims, write_jsonl):
    requests, levels = make_claims(40, seed=5)
    path = tmp_path / "claims.jsonl"
    write_jsonl(path, requests, levels)
    claims = load(f"jsonl:{path}")
    assert claims.requests == requests and claims.levels == levels
    assert claims.history == [{}] * 40
    assert claims.sources == [{"spec": "jsonl:claims.jsonl", "rows": 40,
                               "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]


def test_jsonl_fills_a_missing_type_from_name_and_role(tmp_path):
    path = tmp_path / "claims.jsonl"
    lines = [{"claim": "a", "verdict": "true", "source": {"name": "TASS"}},
             {"claim": "b", "verdict": "false", "source": {"name": "Jane Roe",
                                                           "role": "U.S. Senator"}},
             {"claim": "c", "verdict": "half-true"},
             {"claim": "d", "verdict": "mostly-true", "source": {"name": "X", "type": "ngo"},
              "context": {"party_to_event": True}}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    claims = load_jsonl(path)
    types = [r["source"]["type"] for r in claims.requests]
    assert types[0] == "state_media" and types[1] == "politician"
    assert types[2] == "other" and types[3] == "ngo"
    assert set(types) <= SOURCE_TYPES
    assert claims.requests[3]["context"] == {"party_to_event": True}
    assert claims.levels == [5, 1, 3, 4]


BAD_LINES = {
    "unknown verdict": ('{"claim": "a", "verdict": "mostly-false"}', "verdict"),
    "no verdict": ('{"claim": "a"}', "verdict"),
    "numeric verdict": ('{"claim": "a", "verdict": 3}', "verdict"),
    "null verdict": ('{"claim": "a", "verdict": null}', "verdict"),
    "not JSON": ('{"claim": "a", "verdict": "true"', "not JSON"),
    "plain text": ("this is not json", "not JSON"),
    "an array": ('["a", "true"]', "verdict"),
    "empty claim": ('{"claim": "   ", "verdict": "true"}', "claim"),
    "no claim": ('{"verdict": "true"}', "claim"),
    "numeric claim": ('{"claim": 12, "verdict": "true"}', "claim"),
}


@pytest.mark.parametrize("what", sorted(BAD_LINES))
def test_bad_jsonl_lines_are_data_errors_with_the_line_number(tmp_path, what):
    line, message = BAD_LINES[what]
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"claim": "fine", "verdict": "true"})
    path.write_text(f"{good}\n{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"bad\.jsonl:3: .*{message}"):
        load(f"jsonl:{path}")


@pytest.mark.parametrize("spec", ["csv:claims.csv", "claims.jsonl", "", "LIAR:x"])
def test_unknown_spec_is_a_data_error(spec):
    with pytest.raises(DataError, match="unknown data spec"):
        load(spec)


@pytest.mark.parametrize("kind", ["jsonl", "liar"])
def test_missing_file_is_a_data_error(tmp_path, kind):
    with pytest.raises(DataError, match="no file at"):
        load(f"{kind}:{tmp_path / 'nowhere.tsv'}")
    # a folder without the split's file
    with pytest.raises(DataError, match="no file at"):
        load(f"{kind}:{tmp_path}")


def test_liar_file_with_wrong_columns_is_a_data_error(tmp_path):
    path = tmp_path / "broken.tsv"
    path.write_text("1.json\tfalse\tonly three columns\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.tsv:1: expected 14 columns"):
        load(f"liar:{path}")


def test_liar_file_with_an_unknown_label_is_a_data_error(tmp_path):
    values = ["1.json", "sorta-true", "A claim.", "economy", "jane-roe", "Senator", "Ohio",
              "republican", "0", "1", "0", "0", "0", "a speech"]
    path = tmp_path / "made-up.tsv"
    path.write_text("\t".join(values) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown label 'sorta-true'"):
        load(f"liar:{path}")
    values[1] = "barely-true"
    path.write_text("\t".join(values) + "\n", encoding="utf-8")
    claims = load(f"liar:{path}")
    assert claims.levels == [LEVEL_INDEX["barely-true"]]
    assert claims.requests[0]["source"]["name"] == "Jane Roe"
    assert claims.requests[0]["source"]["type"] == "politician"
    assert claims.history == [{"barely-true": 0, "false": 1, "half-true": 0,
                               "mostly-true": 0, "pants-fire": 0}]


needs_liar = pytest.mark.skipif(not (config.LIAR / "train.tsv").is_file(),
                                reason=f"LIAR is not at {config.LIAR} (research use only; "
                                       "it is read where it lies, never copied)")


@needs_liar
def test_liar_loads_where_it_lies():
    train, valid = load(f"liar:{config.LIAR}"), load(f"liar:{config.LIAR}", split="valid")
    assert (len(train), len(valid)) == (10269, 1284)
    assert len(train.levels) == len(train.history) == 10269
    for claims in (train, valid):
        assert set(claims.levels) == set(range(len(LEVELS)))
        assert all(r["claim"] and r["source"]["type"] in SOURCE_TYPES for r in claims.requests)
        assert all(set(r) == {"claim", "source", "context", "desk"} for r in claims.requests)
        assert {r["desk"] for r in claims.requests} == {"politifact"}
    assert train.sources[0]["spec"] == "liar:train.tsv"
    assert valid.sources[0]["sha256"] != train.sources[0]["sha256"]
    # the same file by its path gives the same rows
    assert load(f"liar:{config.LIAR / 'valid.tsv'}").levels == valid.levels
    share = sum(r["source"]["type"] != "other" for r in train.requests) / len(train)
    assert share > 0.5
