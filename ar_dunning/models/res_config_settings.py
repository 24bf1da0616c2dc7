from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_dunning_policy_id = fields.Many2one(related="company_id.ar_dunning_policy_id", readonly=False)
    ar_quiet_start = fields.Float(related="company_id.ar_quiet_start", readonly=False)
    ar_quiet_end = fields.Float(related="company_id.ar_quiet_end", readonly=False)
    ar_quiet_weekends = fields.Boolean(related="company_id.ar_quiet_weekends", readonly=False)
    ar_plan_horizon_months = fields.Integer(related="company_id.ar_plan_horizon_months", readonly=False)
    ar_dunning_attach_invoices = fields.Boolean(
        related="company_id.ar_dunning_attach_invoices", readonly=False
    )
