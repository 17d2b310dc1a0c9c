"""Evaluate a model version on held-out claims, with honest track records by default.

    python -m training.evaluate --data liar:../shared/datasets/liar [--model VERSION]
        [--registry DIR] [--json] [--by-desk] [--plots DIR] [--history honest|row-deleaked]

``--data`` takes any spec of training.datasets, read for evaluation: a LIAR folder means
its validation split, ``liar2:DIR`` LIAR2's test rows not in LIAR, ``averitec:DIR``
AVeriTeC's dev claims, ``jsonl:FILE`` the service's export (each line's ``desk``). Each
claim is scored for its desk (its own habits where the model learned that desk). The
binary figures (``accuracy_2``, ``roc_auc_2``, ``brier_2``, ``ece_2``, ``n``) are always
printed; the six-level ones only where every verdict names a level (AVeriTeC and the
Russia-Ukraine set say only held up or not). ``--by-desk`` adds the figures of each desk.
``--calibrate-from SPEC [--calibrate-n 300]`` first calibrates the model's scores as a
desk's verdicts would (``model.desks.fit_calibration`` on the model's log-odds of N
verdicts drawn, seed 0, from the training split of SPEC), then measures. Track records come from the verdict counts the
version was trained on (``honest``); ``row-deleaked`` uses LIAR's own credit-history
columns minus the row's label, which still leaks the label: it exists only to compare
with the literature and its figures are marked as leaky. With ``--json`` the last line
is one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from scipy.special import expit, logit

from model.desks import fit_calibration
from model.levels import HELD_UP_FROM
from model.pipeline import request_frame
from model.registry import ArtifactError, load_version

from . import config, datasets, history
from .metrics import BINARY, quality_of, reliability_table

log = logging.getLogger("training.evaluate")


def track_records(claims: datasets.Claims, trained_counts: dict, mode: str) -> list:
    if mode == "row-deleaked":
        return history.row_deleaked(claims.history, claims.levels)
    return history.lookup(claims.requests, trained_counts)


def predict(pipeline, claims: datasets.Claims, records: list) -> np.ndarray:
    return pipeline.predict_proba(request_frame(claims.requests, records))


def _shown(value) -> str:
    return "n/a" if value is None else str(value) if isinstance(value, int) else f"{value:.4f}"


def calibrated_proba(loaded, verdicts: datasets.Claims, n: int, proba):
    """(probabilities with the score calibrated from ``n`` of the verdicts, the
    calibration): the score moves as one desk calibration moves it, and each side's
    levels keep their shares within the side."""
    rows = np.random.default_rng(0).permutation(len(verdicts))[:n]
    chosen = datasets.Claims()
    for i in rows:
        chosen.add(verdicts.requests[i], verdicts.levels[i])
    records = track_records(chosen, loaded.files.get("track_records.json", {}), "honest")
    scores = predict(loaded.pipeline, chosen, records)[:, HELD_UP_FROM:].sum(axis=1)
    calibration = fit_calibration(logit(np.clip(scores, 1e-12, 1 - 1e-12)),
                                  np.asarray(chosen.levels) >= HELD_UP_FROM)
    score = proba[:, HELD_UP_FROM:].sum(axis=1)
    new = expit(calibration.apply(logit(np.clip(score, 1e-12, 1 - 1e-12))))
    lower = proba[:, :HELD_UP_FROM] / np.maximum(1 - score, 1e-300)[:, None]
    upper = proba[:, HELD_UP_FROM:] / np.maximum(score, 1e-300)[:, None]
    return np.hstack([lower * (1 - new)[:, None], upper * new[:, None]]), calibration


def by_desk(claims: datasets.Claims, proba) -> list[dict]:
    """The figures of each desk's claims, desks by name (no desk: "")."""
    desks = np.array(claims.desks())
    out = []
    for desk in sorted(set(desks)):
        rows = np.flatnonzero(desks == desk)
        exact = all(claims.exact[i] for i in rows)
        out.append({"desk": desk, **quality_of([claims.levels[i] for i in rows], proba[rows],
                                               exact)})
    return out


def plot(levels, proba, folder: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    from model.levels import HELD_UP_FROM, LEVELS
    folder.mkdir(parents=True, exist_ok=True)
    score = proba[:, HELD_UP_FROM:].sum(axis=1)
    table = reliability_table(score, np.asarray(levels) >= HELD_UP_FROM)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot([r["mean_score"] for r in table], [r["held_up"] for r in table], marker="o",
            label="model")
    ax.set(xlabel="score (predicted P(at least half-true))", ylabel="share that held up",
           title="Reliability diagram", xlim=(0, 1), ylim=(0, 1))
    ax.legend()
    paths = [folder / "reliability.png", folder / "confusion.png"]
    fig.savefig(paths[0], dpi=100, bbox_inches="tight")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 6))
    ConfusionMatrixDisplay.from_predictions(levels, proba.argmax(axis=1), labels=range(6),
                                            display_labels=LEVELS, ax=ax, colorbar=False,
                                            xticks_rotation=45)
    ax.set_title("Six-level confusion matrix")
    fig.savefig(paths[1], dpi=100, bbox_inches="tight")
    plt.close(fig)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=f"liar:{config.LIAR}",
                        help="liar:PATH, liar2:DIR, averitec:DIR, ruua:PATH or jsonl:FILE")
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--model", help="version to evaluate (default: the promoted one)")
    parser.add_argument("--history", choices=("honest", "row-deleaked"), default="honest")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--by-desk", action="store_true",
                        help="also the figures of each desk (with --json, one JSON line each, "
                             "before the overall line)")
    parser.add_argument("--plots", type=Path, help="folder for reliability and confusion PNGs")
    parser.add_argument("--calibrate-from", metavar="SPEC",
                        help="calibrate on N verdicts of this spec's training split first")
    parser.add_argument("--calibrate-n", type=int, default=300, metavar="N")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        loaded = load_version(args.registry, args.model)
        claims = datasets.load(args.data, split="valid")
    except (ArtifactError, datasets.DataError) as error:
        log.error("%s", error)
        return 2
    trained_on = {s["sha256"] for s in loaded.card.get("data", {}).get("train", [])}
    if trained_on & {s["sha256"] for s in claims.sources}:
        log.warning("these claims were part of the model's training data: figures are not "
                    "held-out")
    proba = predict(loaded.pipeline, claims, track_records(
        claims, loaded.files.get("track_records.json", {}), args.history))
    calibrated = {}
    if args.calibrate_from:
        try:
            verdicts = datasets.load(args.calibrate_from, split="train")
        except datasets.DataError as error:
            log.error("%s", error)
            return 2
        if trained_on & {s["sha256"] for s in verdicts.sources}:
            log.warning("the calibration verdicts were part of the model's training data")
        proba, calibration = calibrated_proba(loaded, verdicts, args.calibrate_n, proba)
        calibrated = {"calibrated_from": args.calibrate_from, **calibration.as_dict()}
    figures = {**quality_of(claims.levels, proba, claims.six_levels), **calibrated,
               "model": loaded.version, "data": args.data, "history": args.history}
    if args.history == "row-deleaked":
        figures["leaky"] = True
        log.warning("row-deleaked history leaks the label: not a result, a comparison")
    shown = [k for k in ("accuracy_6", "accuracy_2", "macro_f1_6", "roc_auc_2", "brier_2",
                         "ece_2", "n") if k in figures]
    for key in shown:
        log.info("%-11s %s", key, _shown(figures[key]))
    desks = by_desk(claims, proba) if args.by_desk else []
    for desk in desks:
        log.info("desk %-20s %s", desk["desk"],
                 "  ".join(f"{k} {_shown(desk[k])}" for k in BINARY))
    if args.plots:
        for path in plot(claims.levels, proba, args.plots):
            log.info("wrote %s", path)
    if args.json:
        for desk in desks:
            print(json.dumps({**desk, "model": loaded.version, "data": args.data}), flush=True)
        print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
