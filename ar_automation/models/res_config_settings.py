from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_invoice_policy = fields.Selection(related="company_id.ar_invoice_policy", readonly=False)
    ar_dispute_team_id = fields.Many2one(related="company_id.ar_dispute_team_id", readonly=False)
    ar_dispute_sla_days = fields.Integer(related="company_id.ar_dispute_sla_days", readonly=False)
    ar_promise_grace_days = fields.Integer(related="company_id.ar_promise_grace_days", readonly=False)
    ar_promise_horizon_days = fields.Integer(related="company_id.ar_promise_horizon_days", readonly=False)
    ar_promise_max_renewals = fields.Integer(related="company_id.ar_promise_max_renewals", readonly=False)
    ar_aging_edges = fields.Char(related="company_id.ar_aging_edges", readonly=False)
    ar_digest_user_ids = fields.Many2many(related="company_id.ar_digest_user_ids", readonly=False)
    ar_digest_emails = fields.Char(related="company_id.ar_digest_emails", readonly=False)
