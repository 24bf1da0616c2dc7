from odoo import api, fields, models


class ArDunningPolicy(models.Model):
    """A reminder sequence: the levels a customer goes through as its invoices age."""

    _name = "ar.dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("ar.dunning.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    note = fields.Html(translate=True)

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)
