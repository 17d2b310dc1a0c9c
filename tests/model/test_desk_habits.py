"""Each desk's own habits (model/habits.py): learned apart from the shared weights, served
by the compiled scorer exactly as the Pipeline computes them, explained exactly, and
absent for a desk training never saw."""
from __future__ import annotations

import math

import numpy as np
import pytest

from model.cues import CUES
from model.inputs import to_row
from model.levels import LEVELS
from model.pipeline import frame
from model.registry import load_version
from model.scoring import Scorer
from training import desk_report

CLAIMS = ["The census report shows jobs rose since March.",
          "Everyone knows the secret hoax banned millions!", "", "Prices 40 percent"]
SOURCES = [{"name": "Global Wire", "type": "wire_agency"},
           {"name": "Viral Page", "type": "social_media_account"}, {"type": "other"}]
DESKS = ["desk-a", "desk-b", "desk-c", "default", "desk-3", None]


@pytest.fixture(scope="module")
def desk_scorer(desk_registry):
    return Scorer.load(desk_registry)


@pytest.fixture(scope="module")
def desk_pipeline(desk_registry):
    return load_version(desk_registry).pipeline


def requests():
    for claim in CLAIMS:
        for source in SOURCES:
            for desk in DESKS:
                request = {"claim": claim, "source": source}
                if desk:
                    request["desk"] = desk
                yield request


def test_only_desks_with_enough_rows_get_their_own_habits(desk_scorer, desk_pipeline):
    habits = desk_pipeline.named_steps["features"].named_transformers_["desk"]
    assert habits.desks_ == ["desk-a", "desk-b"]          # desk-c has about 45 rows
    block = next(b for b in desk_scorer.compiled.spec["blocks"] if b["kind"] == "desk")
    assert block["desks"] == ["desk-a", "desk-b"]


@pytest.mark.parametrize("request_", list(requests()), ids=lambda r: f"{r.get('desk')}")
def test_compiled_matches_pipeline_for_every_desk(desk_scorer, desk_pipeline, request_):
    answer = desk_scorer.assess(request_)
    expected = desk_pipeline.predict_proba(frame([to_row(request_, answer["source_type"])]))[0]
    got = np.array([answer["distribution"][level] for level in LEVELS])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    logit = answer["intercept"] + sum(f["weight"] for f in answer["factors"])
    assert 1 / (1 + math.exp(-logit)) == pytest.approx(answer["score"], abs=1e-12)
    habits = [f for f in answer["factors"] if "own habits" in f["label"]]
    if request_.get("desk") in ("desk-a", "desk-b"):
        assert len(habits) == 1 and habits[0]["basis"] == "learned"
        assert habits[0]["label"].startswith(f"{request_['desk']}'s own habits")
    else:
        assert habits == []


def test_a_batch_with_desks_matches_the_pipeline(desk_scorer, desk_pipeline):
    batch = list(requests())
    answers = desk_scorer.assess_many(batch, [None] * len(batch), explain=False)
    rows = [to_row(r, a["source_type"]) for r, a in zip(batch, answers)]
    got = np.array([[a["distribution"][level] for level in LEVELS] for a in answers])
    np.testing.assert_allclose(got, desk_pipeline.predict_proba(frame(rows)), rtol=0, atol=1e-9)


def test_an_unknown_desk_gets_the_shared_weights_and_the_pooled_intercept(desk_scorer):
    for claim in CLAIMS:
        scores = {desk: desk_scorer.assess({"claim": claim, "source": SOURCES[0],
                                            **({"desk": desk} if desk else {})})["score"]
                  for desk in ("default", "desk-3", "desk-c", None)}
        assert len(set(scores.values())) == 1, scores


def test_the_desks_own_habits_are_learned_for_that_desk(desk_scorer):
    """desk-b is stricter than desk-a and rates attributed claims ("according to the
    report") down: its own habits say so, and it scores such a claim lower than desk-a."""
    attributed = {"claim": "According to the report, jobs rose since March.",
                  "source": SOURCES[0]}
    a = desk_scorer.assess({**attributed, "desk": "desk-a"})
    b = desk_scorer.assess({**attributed, "desk": "desk-b"})
    assert b["score"] < a["score"] - 0.1
    habit = next(f for f in b["factors"] if "own habits" in f["label"])
    assert habit["weight"] < 0
    shared, desks = desk_report.weights(desk_scorer.compiled)
    assert desks["desk-b"]["attribution"] < desks["desk-a"]["attribution"]
    assert desks["desk-b"]["intercept"] < desks["desk-a"]["intercept"]
    assert set(shared) == {*CUES, "length"} and set(desks) == {"desk-a", "desk-b"}


def test_the_desk_report_prints_shared_and_per_desk_weights(desk_registry, capsys):
    assert desk_report.main(["--registry", str(desk_registry)]) == 0
    out = capsys.readouterr().out
    assert "| cue | shared | desk-a (1) | desk-b (1) |" in out
    assert "| attributed |" in out and "| intercept (base rate) | 0 |" in out
