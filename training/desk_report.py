"""The wording cues' weights, shared and per desk: which habits held across desks.

    python -m training.desk_report [--registry DIR] [--model VERSION] [--desks N]

Reads a saved version's compiled form (model/habits.py explains the per-desk copies).
Each weight is the change in the score's log-odds per unit of the cue's value
(log(1 + count)): the shared weight applies to every desk; a desk's deviation is added
for that desk's claims only. A cue whose shared weight is large and whose deviations
are small held across desks; one whose deviation is large for one desk was that desk's
habit. Also each desk's intercept deviation (its base rate beyond the pooled one) and
its training rows. Prints a Markdown table, desks with the most training rows first.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.compiled import CompiledPipeline
from model.cues import CUES, cue_phrase
from model.registry import ArtifactError, load_scorer

from . import config


def weights(compiled: CompiledPipeline) -> tuple[dict, dict]:
    """({cue: shared weight}, {desk: {part: deviation}}), per unit of the raw value."""
    blocks = {b["name"]: b for b in compiled.spec["blocks"]}
    score = compiled.weights[:, 0]
    cues = blocks["cues"]
    shared = {name: float(cues["weight"] * score[cues["start"] + i])
              for i, name in enumerate(cues["names"])}
    desks = {}
    block = blocks.get("desk")
    if block is None or not block.get("desks"):
        return shared, desks
    intercept_scale, cue_scale, type_scale = block["scales"]
    parts = ["intercept", *CUES, "length"]
    width = len(parts) + len(block["types"])
    for number, desk in enumerate(block["desks"]):
        start = block["start"] + number * width
        own = {part: float(block["weight"] * cue_scale * score[start + i])
               for i, part in enumerate(parts)}
        own["intercept"] = float(block["weight"] * intercept_scale * score[start])
        desks[desk] = own
    return shared, desks


def table(shared: dict, desks: dict, rows: dict, limit: int) -> str:
    chosen = sorted(desks, key=lambda d: (-rows.get(d, 0), d))[:limit]
    head = ["cue", "shared", *(f"{d} ({rows.get(d, 0)})" for d in chosen)]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines.append("| intercept (base rate) | 0 | "
                 + " | ".join(f"{desks[d]['intercept']:+.2f}" for d in chosen) + " |")
    for cue in (*CUES, "length"):
        lines.append(f"| {cue_phrase(cue)} | {shared[cue]:+.2f} | "
                     + " | ".join(f"{desks[d][cue]:+.2f}" for d in chosen) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.desk_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--model", help="version (default: the promoted one)")
    parser.add_argument("--desks", type=int, default=6, help="how many desks to show")
    args = parser.parse_args(argv)
    try:
        loaded = load_scorer(args.registry, args.model)
    except ArtifactError as error:
        print(error, file=sys.stderr)
        return 2
    shared, desks = weights(CompiledPipeline(loaded.spec, loaded.arrays))
    print(f"Model {loaded.version}: the wording cues' weights in log-odds per unit of "
          "log(1 + count), shared and each desk's deviation (desk: training rows)\n")
    print(table(shared, desks, loaded.card.get("desks", {}), args.desks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
