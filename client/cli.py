"""`python -m client`: score a claim, a JSONL file of them or a news report, or record
a verdict.

Exit codes: 0 done, 1 the service failed or refused (its problem is printed), 2 usage.
"""
from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from .api import CredibilityClient
from .problems import CredibilityError, Problem, ProblemError
from .results import LEVELS, BatchResult
from .summary import describe, describe_article, describe_problem, describe_record
from .transport import RetryPolicy

DEFAULT_URL = "http://127.0.0.1:8000"
OK, SERVICE_FAILED, USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    service = argparse.ArgumentParser(add_help=False)
    service.add_argument("--url", default=os.environ.get("CREDIBILITY_URL", DEFAULT_URL),
                         help="the service (default: $CREDIBILITY_URL or %(default)s)")
    service.add_argument("--api-key", default=os.environ.get("CREDIBILITY_API_KEY"),
                         help="X-API-Key, for verdicts and where scoring needs one (default: "
                              "$CREDIBILITY_API_KEY, which other users cannot see in ps)")
    service.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    service.add_argument("--tries", type=_positive, default=RetryPolicy.tries,
                         help="tries per request when the service is busy, down or "
                              "unreachable (default %(default)s)")

    main = argparse.ArgumentParser(prog="python -m client",
                                   description="Score claims with the credibility service.")
    commands = main.add_subparsers(dest="command", required=True)

    score = commands.add_parser("score", parents=[service], help="score one claim",
                                description="Score one claim and print why.")
    score.add_argument("claim")
    score.add_argument("--source-type", metavar="TYPE",
                       help="a source type of GET /v1/taxonomy, e.g. state_agency")
    score.add_argument("--source", metavar="NAME", help="who made the claim")
    score.add_argument("--party-to-event", action="store_true",
                       help="the source is a party to the events it describes")
    score.add_argument("--first-hand", action="store_true", help="the source saw it itself")
    score.add_argument("--relayed-by", metavar="NAME", action="append", default=[],
                       help="who passed the claim on, nearest first (repeatable)")
    score.add_argument("--affiliation", help="whom the source speaks for, e.g. Russia")
    score.add_argument("--country", help="the source's country, e.g. RU")
    score.add_argument("--corroborations", metavar="N", type=_count,
                       help="independent sources that agree")
    score.add_argument("--evidence", metavar="URL", action="append", default=[],
                       help="evidence attached, not verified (repeatable)")
    score.add_argument("--verified-evidence", metavar="URL", action="append", default=[],
                       help="evidence verified by the desk, e.g. geolocated and dated "
                            "(repeatable)")
    score.add_argument("--channel", help="where it was said, e.g. statement, telegram")
    score.add_argument("--topic", help="what it is about, e.g. military")
    score.add_argument("--published-at", metavar="YYYY-MM-DD", type=_date,
                       help="when it was published")
    score.add_argument("--desk", metavar="DESK",
                       help="the desk to score it for (default: the key's desk, else the "
                            "service's DEFAULT_DESK)")
    score.add_argument("--json", action="store_true", help="print the answer as JSON")

    verdict = commands.add_parser(
        "verdict", parents=[service], help="record a fact-check verdict (needs a key)",
        description="Record a fact-checker's verdict on a scored claim and print the "
                    "source's updated record. Needs a key that may write (--api-key or "
                    "$CREDIBILITY_API_KEY).")
    verdict.add_argument("assessment", metavar="ASSESSMENT_ID",
                         help="the id of the assessment (an answer's `id`)")
    verdict.add_argument("verdict", choices=LEVELS, metavar="VERDICT",
                         help=f"the outcome: {', '.join(LEVELS)}")
    verdict.add_argument("--reviewer", required=True, help="who checked it, e.g. desk-3")
    verdict.add_argument("--evidence-url", metavar="URL", help="where the check is published")
    verdict.add_argument("--notes", help="anything the desk wants kept with the verdict")
    verdict.add_argument("--json", action="store_true", help="print the answer as JSON")

    many = commands.add_parser(
        "score-file", parents=[service], help="score a JSONL file of requests",
        description="Score one request (the body of POST /v1/assessments) per line; write "
                    'one result per line, in order: the assessment, or {"error": problem}.')
    many.add_argument("claims", type=Path, help="JSONL, one request per line")
    many.add_argument("--out", default="-", help="where to write results (default: stdout)")
    many.add_argument("--batch-size", type=_positive, default=None,
                      help="items per request (default 100, or the service's smaller limit)")

    report = commands.add_parser(
        "article", parents=[service], help="a news report's claims, weighed",
        description="Send a news report (a text file, or - for standard input) and print "
                    "its attributed claims as a table: speaker, kind, relay, grade, score.")
    report.add_argument("file", help="the report as UTF-8 text; - reads standard input")
    report.add_argument("--title")
    report.add_argument("--published-at", metavar="YYYY-MM-DD", type=_date,
                        help="when it was published; given to each claim")
    report.add_argument("--desk", help="the desk each claim is scored for")
    report.add_argument("--json", action="store_true", help="print the answer as JSON")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    client = CredibilityClient(args.url, api_key=args.api_key, timeout=args.timeout,
                               retry=RetryPolicy(tries=args.tries))
    try:
        if args.command == "score":
            return score(client, args)
        if args.command == "verdict":
            return record_verdict(client, args)
        if args.command == "article":
            return article(client, args)
        return score_file(client, args)
    except ProblemError as error:
        print(describe_problem(error), file=sys.stderr)
    except CredibilityError as error:
        print(error, file=sys.stderr)
    return SERVICE_FAILED


def score(client: CredibilityClient, args) -> int:
    if not (args.source or args.source_type):
        print("score: give --source NAME, --source-type TYPE or both", file=sys.stderr)
        return USAGE
    source = {key: value for key, value in
              (("name", args.source), ("type", args.source_type),
               ("affiliation", args.affiliation), ("country", args.country)) if value}
    context = {}
    if args.party_to_event:
        context["party_to_event"] = True
    if args.first_hand:
        context["first_hand"] = True
    if args.relayed_by:
        context["relayed_by"] = args.relayed_by
    if args.corroborations is not None:
        context["corroborations"] = args.corroborations
    evidence = [*args.evidence, *({"url": url, "verified": True}
                                  for url in args.verified_evidence)]
    if evidence:
        context["evidence"] = evidence
    for key in ("channel", "topic", "published_at"):
        if getattr(args, key):
            context[key] = getattr(args, key)
    assessment = client.score(args.claim, source, context, desk=args.desk)
    print(json.dumps(assessment.raw, indent=2, ensure_ascii=False) if args.json
          else describe(assessment))
    return OK


def article(client: CredibilityClient, args) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(
            encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"article: {error}", file=sys.stderr)
        return USAGE
    found = client.article(text, title=args.title, published_at=args.published_at,
                           desk=args.desk)
    print(json.dumps(found.raw, indent=2, ensure_ascii=False) if args.json
          else describe_article(found))
    return OK


def record_verdict(client: CredibilityClient, args) -> int:
    record = client.verdict(args.assessment, args.verdict, args.reviewer,
                            evidence_url=args.evidence_url, notes=args.notes)
    print(json.dumps(record.raw, indent=2, ensure_ascii=False) if args.json
          else describe_record(record))
    return OK


def score_file(client: CredibilityClient, args) -> int:
    try:
        with args.claims.open(encoding="utf-8") as lines:
            total = sum(1 for line in lines if line.strip())
        out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"score-file: {error}", file=sys.stderr)
        return USAGE
    written = failed = 0
    try:
        with tqdm(total=total, unit="claim", disable=None, file=sys.stderr) as progress:
            for result in ordered_results(client, args.claims, args.batch_size):
                out.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
                written, failed = written + 1, failed + (not result.ok)
                progress.update(1)
    except CredibilityError:
        print(f"score-file: stopped after {written} of {total} results", file=sys.stderr)
        raise
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"score-file: {written} results, {failed} of them errors", file=sys.stderr)
    return OK


def ordered_results(client: CredibilityClient, path: Path, batch_size: int | None
                    ) -> Iterator[BatchResult]:
    """One result per non-blank line, in order; a line that is not a JSON object is its
    own error, and the service is asked about the others, batch by batch."""
    order: collections.deque = collections.deque()  # None: a request sent; else its problem

    def requests():
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    request = json.loads(line)
                except ValueError as error:
                    request, why = None, f"not JSON ({error})"
                else:
                    why = "not a JSON object"
                if isinstance(request, dict):
                    order.append(None)
                    yield request
                else:
                    order.append(Problem(400, "Bad Request", f"line {number}: {why}"))

    index = 0
    for chunk in client.iter_batches(requests(), batch_size):
        for result in chunk:
            while order[0] is not None:
                yield BatchResult(index, 400, problem=order.popleft())
                index += 1
            order.popleft()
            yield BatchResult(index, result.status, result.assessment, result.problem)
            index += 1
    while order:
        yield BatchResult(index, 400, problem=order.popleft())
        index += 1


def _date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError("a date as YYYY-MM-DD") from None


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("not a count")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value
