"""Training data in the service's own request schema, plus the six-level verdict.

Specs name a loader and a path: ``liar:DIR_OR_TSV`` (the LIAR benchmark, research use
only: read it where it lies, never copy it) and ``jsonl:FILE`` (one JSON object per
line: ``claim``, ``source``, ``context``, ``verdict`` -- what the service exports).
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from model.levels import LEVEL_INDEX
from model.names import display_name
from model.roles import classify_source

LIAR_COLUMNS = ("id", "label", "statement", "subjects", "speaker", "job", "state", "party",
                "barely_true", "false", "half_true", "mostly_true", "pants_fire", "venue")
# LIAR's credit-history columns, named by the level they count (there is none for "true").
LIAR_HISTORY = {"barely_true": "barely-true", "false": "false", "half_true": "half-true",
                "mostly_true": "mostly-true", "pants_fire": "pants-fire"}


class DataError(ValueError):
    """A data file or spec that cannot be read as training data."""


@dataclass
class Claims:
    """Requests, their verdict levels (0..5) and where they came from."""
    requests: list[dict] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)   # LIAR's own counts, leaky
    sources: list[dict] = field(default_factory=list)   # {"spec", "sha256", "rows"}

    def extend(self, other: "Claims") -> None:
        self.requests += other.requests
        self.levels += other.levels
        self.history += other.history
        self.sources += other.sources

    def __len__(self) -> int:
        return len(self.requests)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def liar_request(row: dict) -> dict:
    name = display_name(row["speaker"])
    party = row["party"] if row["party"] not in ("", "none") else ""
    return {
        "claim": row["statement"],
        "source": {"name": name, "role": row["job"], "affiliation": party,
                   "country": "US", "region": row["state"],
                   "type": classify_source(name=name, role=row["job"], affiliation=row["party"])},
        "context": {"channel": row["venue"], "topic": row["subjects"]},
    }


def load_liar_file(path: Path) -> Claims:
    claims = Claims()
    with open(path, encoding="utf-8", newline="") as handle:
        for number, values in enumerate(csv.reader(handle, delimiter="\t",
                                                   quoting=csv.QUOTE_NONE), start=1):
            if len(values) != len(LIAR_COLUMNS):
                raise DataError(f"{path}:{number}: expected {len(LIAR_COLUMNS)} columns, "
                                f"found {len(values)}")
            row = dict(zip(LIAR_COLUMNS, values))
            if row["label"] not in LEVEL_INDEX:
                raise DataError(f"{path}:{number}: unknown label {row['label']!r}")
            claims.requests.append(liar_request(row))
            claims.levels.append(LEVEL_INDEX[row["label"]])
            claims.history.append({level: int(float(row[column] or 0))
                                   for column, level in LIAR_HISTORY.items()})
    claims.sources.append({"spec": f"liar:{path.name}", "sha256": sha256_of(path),
                           "rows": len(claims)})
    return claims


def jsonl_problem(item) -> str | None:
    """What makes one exported line unusable for training, or None."""
    if not isinstance(item, dict):
        return "needs a JSON object with a 'claim' and a 'verdict'"
    if not isinstance(item.get("verdict"), str) or item["verdict"] not in LEVEL_INDEX:
        return f"'verdict' must be one of {', '.join(LEVEL_INDEX)}"
    if not isinstance(item.get("claim"), str) or not item["claim"].strip():
        return "needs a non-empty 'claim'"
    for part in ("source", "context"):
        if item.get(part) is not None and not isinstance(item[part], dict):
            return f"'{part}' must be an object"
    for key in ("name", "type", "role", "affiliation", "country"):
        value = (item.get("source") or {}).get(key)
        if value is not None and not isinstance(value, str):
            return f"'source.{key}' must be text"
    return None


def load_jsonl(path: Path) -> Claims:
    claims = Claims()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}:{number}: not JSON ({error.msg})") from None
            problem = jsonl_problem(item)
            if problem:
                raise DataError(f"{path}:{number}: {problem}")
            source = dict(item.get("source") or {})
            source.setdefault("type", classify_source(name=source.get("name"),
                                                      role=source.get("role")))
            claims.requests.append({"claim": item["claim"], "source": source,
                                    "context": dict(item.get("context") or {})})
            claims.levels.append(LEVEL_INDEX[item["verdict"]])
            claims.history.append({})
    claims.sources.append({"spec": f"jsonl:{path.name}", "sha256": sha256_of(path),
                           "rows": len(claims)})
    return claims


def load(spec: str, split: str = "train") -> Claims:
    """Load ``liar:PATH`` or ``jsonl:FILE``; a LIAR folder gives its ``{split}.tsv``."""
    kind, _, location = spec.partition(":")
    path = Path(location)
    if kind == "liar":
        path = path / f"{split}.tsv" if path.is_dir() else path
        loader = load_liar_file
    elif kind == "jsonl":
        loader = load_jsonl
    else:
        raise DataError(f"unknown data spec {spec!r}: use liar:PATH or jsonl:FILE")
    if not path.is_file():
        raise DataError(f"{spec}: no file at {path}")
    return loader(path)
