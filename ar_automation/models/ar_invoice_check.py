from odoo import fields, models


class ArInvoiceCheck(models.Model):
    """A pre-posting check of generated customer invoices: on or off, blocking or a warning."""

    _name = "ar.invoice.check"
    _description = "Invoice Check"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(
        selection=[
            ("vat", "Customer VAT number"),
            ("address", "Billing address"),
            ("email", "E-mail for delivery"),
            ("payment_terms", "Payment terms"),
            ("bank_account", "Company bank account (IBAN)"),
            ("order_amounts", "Amounts as on the order"),
            ("duplicate", "No duplicate invoicing"),
        ],
        required=True,
        readonly=True,
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    blocking = fields.Boolean(
        default=True, help="A blocking problem keeps the invoice in draft; a warning is only logged."
    )
    description = fields.Text(translate=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "Each check exists once.")

    def _enabled(self):
        """``{code: blocking}`` of the active checks."""
        return {check.code: check.blocking for check in self.sudo().search([])}
