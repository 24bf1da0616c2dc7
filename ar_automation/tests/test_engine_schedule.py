"""Billing schedules, without a database."""

from datetime import date
from decimal import Decimal

import pytest

from ..engine.schedule import (
    Milestone,
    Period,
    check_milestone_percentages,
    due_milestones,
    due_periods,
    next_period_start,
    period_at,
)


def test_monthly_periods_follow_the_calendar_without_drift():
    start = date(2026, 1, 31)
    assert period_at(start, "monthly", 0) == Period(date(2026, 1, 31), date(2026, 2, 27))
    assert period_at(start, "monthly", 1) == Period(date(2026, 2, 28), date(2026, 3, 30))
    assert period_at(start, "monthly", 2) == Period(date(2026, 3, 31), date(2026, 4, 29))


def test_quarterly_and_yearly():
    assert period_at(date(2026, 1, 1), "quarterly", 1) == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert period_at(date(2024, 2, 29), "yearly", 1) == Period(date(2025, 2, 28), date(2026, 2, 27))


def test_due_periods_up_to_today_none_twice_none_skipped():
    start = date(2026, 1, 1)
    due = due_periods(start, "monthly", date(2026, 3, 15))
    assert [p.start for p in due] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    # February was billed by an earlier run; a run after a crash bills only what is left.
    again = due_periods(start, "monthly", date(2026, 3, 15), invoiced_starts={date(2026, 2, 1)})
    assert [p.start for p in again] == [date(2026, 1, 1), date(2026, 3, 1)]
    assert due_periods(start, "monthly", date(2026, 3, 15), invoiced_starts=[p.start for p in due]) == []


def test_count_and_end_bound_the_schedule():
    start = date(2026, 1, 1)
    assert len(due_periods(start, "monthly", date(2027, 1, 1), count=3)) == 3
    assert len(due_periods(start, "monthly", date(2027, 1, 1), end=date(2026, 4, 30))) == 4
    assert due_periods(start, "monthly", date(2025, 12, 31)) == []
    assert due_periods(start, "monthly", date(2027, 1, 1), count=0) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval": "weekly"}, "unknown billing interval 'weekly'"),
        ({"count": -1}, "negative number of periods"),
        ({"end": date(2025, 1, 1)}, "cannot end"),
    ],
)
def test_bad_schedules_are_refused(kwargs, message):
    args = {"start": date(2026, 1, 1), "interval": "monthly", "today": date(2026, 5, 1), **kwargs}
    with pytest.raises(ValueError, match=message):
        due_periods(**args)


def test_due_milestones():
    plan = [
        Milestone(1, Decimal(30), "on_confirm"),
        Milestone(2, Decimal(40), "date", date(2026, 3, 1)),
        Milestone(3, Decimal(30), "date", date(2026, 6, 1)),
    ]
    assert due_milestones(plan, date(2026, 2, 1), confirmed=False) == []
    assert due_milestones(plan, date(2026, 2, 1), confirmed=True) == [1]
    assert due_milestones(plan, date(2026, 3, 1), confirmed=True) == [1, 2]
    done = [Milestone(1, Decimal(30), "on_confirm", invoiced=True), *plan[1:]]
    assert due_milestones(done, date(2026, 7, 1), confirmed=True) == [2, 3]


def test_milestone_percentages():
    assert check_milestone_percentages([Decimal(30), Decimal(70)]) == []
    assert "not 90%" in check_milestone_percentages([Decimal(30), Decimal(60)])[0]
    assert "more than 0%" in check_milestone_percentages([Decimal(0), Decimal(100)])[0]


def test_next_period_start():
    start = date(2026, 1, 15)
    assert next_period_start(start, "monthly") == start
    assert next_period_start(start, "monthly", {date(2026, 1, 15), date(2026, 2, 15)}) == date(2026, 3, 15)
    assert next_period_start(start, "monthly", {date(2026, 1, 15)}, count=1) is None
    assert next_period_start(start, "quarterly", {start}, end=date(2026, 4, 14)) is None
