"""Payment plans: splitting a balance into monthly instalments, and which instalments are paid.

The rule for "paid": payments are not traced one by one. Everything paid on the plan's invoices since the
plan was approved (their total residual then minus their total residual now, so payments, credit notes and
write-offs alike) is applied to the instalments in date order: an instalment is paid once that amount
reaches the sum of the instalments up to and including it.
"""

import calendar
from datetime import date
from decimal import ROUND_DOWN, Decimal

MAX_INSTALMENTS = 24


def add_months(day, months):
    """``day`` moved by ``months`` calendar months, on the same day or the month's last one."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_evenly(total, count, first_date, step=Decimal("0.01")):
    """``[(date, Decimal amount), ...]``: ``total`` in ``count`` monthly instalments from ``first_date``,
    equal amounts rounded down to ``step`` (the currency's rounding); the last one takes the remainder."""
    if count < 1:
        raise ValueError("at least one instalment")
    total = Decimal(total)
    share = (total / count).quantize(step, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return [(add_months(first_date, index), amount) for index, amount in enumerate(amounts)]


def instalment_states(instalments, paid, today, grace_days):
    """The state of each instalment, in the order given: ``paid``, ``missed`` or ``pending``.

    ``instalments``: ``[(date, Decimal amount), ...]`` in date order; ``paid``: the total paid since the
    approval. An instalment not paid is missed once ``grace_days`` have passed after its date."""
    states, cumulative = [], Decimal(0)
    for day, amount in instalments:
        cumulative += amount
        if paid >= cumulative:
            states.append("paid")
        elif (today - day).days > grace_days:
            states.append("missed")
        else:
            states.append("pending")
    return states
