"""The README's examples, run in order against a fresh server: checked, or written back.

    .venv/bin/python -m bench.readme_examples           # exit 1 when an answer differs
    .venv/bin/python -m bench.readme_examples --write   # put this run's answers in README.md

Every ```sh and ```python block of the README's sections "Examples" and "Python client"
runs, in the README's order, in one bash session (so `BRIEF` and `ID` carry from block
to block; a python block runs as `.venv/bin/python -`), against gunicorn
(`gunicorn.conf.py`, one worker) on a free local port over a fresh, migrated SQLite
database with `API_KEYS=desk-key-example` and the committed default model: what
`API_KEYS=desk-key-example make run` on a fresh database serves. `http://127.0.0.1:8000`
in a block is that server, and CREDIBILITY_URL names it for `python -m client`.

A block followed by a ```json or ```text block must print what that block shows. Ids
(UUIDs) and times are not compared; numbers are compared to the precision printed, give
or take one unit in the last printed digit (a rounding that falls the other way on
another CPU), and full-precision numbers to 1e-9. `--write` replaces each shown answer
that differs with this run's output, so a new model's numbers reach the README in one
command; the check passes on what it wrote. Not a benchmark: it needs bash, curl and jq, and takes a
few seconds.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .served import BIN, ROOT, Gunicorn, fresh_database

README = ROOT / "README.md"
SECTIONS = ("Examples", "Python client")
README_URL = "http://127.0.0.1:8000"
API_KEY = "desk-key-example"
RUN_LANGUAGES = ("sh", "python")
ANSWER_LANGUAGES = ("json", "text")
FLOOR = Decimal("1e-9")
_FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```$", re.M | re.S)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
# Compared as "some id" and "some time": they differ from run to run.
_VOLATILE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                       r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
VOLATILE_KEYS = ("id", "created_at")


@dataclass
class Block:
    language: str
    text: str
    start: int       # offsets of `text` in the README
    end: int


@dataclass
class Example:
    command: Block
    answer: Block | None    # the block that shows what the command prints


def sections(readme: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each section in SECTIONS, in the README's order."""
    spans = []
    for heading in SECTIONS:
        found = re.search(rf"^## {re.escape(heading)}\n", readme, re.M)
        if not found:
            raise ValueError(f"README.md has no section '## {heading}'")
        following = re.compile(r"^## ", re.M).search(readme, found.end())
        spans.append((found.start(), following.start() if following else len(readme)))
    return sorted(spans)


def examples(readme: str) -> list[Example]:
    """The commands of the README's example sections, each with the answer shown after it."""
    found: list[Example] = []
    for start, end in sections(readme):
        blocks = [Block(match.group(1), match.group(2), match.start(2), match.end(2))
                  for match in _FENCE.finditer(readme, start, end)]
        for index, block in enumerate(blocks):
            if block.language not in RUN_LANGUAGES:
                continue
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            answer = following if following and following.language in ANSWER_LANGUAGES else None
            found.append(Example(block, answer))
    return found


def _marker(index: int) -> str:
    return f"<<<readme example {index} done>>>"


def session_script(found: list[Example], base: str) -> str:
    """One bash script running every example in order, a marker line after each."""
    lines = ["set -eo pipefail"]
    for index, example in enumerate(found):
        text = example.command.text.replace(README_URL, base)
        if example.command.language == "python":
            text = f"{BIN / 'python'} - <<'README_PYTHON'\n{text}README_PYTHON\n"
        lines += [text.rstrip("\n"), f"printf '\\n%s\\n' '{_marker(index)}'"]
    return "\n".join(lines) + "\n"


def run(found: list[Example]) -> list[str]:
    """What each example printed, against a fresh server."""
    with tempfile.TemporaryDirectory(prefix="readme-examples-") as folder:
        folder = Path(folder)
        env = {"DATABASE_URL": fresh_database(folder), "API_KEYS": API_KEY,
               "ADMIN_API_KEYS": "", "SCORING_REQUIRES_KEY": "false",
               "MODEL_REGISTRY": str(ROOT / "model" / "registry"),
               "RATELIMIT_STORAGE_URI": "memory://", "GUNICORN_WORKERS": "1"}
        with Gunicorn("service", folder, env) as server:
            server.wait_ready("/readyz", timeout=120)
            done = subprocess.run(["bash", "-c", session_script(found, server.base)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=300,
                                  env={**server.env, "CREDIBILITY_URL": server.base})
    outputs, rest = [], done.stdout
    for index in range(len(found)):
        printed, marker, rest = rest.partition(f"\n{_marker(index)}\n")
        if not marker:
            command = found[index].command.text.strip().splitlines()[0]
            raise RuntimeError(f"example {index + 1} ({command} ...) did not finish, bash "
                               f"exited {done.returncode}:\n{done.stderr[-3000:]}")
        outputs.append(printed.strip("\n"))
    return outputs


def _decimals(number: Decimal) -> int:
    return max(0, -number.as_tuple().exponent)


def numbers_agree(shown: Decimal, printed: Decimal) -> bool:
    if _decimals(shown) == _decimals(printed) == 0:
        return shown == printed
    tolerance = max(Decimal(10) ** -max(_decimals(shown), _decimals(printed)), FLOOR)
    return abs(shown - printed) <= tolerance * Decimal("1.000001")


def texts_agree(shown: str, printed: str) -> bool:
    """Equal words, numbers equal to the precision printed, ids and times aside."""
    shown, printed = _VOLATILE.sub("<volatile>", shown), _VOLATILE.sub("<volatile>", printed)
    shown_parts, printed_parts = _NUMBER.split(shown), _NUMBER.split(printed)
    if shown_parts != printed_parts:
        return False
    return all(numbers_agree(Decimal(a), Decimal(b)) for a, b in
               zip(_NUMBER.findall(shown), _NUMBER.findall(printed)))


def differences(shown, printed, path: str = "") -> list[str]:
    """Where two JSON values parsed with Decimal numbers disagree."""
    where = path or "the answer"
    if isinstance(shown, dict) and isinstance(printed, dict):
        if set(shown) != set(printed):
            return [f"{where}: keys {sorted(shown)} shown, {sorted(printed)} printed"]
        found = []
        for key in shown:
            if key in VOLATILE_KEYS and isinstance(shown[key], str):
                if not isinstance(printed[key], str):
                    found.append(f"{path}.{key}: {printed[key]!r} printed, a string shown")
                continue
            found += differences(shown[key], printed[key], f"{path}.{key}")
        return found
    if isinstance(shown, list) and isinstance(printed, list):
        if len(shown) != len(printed):
            return [f"{where}: {len(shown)} items shown, {len(printed)} printed"]
        return [line for index, (a, b) in enumerate(zip(shown, printed))
                for line in differences(a, b, f"{path}[{index}]")]
    if isinstance(shown, Decimal) and isinstance(printed, Decimal):
        agree = numbers_agree(shown, printed)
    elif isinstance(shown, str) and isinstance(printed, str):
        agree = texts_agree(shown, printed)
    else:
        agree = type(shown) is type(printed) and shown == printed
    return [] if agree else [f"{where}: {shown!r} shown, {printed!r} printed"]


def compare(answer: Block, printed: str) -> list[str]:
    if answer.language == "text":
        shown, got = answer.text.rstrip("\n").splitlines(), printed.splitlines()
        if len(shown) != len(got):
            return [f"{len(shown)} lines shown, {len(got)} printed:\n{printed}"]
        return [f"line {number}: {a!r} shown, {b!r} printed"
                for number, (a, b) in enumerate(zip(shown, got), start=1)
                if not texts_agree(a, b)]
    shown = json.loads(answer.text, parse_float=Decimal, parse_int=Decimal)
    try:
        got = json.loads(printed, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        return [f"not JSON:\n{printed}"]
    return differences(shown, got)


def check(readme: str) -> list[str]:
    """Every disagreement between what the README shows and what its commands print."""
    found = examples(readme)
    problems = []
    for number, (example, printed) in enumerate(zip(found, run(found)), start=1):
        if example.answer is None:
            continue
        first = example.command.text.strip().splitlines()[0][:70]
        problems += [f"example {number} ({first} ...): {line}"
                     for line in compare(example.answer, printed)]
    return problems


def rewrite(readme: str) -> str:
    """The README with each shown answer that differs replaced by what its command prints
    now; answers that agree stay as they are (their ids and times too), so that a rewrite
    changes only what a new model changed."""
    found = examples(readme)
    printed = run(found)
    for example, output in sorted(zip(found, printed), key=lambda pair: -pair[0].command.start):
        if example.answer is not None and compare(example.answer, output):
            readme = (readme[:example.answer.start] + output + "\n"
                      + readme[example.answer.end:])
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme_examples",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true",
                        help="replace the README's shown answers with this run's")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    readme = args.readme.read_text(encoding="utf-8")
    if args.write:
        written = rewrite(readme)
        args.readme.write_text(written, encoding="utf-8")
        changed = sum(a.answer.text != b.answer.text for a, b in
                      zip(examples(readme), examples(written)) if a.answer)
        print(f"{len(examples(readme))} examples run; {changed} answers rewritten in "
              f"{args.readme}")
        return 0
    problems = check(readme)
    for line in problems:
        print(line, file=sys.stderr)
    print(f"{len(examples(readme))} examples run, "
          f"{'every answer as shown' if not problems else f'{len(problems)} differences'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
