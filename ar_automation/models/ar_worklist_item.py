from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date

from .ar_kpi import to_decimal

LARGE_OVERDUE_DAYS = 60
WORSENED_BY_DAYS = 10
TOP_ACCOUNTS = 20


class ArWorklistItem(models.Model):
    """What needs a collector today, ranked: broken promises, disputes waiting, large old balances,
    customers paying suddenly later than they used to. Rebuilt for the user each time the list opens."""

    _name = "ar.worklist.item"
    _description = "Collector's Worklist Item"
    _order = "score desc, id"

    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(
        selection=[
            ("broken_promise", "Broken promise"),
            ("dispute", "Dispute waiting"),
            ("large_overdue", "Large old balance"),
            ("worsened", "Paying later than usual"),
            ("blocked_invoice", "Invoice blocked by checks"),
        ],
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    salesperson_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, help="The customer's salesperson."
    )
    amount = fields.Monetary(readonly=True)
    score = fields.Float(
        readonly=True, digits=(16, 1), help="Higher first: the amount at stake weighted by urgency."
    )
    why = fields.Char(readonly=True)
    next_action = fields.Char(readonly=True)
    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)

    def action_open_record(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)._get_records_action()

    @api.model
    def _collect(self, company):
        """The items of ``company`` as values (extended by the other addons)."""
        today = company._ar_today()
        self.env.flush_all()
        return (
            self._broken_promises(company, today)
            + self._disputes_waiting(company, today)
            + self._large_overdue(company, today)
            + self._worsened(company, today)
            + self._blocked_invoices(company)
        )

    def _item(self, company, kind, partner, amount, score, why, next_action, record):
        return {
            "user_id": self.env.uid,
            "company_id": company.id,
            "kind": kind,
            "partner_id": partner.id,
            "salesperson_id": partner.commercial_partner_id.user_id.id,
            "amount": float(amount),
            "score": float(score),
            "why": why,
            "next_action": next_action,
            "res_model": record._name,
            "res_id": record.id,
        }

    def _broken_promises(self, company, today):
        promises = self.env["ar.payment.promise"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "broken"),
                ("date_promised", ">=", today - timedelta(days=30)),
                ("invoice_id", "any", self.env["account.move"]._ar_open_receivable_domain()),
            ]
        )
        return [
            self._item(
                company,
                "broken_promise",
                p.partner_id,
                p.invoice_id.amount_residual,
                p.invoice_id.amount_residual * 3,
                self.env._(
                    "Promised %(date)s for %(invoice)s, not paid",
                    date=format_date(self.env, p.date_promised),
                    invoice=p.invoice_id.name,
                ),
                self.env._("Call the customer: ask why and for a new date"),
                p.invoice_id,
            )
            for p in promises
        ]

    def _disputes_waiting(self, company, today):
        disputes = self.env["ar.dispute"].search([("company_id", "=", company.id), ("is_open", "=", True)])
        items = []
        for dispute in disputes:
            late = dispute.date_deadline and dispute.date_deadline < today
            if not late and dispute.stage != "new":
                continue
            items.append(
                self._item(
                    company,
                    "dispute",
                    dispute.partner_id,
                    dispute.amount_disputed,
                    dispute.amount_disputed * (2 if late else 1),
                    self.env._(
                        "%(dispute)s past its SLA (%(date)s)",
                        dispute=dispute.name,
                        date=format_date(self.env, dispute.date_deadline),
                    )
                    if late
                    else self.env._("%s not started yet", dispute.name),
                    self.env._("Resolve: credit note, correction or reject"),
                    dispute,
                )
            )
        return items

    def _not_to_escalate(self, company, today):
        """Ids of the open invoices whose collection is settled another way, so that nobody is told to
        escalate them: in an open dispute, or with a promise to pay still pending (its date and the grace
        days). ar_dunning adds payment plans and debts handed over to collections."""
        grace = timedelta(days=company.ar_promise_grace_days)
        return (
            self.env["account.move"]
            .search(
                self.env["account.move"]._ar_open_receivable_domain()
                & Domain(
                    [
                        ("company_id", "=", company.id),
                        "|",
                        ("ar_dunning_paused", "=", True),
                        ("ar_promise_date", ">=", today - grace),
                    ]
                )
            )
            .ids
        )

    def _large_overdue(self, company, today):
        rows = self.env.execute_query(
            SQL(
                """
            SELECT move.commercial_partner_id, SUM(items.residual), MAX(%s - items.due)
              FROM (%s) items JOIN account_move move ON move.id = items.move_id
             WHERE items.residual > 0 AND %s - items.due > %s AND NOT items.move_id = ANY(%s)
             GROUP BY 1 ORDER BY 2 DESC LIMIT %s
            """,
                today,
                self.env["ar.kpi"]._open_items_sql(today, company),
                today,
                LARGE_OVERDUE_DAYS,
                self._not_to_escalate(company, today),
                TOP_ACCOUNTS,
            )
        )
        partners = self.env["res.partner"].browse([row[0] for row in rows])
        return [
            self._item(
                company,
                "large_overdue",
                partner,
                to_decimal(amount),
                float(amount) * (1 + days / 90),
                self.env._(
                    "%(amount)s overdue more than %(days)s days (oldest %(oldest)s days)",
                    amount=format_amount(self.env, amount, company.currency_id),
                    days=LARGE_OVERDUE_DAYS,
                    oldest=days,
                ),
                self.env._("Escalate: call the decision maker, consider stopping deliveries"),
                partner,
            )
            for partner, (_pid, amount, days) in zip(partners, rows, strict=True)
        ]

    def _worsened(self, company, today):
        """Customers whose invoices paid in the last 90 days were paid later than the year before."""
        rows = self.env.execute_query(
            SQL(
                """
            WITH paid AS (
                SELECT move.commercial_partner_id AS partner, line.balance,
                       GREATEST(p.day - COALESCE(line.date_maturity, line.date), 0) AS late, p.day
                  FROM account_move_line line
                  JOIN (SELECT debit_move_id AS id, MAX(max_date) AS day FROM account_partial_reconcile
                         WHERE company_id = %(company)s GROUP BY 1) p ON p.id = line.id
                  JOIN account_move move ON move.id = line.move_id AND move.move_type = 'out_invoice'
                 WHERE line.company_id = %(company)s AND line.reconciled AND line.balance > 0
                   AND line.account_id = ANY(%(accounts)s) AND p.day > %(year_ago)s
            )
            SELECT partner,
                   SUM(balance * late) FILTER (WHERE day > %(recent)s)
                       / NULLIF(SUM(balance) FILTER (WHERE day > %(recent)s), 0),
                   SUM(balance * late) FILTER (WHERE day <= %(recent)s)
                       / NULLIF(SUM(balance) FILTER (WHERE day <= %(recent)s), 0)
              FROM paid GROUP BY partner
            """,
                company=company.id,
                accounts=self.env["ar.kpi"]._receivable_account_ids(company),
                year_ago=today - timedelta(days=365),
                recent=today - timedelta(days=90),
            )
        )
        worse = [
            (pid, now, before)
            for pid, now, before in rows
            if now is not None and before is not None and now - before >= WORSENED_BY_DAYS
        ]
        partners = self.env["res.partner"].browse([row[0] for row in worse])
        return [
            self._item(
                company,
                "worsened",
                partner,
                0,
                (now - before) * 100,
                self.env._(
                    "Pays %(now)s days late lately, %(before)s before", now=round(now), before=round(before)
                ),
                self.env._("Check the customer's situation; review its credit limit and terms"),
                partner,
            )
            for partner, (_pid, now, before) in zip(partners, worse, strict=True)
        ]

    def _blocked_invoices(self, company):
        moves = self.env["account.move"].search(
            [("company_id", "=", company.id), ("state", "=", "draft"), ("ar_check_state", "=", "blocked")]
        )
        return [
            self._item(
                company,
                "blocked_invoice",
                move.partner_id.commercial_partner_id,
                move.amount_total,
                move.amount_total / 2,
                move.ar_check_message.splitlines()[0] if move.ar_check_message else "",
                self.env._("Fix the data, then Check and Send"),
                move,
            )
            for move in moves
        ]

    @api.model
    def action_open(self):
        """Rebuild the current user's worklist of the current company and show it."""
        company = self.env.company
        self.search([("user_id", "=", self.env.uid), ("company_id", "=", company.id)]).unlink()
        self.create(self._collect(company))
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.ar_worklist_item_action")
        action["domain"] = [("user_id", "=", self.env.uid), ("company_id", "=", company.id)]
        return action
