from odoo import api, fields, models


class ArSaleMilestone(models.Model):
    """A share of a sale order invoiced when the order is confirmed or on a date."""

    _name = "ar.sale.milestone"
    _description = "Invoicing Milestone"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("sale.order", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    percentage = fields.Float(required=True, digits=(5, 2), help="Share of the order's total, in percent.")
    trigger = fields.Selection(
        selection=[("on_confirm", "On confirmation"), ("date", "On a date")],
        required=True,
        default="date",
    )
    date = fields.Date()
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False, index="btree_not_null")
    is_invoiced = fields.Boolean(compute="_compute_is_invoiced", store=True)

    _date_needed = models.Constraint(
        "CHECK(trigger != 'date' OR date IS NOT NULL)",
        "A milestone invoiced on a date needs its date.",
    )

    @api.depends("invoice_id.state")
    def _compute_is_invoiced(self):
        for milestone in self:
            milestone.is_invoiced = bool(milestone.invoice_id) and milestone.invoice_id.state != "cancel"
