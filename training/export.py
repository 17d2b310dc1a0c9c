"""Export the assessed claims that have a verdict as training JSONL.

    python -m training.export [--database-url URL] --out FILE.jsonl

One line per verdict in the schema ``training.datasets.load_jsonl`` reads (``claim``,
``source``, ``context``, ``verdict``), plus extras the loader ignores: ``assessment_id``,
``reviewer``, ``evidence_url``, ``verdict_at``, ``assessed_at``, ``model_version`` and
``policy_version``. The source is described as the service described it when scoring: the
registered record, overridden by what the request itself said. The file is written to a
temporary name and renamed, so a reader never sees half an export. Exit 2 when the
database cannot be read.
"""
from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import secrets
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from service.assessing import SOURCE_FIELDS
from service.config import database_url
from service.records import IDENTITY
from service.tables import Assessment, Source, Verdict

from .datasets import jsonl_problem

log = logging.getLogger("training.export")


class DatabaseError(RuntimeError):
    """The database URL is malformed, names no database, or the database cannot be read."""


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is shown as typed
        return url


def connect(url: str):
    """An engine for an existing database; DatabaseError instead of creating a new one."""
    try:
        parsed = make_url(url)
        if parsed.drivername.startswith("sqlite"):
            # SQLite would quietly create an empty file where the database was expected.
            if not parsed.database or parsed.database == ":memory:":
                raise DatabaseError(f"{_shown(url)} names no database file")
            if not Path(parsed.database).is_file():
                raise DatabaseError(f"no SQLite database at {parsed.database}")
        return create_engine(parsed)
    except DatabaseError:
        raise
    except (SQLAlchemyError, ValueError, ImportError) as error:
        raise DatabaseError(f"cannot use database URL {_shown(url)}: {error}") from None


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:   # SQLite hands back naive datetimes; the service stores UTC
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def described_source(given: dict, registered: Source | None, scored: dict) -> dict:
    """The source as the scorer saw it: the registered record, then the request's own words."""
    if registered is not None:
        base = {key: getattr(registered, key) for key in ("name",) + IDENTITY}
    else:   # not registered then: the answer's inline record holds the resolved type
        base = {key: scored.get(key) for key in ("name",) + IDENTITY}
    base.update({key: given[key] for key in SOURCE_FIELDS if given.get(key)})
    return {key: value for key, value in base.items() if isinstance(value, str) and value}


def line_of(assessment: Assessment, verdict: Verdict, source: Source | None) -> dict:
    """One training line for an assessment and its verdict."""
    given = assessment.input or {}
    return {
        "claim": given.get("claim"),
        "source": described_source(given.get("source") or {}, source,
                                   (assessment.output or {}).get("source") or {}),
        "context": given.get("context") or {},
        "verdict": verdict.verdict,
        "assessment_id": assessment.id,
        "reviewer": verdict.reviewer,
        "evidence_url": verdict.evidence_url,
        # A replaced verdict keeps its first created_at; updated_at is when it was ruled.
        "verdict_at": _iso(verdict.updated_at or verdict.created_at),
        "assessed_at": _iso(assessment.created_at),
        "model_version": assessment.model_version,
        "policy_version": assessment.policy_version,
    }


def verdict_lines(url: str, progress: bool = True) -> Iterator[dict]:
    """Every assessment with a verdict as a training line, oldest verdict first.

    Lines the loader would refuse (say, a verdict off the scale) are logged and skipped.
    """
    engine = connect(url)
    query = (select(Assessment, Verdict, Source)
             .join(Verdict, Verdict.assessment_id == Assessment.id)
             .outerjoin(Source, Source.id == Assessment.source_id)
             .order_by(Verdict.created_at, Assessment.id)
             .execution_options(yield_per=500))
    try:
        with Session(engine) as session:
            total = session.execute(select(func.count()).select_from(Verdict)).scalar_one()
            with tqdm(total=total, desc="exporting", unit="verdict",
                      disable=None if progress else True) as bar:
                for assessment, verdict, source in session.execute(query):
                    line = line_of(assessment, verdict, source)
                    problem = jsonl_problem(line)
                    if problem:
                        log.warning("assessment %s skipped: %s", assessment.id, problem)
                    else:
                        yield line
                    bar.update(1)
    except SQLAlchemyError as error:
        raise DatabaseError(f"cannot read {_shown(url)}: "
                            f"{getattr(error, 'orig', None) or error}") from None
    finally:
        engine.dispose()


def write_lines(lines: Iterable[dict], out: Path) -> int:
    """Write JSON lines to ``out`` atomically (temporary file, then rename); count them."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{secrets.token_hex(4)}")
    count = 0
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True,
                                        default=str) + "\n")
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def export(url: str, out: Path, progress: bool = True) -> int:
    """Write every assessment with a verdict to ``out``; returns how many lines."""
    count = write_lines(verdict_lines(url, progress), out)
    log.info("exported %d verdicts to %s", count, out)
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=database_url(),
                        help="SQLAlchemy URL of the service's database (default: "
                             "$DATABASE_URL, else the service's own default, %(default)s)")
    parser.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        export(args.database_url, args.out)
    except DatabaseError as error:
        log.error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
