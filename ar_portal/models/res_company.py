from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_autopay_retry_days = fields.Char(
        string="AutoPay Retries (days)",
        default="3,5,7",
        help="Days after each failed AutoPay charge to try again; after the last one, reminders take over.",
    )
    ar_autopay_notice_days = fields.Integer(
        string="AutoPay Notice (days)", default=3, help="Days before the due date to tell the customer."
    )

    def _ar_retry_days(self):
        try:
            return [int(part) for part in (self.ar_autopay_retry_days or "").split(",") if part.strip()]
        except ValueError:
            return [3, 5, 7]
