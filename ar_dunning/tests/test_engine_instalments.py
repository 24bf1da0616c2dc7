"""Payment plan instalments, without a database."""

from datetime import date
from decimal import Decimal as D

import pytest

from ..engine.instalments import add_months, instalment_states, plan_problems, split_evenly


def test_split_evenly_monthly_the_last_takes_the_remainder():
    assert split_evenly(D("1000.00"), 3, date(2026, 1, 31)) == [
        (date(2026, 1, 31), D("333.33")),
        (date(2026, 2, 28), D("333.33")),
        (date(2026, 3, 31), D("333.34")),
    ]
    assert split_evenly(D("10"), 4, date(2026, 11, 15), step=D("1")) == [
        (date(2026, 11, 15), D("2")),
        (date(2026, 12, 15), D("2")),
        (date(2027, 1, 15), D("2")),
        (date(2027, 2, 15), D("4")),
    ]
    with pytest.raises(ValueError):
        split_evenly(D("10"), 0, date(2026, 1, 1))


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 5, 10), 0) == date(2026, 5, 10)


def test_instalments_are_paid_in_date_order_and_missed_after_the_grace_days():
    plan = [(date(2026, 1, 10), D(100)), (date(2026, 2, 10), D(100)), (date(2026, 3, 10), D(100))]
    assert instalment_states(plan, D(0), date(2026, 1, 13), 3) == ["pending"] * 3
    assert instalment_states(plan, D(0), date(2026, 1, 14), 3) == ["missed", "pending", "pending"]
    assert instalment_states(plan, D(150), date(2026, 2, 14), 3) == ["paid", "missed", "pending"]
    assert instalment_states(plan, D(200), date(2026, 2, 14), 3) == ["paid", "paid", "pending"]
    assert instalment_states(plan, D(300), date(2027, 1, 1), 3) == ["paid"] * 3


def test_plan_problems_name_every_rule_a_plan_breaks():
    today, horizon = date(2026, 3, 31), date(2026, 9, 30)
    good = [(date(2026, 4, 15), D("50.00")), (date(2026, 5, 15), D("50.00"))]
    assert plan_problems(good, D("100"), today=today, horizon=horizon) == []
    assert plan_problems(good, D("100.004")) == [], "equal in the currency's rounding"
    assert plan_problems(good, D("100.01")) == ["plan_total"]
    assert plan_problems([], D("100")) == ["plan_incomplete"]
    assert plan_problems(good, D("100"), currencies=2) == ["plan_one_currency"]
    many = [(date(2026, 4, 1), D("1"))] * 25
    assert plan_problems(many, D("25")) == ["plan_too_many"]
    wrong = [(today, D("0")), (date(2026, 10, 1), D("100"))]
    assert plan_problems(wrong, D("100"), today=today, horizon=horizon) == [
        "plan_amount_invalid",
        "plan_date_past",
        "plan_date_horizon",
    ]
    assert plan_problems(good, D("100"), step=D("1")) == []
