from odoo import fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    ar_allocation = fields.Json(
        string="Allocation",
        readonly=True,
        help="Invoice id -> amount, as chosen by the customer on the portal.",
    )

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
