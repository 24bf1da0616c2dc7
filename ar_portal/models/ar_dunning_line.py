from odoo import models


class ArDunningLine(models.Model):
    _inherit = "ar.dunning.line"

    def _ar_statement_url(self):
        return self.partner_id._ar_statement_link(company=self.company_id)
