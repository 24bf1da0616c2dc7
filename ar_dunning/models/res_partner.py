from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_dunning_policy_id = fields.Many2one(
        "ar.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        help="The reminder sequence for this customer; empty: the company's default policy.",
    )
    ar_dunning_line_ids = fields.One2many("ar.dunning.line", "partner_id", string="Reminders", readonly=True)
