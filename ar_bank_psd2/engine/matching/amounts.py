"""Amounts: how a bank line's amount goes to the open items it pays (equal, bank fee, partial, overpaid)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .records import Allocation, BankLine, OpenItem, Settings
from .scores import CENT, FX_TOLERANCE_PERCENT, HUNDRED, ZERO


def _money(amount: Decimal) -> str:
    """An amount as written in a reason: to the cent (``2.50``)."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def _age(item: OpenItem):
    return (item.due_date or item.invoice_date or date.max, item.id)


def _same_currency(item: OpenItem, line: BankLine) -> bool:
    return not item.currency or not line.currency or item.currency == line.currency


# ------------------------------------------------------------------------------------------ amounts


@dataclass(slots=True)
class _Outcome:
    kind: str  # a key of OUTCOME_PENALTY
    allocations: list[Allocation]
    reasons: list[str] = field(default_factory=list)
    writeoff: Decimal = ZERO
    overpayment: Decimal = ZERO


def _in_line_currency(item: OpenItem, line: BankLine, rates: dict) -> Decimal | None:
    if _same_currency(item, line):
        return item.residual
    rate = rates.get((item.currency, line.currency))
    if rate:
        return (item.residual * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    inverse = rates.get((line.currency, item.currency))
    if inverse:
        return (item.residual / inverse).quantize(CENT, rounding=ROUND_HALF_UP)
    return None


def _within_writeoff(shortfall: Decimal, total: Decimal, settings: Settings) -> bool:
    return (
        ZERO < shortfall <= settings.writeoff_tolerance
        and shortfall * HUNDRED <= total * settings.writeoff_tolerance_percent
    )


def _shares(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split in proportion to ``weights`` to the cent, the last share taking the rounding."""
    total = sum(weights)
    shares = [(amount * weight / total).quantize(CENT, rounding=ROUND_HALF_UP) for weight in weights[:-1]]
    return [*shares, amount - sum(shares)]


def _allocate(
    line: BankLine, items: list[OpenItem], declared: list | None, settings: Settings, rates: dict
) -> _Outcome | None:
    """How the line's amount goes to ``items`` (quoted order), or None when they cannot take it.

    ``declared`` are the amounts of camt referred documents, one per item (used when they add up to the
    line's amount). Amounts are handled positive here and given back signed like the residuals.
    """
    sign = 1 if line.amount > 0 else -1
    amount = abs(line.amount)
    converted = [_in_line_currency(item, line, rates) for item in items]
    if any(value is None for value in converted):
        weights = [abs(item.residual) for item in items]
        allocations = [
            Allocation(item.id, sign * share)
            for item, share in zip(items, _shares(amount, weights), strict=True)
        ]
        return _Outcome("unchecked", allocations, ["amount:unchecked"])
    values = [sign * value for value in converted]
    total = sum(values)
    if total <= 0:
        return None

    def allocations_of(parts):
        return [Allocation(item.id, sign * part) for item, part in zip(items, parts, strict=True) if part]

    foreign = any(not _same_currency(item, line) for item in items)
    if declared and None not in declared and not foreign and sum(abs(d) for d in declared) == amount:
        parts = [min(abs(d), value) for d, value in zip(declared, values, strict=True)]
        if parts == values:
            return _Outcome("equal", allocations_of(parts), ["amount:equal"])
        excess = sum(abs(d) for d in declared) - sum(parts)
        reasons = ["amount:declared"] + (
            ["partial"] if any(p < v for p, v in zip(parts, values, strict=True)) else []
        )
        if excess:
            reasons.append(f"overpayment:{_money(sign * excess)}")
        return _Outcome("declared", allocations_of(parts), reasons, overpayment=sign * excess)
    shortfall = total - amount
    if shortfall == 0:
        return _Outcome("equal", allocations_of(values), ["amount:equal"])
    if foreign and abs(shortfall) * HUNDRED <= total * FX_TOLERANCE_PERCENT:
        return _Outcome("converted", allocations_of(_shares(amount, values)), ["amount:converted"])
    if _within_writeoff(shortfall, total, settings):
        return _Outcome(
            "writeoff",
            allocations_of(values),
            [f"amount:writeoff:{_money(shortfall)}"],
            writeoff=sign * shortfall,
        )
    if shortfall < 0:
        return _Outcome(
            "overpayment",
            allocations_of(values),
            [f"overpayment:{_money(-shortfall)}"],
            overpayment=sign * -shortfall,
        )
    # Partial: credit notes first, then the invoices by due date (then as quoted) while money is left.
    order = sorted(range(len(items)), key=lambda k: (values[k] > 0, items[k].due_date or date.max, k))
    remaining, parts = amount, [ZERO] * len(items)
    for k in order:
        parts[k] = values[k] if values[k] < 0 else min(values[k], remaining)
        remaining -= parts[k]
    allocations = [Allocation(items[k].id, sign * parts[k]) for k in order if parts[k]]
    return _Outcome("partial", allocations, ["partial"])
