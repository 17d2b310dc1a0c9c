"""The reproduction test under several CPU kernels of this one machine, and the spread.

    flock /tmp/heavy.lock .venv/bin/python bench/kernels.py [--settings NAME ...] [--list]

Runs ``tests/training/test_training_reproduce.py::test_retraining_reproduces_the_committed_card``
once per setting, each in a fresh process whose environment picks other floating-point
code: OpenBLAS's kernel (``OPENBLAS_CORETYPE``) and numpy's SIMD level
(``NPY_DISABLE_CPU_FEATURES=X86_V3`` leaves numpy its SSE4.2 baseline; AVX-512 is
``X86_V4``). One machine so plays several CPUs. ``SkylakeX`` (AVX-512) is tried only where
the CPU has AVX-512: a kernel the CPU lacks crashes. Prints each setting's pass or fail
and, from the card each run saved, every figure of the card per setting with its spread
(largest minus smallest over the settings) and its distance from the committed card.
About 1.5 minutes a setting on 2 cores; exit status 1 if any setting fails the test.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST = ("tests/training/test_training_reproduce.py"
        "::test_retraining_reproduces_the_committed_card")
FIGURES = ("accuracy_6", "accuracy_2", "macro_f1_6", "roc_auc_2", "brier_2", "ece_2")


def has_avx512() -> bool:
    try:
        return " avx512f" in Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False


def settings() -> dict[str, dict[str, str]]:
    """Setting name -> environment it adds; '' means the variable is removed."""
    table = {
        "as-is": {},
        "default": {"OPENBLAS_CORETYPE": ""},
        "Prescott": {"OPENBLAS_CORETYPE": "Prescott"},
        "Nehalem": {"OPENBLAS_CORETYPE": "Nehalem"},
        "Sandybridge": {"OPENBLAS_CORETYPE": "Sandybridge"},
        "Haswell": {"OPENBLAS_CORETYPE": "Haswell"},
        "Zen": {"OPENBLAS_CORETYPE": "Zen"},
        "numpy-SSE": {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4"},
        "Prescott+numpy-SSE": {"OPENBLAS_CORETYPE": "Prescott",
                               "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4"},
    }
    if has_avx512():
        table["SkylakeX"] = {"OPENBLAS_CORETYPE": "SkylakeX"}
        table["numpy-AVX2"] = {"NPY_DISABLE_CPU_FEATURES": "X86_V4"}
        table["SkylakeX+numpy-AVX2"] = {"OPENBLAS_CORETYPE": "SkylakeX",
                                        "NPY_DISABLE_CPU_FEATURES": "X86_V4"}
    return table


def environment(change: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in change.items():
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def run(name: str, change: dict[str, str], work: Path) -> dict:
    """One pytest run of the reproduction test; its card is read back from its tmp_path."""
    basetemp = work / name
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-W", "error", "--import-mode=importlib", "-q",
         "-p", "no:cacheprovider", f"--basetemp={basetemp}", TEST],
        cwd=REPO, env=environment(change), capture_output=True, text=True)
    result = {"name": name, "passed": done.returncode == 0, "rc": done.returncode,
              "seconds": round(time.perf_counter() - started, 1)}
    cards = sorted(basetemp.glob("*/registry/*/card.json"))
    if cards:
        card = json.loads(cards[0].read_text(encoding="utf-8"))
        tracks = (cards[0].parent / "track_records.json").read_bytes()
        result.update(card["metrics"]["validation"])
        result.update({f"calibration.{k}": v for k, v in card["calibration"].items()})
        result["track_records"] = hashlib.sha256(tracks).hexdigest()[:12]
    if not result["passed"]:
        result["output"] = (done.stdout + done.stderr)[-3000:]
    return result


def committed() -> dict:
    current = (REPO / "model/registry/CURRENT").read_text(encoding="utf-8").strip()
    folder = REPO / "model/registry" / current
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    row = {"name": f"committed {current}", "passed": None}
    row.update(card["metrics"]["validation"])
    row.update({f"calibration.{k}": v for k, v in card["calibration"].items()})
    row["track_records"] = hashlib.sha256(
        (folder / "track_records.json").read_bytes()).hexdigest()[:12]
    return row


def table(rows: list[dict], reference: dict) -> str:
    keys = [*FIGURES, "calibration.scale", "calibration.shift"]
    measured = [row for row in rows if "accuracy_2" in row]
    lines = ["| figure | " + " | ".join(row["name"] for row in [*rows, reference])
             + " | spread | largest distance from committed |",
             "| --- " * (len(rows) + 4) + "|"]
    for key in keys:
        values = [row[key] for row in measured]
        cells = [f"{row[key]:.8f}" if key in row else "-" for row in [*rows, reference]]
        spread = f"{max(values) - min(values):.1e}" if values else "-"
        off = f"{max(abs(v - reference[key]) for v in values):.1e}" if values else "-"
        if key.startswith(("accuracy", "macro")) and values:
            n = reference["n"]
            spread += f" ({round((max(values) - min(values)) * n, 1)} claims)" \
                if key.startswith("accuracy") else ""
            off += f" ({round(max(abs(v - reference[key]) for v in values) * n, 1)} claims)" \
                if key.startswith("accuracy") else ""
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {spread} | {off} |")
    tracks = [row.get("track_records", "-") for row in [*rows, reference]]
    same = len({row["track_records"] for row in [*measured, reference]}) == 1
    lines.append("| track_records sha256 | " + " | ".join(tracks)
                 + f" | {'identical' if same else 'DIFFERENT'} | |")
    lines.append("| test | " + " | ".join(
        "pass" if row["passed"] else f"FAIL (rc {row['rc']})" for row in rows) + " | | | |")
    lines.append(f"(n = {reference['n']}; the test allows counted figures 2 claims, "
                 "roc_auc_2, brier_2 and the calibration 1e-5)")
    return "\n".join(lines)


def main(argv=None) -> int:
    known = settings()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", nargs="+", choices=sorted(known),
                        default=["as-is", "Prescott", "Sandybridge", "Haswell", "Zen",
                                 "numpy-SSE", "Prescott+numpy-SSE",
                                 *(["SkylakeX", "numpy-AVX2"] if has_avx512() else [])])
    parser.add_argument("--list", action="store_true", help="print the settings and stop")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--keep", type=Path, help="keep each run's registry under this folder")
    args = parser.parse_args(argv)
    if args.list:
        for name, change in known.items():
            print(name, change or "(the environment as it is)")
        return 0
    print("environment as-is: " + (", ".join(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(("OPENBLAS", "NPY_")))
        or "no OPENBLAS_* or NPY_* variable set"), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kernels-") as work:
        for name in args.settings:
            row = run(name, known[name], args.keep or Path(work))
            rows.append(row)
            print(f"{name}: {'pass' if row['passed'] else 'FAIL'} in {row['seconds']} s",
                  flush=True)
            if not row["passed"]:
                print(row["output"], flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(table(rows, committed()))
    return 0 if all(row["passed"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
