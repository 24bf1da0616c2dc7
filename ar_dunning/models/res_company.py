import pytz

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_dunning_policy_id = fields.Many2one(
        "ar.dunning.policy",
        string="Default Dunning Policy",
        help="For customers without a policy of their own; empty: the company's first policy.",
    )

    ar_quiet_start = fields.Float(
        string="Quiet Hours From", default=20.0, help="No SMS from this hour (company time zone)."
    )
    ar_quiet_end = fields.Float(string="Quiet Hours Until", default=8.0)
    ar_quiet_weekends = fields.Boolean(string="Quiet on Weekends", default=True)
    ar_dunning_attach_invoices = fields.Boolean(
        string="Attach Invoices to Reminders",
        default=True,
        help="Reminder e-mails carry the PDF of each invoice they list.",
    )
    ar_plan_horizon_months = fields.Integer(
        string="Payment Plan Horizon (months)",
        default=12,
        help="A customer may propose payment plan instalments at most this many months from today.",
    )

    def _ar_quiet_now(self):
        """Whether it is now within the company's quiet hours (its time zone)."""
        self.ensure_one()
        now = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(pytz.timezone(self._ar_timezone()))
        if self.ar_quiet_weekends and now.weekday() >= 5:
            return True
        hour = now.hour + now.minute / 60
        start, end = self.ar_quiet_start, self.ar_quiet_end
        if start == end:
            return False
        return start <= hour < end if start < end else hour >= start or hour < end

    def _ar_default_dunning_policy(self):
        self.ensure_one()
        return self.ar_dunning_policy_id or self.env["ar.dunning.policy"].search(
            [("company_id", "=", self.id)], limit=1
        )
