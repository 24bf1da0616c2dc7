from datetime import timedelta

from odoo import Command, api, fields, models

# A charge in one of these states went through (or is on its way): no retry.
AUTOPAY_CHARGED_STATES = ("done", "authorized", "pending")


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    ar_allocation = fields.Json(
        string="Allocation",
        readonly=True,
        help="Invoice id -> amount, as chosen by the customer on the portal.",
    )

    @api.model
    def _ar_autopay_charge(self, token, partner, amount, currency, invoices, prefix, allocation=None):
        """One AutoPay charge of ``amount`` in ``currency`` to customer ``partner``'s saved ``token`` for
        ``invoices`` (``allocation``: ``{invoice: share}`` when they are not paid whole),
        as Odoo charges a token offline; posted at once when done. The transaction is created as
        superuser: the customer's AutoPay consent, not the user running the cron, allows it.
        Returns ``(transaction, charged)``, ``charged`` false when the charge failed."""
        values = {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "token_id": token.id,
            "amount": amount,
            "currency_id": currency.id,
            "partner_id": partner.id,
            "operation": "offline",
            "invoice_ids": [Command.set(invoices.ids)],
            "reference": self._compute_reference(token.provider_id.code, prefix=f"{prefix}-AUTOPAY"),
        }
        if allocation is not None:
            values["ar_allocation"] = {str(invoice.id): share for invoice, share in allocation.items()}
        tx_sudo = self.sudo().create(values)
        tx_sudo._charge_with_token()
        if tx_sudo.state == "done":
            tx_sudo._post_process()
        return tx_sudo, tx_sudo.state in AUTOPAY_CHARGED_STATES

    @api.model
    def _ar_autopay_next_try(self, today, attempts, retries):
        """The day of the next AutoPay try after ``attempts`` failed ones (``retries``: the company's days
        between tries), ``False`` when the tries are used up."""
        return today + timedelta(days=retries[attempts - 1]) if attempts <= len(retries) else False

    def _create_payment(self, **extra_create_values):
        """With an allocation, reconcile the invoices paid in full first and the one paid in part last, so
        that each invoice receives exactly the amount the customer chose."""
        if not self.ar_allocation:
            return super()._create_payment(**extra_create_values)
        invoices = self.invoice_ids
        allocation = {int(key): value for key, value in self.ar_allocation.items()}
        self.invoice_ids = False
        try:
            payment = super()._create_payment(**extra_create_values)
        finally:
            self.invoice_ids = invoices
        payment.invoice_ids = invoices
        ordered = invoices.sorted(
            lambda inv: (allocation.get(inv.id, 0) < inv.amount_residual, inv.invoice_date_due)
        )
        payment_lines = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.destination_account_id and not line.reconciled
        )
        for invoice in ordered:
            invoice_lines = invoice.line_ids.filtered(
                lambda line: line.account_id == payment.destination_account_id and not line.reconciled
            )
            (payment_lines.filtered(lambda line: not line.reconciled) + invoice_lines).reconcile()
        return payment
