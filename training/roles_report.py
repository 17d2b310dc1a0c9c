"""How much of the real data the source-type rules in ``model.roles`` cover.

    .venv/bin/python -m training.roles_report [--liar DIR] [--ru-ua CSV] [--json]
        [--unmatched N] [--claimants]

Prints (a) the share of LIAR rows (train + valid) mapped to a type other than
``other``, with a per-type table, and (b) the same for the distinct non-empty
claimants of the Russia-Ukraine fact-check set. ``--unmatched N`` lists the N most
frequent texts no rule matched, which is where new rules come from; ``--claimants``
lists every ru-ua claimant with its type, to check by eye. The datasets are
read where they lie (research use only) and nothing from them is written anywhere.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
from collections import Counter
from pathlib import Path

from model.roles import match_source
from training.datasets import load_liar_file

log = logging.getLogger(__name__)

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
LIAR_DIR = DATASETS / "liar"
RU_UA_CSV = DATASETS / "ru-ua-factcheck-claims" / "claims_union_dedup_flat.csv"
LIAR_SPLITS = ("train.tsv", "valid.tsv")


def _summary(types: Counter, fields: Counter, unmatched: Counter, n_unmatched: int) -> dict:
    total = sum(types.values())
    mapped = total - types.get("other", 0)
    return {"total": total, "mapped": mapped, "share": mapped / total if total else 0.0,
            "by_type": dict(types.most_common()), "by_field": dict(fields.most_common()),
            "unmatched": [[text, count] for text, count in unmatched.most_common(n_unmatched)]}


def liar_coverage(liar_dir: Path = LIAR_DIR, n_unmatched: int = 0) -> dict:
    """Rows of LIAR train + valid by the type their speaker, job and party map to."""
    types, fields, unmatched = Counter(), Counter(), Counter()
    for split in LIAR_SPLITS:
        log.info("reading %s", liar_dir / split)
        for request in load_liar_file(liar_dir / split).requests:
            source = request["source"]
            match = match_source(source["name"], source["role"], source["affiliation"])
            types[match.type if match else "other"] += 1
            fields[match.field if match else "none"] += 1
            if not match:
                unmatched[f"{source['name']} | {source['role']} | {source['affiliation']}"] += 1
    return _summary(types, fields, unmatched, n_unmatched)


def ru_ua_coverage(csv_path: Path = RU_UA_CSV, n_unmatched: int = 0) -> dict:
    """Distinct non-empty claimants of the Russia-Ukraine set by type."""
    log.info("reading %s", csv_path)
    with open(csv_path, encoding="utf-8", newline="") as handle:
        claimants = sorted({(row.get("claimant") or "").strip() for row in csv.DictReader(handle)}
                           - {""})
    types, fields, unmatched = Counter(), Counter(), Counter()
    mapping = {}
    for claimant in claimants:
        match = match_source(name=claimant)
        mapping[claimant] = match.type if match else "other"
        types[mapping[claimant]] += 1
        fields[match.field if match else "none"] += 1
        if not match:
            unmatched[claimant] += 1
    summary = _summary(types, fields, unmatched, n_unmatched)
    summary["claimants"] = mapping
    return summary


def _table(title: str, summary: dict, unit: str) -> str:
    lines = [f"{title}: {summary['mapped']} of {summary['total']} {unit} mapped to a type "
             f"other than 'other' ({summary['share']:.1%})",
             "  decided by: " + ", ".join(f"{field} {count / summary['total']:.1%}"
                                          for field, count in summary["by_field"].items()),
             f"  {'type':<24}{unit:>8}{'share':>8}"]
    for source_type, count in summary["by_type"].items():
        lines.append(f"  {source_type:<24}{count:>8}{count / summary['total']:>8.1%}")
    if summary["unmatched"]:
        lines.append("  most frequent unmatched:")
        lines += [f"    {count:>5}  {text}" for text, count in summary["unmatched"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--liar", type=Path, default=LIAR_DIR,
                        help="folder with LIAR train.tsv and valid.tsv")
    parser.add_argument("--ru-ua", type=Path, default=RU_UA_CSV,
                        help="the ru-ua claims_union_dedup_flat.csv")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object instead of tables")
    parser.add_argument("--unmatched", type=int, default=0, metavar="N",
                        help="also list the N most frequent unmatched texts")
    parser.add_argument("--claimants", action="store_true",
                        help="list each ru-ua claimant with its type")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    report = {"liar": liar_coverage(args.liar, args.unmatched),
              "ru_ua": ru_ua_coverage(args.ru_ua, args.unmatched)}
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return report
    print(_table("LIAR (train + valid)", report["liar"], "rows"))
    print()
    print(_table("Russia-Ukraine claimants (distinct, non-empty)", report["ru_ua"], "names"))
    if args.claimants:
        for claimant, source_type in report["ru_ua"]["claimants"].items():
            print(f"    {source_type:<24}{claimant}")
    return report


if __name__ == "__main__":
    main()
