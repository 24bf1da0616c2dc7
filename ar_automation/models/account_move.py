from odoo import api, fields, models

from ..engine.aging import bucket_of, days_overdue


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_ar_aging",
        help="Days past the due date today, in the company's time zone (0 when not due).",
    )
    ar_aging_bucket = fields.Selection(
        selection=[
            ("not_due", "Not due"),
            ("1_30", "1-30 days"),
            ("31_60", "31-60 days"),
            ("61_90", "61-90 days"),
            ("over_90", "Over 90 days"),
        ],
        string="Aging",
        compute="_compute_ar_aging",
    )

    @api.depends("invoice_date_due", "payment_state", "company_id")
    def _compute_ar_aging(self):
        for company, moves in self.grouped("company_id").items():
            today = company._ar_today()
            for move in moves:
                open_ = move.payment_state in ("not_paid", "partial") and move.state == "posted"
                days = days_overdue(move.invoice_date_due, today) if open_ else 0
                move.ar_days_overdue = days
                move.ar_aging_bucket = bucket_of(days) if open_ else False
