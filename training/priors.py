"""Estimate source-type priors from data (empirical Bayes) and write them to the policy.

    python -m training.priors [--data SPEC ...] [--policy FILE] [--write]

For each source type with enough claims, a beta-binomial is fitted by maximum likelihood
to its sources' (held up, checked) counts in the training split of every spec (default:
``config.TRAINING_DATA``: LIAR train, LIAR2's valid rows not in LIAR, AVeriTeC train and
the Russia-Ukraine claims; a verdict that names only a side counts as held up or not).
A claim whose source has no name (AVeriTeC's unattributed posts) is a source of its own. Its mean becomes the
prior's mean; its concentration is capped at ``--max-strength`` virtual verdicts so a
source's own record dominates after a few dozen real ones (DOMAIN.md). Types with too
little data keep their elicited prior. ``--write`` rewrites only the estimated entries of
the policy file, keeping its comments. Rates are among *checked* claims: fact-checkers
pick doubtful ones, so they describe what gets checked, not all that is said.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import optimize
from scipy.special import betaln, expit

from model.levels import HELD_UP_FROM

from . import config, datasets
from .history import source_key

log = logging.getLogger("training.priors")


def beta_binomial_fit(good: np.ndarray, total: np.ndarray) -> tuple[float, float]:
    """(mean, concentration) maximising the beta-binomial likelihood of the counts."""
    def loss(params):
        mean, strength = expit(params[0]), np.exp(params[1])
        a, b = mean * strength, (1 - mean) * strength
        return -(betaln(a + good, b + total - good) - betaln(a, b)).sum()
    start = [np.log((good.sum() + 1) / (total.sum() - good.sum() + 1)), np.log(5.0)]
    result = optimize.minimize(loss, start, method="Nelder-Mead",
                               options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000})
    return float(expit(result.x[0])), float(np.exp(result.x[1]))


def estimate(claims: datasets.Claims, min_claims: int, min_sources: int,
             max_strength: float, min_strength: float = 0.0,
             types: set[str] | None = None) -> dict[str, dict]:
    per_source: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row, (request, level) in enumerate(zip(claims.requests, claims.levels)):
        kind = (request.get("source") or {}).get("type") or "other"
        counts = per_source[kind][source_key(request) or f"#{row}"]
        counts[0] += int(level >= HELD_UP_FROM)
        counts[1] += 1
    found = {}
    for kind, sources in sorted(per_source.items()):
        good, total = (np.array(v, dtype=float) for v in zip(*sources.values()))
        entry = {"claims": int(total.sum()), "sources": len(total),
                 "rate": float(good.sum() / total.sum())}
        if (entry["claims"] >= min_claims and entry["sources"] >= min_sources
                and kind != "other" and (types is None or kind in types)):
            mean, strength = beta_binomial_fit(good, total)
            used = min(max(strength, min_strength), max_strength)
            entry.update(mean=mean, strength=strength, a=round(mean * used, 2),
                         b=round((1 - mean) * used, 2))
        found[kind] = entry
    return found


def rewrite(policy_text: str, estimates: dict[str, dict], data_name: str) -> str:
    """Replace the prior, basis and rationale lines of each estimated type's entry."""
    for kind, e in estimates.items():
        if "a" not in e:
            continue
        rationale = (f"Estimated from {data_name}: {e['claims']} checked claims by {e['sources']} "
                     f"sources; {e['rate']:.0%} held up; beta-binomial mean {e['mean']:.3f}, "
                     f"concentration {e['strength']:.1f} used as {e['a'] + e['b']:.1f} "
                     f"virtual verdicts. A rate among checked claims, not all claims.")
        block = re.compile(rf"(\n  {re.escape(kind)}:\n(?:    .*\n)*?)"
                           r"    prior: .*\n    basis: .*\n    rationale: .*\n")
        lines = (f"    prior: {{a: {e['a']}, b: {e['b']}}}\n    basis: estimated\n"
                 f"    rationale: {json.dumps(rationale)}\n")
        policy_text, count = block.subn(lambda m: m.group(1) + lines, policy_text, count=1)
        if count != 1:
            raise ValueError(f"policy file has no entry for source type {kind}")
    return policy_text


NAMES = {"liar": "LIAR train", "liar2": "LIAR2 valid rows not in LIAR",
         "averitec": "AVeriTeC train", "ruua": "the Russia-Ukraine fact-checks"}


def data_name(specs: list[str]) -> str:
    """The data in words: "LIAR train, AVeriTeC train", or the specs as given."""
    return ", ".join(NAMES.get(spec.partition(":")[0], spec) for spec in specs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.priors", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append",
                        help="a training data spec (repeatable; default: config.TRAINING_DATA)")
    parser.add_argument("--policy", type=Path, default=config.POLICY)
    parser.add_argument("--min-claims", type=int, default=150)
    parser.add_argument("--min-sources", type=int, default=15)
    parser.add_argument("--max-strength", type=float, default=8.0)
    parser.add_argument("--min-strength", type=float, default=4.0,
                        help="fewest virtual verdicts a prior may weigh: where sources differ "
                             "wildly (or each claim is its own source) the fitted concentration "
                             "is near zero, and a prior needs some weight to stay proper")
    parser.add_argument("--types", nargs="+", help="estimate only these types (default: all)")
    parser.add_argument("--write", action="store_true", help="rewrite the policy file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    specs = args.data or list(config.TRAINING_DATA)
    try:
        claims = datasets.Claims()
        for spec in specs:
            claims.extend(datasets.load(spec, split="train"))
    except datasets.DataError as error:
        log.error("%s", error)
        return 2
    estimates = estimate(claims, args.min_claims, args.min_sources, args.max_strength,
                         args.min_strength, set(args.types) if args.types else None)
    print(f"{'type':24} {'claims':>7} {'sources':>7} {'held up':>8} {'mean':>6} {'conc.':>6} prior")
    for kind, e in estimates.items():
        prior = f"Beta({e['a']}, {e['b']})" if "a" in e else "as in the policy (not estimated)"
        mean = f"{e['mean']:.3f}" if "mean" in e else ""
        strength = f"{e['strength']:.1f}" if "strength" in e else ""
        print(f"{kind:24} {e['claims']:7d} {e['sources']:7d} {e['rate']:8.3f} {mean:>6} "
              f"{strength:>6} {prior}")
    if args.write:
        name = data_name(specs)
        args.policy.write_text(rewrite(args.policy.read_text(encoding="utf-8"), estimates, name),
                               encoding="utf-8")
        log.info("wrote estimated priors into %s", args.policy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
