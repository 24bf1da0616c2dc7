"""Reminder decisions, without a database."""

from datetime import date
from decimal import Decimal

from ..engine.decide import Item, Level, decide

TODAY = date(2026, 3, 31)
BRIEF = [Level(1, 1, "email"), Level(2, 7, "email"), Level(3, 14, "call")]


def item(key, days_late, customer=1, residual="100", last=None, paused=""):
    due = date.fromordinal(TODAY.toordinal() - days_late)
    return Item(key, customer, due, Decimal(residual), last, paused)


def only(decisions):
    assert len(decisions) == 1
    return decisions[0]


def test_one_reminder_per_customer_at_the_highest_level_listing_all_overdue():
    decision = only(decide([item(1, 2), item(2, 20), item(3, -5)], BRIEF, TODAY))
    assert decision.level.key == 3
    assert decision.items == [2, 1]  # oldest first; the not-yet-due invoice is not listed
    assert decision.raised == {2: 14, 1: 1}
    assert decision.overdue == Decimal("200")


def test_nothing_twice_on_the_same_day_or_the_next():
    first = only(decide([item(1, 8)], BRIEF, TODAY))
    assert first.level.key == 2
    again = decide([item(1, 8, last=first.raised[1])], BRIEF, TODAY)
    assert again == []
    tomorrow = decide([item(1, 9, last=7)], BRIEF, date(2026, 4, 1))
    assert tomorrow == []


def test_next_level_when_reached():
    decision = only(decide([item(1, 14, last=7)], BRIEF, TODAY))
    assert decision.level.channel == "call"


def test_paused_invoices_are_reported_never_raise_a_level():
    decision = only(decide([item(1, 30, paused="dispute"), item(2, 3)], BRIEF, TODAY))
    assert decision.level.key == 1
    assert decision.items == [2]
    assert decision.paused == {1: "dispute"}
    alone = only(decide([item(1, 30, paused="promise to pay until 2026-04-05")], BRIEF, TODAY))
    assert alone.level is None and alone.items == []


def test_courtesy_reminder_before_the_due_date():
    levels = [Level(0, -3, "email"), *BRIEF]
    decision = only(decide([item(1, -2)], levels, TODAY))
    assert decision.level.key == 0
    assert decision.items == [1]
    assert decide([item(1, -5)], levels, TODAY) == []


def test_minimum_overdue_amount_picks_a_lower_level():
    levels = [Level(1, 1, "email"), Level(2, 7, "email", Decimal("1000"))]
    decision = only(decide([item(1, 10, residual="500")], levels, TODAY))
    assert decision.level.key == 1
    assert decision.raised == {1: 1}


def test_customers_are_decided_separately():
    decisions = decide([item(1, 2, customer=1), item(2, 9, customer=2), item(3, 0, customer=3)], BRIEF, TODAY)
    assert {(d.customer, d.level.key) for d in decisions} == {(1, 1), (2, 2)}
