"""LIAR2's PolitiFact statements that LIAR does not have (desk ``politifact``).

``valid.csv`` rows not in LIAR are training data; ``test.csv`` rows not in LIAR are
where the model is measured. A row is "in LIAR" when its statement id or its statement
text is in LIAR's train or validation split (read from ``training.config.LIAR``). The
speaker's description is the role; the justification (the fact-check's own text) and
the credit-history count columns (they count the row's own label) are never read.
"""
from __future__ import annotations

import csv
from pathlib import Path

from model.names import display_name
from model.roles import classify_source

from . import config
from .datasets import LIAR_COLUMNS, LIAR_DESK, Claims, DataError, sha256_of

COLUMNS = ("id", "label", "statement", "date", "subject", "speaker", "speaker_description",
           "state_info", "context")


def _statement_key(text: str) -> str:
    return " ".join(str(text).lower().split())


def liar_keys(liar_dir: Path | None = None) -> tuple[set[str], set[str]]:
    """(statement ids, statement texts) of LIAR's train and validation splits."""
    folder = Path(liar_dir or config.LIAR)
    ids, texts = set(), set()
    for split in ("train", "valid", "test"):
        path = folder / f"{split}.tsv"
        if not path.is_file():
            if split == "test":
                continue
            raise DataError(f"LIAR2 rows are deduplicated against LIAR: no file at {path}")
        with open(path, encoding="utf-8", newline="") as handle:
            for values in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                row = dict(zip(LIAR_COLUMNS, values))
                ids.add(row["id"].removesuffix(".json"))
                texts.add(_statement_key(row.get("statement", "")))
    return ids, texts


def request_of(row: dict) -> dict:
    name = display_name(row["speaker"])
    role = row["speaker_description"].strip()
    return {
        "claim": row["statement"],
        "source": {"name": name, "role": role, "country": "US",
                   "region": "" if row["state_info"] in ("", "national") else row["state_info"],
                   "type": classify_source(name=name, role=role)},
        "context": {"channel": row["context"],
                    "topic": ",".join(t.strip() for t in row["subject"].split(";") if t.strip()),
                    "published_at": row["date"]},
        "desk": LIAR_DESK,
    }


def load_file(path: Path, liar_dir: Path | None = None) -> Claims:
    ids, texts = liar_keys(liar_dir)
    claims, skipped = Claims(), 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{path}: not a LIAR2 file (no column {', '.join(sorted(missing))})")
        for number, row in enumerate(reader, start=2):
            if row["id"] in ids or _statement_key(row["statement"]) in texts:
                skipped += 1
                continue
            try:
                level = int(row["label"])
            except ValueError:
                level = -1
            if not 0 <= level <= 5:
                raise DataError(f"{path}:{number}: unknown label {row['label']!r}")
            claims.add(request_of(row), level)
    claims.sources.append({"spec": f"liar2:{path.name}", "sha256": sha256_of(path),
                           "rows": len(claims), "in_liar_skipped": skipped})
    return claims
