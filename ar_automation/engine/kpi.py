"""Receivables KPIs from aggregates, without a database. Amounts are ``Decimal``; ratios are returned
rounded to one decimal (days) or to one tenth of a percent.

* DSO, simple method: receivable at the end / credit sales of the period x days of the period.
* DSO, count-back method: walk back month by month from the end, subtracting each month's credit sales from
  the receivable until it is used up; the days walked are the DSO (the last month counted pro rata).
* Best possible DSO: the same count-back on the receivable not yet due, so that it is never above the
  DSO it is shown with (the count-back walks fewer months for a smaller receivable).
* CEI (collection effectiveness index): (opening receivable + credit sales - closing receivable) /
  (opening receivable + credit sales - closing receivable not yet due) x 100.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
TENTH = Decimal("0.1")


def _round(value):
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def dso_simple(receivable, credit_sales, days):
    """Days of sales outstanding, simple method; None when there were no sales."""
    if credit_sales <= ZERO or days <= 0:
        return None
    return _round(receivable / credit_sales * days)


def dso_countback(receivable, months):
    """Days of sales outstanding, count-back method. ``months``: ``[(days_in_month, credit_sales), ...]``
    from the most recent month backwards. None when the receivable outlasts the months given."""
    left = receivable
    if left <= ZERO:
        return Decimal(0)
    days = ZERO
    for month_days, sales in months:
        if sales <= ZERO:
            days += month_days
            continue
        if left <= sales:
            return _round(days + left / sales * month_days)
        left -= sales
        days += month_days
    return None


def cei(opening, credit_sales, closing, closing_not_due):
    """Collection effectiveness index in percent; None when nothing was collectable."""
    collectable = opening + credit_sales - closing_not_due
    if collectable <= ZERO:
        return None
    return _round((opening + credit_sales - closing) / collectable * 100)


def ratio(part, whole):
    """``part / whole`` in percent; None when ``whole`` is zero."""
    if not whole:
        return None
    return _round(Decimal(part) / Decimal(whole) * 100)
