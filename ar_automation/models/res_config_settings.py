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
    ar_ksef_offline_mode = fields.Boolean(related="company_id.ar_ksef_offline_mode", readonly=False)
    ar_ksef_offline_certificate_id = fields.Many2one(
        related="company_id.ar_ksef_offline_certificate_id", readonly=False
    )
    ar_pdf_engine = fields.Char(string="PDF Engine", compute="_compute_ar_pdf_engine")
    ar_pdf_problem = fields.Char(string="PDF Problem", compute="_compute_ar_pdf_engine")

    def _compute_ar_pdf_engine(self):
        for settings in self:
            engine = settings.company_id._ar_pdf_engine()
            if engine["prints_headers"]:
                text = self.env._(
                    "wkhtmltopdf %(version)s with patched Qt (%(bin)s): prints headers and footers.", **engine
                )
            elif engine["state"] in ("ok", "workers"):
                text = self.env._(
                    "wkhtmltopdf %(version)s without patched Qt (%(bin)s): no headers or footers, so "
                    "invoices and statements print the seller's name, address, NIP and bank account in "
                    "the body.",
                    **engine,
                )
            else:
                text = self.env._("No working wkhtmltopdf (%(state)s).", **engine)
            settings.ar_pdf_engine = text
            settings.ar_pdf_problem = settings.company_id._ar_pdf_problem()
