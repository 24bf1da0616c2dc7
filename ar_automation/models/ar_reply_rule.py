import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.replies import Rule

DISPUTE_REASONS = [
    ("quantity", "Quantity"),
    ("price", "Price"),
    ("quality", "Quality"),
    ("delivery", "Delivery"),
    ("duplicate", "Duplicate billing"),
    ("other", "Other"),
]


class ArReplyRule(models.Model):
    """A phrase or pattern that marks a customer's reply as a complaint or a promise to pay."""

    _name = "ar.reply.rule"
    _description = "Customer Reply Rule"
    _order = "kind, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        selection=[("dispute", "Complaint (opens a dispute)"), ("promise", "Promise to pay")],
        required=True,
        default="dispute",
    )
    match = fields.Selection(
        selection=[("keyword", "Keywords"), ("regex", "Regular expression")],
        required=True,
        default="keyword",
        help="Keywords: the words in this order, up to two other words between them; for Polish each word "
        "also matches its inflections and the text is read without diacritics. Regular expression: searched "
        "in the reply lower-cased and without Polish diacritics.",
    )
    pattern = fields.Char(required=True)
    lang = fields.Selection(
        selection=[("pl", "Polish"), ("en", "English")],
        string="Language",
        help="Leave empty for any language.",
    )
    category = fields.Selection(
        selection=DISPUTE_REASONS,
        string="Dispute Reason",
        default="other",
        help="The reason given to a dispute this rule opens.",
    )
    company_id = fields.Many2one("res.company", help="Leave empty to apply in every company.")

    @api.constrains("match", "pattern")
    def _check_pattern(self):
        for rule in self.filtered(lambda r: r.match == "regex"):
            try:
                re.compile(rule.pattern)
            except re.error as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the regular expression %(pattern)s is not valid: %(error)s.",
                        rule=rule.name,
                        pattern=rule.pattern,
                        error=error,
                    )
                ) from error

    @api.model
    def _engine_rules(self, company):
        """The active rules of ``company`` as engine rules: complaints first, those naming a precise reason
        before the general ones ("reklamacja: błędna ilość" is a quantity dispute)."""
        rules = self.search([("company_id", "in", (False, company.id))])
        return [
            Rule(
                key=rule.id,
                kind=rule.kind,
                pattern=rule.pattern,
                match=rule.match,
                lang=rule.lang or "",
                category=rule.category or "other",
            )
            for rule in rules.sorted(lambda r: (r.kind != "dispute", r.category == "other", r.sequence, r.id))
        ]
