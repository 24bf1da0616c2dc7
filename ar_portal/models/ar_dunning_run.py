from odoo import models


class ArDunningRun(models.Model):
    _inherit = "ar.dunning.run"

    def _pause_reasons(self, company, rows):
        """AutoPay invoices wait for their charge (and its retries) before any reminder."""
        reasons = super()._pause_reasons(company, rows)
        candidates = [row.id for row in rows if row.id not in reasons]
        if not candidates:
            return reasons
        retries = len(company._ar_retry_days())
        autopay = self.env["account.move"].search(
            [
                ("id", "in", candidates),
                ("commercial_partner_id.ar_autopay", "=", True),
                ("ar_autopay_attempts", "<=", retries),
            ]
        )
        for invoice in autopay:
            reasons[invoice.id] = self.env._("charged by AutoPay")
        return reasons
