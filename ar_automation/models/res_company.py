import pytz

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _ar_timezone(self):
        """The company's time zone: its partner's, else the current user's, else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.env.user.tz or "UTC"

    def _ar_today(self):
        """Today's date in the company's time zone (``today`` in every AR computation)."""
        self.ensure_one()
        now = fields.Datetime.now().replace(tzinfo=pytz.utc)
        return now.astimezone(pytz.timezone(self._ar_timezone())).date()
