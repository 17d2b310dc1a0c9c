"""The committed default model's compiled form (what the service serves) answers what its
Pipeline answers, one claim at a time and in batches."""
from __future__ import annotations

import numpy as np
import synthetic_claims as synthetic

from model.levels import LEVELS
from model.pipeline import frame
from model.registry import load_version
from model.scoring import Scorer


def test_the_committed_compiled_form_is_the_committed_pipeline(model_registry_dir):
    scorer = Scorer.load(model_registry_dir)
    pipeline = load_version(model_registry_dir, scorer.version).pipeline
    requests, _ = synthetic.make_claims(400, seed=7)
    # scored for desks with their own habits, for desks without, and for none
    desks = ["politifact", "africacheck", "fullfact", "afp", "default", "desk-3", None]
    requests = [{**r, **({"desk": desks[i % len(desks)]} if desks[i % len(desks)] else {})}
                for i, r in enumerate(requests)]
    records = [{"false": i % 4, "true": i % 3, "half-true": i % 2} if i % 5 else None
               for i in range(len(requests))]
    answers = scorer.assess_many(requests, records, explain=False)
    rows = [scorer._row(r, t) for r, t in zip(requests, records)]
    expected = pipeline.predict_proba(frame(rows))
    got = np.array([[a["distribution"][level] for level in LEVELS] for a in answers])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    single = np.array([[scorer.assess(r, t)["distribution"][level] for level in LEVELS]
                       for r, t in zip(requests[:100], records[:100])])
    np.testing.assert_allclose(single, expected[:100], rtol=0, atol=1e-9)
    block = next(b for b in scorer.compiled.spec["blocks"] if b["kind"] == "desk")
    assert {"politifact", "africacheck", "fullfact"} <= set(block["desks"])
