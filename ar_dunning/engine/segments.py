"""Automatic customer segmentation from payment history.

Segments are tried in their order; a customer goes to the first whose limits it meets (a limit left
as None does not apply). Customers with too little history go to the default segment.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class History:
    customer: int
    paid_count: int = 0
    avg_days_late: Decimal = Decimal(0)  # over invoices paid in the look-back window, early payments count 0
    open_days_late: int = 0  # days overdue of the oldest open invoice
    broken_promises: int = 0
    disputes: int = 0


@dataclass(frozen=True)
class SegmentRule:
    key: int
    max_days_late: int | None = None
    max_broken_promises: int | None = None
    max_disputes: int | None = None
    min_paid_invoices: int = 0


def assign(history, rules, default_key, min_history=1):
    """``(segment key, reason)`` for one customer."""
    if history.paid_count < min_history and not history.open_days_late:
        return default_key, "no payment history yet"
    worst_late = max(history.avg_days_late, Decimal(history.open_days_late))
    for rule in rules:
        problems = _broken_limits(history, rule, worst_late)
        if not problems:
            return rule.key, (
                f"{history.paid_count} invoices paid, {worst_late:.0f} days late (paid average or open), "
                f"{history.broken_promises} broken promises, {history.disputes} disputes"
            )
    return default_key, "no segment's limits are met"


def _broken_limits(history, rule, worst_late):
    problems = []
    if history.paid_count < rule.min_paid_invoices:
        problems.append("too few paid invoices")
    if rule.max_days_late is not None and worst_late > rule.max_days_late:
        problems.append("pays too late")
    if rule.max_broken_promises is not None and history.broken_promises > rule.max_broken_promises:
        problems.append("broke promises")
    if rule.max_disputes is not None and history.disputes > rule.max_disputes:
        problems.append("disputes too often")
    return problems
