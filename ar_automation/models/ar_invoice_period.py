from odoo import fields, models


class ArInvoicePeriod(models.Model):
    """A billed period of a recurring sale order. The unique index is what guarantees that no period is
    invoiced twice, even by two workers at once."""

    _name = "ar.invoice.period"
    _description = "Invoiced Period"
    _order = "order_id, period_start"

    order_id = fields.Many2one("sale.order", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    invoice_id = fields.Many2one("account.move", readonly=True, index="btree_not_null", ondelete="set null")

    _period_uniq = models.UniqueIndex(
        "(order_id, period_start)", "This period of the order is already invoiced."
    )
