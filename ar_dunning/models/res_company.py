from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_dunning_policy_id = fields.Many2one(
        "ar.dunning.policy",
        string="Default Dunning Policy",
        help="For customers without a policy of their own; empty: the company's first policy.",
    )

    def _ar_default_dunning_policy(self):
        self.ensure_one()
        return self.ar_dunning_policy_id or self.env["ar.dunning.policy"].search(
            [("company_id", "=", self.id)], limit=1
        )
