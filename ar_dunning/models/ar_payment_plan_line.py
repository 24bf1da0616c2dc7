from odoo import api, fields, models


class ArPaymentPlanLine(models.Model):
    """One instalment of a payment plan: its state is set by the plan's daily check (see
    ``ar.payment.plan._update_progress``)."""

    _name = "ar.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date, id"

    plan_id = fields.Many2one("ar.payment.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(string="Due On", required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")
    paid_amount = fields.Monetary(
        string="Paid",
        compute="_compute_paid_amount",
        currency_field="currency_id",
        help="What the payments since the approval cover of this instalment, applied in date order.",
    )
    state = fields.Selection(
        selection=[("pending", "Pending"), ("paid", "Paid"), ("missed", "Missed")],
        required=True,
        default="pending",
        readonly=True,
        copy=False,
    )

    _amount_positive = models.Constraint("CHECK(amount > 0)", "An instalment's amount must be positive.")

    @api.depends("amount", "plan_id.amount_paid", "plan_id.line_ids.amount", "plan_id.line_ids.date")
    def _compute_paid_amount(self):
        self.paid_amount = 0.0
        for plan, lines in self.grouped("plan_id").items():
            left = plan.amount_paid
            for line in plan.line_ids.sorted(lambda ln: (ln.date, ln.id)):
                share = min(line.amount, max(left, 0.0))
                left -= share
                if line in lines:
                    line.paid_amount = plan.currency_id.round(share)
