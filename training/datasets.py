"""Training data in the service's own request schema, plus the six-level verdict.

Specs name a loader and a path, each row with its desk (the team whose verdict it is):

- ``liar:DIR_OR_TSV``: the LIAR benchmark (desk ``politifact``);
- ``liar2:DIR``: LIAR2's ``valid.csv`` rows not in LIAR (training) or ``test.csv`` rows
  not in LIAR (evaluation), desk ``politifact`` (training/liar2.py);
- ``averitec:DIR``: AVeriTeC ``train.json`` (training) or ``dev.json`` (evaluation), the
  desk the checker's site (training/averitec.py);
- ``ruua:PATH``: the Russia-Ukraine fact-check claims, the desk the publisher's site
  (training/ruua.py);
- ``jsonl:FILE``: one JSON object per line, ``claim``, ``source``, ``context``, ``desk``,
  ``verdict``: what the service exports.

The public sets are research use only: read where they lie, never copied. AVeriTeC's
``dev.json`` and LIAR2's ``test.csv`` are where the model is measured: loading them for
training is refused (``MEASURED``).

A verdict is a level (0..5) or, where a checker says only "held up" or "did not",
a side: ``Claims.exact`` is False and ``Claims.levels`` holds the middle level of the
side (``model.levels.SIDE_LEVEL``), which counts in track records; the model fits such a
row as "a level somewhere on this side" (``Claims.spans``).
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from model.desks import is_desk_id
from model.levels import LEVEL_INDEX, SIDE_LEVEL, spans
from model.names import display_name
from model.roles import classify_source

LIAR_COLUMNS = ("id", "label", "statement", "subjects", "speaker", "job", "state", "party",
                "barely_true", "false", "half_true", "mostly_true", "pants_fire", "venue")
# LIAR's credit-history columns, named by the level they count (there is none for "true").
LIAR_HISTORY = {"barely_true": "barely-true", "false": "false", "half_true": "half-true",
                "mostly_true": "mostly-true", "pants_fire": "pants-fire"}


LIAR_DESK = "politifact"


class DataError(ValueError):
    """A data file or spec that cannot be read as training data."""


# The files the model is measured on, by name and by content (sha256 as shipped here):
# never training data.
MEASURED = {
    "averitec dev.json": "499793726b4a5406780928a3d9dedc48d6dd53de778f22437d129cacdb08e300",
    "liar2 test.csv": "a6e1786c0e311515cd19ab5cf460dd35b8982ca3d459aeffc3087c93c5f4d62c",
}


@dataclass
class Claims:
    """Requests, their verdict levels (0..5) and where they came from."""
    requests: list[dict] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)     # False: the verdict names a side only
    history: list[dict] = field(default_factory=list)   # LIAR's own counts, leaky
    sources: list[dict] = field(default_factory=list)   # {"spec", "sha256", "rows"}

    def extend(self, other: "Claims") -> None:
        self.requests += other.requests
        self.levels += other.levels
        self.exact += other.exact
        self.history += other.history
        self.sources += other.sources

    def __len__(self) -> int:
        return len(self.requests)

    def add(self, request: dict, level: int | None = None, held_up: bool | None = None,
            history: dict | None = None) -> None:
        """One row: an exact ``level``, or only the side (``held_up``)."""
        self.requests.append(request)
        if level is not None:
            self.levels.append(int(level))
            self.exact.append(True)
        else:
            self.levels.append(SIDE_LEVEL[bool(held_up)])
            self.exact.append(False)
        self.history.append(history or {})

    def spans(self) -> np.ndarray:
        """(lowest, highest) level each verdict allows, one row a claim."""
        return spans(self.levels, self.exact)

    @property
    def six_levels(self) -> bool:
        """Whether every verdict names a level (else only the binary figures mean much)."""
        return all(self.exact)

    def desks(self) -> list[str]:
        return [r.get("desk") or "" for r in self.requests]


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
        "desk": LIAR_DESK,
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
            claims.add(liar_request(row), LEVEL_INDEX[row["label"]],
                       history={level: int(float(row[column] or 0))
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
    if item.get("desk") is not None and not is_desk_id(item["desk"]):
        return "'desk' must be a desk id: [a-z0-9][a-z0-9._-]{0,63}"
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
            request = {"claim": item["claim"], "source": source,
                       "context": dict(item.get("context") or {})}
            if item.get("desk"):
                request["desk"] = item["desk"]
            claims.add(request, LEVEL_INDEX[item["verdict"]])
    claims.sources.append({"spec": f"jsonl:{path.name}", "sha256": sha256_of(path),
                           "rows": len(claims)})
    return claims


def site_desk(url: str) -> str:
    """A checker's desk from a URL of its site: the site's own name, without subdomains
    or the public suffix ("https://www.politifact.com/x" -> "politifact",
    "factcheck.afp.com" -> "afp", "aap.com.au" -> "aap"). An archive.org address is read
    for the address it wraps."""
    text = str(url or "").strip().lower()
    wrapped = re.search(r"web\.archive\.org/web/[^/]*/(.+)", text)
    if wrapped:
        text = wrapped.group(1)
    host = re.sub(r"^[a-z]+:/+", "", text).split("/", 1)[0].split(":", 1)[0]
    labels = [label for label in host.split(".") if label and label != "www"]
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL:
        labels = labels[:-1]
    name = labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")
    name = re.sub(r"[^a-z0-9._-]", "-", name).strip("-._")[:64]
    return name if is_desk_id(name) else ""


SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu"}


def refuse_measured(path: Path, name: str) -> None:
    """DataError when the file is one the model is measured on."""
    if path.name == name.split(" ", 1)[1] or sha256_of(path) in MEASURED.values():
        raise DataError(f"{path}: {name} is where the model is measured; it is never "
                        "training data (evaluate on it with training.evaluate)")


def load(spec: str, split: str = "train") -> Claims:
    """Load one spec. ``split`` "train" reads a folder's training file and refuses the
    measured files; any other split ("valid") reads the held-out file: LIAR's
    ``valid.tsv``, LIAR2's ``test.csv`` (rows not in LIAR), AVeriTeC's ``dev.json``."""
    from . import averitec, liar2, ruua   # they build on Claims
    kind, _, location = spec.partition(":")
    path = Path(location)
    training = split == "train"
    measured = None
    if kind == "liar":
        path = path / f"{split}.tsv" if path.is_dir() else path
        loader = load_liar_file
    elif kind == "jsonl":
        loader = load_jsonl
    elif kind == "liar2":
        path = path / ("valid.csv" if training else "test.csv") if path.is_dir() else path
        loader, measured = liar2.load_file, "liar2 test.csv"
    elif kind == "averitec":
        path = path / ("train.json" if training else "dev.json") if path.is_dir() else path
        loader, measured = averitec.load_file, "averitec dev.json"
    elif kind == "ruua":
        path = path / ruua.FILE if path.is_dir() else path
        loader = ruua.load_file
    else:
        raise DataError(f"unknown data spec {spec!r}: use liar:PATH, liar2:DIR, "
                        "averitec:DIR, ruua:PATH or jsonl:FILE")
    if not path.is_file():
        raise DataError(f"{spec}: no file at {path}")
    if training and measured:
        refuse_measured(path, measured)
    return loader(path)
