"""Late-payment interest and recovery compensation for commercial transactions.

* Interest: simple interest on the overdue amount from the day after the due date up to ``as_of``
  included, at the statutory annual rate in force on each day (a dated table: each rate applies from its
  date until the next one), over a 365-day year, rounded to the cent at the end.
* Compensation for recovery costs (EU directive 2011/7/EU, in Poland art. 10 of the act on excessive delays
  in commercial transactions): a fixed amount per invoice by its amount in PLN: up to 5,000 PLN the
  equivalent of 40 EUR, up to 50,000 PLN 70 EUR, above 100 EUR (converted at the euro rate of the last
  business day of the month before the payment fell due).
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
COMPENSATION_BANDS = ((Decimal(5000), Decimal(40)), (Decimal(50000), Decimal(70)))
COMPENSATION_TOP = Decimal(100)


def interest(amount, due, as_of, rates):
    """Interest on ``amount`` (Decimal) unpaid since ``due`` (the first day late is the day after) up
    to ``as_of`` included. ``rates``: ``[(date_from, annual percent), ...]`` in any order."""
    if amount <= 0 or as_of <= due:
        return Decimal(0)
    table = sorted(rates)
    if not table or table[0][0] > due + timedelta(days=1):
        raise ValueError(f"no interest rate in force on {due + timedelta(days=1)}")
    total = Decimal(0)
    start = due + timedelta(days=1)
    for index, (date_from, rate) in enumerate(table):
        date_to = table[index + 1][0] - timedelta(days=1) if index + 1 < len(table) else as_of
        first, last = max(start, date_from), min(as_of, date_to)
        if first > last:
            continue
        days = (last - first).days + 1
        total += amount * Decimal(str(rate)) / 100 * days / 365
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def compensation_eur(amount_pln):
    """The fixed compensation in EUR for an invoice of ``amount_pln``."""
    for ceiling, compensation in COMPENSATION_BANDS:
        if amount_pln <= ceiling:
            return compensation
    return COMPENSATION_TOP


def conversion_day(due):
    """The day whose euro rate converts the compensation: the last day of the month before ``due``
    (the caller takes the last rate published on or before it, i.e. the last business day's)."""
    return date(due.year, due.month, 1) - timedelta(days=1)
