"""Train a model version and save it to the registry.

    python -m training.train [--data SPEC ...] --registry model/registry [--promote]
        [--policy model/policy.yaml]

Trains on the training split of each spec, each row with its desk (a LIAR folder's
train.tsv, LIAR2's valid rows not in LIAR, AVeriTeC's train.json, the Russia-Ukraine
claims, every JSONL row; default: ``config.TRAINING_DATA``, all four public sets).
AVeriTeC's dev.json and LIAR2's test.csv are refused: they are where the model is
measured. Checks the result on LIAR's validation split (never fitted on) with honest
track records, and, for each AVeriTeC or LIAR2 folder trained on, on its measured
claims (the card's ``metrics.measured``); saves the pipeline, its card, the policy it
was trained under and the per-source verdict counts it learned from. ``--promote``
makes it the version the service loads.
"""
from __future__ import annotations

import argparse
import datetime
import json
import logging
import subprocess
from collections import Counter
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from tqdm import tqdm

from model.policy import parse_policy
from model.registry import ArtifactError, promote, save_version

from . import config, datasets, fitting
from .evaluate import predict, track_records
from .metrics import quality, quality_of

log = logging.getLogger("training.train")


def code_revision() -> str:
    try:
        revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.REPO_ROOT,
                                  capture_output=True, text=True, check=True).stdout.strip()
        # The registry is output, not code: a new version there does not make the code dirty.
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "model", "training",
                                ":(exclude)model/registry"],
                               cwd=config.REPO_ROOT, capture_output=True, text=True).stdout
        return revision + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_data(specs: list[str]) -> tuple[datasets.Claims, datasets.Claims]:
    """Training claims from every spec; validation claims from LIAR folders' valid split."""
    train, valid = datasets.Claims(), datasets.Claims()
    for spec in specs:
        train.extend(datasets.load(spec, split="train"))
        kind, _, location = spec.partition(":")
        if kind == "liar" and Path(location).is_dir():
            valid.extend(datasets.load(spec, split="valid"))
    return train, valid


def measured_claims(specs: list[str]) -> dict[str, datasets.Claims]:
    """The measured claims of each AVeriTeC or LIAR2 folder among the specs."""
    out = {}
    for spec in specs:
        kind, _, location = spec.partition(":")
        if kind in MEASURED_NAMES and Path(location).is_dir():
            out[MEASURED_NAMES[kind]] = datasets.load(spec, split="valid")
    return out


MEASURED_NAMES = {"averitec": "averitec dev", "liar2": "liar2 test not in liar"}


def train(specs: list[str], registry: Path, policy_path: Path, params: dict,
          weights=None, extra_valid: datasets.Claims | None = None) -> tuple[str, dict]:
    """Fit, evaluate and save one version; returns (version, card)."""
    raw_policy = yaml.safe_load(policy_path.read_text(encoding="utf-8"))
    policy = parse_policy(raw_policy)
    train_claims, valid = load_data(specs)
    if extra_valid is not None:
        valid.extend(extra_valid)
    log.info("training on %d claims, validating on %d", len(train_claims), len(valid))
    started = time.perf_counter()
    with tqdm(total=params["folds"] + 1, desc="fitting", unit="fit", disable=None) as bar:
        fitted = fitting.fit(train_claims.requests, np.asarray(train_claims.levels), policy,
                             params, weights, progress=lambda done, total: bar.update(1),
                             exact=np.asarray(train_claims.exact))
    seconds = time.perf_counter() - started
    metrics = {}
    if len(valid):
        proba = predict(fitted.pipeline, valid, track_records(valid, fitted.track_records,
                                                              "honest"))
        metrics = quality(valid.levels, proba)
        log.info("validation: %s", json.dumps({k: round(v, 4) for k, v in metrics.items()}))
    measured = {}
    for name, claims in measured_claims(specs).items():
        proba = predict(fitted.pipeline, claims, track_records(claims, fitted.track_records,
                                                               "honest"))
        measured[name] = quality_of(claims.levels, proba, claims.six_levels)
        log.info("%s: %s", name, json.dumps({k: round(v, 4) for k, v in measured[name].items()
                                             if v is not None}))
    slug = "-".join(sorted({s["spec"].split(":")[0] for s in train_claims.sources}))
    card = {
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "data_slug": slug,
        "data": {"train": train_claims.sources, "validation": valid.sources},
        "training_rows": len(train_claims),
        "metrics": {"validation": metrics, "measured": measured,
                    "track_records": "honest: training counts only"},
        "desks": dict(sorted(Counter(train_claims.desks()).items())),
        "policy_version": policy.version,
        "params": params,
        "calibration": fitted.calibration,
        "learned_modifiers": fitted.learned_modifiers,
        "code_revision": code_revision(),
        "fit_seconds": round(seconds, 1),
        "score": "P(fact-checkers rate the claim at least half-true), calibrated out of fold",
    }
    version = save_version(registry, fitted.pipeline, card,
                           {"track_records.json": fitted.track_records,
                            "policy.json": raw_policy})
    log.info("saved model version %s", version)
    return version, card


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append",
                        help="liar:PATH, liar2:DIR, averitec:DIR, ruua:PATH or jsonl:FILE "
                             "(repeatable; default: the four public sets of config.TRAINING_DATA)")
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--policy", type=Path, default=config.POLICY)
    parser.add_argument("--promote", action="store_true", help="make it the served version")
    parser.add_argument("--seed", type=int, default=config.PARAMS["seed"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    specs = args.data or list(config.TRAINING_DATA)
    try:
        version, _ = train(specs, args.registry, args.policy, {**config.PARAMS, "seed": args.seed})
        if args.promote:
            promote(args.registry, version)
            log.info("promoted %s", version)
    except (datasets.DataError, ArtifactError, OSError) as error:
        log.error("%s", error)
        return 2
    print(version, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
