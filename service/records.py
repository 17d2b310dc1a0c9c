"""The source registry: name matching, registration, track-record counters, SourceRecord."""
from __future__ import annotations

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from model.levels import LEVELS
from model.names import normalise_name
from model.roles import classify_source

from .tables import COUNT_COLUMNS, Assessment, Source, SourceName, Verdict, utcnow

IDENTITY = ("type", "role", "affiliation", "country")


class NameTaken(Exception):
    """A name or alias already belongs to a registered source."""

    def __init__(self, key: str, source_id: str):
        super().__init__(key)
        self.key, self.source_id = key, source_id


def name_keys(name: str, aliases) -> dict[str, bool]:
    """Normalised name and aliases -> is it an alias; blanks and repeats dropped."""
    found = {}
    for text, is_alias in [(name, False)] + [(alias, True) for alias in aliases or []]:
        key = normalise_name(text or "")
        if key and key not in found:
            found[key] = is_alias
    return found


# Built once, and a Core query: every assessment that names its source runs it, and most
# names are not registered, so the ORM loads a Source only when there is one.
_ID_BY_KEY = select(SourceName.source_id).where(SourceName.key == bindparam("key"))


def find_by_name(session, name: str) -> Source | None:
    key = normalise_name(name or "")
    if not key:
        return None
    source_id = session.connection().execute(_ID_BY_KEY, {"key": key}).scalar()
    return None if source_id is None else session.get(Source, source_id)


def find_by_names(session, names) -> dict[str, Source]:
    """The registered sources of many names at once, by normalised name or alias."""
    keys = sorted({key for key in map(normalise_name, filter(None, names)) if key})
    found = {}
    for start in range(0, len(keys), 500):   # well under any database's parameter limit
        rows = session.execute(select(SourceName.key, Source)
                               .join(Source, SourceName.source_id == Source.id)
                               .where(SourceName.key.in_(keys[start:start + 500])))
        found.update((key, source) for key, source in rows)
    return found


def _claim_names(writer, source: Source) -> None:
    keys = name_keys(source.name, source.aliases)
    taken = writer.execute(select(SourceName).where(SourceName.key.in_(list(keys)),
                                                    SourceName.source_id != source.id)).scalar()
    if taken is not None:
        raise NameTaken(taken.key, taken.source_id)
    writer.execute(delete(SourceName).where(SourceName.source_id == source.id))
    writer.add_all(SourceName(key=key, source_id=source.id, is_alias=is_alias)
                   for key, is_alias in keys.items())
    try:
        with writer.begin_nested():
            writer.flush()
    except IntegrityError:
        # Another writer registered the name between our check and our insert.
        raise NameTaken(next(iter(keys)), "") from None


def register(writer, fields: dict, counts: dict | None = None) -> Source:
    """A new source from `fields`, its counters starting at `counts`; NameTaken if not unique."""
    fields = dict(fields)
    fields.setdefault("aliases", [])
    if not fields.get("type"):
        fields["type"] = classify_source(name=fields["name"], role=fields.get("role"))
    source = Source(**fields)
    for level, column in COUNT_COLUMNS.items():
        setattr(source, column, int((counts or {}).get(level, 0) or 0))
    writer.add(source)
    writer.flush()
    _claim_names(writer, source)
    return source


def register_or_find(writer, fields: dict, counts: dict | None = None) -> Source:
    """The registered source of this name, registering it first if nobody has."""
    existing = find_by_name(writer, fields["name"])
    if existing is not None:
        return existing
    try:
        with writer.begin_nested():
            return register(writer, fields, counts)
    except NameTaken:
        return find_by_name(writer, fields["name"])


def change(writer, source: Source, fields: dict) -> Source:
    for key, value in fields.items():
        setattr(source, key, value)
    source.updated_at = utcnow()
    writer.flush()
    if "name" in fields or "aliases" in fields:
        _claim_names(writer, source)
    return source


def count_verdict(writer, source_id: str, level: str, step: int) -> None:
    """Add `step` to one counter in SQL, so concurrent writers lose nothing."""
    column = getattr(Source, COUNT_COLUMNS[level])
    writer.execute(update(Source).where(Source.id == source_id)
                   .values({column: column + step})
                   .execution_options(synchronize_session=False))


def track_record(counts: dict | None) -> dict | None:
    if counts is None:
        return None
    counts = {level: int(counts.get(level, 0) or 0) for level in LEVELS}
    return {"counts": counts, "total": sum(counts.values())}


def by_topic(session, source_id: str) -> dict[str, dict]:
    """The source's verdicts counted per topic of the assessed claim (its context.topic);
    claims without a topic are left out. Read from the verdict rows themselves."""
    found: dict[str, dict] = {}
    rows = session.execute(select(Assessment.input, Verdict.verdict)
                           .join(Verdict, Verdict.assessment_id == Assessment.id)
                           .where(Assessment.source_id == source_id))
    for given, level in rows:
        topic = str(((given or {}).get("context") or {}).get("topic") or "").strip().lower()
        if topic and level in LEVELS:
            counts = found.setdefault(topic, dict.fromkeys(LEVELS, 0))
            counts[level] += 1
    return {topic: track_record(counts) for topic, counts in sorted(found.items())}


def record(source: Source | None, inline: dict | None = None, counts=None,
           reliability: dict | None = None) -> dict:
    """A SourceRecord: a registered source, or the inline description an assessment gave."""
    if source is not None:
        return {"id": source.id, "name": source.name, "aliases": list(source.aliases or []),
                **{key: getattr(source, key) for key in IDENTITY}, "notes": source.notes,
                "track_record": track_record(source.counts()), "reliability": reliability}
    inline = inline or {}
    return {"id": None, "name": inline.get("name"), "aliases": [],
            **{key: inline.get(key) for key in IDENTITY}, "notes": None,
            "track_record": track_record(counts), "reliability": reliability}
