"""In-process scoring speed of the promoted model, side by side with its own Pipeline.

    .venv/bin/python bench/scoring.py [--registry model/registry] [--claims N] [--parts]

Timed claims are statements the model never saw: LIAR validation, then AVeriTeC's claims
(from ../shared; generated ones without it), each timed once. The scorer first warms up
on 2,000 LIAR training statements, as a worker that has been serving for a while (its
word caches hold common words, not these claims); one claim at a time and batches each
get statements of their own.
Prints, measured in this one run: one claim with its explanation through
``Scorer.assess`` (p50, p99), and the same calibrated to a desk (its shift and slope
applied, its factor added; alternate claims of one stream, so both are as warm), against
``Pipeline.predict_proba`` on a one-row DataFrame (no explanation), and batches without
explanations (claims/s) against the same one-row Pipeline call, then the same batches
again (their words now remembered).
``--parts`` also times each part of a batch on more new statements. Absolute figures
depend on the machine; the ratios are the point.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (bench/http.py)

from model.desks import DeskCalibration  # noqa: E402
from model.outlets import load_outlets, resolve  # noqa: E402
from model.pipeline import frame  # noqa: E402
from model.registry import load_version  # noqa: E402
from model.scoring import Scorer  # noqa: E402
from training import config, datasets  # noqa: E402


WARM_UP = 2000
SINGLE = 1000
PARTS = 800
# A desk's calibration as after a few hundred verdicts: the one-claim path times it too.
DESK = DeskCalibration(shift=-0.41, slope=0.9, verdicts=240)


def averitec(folder: Path) -> list[dict]:
    requests = []
    for name in ("train.json", "dev.json"):
        for item in json.loads((folder / name).read_text(encoding="utf-8")):
            source = {"name": item.get("speaker") or "unknown"}
            if item.get("location_ISO_code"):
                source["country"] = item["location_ISO_code"]
            requests.append({"claim": item["claim"], "source": source,
                             "context": {"channel": item.get("reporting_source") or ""}})
    return requests


def generated(n: int) -> list[dict]:
    return [{"claim": f"Officials say {i} soldiers and {i % 7} tanks were lost near the river.",
             "source": {"name": f"Ministry {i % 50}", "type": "state_agency"},
             "context": {"party_to_event": bool(i % 2), "relayed_by": ["TASS"]}}
            for i in range(n)]


def warm_up_claims() -> list[dict]:
    """LIAR training statements, as a worker has served claims like them for a while."""
    if (config.LIAR / "train.tsv").is_file():
        return datasets.load(f"liar:{config.LIAR}", "train").requests[:WARM_UP]
    return generated(WARM_UP)


def claims(n: int) -> list[dict]:
    """``n`` statements the model never saw, all different as long as there are enough."""
    if (config.LIAR / "valid.tsv").is_file():
        unseen = [*datasets.load(f"liar:{config.LIAR}", "valid").requests,
                  *averitec(config.DATASETS / "averitec")]
    else:
        unseen = generated(WARM_UP + n)[WARM_UP:]     # not the warm-up's own claims
    return (unseen * (n // len(unseen) + 1))[:n]


def timings(function, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        function(item)
        out.append(time.perf_counter() - started)
    return out


def alternating(first, second, items) -> tuple[list[float], list[float]]:
    """Each function timed on every other item: both see the same stream of claims."""
    out = ([], [])
    for number, item in enumerate(items):
        function = second if number % 2 else first
        started = time.perf_counter()
        function(item)
        out[number % 2].append(time.perf_counter() - started)
    return out


def percentile(values, q):
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def batch_rate(scorer, requests, records) -> float:
    started = time.perf_counter()
    for start in range(0, len(requests), 1000):
        scorer.assess_many(requests[start:start + 1000], records[start:start + 1000],
                           explain=False)
    return len(requests) / (time.perf_counter() - started)


def parts(scorer, requests, records) -> dict[str, float]:
    """Microseconds per claim of each part of a batch: reading the requests (and guessing
    source types), each feature block, and the answers' dicts."""
    out, compiled = {}, scorer.compiled
    started = time.perf_counter()
    rows = [scorer._row(r, t) for r, t in zip(requests, records)]
    out["reading the requests"] = time.perf_counter() - started
    chunks = [rows[start:start + 1000] for start in range(0, len(rows), 1000)]
    for (many, where, _), block in zip(compiled.batch_blocks, compiled.spec["blocks"]):
        started = time.perf_counter()
        for chunk in chunks:
            many(chunk, compiled.weights[where])
        out[f"block {block['name']}"] = time.perf_counter() - started
    levels = [compiled.evaluate_many(chunk)[1] for chunk in chunks]
    started = time.perf_counter()
    for request, record, row, level in zip(requests, records, rows, np.vstack(levels)):
        scorer._answer(request, record, row, 0.5, level)
    out["the answers' dicts"] = time.perf_counter() - started
    return {name: seconds / len(rows) * 1e6 for name, seconds in out.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--parts", action="store_true",
                        help="also time each part of a batch, on statements not yet scored")
    args = parser.parse_args(argv)
    scorer = Scorer.load(args.registry)
    gc.freeze()                 # as a served worker does once its model is loaded
    spare = PARTS if args.parts else 0
    warm, unseen = warm_up_claims(), claims(2 * SINGLE + args.claims + spare)
    unseen, spare = unseen[:len(unseen) - spare], unseen[len(unseen) - spare:]
    scorer.assess_many(warm, [scorer.training_track_record(r["source"].get("name"))
                              for r in warm])
    records = [scorer.training_track_record(r["source"].get("name")) for r in unseen]
    pairs = list(zip(unseen[:2 * SINGLE], records[:2 * SINGLE]))
    requests, records = unseen[2 * SINGLE:], records[2 * SINGLE:]
    rows = [scorer._row(r, t) for r, t in pairs[::2]]
    explained, calibrated = alternating(
        lambda p: scorer.assess(*p),
        lambda p: scorer.assess(*p, calibration=DESK, desk="desk-3"), pairs)
    # Outlet resolution as the service does it per request: each claim relayed by TASS
    # and a channel no table knows, its source looked up by name as an outlet.
    outlets = load_outlets(config.DATASETS if config.DATASETS.is_dir() else None)
    relayed = [{**r, "context": {**r["context"], "relayed_by": ["TASS", "Channel 9 Nowhere"]}}
               for r, _ in pairs[::2]]
    resolving = timings(lambda r: resolve(r, outlets, scorer.policy), relayed)
    new_rate = batch_rate(scorer, requests, records)
    again_rate = batch_rate(scorer, requests, records)     # the same statements again
    # scikit-learn last: its objects would make the scorer's garbage collections longer.
    pipeline = load_version(args.registry, scorer.version).pipeline
    one_row = timings(lambda row: pipeline.predict_proba(frame([row])), rows[:300])
    pipeline_rate = 1 / statistics.mean(one_row)

    ms = 1000.0
    print(f"model {scorer.version}; {len(requests)} claims\n")
    print(f"{'path':58}{'p50 ms':>9}{'p99 ms':>9}{'claims/s':>11}")
    print(f"{'Scorer.assess, one claim with explanation':58}{percentile(explained, .5) * ms:9.3f}"
          f"{percentile(explained, .99) * ms:9.3f}{1 / statistics.mean(explained):11.0f}")
    print(f"{'  the same, calibrated to a desk':58}{percentile(calibrated, .5) * ms:9.3f}"
          f"{percentile(calibrated, .99) * ms:9.3f}{1 / statistics.mean(calibrated):11.0f}")
    print(f"{'Pipeline.predict_proba, one-row DataFrame, no explanation':58}"
          f"{percentile(one_row, .5) * ms:9.3f}{percentile(one_row, .99) * ms:9.3f}"
          f"{pipeline_rate:11.0f}")
    print(f"{'Scorer.assess_many, batches of 1000, no explanation':58}{'':9}{'':9}"
          f"{new_rate:11.0f}")
    print(f"{'  the same statements again (words remembered)':58}{'':9}{'':9}"
          f"{again_rate:11.0f}")
    print(f"{'outlet resolution of one request (source, two relays)':58}"
          f"{percentile(resolving, .5) * ms:9.3f}{percentile(resolving, .99) * ms:9.3f}")
    print(f"\nratio, outlet resolution / one claim with explanation, p50: "
          f"{percentile(resolving, .5) / percentile(explained, .5):.3f} (target <= 0.05)")
    print(f"ratio, one claim p50 (Pipeline / Scorer with explanation): "
          f"{percentile(one_row, .5) / percentile(explained, .5):.1f}x")
    print(f"ratio, one claim p50 (calibrated to a desk / shared model): "
          f"{percentile(calibrated, .5) / percentile(explained, .5):.2f}x")
    print(f"ratio, throughput (Scorer batches / Pipeline one-row): {new_rate / pipeline_rate:.1f}x")
    print("targets: p50 <= 0.5 ms with explanation; batches >= 20,000 claims/s (new statements)")
    if args.parts:
        spent = parts(scorer, spare, [scorer.training_track_record(r["source"].get("name"))
                                      for r in spare])
        print(f"\na batch's parts, us per claim ({len(spare)} more new statements):")
        for name, us in spent.items():
            if us >= 0.5:
                print(f"  {name:40}{us:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
