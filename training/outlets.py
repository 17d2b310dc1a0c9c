"""Build the shipped outlet table, and check how the outlet ratings agree and resolve.

    python -m training.outlets [--datasets ../shared/datasets] [--write]
    python -m training.outlets --report [--json]

``--write`` rewrites ``model/outlets/lin2023.json`` from Lin et al. 2023's
``domain_pc1.csv`` (reuse allowed with citation; the citation and the source file's
sha256 go into the file). MBFC, Baly et al., Idiap and EUvsDisinfo are never copied:
the service reads them where they lie (``OUTLET_DATA``).

``--report`` prints (1) how well each rating set predicts the others, as AUC over the
domains both rate (Lin's pc1 against MBFC's factual reporting high-or-better vs
mixed-or-worse, against Baly et al.'s high vs low, and the combined reliability against
each), and (2) the share of AVeriTeC's distinct reporting sources that name a news
outlet and resolve, and of the Russia-Ukraine set's claimants, with what does not.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
from pathlib import Path

from sklearn.metrics import roc_auc_score

from model.names import normalise_name
from model.outlets import (BALY_FACT, LIN_CITATION, MBFC_FACTUAL, SHIPPED, load_outlets)

from . import config
from .datasets import sha256_of

log = logging.getLogger("training.outlets")

# Reporting sources that are venues, platforms or kinds of text, not outlets: an
# AVeriTeC reporting source counts as naming a news outlet unless one of these words
# says otherwise (a speech, a rally, a social post, a government office).
NOT_OUTLET = re.compile(
    r"(?i)\b(facebook|twitter|tweet|youtube|you tube|instagram|whatsapp|tiktok|telegram|"
    r"social media|post|posts|user|users|viral|speech|address|rally|conference|convention|"
    r"interview|debate|hearing|hearings|parliament|senate|congress|house|meeting|statement|"
    r"remarks|president|government|govt|ministry|minister|governors|portal|website|blog|"
    r"article|newspaper|press|campaign|ad|advert|advertisement|video|image|meme|email|"
    r"petition|report|transcript|town hall|summit|budget|state of the|event|podcast|"
    r"message|broadcast|channel|page|account|web|online|media outlets|url|http|party|pac|"
    r"university|mp|leader|manifesto|elections?|primary|polls|forum|lecture|day|hansard|"
    r"court|council|office|department|pdf|newsletter)\b")


def write_lin(datasets: Path, out: Path = SHIPPED / "lin2023.json") -> int:
    source = datasets / "domain-quality-lin2023" / "domain_pc1.csv"
    with open(source, encoding="utf-8", newline="") as handle:
        pc1 = {row["domain"].lower(): round(float(row["pc1"]), 4)
               for row in csv.DictReader(handle)}
    out.write_text(json.dumps({
        "citation": LIN_CITATION,
        "source": "domain_pc1.csv of github.com/hauselin/domain-quality-ratings",
        "sha256": sha256_of(source),
        "note": "pc1 rounded to 4 decimals; reuse allowed with citation (the authors' README)",
        "pc1": dict(sorted(pc1.items()))}, ensure_ascii=False, indent=0) + "\n",
        encoding="utf-8")
    return len(pc1)


def _auc(pairs) -> dict:
    pairs = [(score, good) for score, good in pairs if score is not None]
    goods = sum(1 for _, good in pairs if good)
    if not goods or goods == len(pairs):
        return {"auc": None, "n": len(pairs)}
    return {"auc": round(float(roc_auc_score([g for _, g in pairs], [s for s, _ in pairs])), 3),
            "n": len(pairs)}


def agreement(table) -> dict:
    """AUC of each rating set (and of the combination) at telling the others' good from bad."""
    def rating(outlet, source):
        return next((r for r in outlet.ratings if r.source == source), None)

    def reliability_without(outlet, source):
        kept = [r for r in outlet.ratings if r.source != source]
        if not any(r.source != "euvsdisinfo" for r in kept):
            return None
        from model.outlets import Outlet
        other = Outlet(outlet.domain, outlet.name, kind=outlet.kind, ratings=kept)
        return other.reliability().mean

    mbfc_good = {"very-high", "high"}
    mbfc_bad = {"mixed", "low", "very-low"}
    out = {}
    rows = list(table.by_domain.values())
    for name, other, good, bad in (("mbfc", "mbfc", mbfc_good, mbfc_bad),
                                   ("baly", "baly", {"high"}, {"low"})):
        lin, combined = [], []
        for outlet in rows:
            judged = rating(outlet, other)
            if judged is None or judged.label not in good | bad:
                continue
            is_good = judged.label in good
            lin_rating = rating(outlet, "lin2023")
            lin.append((lin_rating.value if lin_rating else None, is_good))
            combined.append((reliability_without(outlet, other), is_good))
        out[f"lin2023 -> {name}"] = _auc(lin)
        out[f"combined without {name} -> {name}"] = _auc(combined)
    cases = [(r.value if (r := rating(o, "lin2023")) else None,
              rating(o, "euvsdisinfo") is None) for o in rows if rating(o, "lin2023")]
    out["lin2023 -> not in EUvsDisinfo"] = _auc(cases)
    return out


def resolution(table, datasets: Path) -> dict:
    out = {}
    averitec = []
    for split in ("train.json", "dev.json"):
        path = datasets / "averitec" / split
        if path.is_file():
            averitec += json.loads(path.read_text(encoding="utf-8"))
    sources = sorted({(item.get("reporting_source") or "").strip() for item in averitec} - {""})
    outlets = [s for s in sources if not NOT_OUTLET.search(s)
               and normalise_name(s) not in table.platform_names]
    resolved = [s for s in outlets if table.find(s) is not None]
    out["averitec_reporting_sources"] = {
        "distinct": len(sources), "naming_news_outlets": len(outlets),
        "resolved": len(resolved),
        "share": round(len(resolved) / len(outlets), 3) if outlets else None,
        "all_sources_resolved": sum(1 for s in sources if table.find(s) is not None),
        "unresolved": [s for s in outlets if table.find(s) is None]}
    path = datasets / "ru-ua-factcheck-claims" / "claims_union_dedup_flat.csv"
    if path.is_file():
        with open(path, encoding="utf-8", newline="") as handle:
            claimants = sorted({(row.get("claimant") or "").strip()
                                for row in csv.DictReader(handle)} - {""})
        hits = {c: table.find(c) for c in claimants}
        out["ru_ua_claimants"] = {
            "distinct": len(claimants),
            "resolved": sum(1 for o in hits.values() if o is not None),
            "share": round(sum(1 for o in hits.values() if o is not None) / len(claimants), 3),
            "resolved_as": {c: o.name for c, o in hits.items() if o is not None}}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.outlets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=Path, default=config.DATASETS)
    parser.add_argument("--write", action="store_true", help="rewrite model/outlets/lin2023.json")
    parser.add_argument("--report", action="store_true", help="agreement and resolution figures")
    parser.add_argument("--json", action="store_true", help="the report as one JSON object")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not args.datasets.is_dir():
        log.error("no datasets at %s", args.datasets)
        return 2
    if args.write:
        log.info("wrote %d domains to %s", write_lin(args.datasets), SHIPPED / "lin2023.json")
    table = load_outlets(args.datasets)
    log.info("%d outlets; rating sets loaded: %s", len(table), ", ".join(table.loaded))
    if args.report:
        report = {"loaded": table.loaded, "outlets": len(table),
                  "agreement": agreement(table), "resolution": resolution(table, args.datasets)}
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            for key, value in report["agreement"].items():
                print(f"{key:40} AUC {value['auc']}  (n={value['n']})")
            for key, value in report["resolution"].items():
                shown = {k: v for k, v in value.items() if k not in ("unresolved", "resolved_as")}
                print(f"{key}: {shown}")
                if value.get("unresolved"):
                    print("  unresolved:", "; ".join(value["unresolved"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
