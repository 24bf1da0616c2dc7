"""Who gets which reminder today.

Per customer, one reminder per run, at the highest level any of its invoices has newly reached:
an invoice reaches a level when it is ``offset_days`` past its due date (negative offsets: before it)
and that level is above the last one it was reminded at. The reminder lists every overdue invoice of
the customer that is not paused. Paused invoices never raise a level and are reported with their reason.
Running again on the same day finds nothing new, because each invoice remembers its level.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Level:
    key: int
    offset_days: int
    channel: str
    min_overdue: Decimal = Decimal(0)


@dataclass(frozen=True)
class Item:
    key: int
    customer: int
    due: date
    residual: Decimal
    last_level_offset: int | None = None  # offset of the last level this invoice was reminded at
    paused: str = ""  # reason, empty when not paused


@dataclass
class Decision:
    customer: int
    level: Level | None
    items: list = field(default_factory=list)  # keys of the invoices listed in the reminder
    raised: dict = field(default_factory=dict)  # invoice key -> offset of the level it reached now
    paused: dict = field(default_factory=dict)  # invoice key -> reason
    overdue: Decimal = Decimal(0)
    reason: str = ""


def decide(items, levels, today):
    """Decisions for the customers of ``items`` (all under one policy, ``levels``), one per customer
    that has anything to say: a reminder (``level`` set) or only paused items."""
    levels = sorted(levels, key=lambda lv: lv.offset_days)
    by_customer = {}
    for item in items:
        by_customer.setdefault(item.customer, []).append(item)
    decisions = []
    for customer, own in by_customer.items():
        decision = _decide_customer(customer, own, levels, today)
        if decision is not None:
            decisions.append(decision)
    return decisions


def _decide_customer(customer, items, levels, today):
    decision = Decision(customer=customer, level=None)
    active = []
    for item in items:
        if item.paused:
            decision.paused[item.key] = item.paused
        else:
            active.append(item)
    decision.overdue = sum((i.residual for i in active if (today - i.due).days > 0), Decimal(0))
    # Levels newly reached, per invoice: reached on its days overdue and above its last level.
    newly = {}
    for item in active:
        days = (today - item.due).days
        last = item.last_level_offset
        reached = [lv for lv in levels if days >= lv.offset_days and (last is None or lv.offset_days > last)]
        if reached:
            newly[item.key] = reached
    # The customer's level: the highest newly reached one whose minimum overdue amount is met.
    for level in sorted({lv for reached in newly.values() for lv in reached}, key=lambda lv: -lv.offset_days):
        if decision.overdue >= level.min_overdue or level.offset_days < 0:
            decision.level = level
            break
    if decision.level is None:
        if newly:
            decision.reason = f"overdue {decision.overdue} below the levels' minimum amounts"
            return decision
        return decision if decision.paused else None
    ceiling = decision.level.offset_days
    for key, reached in newly.items():
        capped = [lv.offset_days for lv in reached if lv.offset_days <= ceiling]
        if capped:
            decision.raised[key] = max(capped)
    listed = [i for i in active if (today - i.due).days > 0 or i.key in decision.raised]
    decision.items = [i.key for i in sorted(listed, key=lambda i: (i.due, i.key))]
    decision.reason = (
        f"{len(decision.raised)} invoice(s) reached level +{ceiling}d; "
        f"{len(decision.items)} listed, overdue {decision.overdue}"
    )
    return decision
