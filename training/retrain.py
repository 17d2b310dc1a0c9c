"""Retrain on the base data plus fact-checkers' verdicts; promote only through a gate.

    python -m training.retrain [--database-url URL] [--registry DIR] [--base SPEC ...]
        [--policy FILE] [--seed N] [--holdout 0.2] [--min-desk-verdicts 50] [--json]
        [--dry-run]

Exports every verdict from the service's database (``--database-url``, default: what the
service reads, ``DATABASE_URL`` or ``var/service.db``) and splits it by seed: a verdict is
held out when sha256("<seed>:<assessment id>") falls below ``--holdout``, so a verdict
stays on its side as more verdicts arrive and a model trained by an earlier run with the
same seed never saw this run's held-out slice. A candidate is trained (training.train)
on the base specs (default: LIAR) plus the verdicts' training part, older verdicts
weighing less by the policy's ``half_life_days``. The candidate and the promoted model
are then scored on the same held-out data (the LIAR validation split plus the held-out
verdicts), each with honest track records from its own training counts, and the
candidate is promoted only when no figure in TOLERANCES is worse beyond its tolerance
(and beyond NOISE_MULTIPLE bootstrap standard errors of the difference), there and, separately, on the base data's held-out claims and on the held-out verdicts
of each desk that has at least ``--min-desk-verdicts`` of them (no desk worse beyond
tolerance: a candidate that helps one desk by hurting another is refused); with no
promoted model (or one that no longer loads), a candidate that trains is
promoted. The decision, with both models' figures, the tolerances, the reasons and the
data's sha256s, is saved as ``decision.json`` in the candidate's version folder.

``--dry-run`` trains and decides but writes nothing to the registry. With ``--json`` the
last line is ``{"version", "promoted", "reasons", "metrics", ...}``. Exit 0 whether or
not the candidate is promoted; 2 when the database, the data or the registry cannot be
used.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

from model.policy import PolicyError, parse_policy
from model.registry import (ArtifactError, LoadedVersion, current_version, list_versions,
                            load_version, promote, save_version)
from service.config import database_url

from . import config, datasets, export, train
from .evaluate import predict, track_records
from .metrics import quality, quality_of

log = logging.getLogger("training.retrain")

DECISION_FILE = "decision.json"
# figure -> (which way is better, how much worse than the promoted model a candidate may be)
TOLERANCES = {
    "roc_auc_2": ("higher", 0.005),    # ranking of held-up vs not
    "ece_2": ("lower", 0.01),          # calibration of the score
    "accuracy_6": ("higher", 0.01),    # six-level accuracy
}
# A desk is judged on its own held-out verdicts once it has at least this many.
MIN_DESK_VERDICTS = 50
# A figure is worse only when it is worse by more than its tolerance and by more than this
# many bootstrap standard errors of the difference: a small held-out sample (a desk's
# tens to hundreds of verdicts) alone must not refuse a model.
NOISE_MULTIPLE = 2.0
# Resamples of the held-out rows behind the standard errors reported beside each figure.
BOOTSTRAP_ROUNDS = 200
# Differences this small are rounding, not a change in the model.
_EPSILON = 1e-9


def tolerances_text() -> str:
    return "; ".join(f"{name} may {'fall' if better == 'higher' else 'rise'} by at most "
                     f"{allowed}" for name, (better, allowed) in TOLERANCES.items())


def is_held_out(assessment_id: str, seed: int, share: float) -> bool:
    """Whether a verdict belongs to the held-out slice: fixed by seed and id, not by order."""
    digest = hashlib.sha256(f"{seed}:{assessment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0 ** 64 < share


def split_verdicts(lines: list[dict], seed: int, share: float) -> tuple[list, list]:
    """(training lines, held-out lines), each in export order."""
    held = [is_held_out(line["assessment_id"], seed, share) for line in lines]
    return ([line for line, h in zip(lines, held) if not h],
            [line for line, h in zip(lines, held) if h])


def _moment(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def verdict_weights(lines: list[dict], half_life_days: float) -> np.ndarray:
    """0.5 ** (age / half-life), the age counted back from the newest verdict.

    Counting from the newest verdict rather than from today makes the weights a function
    of the data alone: the same export retrains to the same model on any day.
    """
    moments = [_moment(line.get("verdict_at")) for line in lines]
    known = [m for m in moments if m is not None]
    if not known:
        return np.ones(len(lines))
    newest = max(known)
    ages = np.array([(newest - m).total_seconds() / 86400.0 if m else 0.0 for m in moments])
    return 0.5 ** (ages / half_life_days)


def held_out_proba(loaded: LoadedVersion | None, claims: datasets.Claims):
    """A saved version's probabilities on claims, track records from its own training counts."""
    if loaded is None or not len(claims):
        return None
    records = track_records(claims, loaded.files.get("track_records.json", {}), "honest")
    return predict(loaded.pipeline, claims, records)


def figures(claims: datasets.Claims, proba) -> dict | None:
    return None if proba is None else quality(claims.levels, proba)


def paired_noise(levels, candidate, current, rounds: int = BOOTSTRAP_ROUNDS,
                 six_levels: bool = True) -> dict:
    """Bootstrap standard error of (candidate - current) for each gated figure.

    Both models are scored on the same resampled rows, so this is the noise of the
    comparison itself: a refusal within it may be bad luck in the held-out rows.
    """
    rng, levels = np.random.default_rng(0), np.asarray(levels)
    differences = {name: [] for name in TOLERANCES}
    for _ in range(rounds):
        rows = rng.integers(0, len(levels), len(levels))
        new = quality_of(levels[rows], candidate[rows], six_levels)
        old = quality_of(levels[rows], current[rows], six_levels)
        for name, values in differences.items():
            if new.get(name) is not None and old.get(name) is not None:
                values.append(new[name] - old[name])
    return {name: float(np.std(values, ddof=1)) if len(values) > 1 else None
            for name, values in differences.items()}


def gate(candidate: dict | None, current: dict, noise: dict | None = None,
         noise_multiple: float = NOISE_MULTIPLE) -> tuple[bool, list[str]]:
    """(promote?, why): the candidate may be worse than the current by the tolerances only
    (and, with ``noise_multiple``, by that many bootstrap standard errors)."""
    if candidate is None:
        return False, ["no held-out data to compare the candidate with the promoted model "
                       "on: give a liar: base or verdicts to hold out"]
    promoted, reasons = True, []
    for name, (better, allowed) in TOLERANCES.items():
        new, old = candidate.get(name), current.get(name)
        if new is None or old is None:
            reasons.append(f"{name} not compared: undefined on this held-out data")
            continue
        worse_by = old - new if better == "higher" else new - old
        moved = "unchanged at" if new == old else "rose to" if new > old else "fell to"
        text = f"{name} {moved} {new:.4f} (from {old:.4f}, by {abs(new - old):.4f})"
        se = (noise or {}).get(name)
        spread = f", bootstrap standard error {se:.4f}" if se is not None else ""
        bar = max(allowed, noise_multiple * se) if se is not None else allowed
        if worse_by > bar + _EPSILON:
            promoted = False
            reasons.insert(0, f"{text}: worse by more than the {allowed} allowed and "
                              f"{noise_multiple:g} standard errors{spread}")
        elif worse_by > 0:
            reasons.append(f"{text}: worse, within the {allowed} allowed{spread}")
        else:
            reasons.append(f"{text}: not worse{spread}")
    return promoted, reasons


def judged_part(claims: datasets.Claims, rows, candidate, current,
                noise_multiple: float = NOISE_MULTIPLE) -> dict:
    """Both models' figures on some rows of the held-out claims, and the gate's verdict."""
    rows = np.asarray(rows, dtype=np.intp)
    levels = [claims.levels[i] for i in rows]
    exact = all(claims.exact[i] for i in rows)
    new, old = (quality_of(levels, p[rows], exact) for p in (candidate, current))
    noise = paired_noise(levels, candidate[rows], current[rows], six_levels=exact) \
        if len(rows) > 1 else None
    promoted, reasons = gate(new, old, noise, noise_multiple)
    return {"n": int(len(rows)), "promoted": promoted, "reasons": reasons,
            "candidate": new, "current": old}


def desk_gates(held: datasets.Claims, candidate, current,
               min_verdicts: int = MIN_DESK_VERDICTS) -> dict:
    """Per desk of the held-out verdicts: judged on its own rows when it has at least
    ``min_verdicts`` of them, else counted only. ``candidate``/``current``: both models'
    probabilities on ``held``'s rows."""
    desks = np.array(held.desks())
    out = {}
    for desk in sorted(set(desks)):
        rows = np.flatnonzero(desks == desk)
        name = desk or "(no desk)"
        if len(rows) < min_verdicts:
            out[name] = {"n": int(len(rows)), "judged": False,
                         "reasons": [f"{len(rows)} held-out verdicts, fewer than the "
                                     f"{min_verdicts} a desk needs to be judged on its own"]}
        else:
            out[name] = {"judged": True, **judged_part(held, rows, candidate, current)}
    return out


def _current(registry: Path) -> tuple[LoadedVersion | None, str]:
    """The promoted version, or None and why there is none to compare with."""
    try:
        name = current_version(registry)
        if name is None:
            return None, "no promoted version in the registry"
        return load_version(registry, name), ""
    except ArtifactError as error:
        return None, f"the promoted version cannot be used ({error})"


def _free_name(registry: Path, version: str) -> str:
    # The name hashes the pipeline file: two runs on the same data in one second can clash.
    taken, name, n = set(list_versions(registry)), version, 1
    while name in taken or (registry / name).exists():
        n += 1
        name = f"{version}-r{n}"
    return name


def _training_data(lines: list[dict], base: list[str], seed: int, holdout: float,
                   half_life_days: float, work: Path):
    """(specs, held-out verdicts, weights, validation claims): the verdicts' two parts
    written as JSONL specs beside the base specs, older verdicts weighing less."""
    train_lines, held_lines = split_verdicts(lines, seed, holdout)
    log.info("%d verdicts: %d to train on, %d held out", len(lines), len(train_lines),
             len(held_lines))
    specs, held = list(base), datasets.Claims()
    if train_lines:
        export.write_lines(train_lines, work / "verdicts-train.jsonl")
        specs.append(f"jsonl:{work / 'verdicts-train.jsonl'}")
    if held_lines:
        export.write_lines(held_lines, work / "verdicts-held-out.jsonl")
        held = datasets.load_jsonl(work / "verdicts-held-out.jsonl")
    train_claims, valid = train.load_data(specs)
    valid.extend(held)
    if not len(train_claims):
        raise datasets.DataError("nothing to train on: the base data and the verdicts are empty")
    weights = None
    if train_lines:   # base rows first, in spec order, as train.load_data reads them
        weights = np.concatenate([np.ones(len(train_claims) - len(train_lines)),
                                  verdict_weights(train_lines, half_life_days)])
    return specs, held, weights, valid


def _decide(candidate: LoadedVersion, current: LoadedVersion | None, missing: str,
            valid: datasets.Claims, held: datasets.Claims,
            min_desk_verdicts: int = MIN_DESK_VERDICTS) -> dict:
    """Both models on the same held-out claims (the verdicts last), and the gate's verdict:
    over all of them, on the base data's part, and on each desk's verdicts."""
    proba = {"candidate": held_out_proba(candidate, valid),
             "current": held_out_proba(current, valid)}
    metrics = {name: figures(valid, p) for name, p in proba.items()}
    noise, base, desks = None, None, {}
    if current is None:
        promoted, reasons = True, [f"{missing}: a candidate that trains is promoted"]
    else:
        if len(valid) > 1:
            noise = paired_noise(valid.levels, proba["candidate"], proba["current"])
        promoted, reasons = gate(metrics["candidate"], metrics["current"], noise)
        n_base = len(valid) - len(held)
        if n_base and len(held):
            base = judged_part(valid, range(n_base), proba["candidate"], proba["current"])
            if not base["promoted"]:
                promoted = False
                reasons.insert(0, f"base data: {base['reasons'][0]}")
        if len(held):
            desks = desk_gates(held, proba["candidate"][-len(held):],
                               proba["current"][-len(held):], min_desk_verdicts)
            for desk, entry in desks.items():
                if entry["judged"] and not entry["promoted"]:
                    promoted = False
                    reasons.insert(0, f"desk {desk}: {entry['reasons'][0]}")
    sliced = {name: None if p is None or not len(held) else quality(held.levels, p[-len(held):])
              for name, p in proba.items()}
    return {"promoted": promoted, "reasons": reasons, "metrics": metrics,
            "bootstrap_standard_errors": noise, "verdict_slice_metrics": sliced,
            "base_metrics": base, "desk_metrics": desks,
            "min_desk_verdicts": min_desk_verdicts,
            "current_version": current.version if current else None}


def retrain(database_url: str, registry: Path, base: list[str], policy_path: Path,
            params: dict, holdout: float, dry_run: bool = False,
            min_desk_verdicts: int = MIN_DESK_VERDICTS) -> dict:
    """Train, evaluate, decide; save (and maybe promote) unless a dry run. The decision."""
    registry = Path(registry)
    log.info("tolerances: %s", tolerances_text())
    policy = parse_policy(yaml.safe_load(policy_path.read_text(encoding="utf-8")))
    lines = list(export.verdict_lines(database_url))
    with tempfile.TemporaryDirectory(prefix="retrain-") as work:
        work = Path(work)
        export.write_lines(lines, work / "verdicts.jsonl")
        specs, held, weights, valid = _training_data(lines, base, params["seed"], holdout,
                                                     policy.half_life_days, work)
        version, card = train.train(specs, work / "candidate", policy_path, params,
                                    weights=weights, extra_valid=held)
        candidate = load_version(work / "candidate", version)
        decision = {"version": version if dry_run else _free_name(registry, version),
                    **_decide(candidate, *_current(registry), valid, held,
                              min_desk_verdicts)}
        decision.update({
            "tolerances": {name: {"better": better, "allowed_worse_by": allowed}
                           for name, (better, allowed) in TOLERANCES.items()},
            "decided_at": datetime.datetime.now(datetime.timezone.utc)
                                  .isoformat(timespec="seconds"),
            "dry_run": dry_run,
            "verdicts": {
                "exported": len(lines), "held_out": len(held),
                "trained_on": len(lines) - len(held), "holdout": holdout,
                "seed": params["seed"],
                "split": "held out when sha256('<seed>:<assessment id>') < holdout",
                "export_sha256": datasets.sha256_of(work / "verdicts.jsonl"),
                "half_life_days": policy.half_life_days,
                "smallest_weight": None if weights is None else float(weights.min())},
            "data": {"train": card["data"]["train"], "held_out": valid.sources},
            "track_records": "honest: each model's own training counts",
        })
        for reason in decision["reasons"]:
            log.info("%s: %s", "promote" if decision["promoted"] else "refuse", reason)
        if dry_run:
            log.info("dry run: %s not saved, nothing promoted", version)
            return decision
        saved = save_version(registry, candidate.pipeline, card,
                             {**candidate.files, DECISION_FILE: decision},
                             version=decision["version"])
    log.info("saved candidate %s", saved)
    if decision["promoted"]:
        promote(registry, saved)
        log.info("promoted %s (was %s)", saved, decision["current_version"])
    return decision


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError("must be at least 0 and below 1")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.retrain", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=database_url(),
                        help="SQLAlchemy URL of the service's database (default: "
                             "$DATABASE_URL, else the service's own default, %(default)s)")
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--base", action="append",
                        help="a training data spec (repeatable; default: config.TRAINING_DATA)")
    parser.add_argument("--policy", type=Path, default=config.POLICY)
    parser.add_argument("--seed", type=int, default=config.PARAMS["seed"],
                        help="fixes the verdicts' split and the training folds")
    parser.add_argument("--holdout", type=_share, default=0.2,
                        help="share of the verdicts held out for the comparison")
    parser.add_argument("--min-desk-verdicts", type=int, default=MIN_DESK_VERDICTS,
                        help="held-out verdicts a desk needs to be judged on its own")
    parser.add_argument("--dry-run", action="store_true", help="decide, but save nothing")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        decision = retrain(args.database_url, args.registry,
                           args.base or list(config.TRAINING_DATA),
                           args.policy, {**config.PARAMS, "seed": args.seed}, args.holdout,
                           args.dry_run, args.min_desk_verdicts)
    except (export.DatabaseError, datasets.DataError, ArtifactError, PolicyError,
            yaml.YAMLError, OSError) as error:
        log.error("%s", error)
        return 2
    if args.json:
        keys = ("version", "promoted", "reasons", "metrics", "desk_metrics", "current_version",
                "dry_run")
        print(json.dumps({key: decision[key] for key in keys}), flush=True)
    else:
        print(decision["version"], "promoted" if decision["promoted"] else "not promoted",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
