"""When open invoices will probably be paid, and the weekly cash-in that makes.

An invoice's expected payment date, by the first rule that applies:

1. a pending promise to pay: its date;
2. AutoPay: the due date (it is charged then);
3. an open dispute: today + the typical days to resolve a dispute + the customer's usual delay;
4. otherwise the due date + the customer's average delay (days late, weighted by amount, over its
   invoices paid in the last year), or the company's average for customers without enough history.

An invoice already later than that is not expected today: it is expected as late again as the company's
paid invoices that were once as late as it is now (their amount-weighted extra delay, basis ``late``);
when no paid invoice was ever that late, it is doubtful and expected after the forecast's horizon (basis
``doubtful``). Without any payment history, a late invoice is expected from today on.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MIN_HISTORY = 3  # paid invoices needed to trust a customer's own delay
DOUBTFUL_AFTER_DAYS = 13 * 7  # a doubtful invoice is expected after the forecast's 13 weeks


@dataclass(frozen=True)
class Expectation:
    expected: date
    basis: str  # promise, autopay, dispute, history, fallback, late, doubtful
    delay: float  # days after the due date assumed


def customer_delay(history_count, history_delay, fallback_delay):
    """The delay to assume for a customer: its own when it has enough paid invoices, else the fallback."""
    if history_count >= MIN_HISTORY and history_delay is not None:
        return float(history_delay), "history"
    return float(fallback_delay or 0.0), "fallback"


def remaining_delay(days_late, paid_lateness):
    """Further days before an invoice ``days_late`` days overdue is paid, from ``paid_lateness`` (``[(days
    late when paid, Decimal amount), ...]``): the amount-weighted mean extra delay of the paid invoices that
    were paid later than ``days_late``; None when none was."""
    later = [(late - days_late, amount) for late, amount in paid_lateness if late > days_late]
    total = sum((amount for _extra, amount in later), Decimal(0))
    if not total:
        return None
    return float(sum((Decimal(extra) * amount for extra, amount in later), Decimal(0)) / total)


def expect(
    due,
    today,
    delay,
    basis,
    promise=None,
    autopay=False,
    disputed=False,
    dispute_days=14.0,
    paid_lateness=(),
):
    """The expected payment date of one open invoice (see the module's rules)."""
    if promise:
        return Expectation(max(promise, today), "promise", float((promise - due).days))
    if autopay:
        return Expectation(max(due, today), "autopay", 0.0)
    if disputed:
        days = round(dispute_days + max(delay, 0.0))
        return Expectation(today + timedelta(days=days), "dispute", float((today - due).days + days))
    expected = due + timedelta(days=round(delay))
    if expected >= today or not paid_lateness:
        return Expectation(max(expected, today), basis, delay)
    days_late = (today - due).days
    extra = remaining_delay(days_late, paid_lateness)
    if extra is None:
        doubtful = today + timedelta(days=DOUBTFUL_AFTER_DAYS)
        return Expectation(doubtful, "doubtful", float((doubtful - due).days))
    expected = today + timedelta(days=round(extra))
    return Expectation(expected, "late", float((expected - due).days))


def week_start(day):
    return day - timedelta(days=day.weekday())


def weekly(expectations, today, weeks=13):
    """``[(monday, amount), ...]`` for the ``weeks`` weeks from the current one, then ``(None, amount)``
    for everything expected later. ``expectations``: ``[(date, Decimal amount), ...]``."""
    first = week_start(today)
    buckets = {first + timedelta(weeks=index): Decimal(0) for index in range(weeks)}
    later = Decimal(0)
    for expected, amount in expectations:
        monday = week_start(expected)
        if monday in buckets:
            buckets[monday] += amount
        else:
            later += amount
    return [*sorted(buckets.items()), (None, later)]


def mean_absolute_error(pairs):
    """Mean absolute error in days of ``[(predicted date, actual date), ...]``; None when empty."""
    if not pairs:
        return None
    return sum(abs((predicted - actual).days) for predicted, actual in pairs) / len(pairs)
