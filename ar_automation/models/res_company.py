import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

INVOICE_POLICIES = [
    ("manual", "By hand (Odoo's standard)"),
    ("on_confirm", "When the order is confirmed"),
    ("on_delivery", "When the goods are delivered"),
    ("milestone", "On milestones"),
    ("recurring", "On a recurring schedule"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_invoice_policy = fields.Selection(
        selection=INVOICE_POLICIES,
        string="Automatic Invoicing",
        default="manual",
        required=True,
        help="When invoices are generated from sale orders, checked, posted and sent without anyone "
        "touching them. Customers can override it.",
    )

    ar_dispute_team_id = fields.Many2one(
        "crm.team",
        string="Dispute Team",
        help="Owns the disputes of customers that have no salesperson (its leader gets the task).",
    )
    ar_dispute_sla_days = fields.Integer(
        string="Dispute SLA (days)", default=5, help="Days the owner has to resolve a dispute."
    )
    ar_promise_grace_days = fields.Integer(
        string="Promise Grace (days)",
        default=3,
        help="Days after a promised payment date before the promise counts as broken and reminders resume.",
    )
    ar_promise_horizon_days = fields.Integer(
        string="Promise Horizon (days)",
        default=90,
        help="A customer may promise to pay an invoice at most this many days from today.",
    )
    ar_promise_max_renewals = fields.Integer(
        string="Promise Renewals",
        default=2,
        help="How many times a customer may promise a new date for the same invoice (on the portal or by "
        "e-mail) after the first promise; past that, only a collector records a promise.",
    )

    ar_aging_edges = fields.Char(
        string="Aging Buckets",
        default="30,60,90",
        help="Days overdue that end each aging bucket, ascending, separated by commas.",
    )

    @api.constrains("ar_aging_edges")
    def _check_ar_aging_edges(self):
        from .ar_kpi import parse_edges  # noqa: PLC0415 - ar_kpi imports nothing from here

        for company in self:
            try:
                parse_edges(company.ar_aging_edges)
            except ValueError as error:
                raise ValidationError(
                    self.env._("Aging buckets of %(company)s: %(error)s", company=company.name, error=error)
                ) from error

    def _ar_timezone(self):
        """The company's time zone: its partner's, else the current user's, else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.env.user.tz or "UTC"

    def _ar_today(self):
        """Today's date in the company's time zone (``today`` in every AR computation)."""
        self.ensure_one()
        now = fields.Datetime.now().replace(tzinfo=pytz.utc)
        return now.astimezone(pytz.timezone(self._ar_timezone())).date()
