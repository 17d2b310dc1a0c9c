"""Precision and recall of the policy's stake forms on hand-labelled claims.

    python -m training.stake_report [--claims tests/model/stake_claims.tsv]
        [--policy model/policy.yaml] [--misses tuning|held-out]

The claims file alternates its rows between two halves: the tuning half (rows 1, 3, 5,
...), the only one whose misses may be read while the rules are changed, and the
held-out half (rows 2, 4, 6, ...). Prints one Markdown table per half and both halves
together; ``--misses`` lists one half's wrong answers (never read the held-out half's
while tuning). A claim may take several forms; each form is scored on every claim.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from model.policy import load_policy

from . import config

CLAIMS = config.REPO_ROOT / "tests" / "model" / "stake_claims.tsv"
HALVES = ("tuning", "held-out")


@dataclass(frozen=True)
class Labelled:
    claim: str
    forms: frozenset[str]
    half: str


def read_claims(path: Path = CLAIMS) -> list[Labelled]:
    """The labelled claims of the file, each in its half."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, claim = line.split("\t")
        forms = frozenset() if label == "none" else frozenset(label.split("+"))
        out.append(Labelled(claim, forms, HALVES[len(out) % 2]))
    return out


def scores(claims: list[Labelled], found: list[frozenset[str]], forms) -> dict[str, dict]:
    """Per form: claims labelled with it, true and false positives, precision, recall."""
    out = {}
    for form in forms:
        labelled = sum(form in c.forms for c in claims)
        hits = sum(form in f for f in found)
        right = sum(form in c.forms and form in f for c, f in zip(claims, found))
        out[form] = {"claims": labelled, "found": hits, "right": right,
                     "precision": right / hits if hits else 1.0,
                     "recall": right / labelled if labelled else 1.0}
    return out


def table(title: str, result: dict[str, dict], neutral: int) -> str:
    lines = [f"{title} ({neutral} claims of no form)", "",
             "| form | claims | found | right | precision | recall |",
             "| --- | --- | --- | --- | --- | --- |"]
    for form, r in result.items():
        lines.append(f"| {form} | {r['claims']} | {r['found']} | {r['right']} "
                     f"| {r['precision']:.3f} | {r['recall']:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.stake_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=Path, default=CLAIMS)
    parser.add_argument("--policy", type=Path, default=config.POLICY)
    parser.add_argument("--misses", choices=HALVES)
    args = parser.parse_args(argv)
    rules = load_policy(args.policy).stake
    forms = [form.name for form in rules.forms]
    claims = read_claims(args.claims)
    found = [frozenset(rules.recognise(c.claim).forms) for c in claims]
    print(f"policy {load_policy(args.policy).version}, {len(claims)} claims from {args.claims.name}")
    for half in (*HALVES, None):
        pairs = [(c, f) for c, f in zip(claims, found) if half in (None, c.half)]
        part = [c for c, _ in pairs]
        print()
        print(table(f"{half or 'both halves'}", scores(part, [f for _, f in pairs], forms),
                    sum(not c.forms for c in part)))
    if args.misses:
        print()
        for c, f in zip(claims, found):
            if c.half == args.misses and f != c.forms:
                print(f"{'+'.join(sorted(c.forms)) or 'none'} -> "
                      f"{'+'.join(sorted(f)) or 'none'}: {c.claim}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
