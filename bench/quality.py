"""Quality side by side, in one run, all with honest track records.

    flock /tmp/heavy.lock .venv/bin/python bench/quality.py [--liar ../shared/datasets/liar]
        [--registry model/registry] [--no-desks]

First table, LIAR validation: the majority class; a text-only logistic regression (word
and character tf-idf); a metadata-only logistic regression without track record (type,
role, party, state, venue, subjects); and the promoted model. The baselines are fitted
on LIAR train only.

Second table, a desk's verdicts (binary figures: held up or not), over LIAR validation,
LIAR2's test rows not in LIAR and AVeriTeC dev, each claim scored for its desk:

- zero-shot: a model trained without the desk's data (for the two PolitiFact sets, no
  PolitiFact row at all: AVeriTeC's other checkers and the Russia-Ukraine set; for
  AVeriTeC dev, no AVeriTeC: LIAR, LIAR2-later and Russia-Ukraine);
- calibrated from N: that model with ``model.desks.fit_calibration`` fitted on its
  log-odds of N verdicts drawn (seed 0) from the desk's TRAINING side (LIAR train,
  LIAR2's valid rows not in LIAR, AVeriTeC train), never the measured rows;
- retrained with N: the zero-shot data plus the same N verdicts, with their desk;
- the promoted model (all the training data).

Eleven trainings (with 3 calibration folds, not the default model's 5): 15-25 minutes on
two cores; run it under the heavy-work lock.

Third table (``--outlets`` prints it alone, without training): AVeriTeC dev scored by the
promoted model as loaded, then with each claim's reporting source that names an outlet
taken as its relay, at the policy's flat weight (outlets unknown) and weighed by the
outlet's reliability (the speaker resolved as an outlet too where it is one); and the
share of AVeriTeC's reporting sources and of the Russia-Ukraine claimants that resolve
(``training.outlets``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import optimize
from scipy.special import expit, logit
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (bench/http.py)

from model.pipeline import request_frame  # noqa: E402
from model.registry import load_version  # noqa: E402
from training import config, datasets  # noqa: E402
from training.evaluate import predict, track_records  # noqa: E402
from model.desks import fit_calibration  # noqa: E402
from model.levels import HELD_UP_FROM  # noqa: E402
from model.policy import load_policy  # noqa: E402
from training import fitting  # noqa: E402
from training.metrics import binary_quality  # noqa: E402
from training.metrics import expected_calibration_error, quality  # noqa: E402

COLUMNS = ("accuracy_6", "accuracy_2", "macro_f1_6", "roc_auc_2", "brier_2", "ece_2")


def baselines(train: datasets.Claims, valid: datasets.Claims) -> dict[str, np.ndarray]:
    y = np.asarray(train.levels)
    empty = [None] * len(train)
    X_train, X_valid = request_frame(train.requests, empty), request_frame(valid.requests,
                                                                           [None] * len(valid))
    # The majority "model" scores every claim with the training base rate of held-up.
    majority = np.tile(np.bincount(y, minlength=6) / len(y), (len(valid), 1))
    text = make_pipeline(ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "claim"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                                  sublinear_tf=True, max_features=30000), "claim")]),
        LogisticRegression(C=0.3, max_iter=3000))
    metadata = make_pipeline(ColumnTransformer([
        ("categories", OneHotEncoder(handle_unknown="ignore"),
         ["source_type", "affiliation", "region"]),
        ("role", TfidfVectorizer(min_df=2), "role"),
        ("channel", TfidfVectorizer(min_df=3), "channel"),
        ("topic", TfidfVectorizer(token_pattern=r"[^,]+", min_df=3), "topic")]),
        LogisticRegression(C=0.3, max_iter=3000))
    return {
        "majority class (train base rates)": majority,
        "text only: logistic regression": text.fit(X_train, y).predict_proba(X_valid),
        "metadata, no track record: LR": metadata.fit(X_train, y).predict_proba(X_valid),
    }


SIZES = (50, 200, 300, 1000)          # verdicts a desk has given
BENCH_FOLDS = 3                       # calibration folds of the bench's own trainings
RETRAINED = (50, 200, 1000)
DESK_COLUMNS = ("accuracy_2", "roc_auc_2", "brier_2", "ece_2", "n")


def _subset(claims: datasets.Claims, rows) -> datasets.Claims:
    out = datasets.Claims()
    for i in rows:
        out.add(claims.requests[i], *((claims.levels[i], None) if claims.exact[i]
                                      else (None, claims.levels[i] >= HELD_UP_FROM)))
    return out


def _without_desk(claims: datasets.Claims, desk: str) -> datasets.Claims:
    return _subset(claims, [i for i, d in enumerate(claims.desks()) if d != desk])


def _joined(*parts: datasets.Claims) -> datasets.Claims:
    out = datasets.Claims()
    for part in parts:
        out.extend(part)
    return out


def _fit(claims: datasets.Claims, params: dict):
    return fitting.fit(claims.requests, np.asarray(claims.levels), load_policy(), params,
                       exact=np.asarray(claims.exact))


def _scores(fitted, claims: datasets.Claims) -> np.ndarray:
    proba = predict(fitted.pipeline, claims, track_records(claims, fitted.track_records,
                                                           "honest"))
    return np.clip(proba[:, HELD_UP_FROM:].sum(axis=1), 1e-12, 1 - 1e-12)


def desk_table(liar: Path, registry: Path, show=None) -> list[tuple[str, str, dict]]:
    """(measured set, model, binary figures) rows of the second table; ``show`` is
    called with each row as soon as it is known."""
    params = {**config.PARAMS, "folds": BENCH_FOLDS}
    load = datasets.load
    liar_train, liar2_train = load(f"liar:{liar}"), load(f"liar2:{config.LIAR2}")
    averitec_train, ruua = load(f"averitec:{config.AVERITEC}"), load(f"ruua:{config.RUUA}")
    measured = {"LIAR validation": (load(f"liar:{liar}", "valid"), liar_train),
                "LIAR2 test, not in LIAR": (load(f"liar2:{config.LIAR2}", "valid"), liar2_train),
                "AVeriTeC dev": (load(f"averitec:{config.AVERITEC}", "valid"), averitec_train)}
    no_politifact = _joined(_without_desk(averitec_train, datasets.LIAR_DESK),
                            _without_desk(ruua, datasets.LIAR_DESK))
    zero_data = {"LIAR validation": no_politifact, "LIAR2 test, not in LIAR": no_politifact,
                 "AVeriTeC dev": _joined(liar_train, liar2_train, ruua)}
    zero_models = {}
    promoted = None
    rows = _Rows(show)
    for name, (claims, desk_side) in measured.items():
        held = np.asarray(claims.levels) >= HELD_UP_FROM
        key = id(zero_data[name])
        if key not in zero_models:
            zero_models[key] = _fit(zero_data[name], params)
        zero = zero_models[key]
        score = _scores(zero, claims)
        rows.append((name, "zero-shot (without the desk's data)", binary_quality(held, score)))
        renamed = _subset(claims, range(len(claims)))
        renamed.requests = [{**r, "desk": "a-new-desk"} for r in renamed.requests]
        rows.append((name, "zero-shot, every claim scored for a new desk",
                     binary_quality(held, _scores(zero, renamed))))
        order = np.random.default_rng(0).permutation(len(desk_side))
        side_score = _scores(zero, desk_side)
        side_held = np.asarray(desk_side.levels) >= HELD_UP_FROM
        for n in SIZES:
            chosen = order[:n]
            calibration = fit_calibration(logit(side_score[chosen]), side_held[chosen])
            rows.append((name, f"calibrated from {n} verdicts",
                         binary_quality(held, expit(calibration.apply(logit(score))))))
        for n in RETRAINED:
            fitted = _fit(_joined(zero_data[name], _subset(desk_side, order[:n])), params)
            rows.append((name, f"retrained with {n} verdicts",
                         binary_quality(held, _scores(fitted, claims))))
        promoted = promoted or load_version(registry)
        proba = predict(promoted.pipeline, claims, track_records(
            claims, promoted.files["track_records.json"], "honest"))
        rows.append((name, f"promoted model {promoted.version} (all training data)",
                     binary_quality(held, proba[:, HELD_UP_FROM:].sum(axis=1))))
    return rows


class _Rows(list):
    def __init__(self, show):
        super().__init__()
        self.show = show

    def append(self, row) -> None:
        super().append(row)
        if self.show:
            self.show(row)


def print_desk_header() -> None:
    print("\nA desk's verdicts, binary (held up or not); each claim scored for its desk\n")
    print(f"{'measured on':26}{'model':58}" + "".join(f"{c:>11}" for c in DESK_COLUMNS),
          flush=True)


def print_desk_row(row) -> None:
    name, model, figures = row
    print(f"{name:26}{model:58}" + "".join(
        f"{figures[c]:11d}" if c == "n" else f"{figures[c]:11.4f}" for c in DESK_COLUMNS),
        flush=True)


def outlet_table(registry: Path) -> None:
    """AVeriTeC dev with and without outlet reliability (see the module's text)."""
    from model.outlets import EMPTY, load_outlets, resolve
    from model.scoring import Scorer
    from training.outlets import NOT_OUTLET, resolution

    scorer = Scorer.load(registry)
    dev = datasets.load(f"averitec:{config.AVERITEC}", "valid")
    held = (np.asarray(dev.levels) >= HELD_UP_FROM).astype(float)
    table = load_outlets(config.DATASETS)
    records = [scorer.training_track_record(r["source"].get("name")) for r in dev.requests]

    def relayed(request):
        where = request["context"].get("channel") or ""
        if not where or NOT_OUTLET.search(where) or table.find(where) is None:
            return request
        return {**request, "context": {**request["context"], "relayed_by": [where]}}

    with_relays = [relayed(r) for r in dev.requests]
    runs = {"as loaded (reporting source as venue only)": dev.requests,
            "reporting outlet as relay, flat weight": [resolve(r, EMPTY, scorer.policy)
                                                       for r in with_relays],
            "reporting outlet as relay, weighed by its rating": [
                resolve(r, table, scorer.policy) for r in with_relays]}
    changed = sum(a is not b for a, b in zip(with_relays, dev.requests))
    print(f"\nAVeriTeC dev with and without outlet reliability (n = {len(held)}; {changed} "
          f"claims have a reporting source that resolves to an outlet)\n")
    print(f"{'scored':58}" + "".join(f"{c:>11}" for c in DESK_COLUMNS))
    for name, requests in runs.items():
        score = np.array([a["score"] for a in scorer.assess_many(requests, records,
                                                                   explain=False)])
        figures = binary_quality(held, score)
        print(f"{name:58}" + "".join(
            f"{figures[c]:11.4f}" if isinstance(figures[c], float) else f"{figures[c]:>11}"
            for c in DESK_COLUMNS))
    shares = resolution(table, config.DATASETS)
    averitec, ruua = shares["averitec_reporting_sources"], shares.get("ru_ua_claimants", {})
    print(f"\nresolve to an outlet: {averitec['resolved']} of {averitec['naming_news_outlets']} "
          f"AVeriTeC reporting sources that name a news outlet ({averitec['share']:.1%}; "
          f"{averitec['all_sources_resolved']} of all {averitec['distinct']}); "
          f"{ruua.get('resolved')} of {ruua.get('distinct')} Russia-Ukraine claimants")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--liar", type=Path, default=config.LIAR)
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--no-desks", action="store_true",
                        help="the LIAR validation table only (no training)")
    parser.add_argument("--outlets", action="store_true",
                        help="the outlet table alone (AVeriTeC dev, no training)")
    args = parser.parse_args(argv)
    if args.outlets:
        outlet_table(args.registry)
        return 0
    train = datasets.load(f"liar:{args.liar}", "train")
    valid = datasets.load(f"liar:{args.liar}", "valid")
    rows = baselines(train, valid)
    loaded = load_version(args.registry)
    rows[f"full model {loaded.version}"] = predict(
        loaded.pipeline, valid, track_records(valid, loaded.files["track_records.json"], "honest"))
    print(f"LIAR validation, n = {len(valid)}; track records from training labels only\n")
    print(f"{'model':44}" + "".join(f"{c:>12}" for c in COLUMNS))
    for name, proba in rows.items():
        figures = quality(valid.levels, proba)
        print(f"{name:44}" + "".join(f"{figures[c]:12.4f}" for c in COLUMNS))
    score = proba[:, HELD_UP_FROM:].sum(axis=1)
    held = np.asarray(valid.levels) >= HELD_UP_FROM
    # Diagnostic only (it reads the validation labels): how much of the full model's ECE
    # is the gap between train's and validation's base rates.
    shift = optimize.brentq(lambda d: expit(logit(score) + d).mean() - held.mean(), -3, 3)
    print(f"\nbase rate of held-up claims: train {np.mean(np.asarray(train.levels) >= HELD_UP_FROM):.3f}, "
          f"validation {held.mean():.3f}; mean score on validation {score.mean():.3f}")
    print(f"diagnostic: the full model's ECE with that mean shift removed "
          f"({shift:+.3f} log-odds, fitted on validation labels): "
          f"{expected_calibration_error(expit(logit(score) + shift), held):.4f}")
    if not args.no_desks:
        print_desk_header()
        desk_table(args.liar, args.registry, show=print_desk_row)
    outlet_table(args.registry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
