from odoo import api, fields, models


class ArKpiSnapshot(models.Model):
    _inherit = "ar.kpi.snapshot"

    auto_match_rate = fields.Float(
        string="Auto-Match (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Share of the payments received in the last 30 days that the rules reconciled alone.",
    )
    suggestions_accepted = fields.Integer(readonly=True, aggregator="avg")
    suggestions_rejected = fields.Integer(readonly=True, aggregator="avg")
    unmatched_payments = fields.Integer(string="Unmatched Payments", readonly=True, aggregator="avg")
    unmatched_payment_value = fields.Monetary(string="Unmatched Value", readonly=True, aggregator="avg")
    unmatched_payment_age = fields.Integer(string="Oldest Unmatched (days)", readonly=True, aggregator="max")

    @api.model
    def _values_from(self, snapshot):
        values = super()._values_from(snapshot)
        cash = snapshot.get("cash_application")
        if cash:
            values.update(
                {
                    "auto_match_rate": cash["auto_rate"] or 0.0,
                    "suggestions_accepted": cash["accepted"],
                    "suggestions_rejected": cash["rejected"],
                    "unmatched_payments": cash["unmatched_count"],
                    "unmatched_payment_value": float(cash["unmatched_value"]),
                    "unmatched_payment_age": cash["unmatched_oldest_days"],
                }
            )
        return values
