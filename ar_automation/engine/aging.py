"""Aging buckets of open receivables.

A bucket is named by its edges: with the default edges (30, 60, 90) an item is
``not_due`` until its due date has passed, then ``1_30``, ``31_60``, ``61_90`` and
``over_90`` by its days overdue.
"""

from datetime import date

DEFAULT_EDGES = (30, 60, 90)


def days_overdue(due: date | None, today: date) -> int:
    """Days past the due date as of ``today``; 0 when not due yet or without a due date."""
    if not due:
        return 0
    return max((today - due).days, 0)


def bucket_keys(edges=DEFAULT_EDGES) -> list[str]:
    """The bucket names for the given ascending edges, ``not_due`` first."""
    _check_edges(edges)
    keys, low = ["not_due"], 1
    for edge in edges:
        keys.append(f"{low}_{edge}")
        low = edge + 1
    keys.append(f"over_{edges[-1]}")
    return keys


def bucket_of(days: int, edges=DEFAULT_EDGES) -> str:
    """The bucket of an item ``days`` overdue (0 or less: not due)."""
    keys = bucket_keys(edges)
    if days <= 0:
        return keys[0]
    for key, edge in zip(keys[1:], edges, strict=False):
        if days <= edge:
            return key
    return keys[-1]


def parse_edges(text):
    """Bucket edges from the company setting ("30,60,90"); the defaults when empty."""
    if not text or not text.strip():
        return DEFAULT_EDGES
    edges = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    bucket_keys(edges)  # raises ValueError naming the edges when they are not usable
    return edges


def bucket_label(key):
    """The English label of a bucket key ("1_30" → "1-30 days", "over_90" → "Over 90 days")."""
    if key == "not_due":
        return "Not due"
    low, _sep, high = key.partition("_")
    return f"Over {high} days" if low == "over" else f"{low}-{high} days"


def _check_edges(edges):
    if not edges:
        raise ValueError("aging needs at least one bucket edge")
    if any(edge <= 0 for edge in edges) or list(edges) != sorted(set(edges)):
        raise ValueError(f"aging bucket edges must be positive and strictly ascending, got {list(edges)}")
