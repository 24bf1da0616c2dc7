from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.forecast import customer_delay, expect, mean_absolute_error, week_start
from .ar_kpi import to_decimal

HISTORY_DAYS = 365
ACCURACY_DAYS = 180
DEFAULT_DISPUTE_DAYS = 14.0


class ArForecastLine(models.Model):
    """An open invoice with the day it will probably be paid: the rows of the collection forecast, written
    for the user who asked for it and replaced at the next request."""

    _name = "ar.forecast.line"
    _description = "Collection Forecast Line"
    _order = "expected_date, id"
    _rec_name = "move_id"

    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    expected_date = fields.Date(readonly=True)
    week = fields.Date(string="Week Of", readonly=True, help="Monday of the expected payment's week.")
    amount = fields.Monetary(readonly=True)
    basis = fields.Selection(
        selection=[
            ("promise", "Promise to pay"),
            ("autopay", "AutoPay"),
            ("dispute", "Open dispute"),
            ("history", "Customer's payment history"),
            ("fallback", "Company average (little history)"),
            ("late", "Late: as invoices once as late were paid"),
            ("doubtful", "Doubtful: later than any invoice ever paid"),
        ],
        readonly=True,
    )
    delay = fields.Float(string="Days After Due", digits=(16, 1), readonly=True, aggregator="avg")

    @api.model
    def _delays(self, company, as_of, before_invoice_date=False):
        """Paid customer invoices of the last year: ``(partner, due, paid, amount, invoice_date)`` rows."""
        return self.env.execute_query(
            SQL(
                """
            SELECT move.commercial_partner_id, COALESCE(line.date_maturity, line.date), paid.day,
                   line.balance, move.invoice_date
              FROM account_move_line line
              JOIN (SELECT debit_move_id AS id, MAX(max_date) AS day FROM account_partial_reconcile
                     WHERE company_id = %(company)s GROUP BY debit_move_id) paid ON paid.id = line.id
              JOIN account_move move ON move.id = line.move_id AND move.move_type = 'out_invoice'
             WHERE line.company_id = %(company)s AND line.reconciled AND line.balance > 0
               AND line.account_id = ANY(%(accounts)s)
               AND paid.day BETWEEN %(start)s AND %(as_of)s
            """,
                company=company.id,
                accounts=self.env["ar.kpi"]._receivable_account_ids(company),
                start=as_of - timedelta(days=HISTORY_DAYS + ACCURACY_DAYS),
                as_of=as_of,
            )
        )

    @api.model
    def _weighted_delays(self, rows):
        """``({partner: (count, delay)}, company delay)`` from paid rows."""
        sums, total = {}, [Decimal(0), Decimal(0)]
        for partner, due, paid, float_amount, _invoice_date in rows:
            amount = to_decimal(float_amount)
            late = Decimal(max((paid - due).days, 0))
            entry = sums.setdefault(partner, [0, Decimal(0), Decimal(0)])
            entry[0] += 1
            entry[1] += amount * late
            entry[2] += amount
            total[0] += amount * late
            total[1] += amount
        delays = {p: (n, float(w / a) if a else None) for p, (n, w, a) in sums.items()}
        return delays, float(total[0] / total[1]) if total[1] else 0.0

    @api.model
    def _accuracy(self, rows, as_of):
        """Mean absolute error in days of the forecast rule replayed on the invoices paid in the last
        180 days, each predicted from the payments known before it was issued."""
        by_partner = {}
        for row in sorted(rows, key=lambda r: r[2]):
            by_partner.setdefault(row[0], []).append(row)
        _delays, fallback = self._weighted_delays(
            [r for r in rows if r[2] < as_of - timedelta(days=ACCURACY_DAYS)]
        )
        pairs = []
        for partner_rows in by_partner.values():
            for partner, due, paid, _amount, invoice_date in partner_rows:
                if paid < as_of - timedelta(days=ACCURACY_DAYS):
                    continue
                known = [r for r in partner_rows if r[2] < (invoice_date or due)]
                count, delay = self._weighted_delays(known)[0].get(partner, (0, None))
                assumed, _basis = customer_delay(count, delay, fallback)
                pairs.append((due + timedelta(days=round(assumed)), paid))
        return mean_absolute_error(pairs)

    @api.model
    def _dispute_days(self, company):
        rows = self.env.execute_query(
            SQL(
                """SELECT AVG(resolution_days) FROM ar_dispute
                    WHERE company_id = %s AND date_resolved IS NOT NULL""",
                company.id,
            )
        )
        return float(rows[0][0]) if rows[0][0] is not None else DEFAULT_DISPUTE_DAYS

    @api.model
    def _autopay_move_ids(self, moves):
        """The invoices charged automatically on their due date (the portal's AutoPay adds them)."""
        return set()

    @api.model
    def _fill(self, company):
        """Replace the current user's rows with the forecast of ``company``'s open invoices; return the
        forecast's accuracy (mean absolute error in days, or None without history)."""
        today = company._ar_today()
        self.env.flush_all()
        paid_rows = self._delays(company, today)
        recent = [r for r in paid_rows if r[2] >= today - timedelta(days=HISTORY_DAYS)]
        delays, fallback = self._weighted_delays(recent)
        paid_lateness = [
            (max((paid - due).days, 0), to_decimal(amount)) for _partner, due, paid, amount, _day in recent
        ]
        dispute_days = self._dispute_days(company)
        open_rows = self.env.execute_query(
            SQL(
                """
            SELECT items.move_id, move.commercial_partner_id, items.due, items.residual, move.ar_promise_date,
                   move.ar_dunning_paused
              FROM (%s) items
              JOIN account_move move ON move.id = items.move_id AND move.move_type = 'out_invoice'
             WHERE items.residual > 0
            """,
                self.env["ar.kpi"]._open_items_sql(today, company),
            )
        )
        autopay = self._autopay_move_ids(self.env["account.move"].browse([row[0] for row in open_rows]))
        values = []
        for move_id, partner, due, residual, promise, disputed in open_rows:
            count, own = delays.get(partner, (0, None))
            delay, basis = customer_delay(count, own, fallback)
            expectation = expect(
                due,
                today,
                delay,
                basis,
                promise=promise,
                autopay=move_id in autopay,
                disputed=disputed,
                dispute_days=dispute_days,
                paid_lateness=paid_lateness,
            )
            values.append(
                {
                    "user_id": self.env.uid,
                    "company_id": company.id,
                    "move_id": move_id,
                    "partner_id": partner,
                    "date_due": due,
                    "expected_date": expectation.expected,
                    "week": week_start(expectation.expected),
                    "amount": float(residual),
                    "basis": expectation.basis,
                    "delay": expectation.delay,
                }
            )
        self.search([("user_id", "=", self.env.uid), ("company_id", "=", company.id)]).unlink()
        self.create(values)
        return self._accuracy(paid_rows, today)

    @api.model
    def action_open(self):
        """Compute the forecast of the current company and show it by week."""
        company = self.env.company
        error = self._fill(company)
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.ar_forecast_line_action")
        action["domain"] = [("user_id", "=", self.env.uid), ("company_id", "=", company.id)]
        action["display_name"] = (
            self.env._("Collection Forecast (accuracy on the last 180 days: ±%s days)", round(error, 1))
            if error is not None
            else self.env._("Collection Forecast")
        )
        return action
