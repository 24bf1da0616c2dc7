"""The collection forecast rules, without a database."""

from datetime import date
from decimal import Decimal as D

from ..engine.forecast import customer_delay, expect, mean_absolute_error, remaining_delay, weekly

TODAY = date(2026, 11, 23)  # a Monday


def test_customer_delay_needs_enough_history():
    assert customer_delay(5, 12.0, 3.0) == (12.0, "history")
    assert customer_delay(2, 12.0, 3.0) == (3.0, "fallback")
    assert customer_delay(0, None, None) == (0.0, "fallback")


def test_expected_dates_by_rule():
    due = date(2026, 12, 1)
    assert expect(due, TODAY, 10.0, "history").expected == date(2026, 12, 11)
    assert expect(date(2026, 11, 1), TODAY, 10.0, "history").expected == TODAY, "never in the past"
    promise = expect(due, TODAY, 10.0, "history", promise=date(2026, 12, 4))
    assert (promise.expected, promise.basis) == (date(2026, 12, 4), "promise")
    assert expect(due, TODAY, 10.0, "history", autopay=True).expected == due
    disputed = expect(due, TODAY, 6.0, "history", disputed=True, dispute_days=14.0)
    assert (disputed.expected, disputed.basis) == (date(2026, 12, 13), "dispute")


def test_weekly_rollup_for_13_weeks_then_later():
    rows = weekly(
        [(TODAY, D(100)), (date(2026, 11, 29), D(50)), (date(2026, 12, 1), D(30)), (date(2027, 6, 1), D(7))],
        TODAY,
    )
    assert len(rows) == 14
    assert rows[0] == (TODAY, D(150))
    assert rows[1] == (date(2026, 11, 30), D(30))
    assert rows[-1] == (None, D(7))


def test_mean_absolute_error():
    assert (
        mean_absolute_error([(date(2026, 1, 10), date(2026, 1, 12)), (date(2026, 1, 10), date(2026, 1, 6))])
        == 3
    )
    assert mean_absolute_error([]) is None


def test_a_late_invoice_is_expected_as_late_as_invoices_once_as_late_were_paid():
    history = [(5, D(100)), (30, D(100)), (60, D(300))]
    assert remaining_delay(20, history) == (10 * 100 + 40 * 300) / 400
    assert remaining_delay(60, history) is None, "no paid invoice was ever later"
    late = expect(date(2026, 11, 3), TODAY, 5.0, "history", paid_lateness=history)  # 20 days late
    assert (late.expected, late.basis) == (date(2026, 12, 25), "late")  # 32.5 more days, rounded to even
    assert late.delay == (late.expected - date(2026, 11, 3)).days, "days after due match the expected date"
    doubtful = expect(date(2026, 8, 15), TODAY, 5.0, "history", paid_lateness=history)  # 100 days late
    assert doubtful.basis == "doubtful"
    assert doubtful.expected > date(2027, 2, 15), "after the forecast's 13 weeks, not today"
    assert weekly([(doubtful.expected, D(1))], TODAY)[-1] == (None, D(1))
