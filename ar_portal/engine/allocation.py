"""Which invoices a customer pays from the portal, and how much of each: validated on the server."""

from decimal import Decimal, InvalidOperation


class AllocationError(ValueError):
    """The selection cannot be paid; the message is safe to show to the customer."""


def allocate(selected, requested, residuals):
    """``{invoice id: Decimal amount}`` to pay.

    ``selected``: invoice ids chosen; ``requested``: ``{id: text}`` amounts typed (empty: the whole
    residual); ``residuals``: ``{id: Decimal}`` of the customer's open invoices. Every amount must be
    positive and at most the invoice's residual, and at most one invoice may be paid in part (so that the
    payment can be matched to the invoices unambiguously)."""
    if not selected:
        raise AllocationError("Select at least one invoice to pay.")
    allocation = {}
    for invoice_id in selected:
        if invoice_id not in residuals:
            raise AllocationError("One of the selected documents cannot be paid here.")
        text = (requested.get(invoice_id) or "").strip().replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text) if text else residuals[invoice_id]
        except InvalidOperation as error:
            raise AllocationError(f"{text!r} is not an amount.") from error
        if not amount.is_finite() or amount <= 0 or amount > residuals[invoice_id]:
            raise AllocationError("Each amount must be more than zero and at most what is due.")
        allocation[invoice_id] = amount.quantize(Decimal("0.01"))
    partial = [i for i, amount in allocation.items() if amount < residuals[i]]
    if len(partial) > 1:
        raise AllocationError("Only one invoice can be paid in part at a time.")
    return allocation
