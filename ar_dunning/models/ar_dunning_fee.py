from odoo import api, fields, models


class ArDunningFee(models.Model):
    """Late-payment interest and recovery compensation of one invoice, as a reminder claims them."""

    _name = "ar.dunning.fee"
    _description = "Late Payment Fee"
    _order = "line_id, move_id"

    line_id = fields.Many2one("ar.dunning.line", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    currency_id = fields.Many2one(related="line_id.currency_id")
    partner_id = fields.Many2one(related="line_id.partner_id", store=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True, ondelete="cascade")
    days_late = fields.Integer()
    amount_overdue = fields.Monetary()
    interest = fields.Monetary()
    compensation = fields.Monetary(
        help="Claimed once per invoice: zero when an earlier fee invoice charged it."
    )
    total = fields.Monetary(compute="_compute_total", store=True)
    invoice_id = fields.Many2one("account.move", string="Fee Invoice", readonly=True, copy=False)

    @api.depends("interest", "compensation")
    def _compute_total(self):
        for fee in self:
            fee.total = fee.interest + fee.compensation
