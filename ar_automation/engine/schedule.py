"""Billing schedules: the periods of recurring billing and the milestones that are due.

Everything is computed from the schedule's definition and what was already invoiced, never from
"what the last run did": a run that was skipped, killed or repeated still yields each period once.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

INTERVAL_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive


def period_at(start, interval, index):
    """The ``index``-th (0-based) period of a schedule starting on ``start``.

    Periods follow the calendar from the start date: a schedule starting on 31 January bills
    31 Jan–27 Feb, 28 Feb–30 Mar, 31 Mar–29 Apr... (each start is ``start + k months``, clamped
    to the month's length, never drifting)."""
    months = _months(interval)
    first = start + relativedelta(months=months * index)
    following = start + relativedelta(months=months * (index + 1))
    return Period(first, following - timedelta(days=1))


def due_periods(start, interval, today, invoiced_starts=(), end=None, count=None):
    """Periods of the schedule whose start is on or before ``today`` and that are not invoiced yet
    (``invoiced_starts``: the start dates already billed), oldest first.

    ``end`` (last day billed: a period starting after it is not billed) and ``count`` (number of
    periods) bound the schedule; without either it runs forever."""
    if count is not None and count < 0:
        raise ValueError(f"a recurring schedule cannot have a negative number of periods ({count})")
    if end is not None and end < start:
        raise ValueError(f"a recurring schedule cannot end ({end}) before it starts ({start})")
    billed = set(invoiced_starts)
    due, index = [], 0
    while count is None or index < count:
        period = period_at(start, interval, index)
        if period.start > today or (end is not None and period.start > end):
            break
        if period.start not in billed:
            due.append(period)
        index += 1
    return due


@dataclass(frozen=True)
class Milestone:
    key: int
    percentage: Decimal
    trigger: str  # "on_confirm" | "date"
    on_date: date | None = None
    invoiced: bool = False


def due_milestones(milestones, today, confirmed):
    """Keys of the milestones to invoice now: not invoiced yet and reached (order confirmed for
    ``on_confirm``; date on or before ``today`` for ``date``), in the given order."""
    due = []
    for milestone in milestones:
        if milestone.invoiced or not confirmed:
            continue
        if milestone.trigger == "on_confirm" or (
            milestone.trigger == "date" and milestone.on_date and milestone.on_date <= today
        ):
            due.append(milestone.key)
    return due


def check_milestone_percentages(percentages):
    """Problems with a plan's percentages: each in (0, 100], together exactly 100."""
    problems = []
    if any(p <= 0 or p > 100 for p in percentages):
        problems.append("each milestone must be more than 0% and at most 100% of the order")
    if percentages and sum(percentages, Decimal(0)) != 100:
        problems.append(f"milestones must add up to 100% of the order, not {sum(percentages, Decimal(0))}%")
    return problems


def _months(interval):
    try:
        return INTERVAL_MONTHS[interval]
    except KeyError:
        raise ValueError(
            f"unknown billing interval {interval!r}, expected one of {sorted(INTERVAL_MONTHS)}"
        ) from None


def next_period_start(start, interval, invoiced_starts=(), end=None, count=None, horizon=1200):
    """Start of the first period not invoiced yet, or None when the schedule is complete.
    ``horizon`` bounds the search for open-ended schedules (100 years of monthly periods)."""
    billed = set(invoiced_starts)
    limit = horizon if count is None else min(count, horizon)
    for index in range(limit):
        period = period_at(start, interval, index)
        if end is not None and period.start > end:
            return None
        if period.start not in billed:
            return period.start
    return None
