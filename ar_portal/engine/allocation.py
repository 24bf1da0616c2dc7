"""Which invoices a customer pays from the portal, and how much of each: validated on the server."""

from decimal import Decimal

from .inputs import InputError, parse_amount


class AllocationError(InputError):
    """The selection cannot be paid; ``code`` names why (the portal shows its translated message)."""


def allocate(selected, requested, residuals, locale="en_US", places=2):
    """``{invoice id: Decimal amount}`` to pay.

    ``selected``: invoice ids chosen; ``requested``: ``{id: text}`` amounts typed (empty: the whole
    residual), read with ``inputs.parse_amount`` in the customer's ``locale``; ``residuals``: ``{id:
    Decimal}`` of the customer's open invoices. Every amount must be positive and at most the invoice's
    residual, and at most one invoice may be paid in part (so that the payment can be matched to the
    invoices unambiguously). Codes: ``select_invoice``, ``invalid_selection``, ``amount_invalid``,
    ``amount_too_high``, ``one_partial``."""
    if not selected:
        raise AllocationError("select_invoice")
    allocation = {}
    step = Decimal(1).scaleb(-places)
    for invoice_id in selected:
        if invoice_id not in residuals:
            raise AllocationError("invalid_selection")
        text = (requested.get(invoice_id) or "").strip()
        try:
            amount = parse_amount(text, locale, places) if text else residuals[invoice_id]
        except InputError:
            raise AllocationError("amount_invalid") from None
        if amount > residuals[invoice_id]:
            raise AllocationError("amount_too_high")
        allocation[invoice_id] = amount.quantize(step)
    partial = [i for i, amount in allocation.items() if amount < residuals[i]]
    if len(partial) > 1:
        raise AllocationError("one_partial")
    return allocation
