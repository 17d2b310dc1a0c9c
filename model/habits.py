"""A desk's own habits: the features whose weights are learned for each desk apart.

What holds across desks is learned once, in the shared weights; what one desk's choice
of claims makes true (its base rate, which wordings it tends to check and rate false,
which kinds of source it picks) is learned in a copy of those features that is non-zero
only for that desk's rows, penalised harder toward zero than the shared weight, so one
desk's peculiarities do not speak for every desk (feature augmentation, Daume 2007).

For each desk that training saw often enough, the copies are: an intercept (1), the
claim's wording cues and length (``cues.claim_cues``), and the source type (one-hot).
The claim's n-grams have no copies (they would multiply the model's size). A desk
without columns (a desk training never saw, "default") gets zeros here: the shared
weights and the pooled intercept.

Shared by the fitted transformer (features.py) and the compiled scorer (compiled.py).
"""
from __future__ import annotations

from .cues import CUES, claim_cues

PARTS = ("intercept", *CUES, "length")   # then one column per source type


def habit_names(desks, types) -> list[str]:
    """Column names: ``<desk>:<part>`` and ``<desk>:type_<type>``, desk by desk."""
    return [f"{desk}:{name}" for desk in desks
            for name in (*PARTS, *(f"type_{t}" for t in types))]


def habit_values(desk_index: dict, type_index: dict, scales: tuple[float, float, float],
                 desk: str, claim: str, source_type: str) -> tuple[list[int], list[float]]:
    """(columns, values) of one row: empty unless its desk has columns."""
    number = desk_index.get(desk)
    if number is None:
        return [], []
    intercept, cue, kind = scales
    width = len(PARTS) + len(type_index)
    start = number * width
    columns, values = [start], [intercept]
    for offset, value in enumerate(claim_cues(claim), start=1):
        if value != 0.0:
            columns.append(start + offset)
            values.append(cue * value)
    t = type_index.get(source_type)
    if t is not None:
        columns.append(start + len(PARTS) + t)
        values.append(kind)
    return columns, values
