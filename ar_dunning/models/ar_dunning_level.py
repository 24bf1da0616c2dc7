from odoo import fields, models

CHANNELS = [
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("letter", "Printed letter"),
    ("call", "Phone call task"),
    ("escalation", "Hand over to collections"),
]


class ArDunningLevel(models.Model):
    """One step of a dunning policy: when (days from the due date), how and in which tone."""

    _name = "ar.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, offset_days, id"

    policy_id = fields.Many2one("ar.dunning.policy", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="Days relative to the due date: negative values send a courtesy reminder before it.",
    )
    channel = fields.Selection(
        selection=CHANNELS,
        required=True,
        default="email",
    )
    tone = fields.Selection(
        selection=[
            ("courtesy", "Courtesy"),
            ("gentle", "Gentle"),
            ("formal", "Formal"),
            ("final", "Final notice"),
        ],
        required=True,
        default="gentle",
    )
    min_overdue_amount = fields.Monetary(
        string="Minimum Overdue Amount",
        currency_field="currency_id",
        help="Customers owing less than this overdue amount are not reminded at this level.",
    )
    also_sms = fields.Boolean(
        string="Also by SMS",
        help="Besides the e-mail (or letter), a short SMS to the customer's phone, outside the quiet hours.",
    )
    adds_fees = fields.Boolean(
        string="Adds Late Fees",
        help="Late-payment interest and recovery compensation are computed and shown from this level on.",
    )

    template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'ar.dunning.line')]",
        help="Empty: the standard reminder, worded by the level's tone.",
    )
    variant_ids = fields.One2many("ar.dunning.variant", "level_id", string="A/B Variants")

    _offset_uniq = models.Constraint(
        "UNIQUE(policy_id, offset_days)",
        "Two levels of one policy cannot share the same number of days after the due date.",
    )
