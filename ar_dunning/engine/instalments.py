"""Payment plans: splitting a balance into monthly instalments, and which instalments are paid.

The rule for "paid": payments are not traced one by one. Everything paid on the plan's invoices since the
plan was approved (their total residual then minus their total residual now, so payments, credit notes and
write-offs alike) is applied to the instalments in date order: an instalment is paid once that amount
reaches the sum of the instalments up to and including it.
"""

import calendar
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

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


def plan_problems(instalments, balance, currencies=1, today=None, horizon=None, step=Decimal("0.01")):
    """Why a payment plan cannot be accepted, as reason codes (empty: it can), the same rules for the
    customer's proposal on the portal and for the plan the back office approves:

    ``plan_one_currency`` (its invoices are in ``currencies`` currencies), ``plan_incomplete`` (no
    instalment), ``plan_too_many`` (more than ``MAX_INSTALMENTS``), ``plan_amount_invalid`` (an amount not
    above zero), ``plan_date_past`` (an instalment not after ``today``), ``plan_date_horizon`` (one after
    ``horizon``), ``plan_total`` (the amounts, in the currency's ``step``, do not add up to ``balance``).

    ``instalments``: ``[(date, Decimal amount), ...]``; ``today`` and ``horizon`` ``None``: not checked."""
    problems = []
    if currencies > 1:
        problems.append("plan_one_currency")
    if not instalments:
        problems.append("plan_incomplete")
    if len(instalments) > MAX_INSTALMENTS:
        problems.append("plan_too_many")
    if any(amount <= 0 for _day, amount in instalments):
        problems.append("plan_amount_invalid")
    if today is not None and any(day <= today for day, _amount in instalments):
        problems.append("plan_date_past")
    if horizon is not None and any(day > horizon for day, _amount in instalments):
        problems.append("plan_date_horizon")
    total = sum((Decimal(amount) for _day, amount in instalments), Decimal(0))
    if instalments and _rounded(total, step) != _rounded(Decimal(balance), step):
        problems.append("plan_total")
    return problems


def _rounded(amount, step):
    """``amount`` rounded half-up to a multiple of ``step`` (as Odoo rounds in a currency)."""
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
