"""How well article extraction finds claims, speakers and relays on the test reports.

    .venv/bin/python -m training.article_report [--show] [--part tuning|held_out]

Reads ``tests/fixtures/reports.yaml`` (reports written for this project, each with its
expected claims) and prints, per part (tuning, held_out, all):

- claims: precision and recall of checkable claims. An extracted claim finds an expected
  one when its span covers the expected key; an opinion (``checkable: false``) that is
  extracted as checkable counts against precision;
- speakers: the share of found claims whose source is one of the expected names (after
  ``normalise_name``; an expected name inside a longer found one, at most two words
  longer, counts: "Election officials in Marosia" for "Election officials");
- relays: the share of found claims with an expected relay whose relays match, and the
  found claims given a relay they do not have;
- opinions: expected non-checkable claims left out or marked ``checkable: false``;
- languages: the reports and the foreign texts beside them given their language;
- the median time of extraction per report.

``--splitter stops`` swaps pysbd for a plain split after each full stop, question or
exclamation mark before a capital or a quote, to show what the library buys.
"""
from __future__ import annotations

import argparse
import importlib
import re
import statistics
import time
from pathlib import Path

import yaml

from model.attribution import detect_language, extract
from model.attribution.sentences import Sentence
from model.names import normalise_name

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "reports.yaml"


_STOP = re.compile(r"(?<=[.!?])[\"”]?\s+(?=[\"“A-Z])")


def split_at_stops(text: str) -> list[Sentence]:
    """The baseline: a new sentence after every stop before a capital or a quote."""
    found, start = [], 0
    for match in list(_STOP.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            found.append(Sentence(piece.strip(), start + len(piece) - len(piece.lstrip())))
        if match:
            start = match.end()
    return found


# Paragraphs of two sentences each, with the abbreviations news copy is full of.
TWO_SENTENCES = (
    "Lt. Gen. Igor Petrov said the bridge was hit. The ministry denied it.",
    "U.S. officials said the strike happened at 5 a.m. local time. Two were hurt.",
    "Mr. Smith told reporters in St. Petersburg that 1.5 km of track was damaged. He left.",
    "Gov. Anna Lee said on Jan. 5 that No. 2 reactor was shut. Inspectors agreed.",
    "\"Is this a war?\" he asked. \"Yes,\" she said.",
    "The firm, Acme Inc., said sales rose. Shares fell.",
    "Prof. Ivanova of Moscow State Univ. said the data were wrong. Critics disagreed.",
    "The army said it was ready. Dr. Khan, a medic, said 12 died.",
    "Sen. Jane Roe (D-Calif.) said the bill would pass. It did not.",
    "The vote is set for Sept. 30, officials said. Turnout may be low.",
)


def load_reports(path: Path = FIXTURE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _names(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def name_matches(found: str, expected: list[str]) -> bool:
    got = normalise_name(found).split()
    for name in expected:
        want = normalise_name(name).split()
        if got == want:
            return True
        if want and len(got) - len(want) <= 2 and any(
                got[i:i + len(want)] == want for i in range(len(got) - len(want) + 1)):
            return True
    return False


def _relays_match(found: list[str], expected: list[str]) -> bool:
    return sorted(normalise_name(n) for n in found) == sorted(normalise_name(n) for n in expected)


def score_report(report: dict) -> dict:
    """Counts for one report, and the rows of what was found and missed."""
    text = report["text"]
    claims = [c.as_dict() for c in extract(text).claims]
    expected = []
    for item in report["claims"]:
        at = text.index(item["key"])
        expected.append(dict(item, start=at, end=at + len(item["key"])))
    counts = dict(found=0, true_pos=0, expected=0, hit=0, speaker_ok=0, relayed=0,
                  relay_ok=0, false_relays=0, opinions=0, opinions_ok=0)
    rows = []
    matched = set()
    for claim in claims:
        span = claim["span"]
        hit = next((i for i, e in enumerate(expected)
                    if span["start"] <= e["start"] and e["end"] <= span["end"]), None)
        if claim["checkable"]:
            counts["found"] += 1
        if hit is None:
            rows.append(("extra", claim, None))
            continue
        want = expected[hit]
        matched.add(hit)
        if not want.get("checkable", True):
            rows.append(("opinion-scored" if claim["checkable"] else "opinion-ok", claim, want))
            continue
        if not claim["checkable"]:
            rows.append(("unscored", claim, want))
            continue
        counts["true_pos"] += 1
        speaker_ok = name_matches(claim["source"]["name"], _names(want["source"]))
        counts["speaker_ok"] += speaker_ok
        relays = claim["context"]["relayed_by"]
        if want.get("relayed_by"):
            counts["relayed"] += 1
            counts["relay_ok"] += _relays_match(relays, want["relayed_by"])
        elif relays:
            counts["false_relays"] += 1
        relay_ok = _relays_match(relays, want.get("relayed_by") or [])
        rows.append(("ok" if speaker_ok and relay_ok else "speaker" if not speaker_ok
                     else "relay", claim, want))
    for index, want in enumerate(expected):
        if want.get("checkable", True):
            counts["expected"] += 1
            counts["hit"] += index in matched and any(
                r[2] is want and r[0] in ("ok", "speaker", "relay") for r in rows)
        else:
            counts["opinions"] += 1
            counts["opinions_ok"] += not any(r[2] is want and r[0] == "opinion-scored"
                                             for r in rows)
        if index not in matched:
            rows.append(("missed", None, want))
    return {"counts": counts, "rows": rows}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a"


def summary(results: list[dict]) -> dict:
    total = {}
    for result in results:
        for key, value in result["counts"].items():
            total[key] = total.get(key, 0) + value
    return total


def print_part(name: str, reports: list[dict], results: list[dict]) -> None:
    t = summary(results)
    print(f"{name}: {len(reports)} reports, {t['expected']} checkable claims expected, "
          f"{t['opinions']} opinions")
    print(f"  claims   precision {_ratio(t['true_pos'], t['found'])}  "
          f"recall {_ratio(t['hit'], t['expected'])}")
    print(f"  speakers right {_ratio(t['speaker_ok'], t['true_pos'])} of found claims")
    print(f"  relays   right {_ratio(t['relay_ok'], t['relayed'])} of relayed claims; "
          f"{t['false_relays']} found claims given a relay they do not have")
    print(f"  opinions left out or unscored {_ratio(t['opinions_ok'], t['opinions'])}")


def _show(report: dict, result: dict) -> None:
    print(f"--- {report['id']}")
    for status, claim, want in result["rows"]:
        if status == "ok":
            continue
        got = (f"{claim['source']['name']!r} [{claim['cue']}] {claim['claim']!r} "
               f"relay={claim['context']['relayed_by']}") if claim else ""
        print(f"  {status:15} {got}  want={want and (want['source'], want['key'], want.get('relayed_by'))}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="list each miss and error")
    parser.add_argument("--part", choices=("tuning", "held_out"), help="only this part")
    parser.add_argument("--splitter", choices=("pysbd", "stops"), default="pysbd",
                        help="sentence splitter: pysbd (the service's) or the plain baseline")
    args = parser.parse_args(argv)
    if args.splitter == "stops":
        # the module, not the function the package exports under the same name
        importlib.import_module("model.attribution.extract").sentences = split_at_stops
    data = load_reports()
    parts = {"tuning": [], "held_out": []}
    for report in data["reports"]:
        parts[report["part"]].append(report)
    timings = []
    everything = ([], [])
    for name, reports in parts.items():
        if args.part and name != args.part:
            continue
        results = []
        for report in reports:
            began = time.perf_counter()
            result = score_report(report)
            timings.append(time.perf_counter() - began)
            results.append(result)
            if args.show:
                _show(report, result)
        print_part(name, reports, results)
        everything[0].extend(reports)
        everything[1].extend(results)
    if not args.part:
        print_part("all", *everything)
    texts = [(r["text"], "en") for r in data["reports"]] + [
        (f["text"], f["language"]) for f in data["foreign"]]
    right = sum(detect_language(text) == language for text, language in texts)
    not_en = sum((detect_language(text) == "en") == (language == "en")
                 for text, language in texts)
    print(f"languages: {_ratio(right, len(texts))} given their language, "
          f"{_ratio(not_en, len(texts))} told English or not")
    print(f"extraction: median {statistics.median(timings) * 1000:.1f} ms per report")
    from model.attribution.sentences import sentences

    for name, split in (("pysbd", sentences), ("stops", split_at_stops)):
        right = sum(len(split(text)) == 2 for text in TWO_SENTENCES)
        print(f"sentences: {name} splits {_ratio(right, len(TWO_SENTENCES))} paragraphs "
              "with abbreviations right")


if __name__ == "__main__":
    main()
