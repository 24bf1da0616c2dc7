from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_invoice_policy = fields.Selection(related="company_id.ar_invoice_policy", readonly=False)
