"""The README's examples, run in order against a fresh server, print what the README shows
(bench/readme_examples.py; `--write` puts a new model's answers in)."""
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bench import readme_examples

ROOT = Path(__file__).resolve().parents[2]
needs_tools = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bash", "curl", "jq")),
    reason="the README's examples need bash, curl and jq (.ci/apt-packages lists them)")


@needs_tools
def test_the_readme_examples_print_what_the_readme_shows():
    problems = readme_examples.check((ROOT / "README.md").read_text(encoding="utf-8"))
    assert not problems, "\n".join(
        problems + ["(.venv/bin/python -m bench.readme_examples --write rewrites the answers)"])


SMALL_README = '''# A service

## Examples

```sh
ANSWER=$(curl -s -X POST http://127.0.0.1:8000/v1/assessments -H 'Content-Type: application/json' \\
  -d '{"claim": "Our fighters destroyed three tanks.", "source": {"type": "armed_group"}}')
ID=$(echo "$ANSWER" | jq -r .id)
echo "$ANSWER" | jq '{id, score: (.score*100|round/100), band}'
```

```json
{"id": "made-up", "score": 0.99, "band": "high"}
```

## Python client

```sh
echo "$ID" | tr -cd - | wc -c
curl -s -X POST "http://127.0.0.1:8000/v1/assessments/$ID/verdict" -H 'X-API-Key: desk-key-example' \\
  -H 'Content-Type: application/json' -d '{"verdict": "false", "reviewer": "desk-3"}' | jq -r .type
```

```text
4
armed_group
```

## Configuration

```sh
exit 1
```
'''


@needs_tools
def test_write_puts_this_runs_answers_in_and_the_check_then_passes(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(SMALL_README, encoding="utf-8")
    problems = readme_examples.check(SMALL_README)
    assert len(problems) == 2 and all(line.startswith("example 1 ") for line in problems)
    assert ".score: Decimal('0.99') shown" in problems[0] + problems[1]
    assert readme_examples.main(["--readme", str(readme), "--write"]) == 0
    written = readme.read_text(encoding="utf-8")
    assert '"score": 0.99' not in written and "## Configuration\n\n```sh\nexit 1\n```" in written
    assert written.replace(written[written.index('{\n  "id"'):written.index("}\n```") + 1],
                           "X") == SMALL_README.replace(
        '{"id": "made-up", "score": 0.99, "band": "high"}', "X")
    assert readme_examples.main(["--readme", str(readme)]) == 0


@pytest.mark.parametrize("shown, printed, agree", [
    ("0.8", "0.8", True),
    ("0.8", "0.81", True),        # 0.805 rounds either way on two CPUs
    ("0.8", "0.82", False),
    ("0.711", "0.71", True),
    ("0.71", "0.719", False),
    ("0", "-0", True),
    ("0", "0.01", True),
    ("2", "3", False),             # counts are exact
    ("0.519509619230909", "0.5195096192309091", True),
    ("0.519509619230909", "0.5195096", False),
])
def test_numbers_agree_to_the_precision_printed(shown, printed, agree):
    assert readme_examples.numbers_agree(Decimal(shown), Decimal(printed)) is agree


def test_texts_agree_aside_from_ids_and_times():
    assert readme_examples.texts_agree(
        "Assessment 01a20fcc-62a3-7e6f-b73b-c7966331754b, at 2026-11-24T23:03:02Z: 0.8",
        "Assessment 01a2d6f0-0000-7e6f-8cb8-d279aba6be53, at 2026-12-01T03:04:05Z: 0.81")
    assert not readme_examples.texts_agree("Corroborated (2): 0.82", "Corroborated (3): 0.82")
    assert not readme_examples.texts_agree("Topic: military", "Topic: politics")
