"""Automatic segmentation, without a database."""

from decimal import Decimal

from ..engine.segments import History, SegmentRule, assign

STRATEGIC = SegmentRule(1, max_days_late=5, max_broken_promises=0, max_disputes=1, min_paid_invoices=5)
STANDARD = SegmentRule(2, max_days_late=30)
HIGH_RISK = SegmentRule(3)
RULES = [STRATEGIC, STANDARD, HIGH_RISK]


def test_punctual_regular_payer_is_strategic():
    key, reason = assign(History(1, paid_count=12, avg_days_late=Decimal("2")), RULES, default_key=2)
    assert key == 1
    assert "12 invoices paid" in reason


def test_few_invoices_or_a_broken_promise_is_standard():
    assert assign(History(1, paid_count=3, avg_days_late=Decimal(0)), RULES, 2)[0] == 2
    assert assign(History(1, paid_count=12, broken_promises=1), RULES, 2)[0] == 2


def test_late_payer_or_long_overdue_is_high_risk():
    assert assign(History(1, paid_count=8, avg_days_late=Decimal("41")), RULES, 2)[0] == 3
    assert assign(History(1, paid_count=8, avg_days_late=Decimal("1"), open_days_late=95), RULES, 2)[0] == 3


def test_no_history_goes_to_the_default():
    assert assign(History(1), RULES, default_key=2) == (2, "no payment history yet")


def test_no_matching_segment_goes_to_the_default():
    assert assign(History(1, paid_count=3, avg_days_late=Decimal(50)), [STRATEGIC, STANDARD], 2) == (
        2,
        "no segment's limits are met",
    )
