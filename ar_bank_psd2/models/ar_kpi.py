from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

CASH_APPLICATION_DAYS = 30


class ArKpi(models.AbstractModel):
    _inherit = "ar.kpi"

    @api.private
    @api.model
    def ar_cash_application(self, as_of_date, company=None, days=CASH_APPLICATION_DAYS):
        """Cash application of ``company`` over the ``days`` to ``as_of_date``: payments received,
        ``auto_rate`` (% reconciled by the rules alone), suggestions ``accepted`` and ``rejected``, lines
        matched by hand, and the payments still unmatched today (``unmatched_count``,
        ``unmatched_value`` in the company currency, ``unmatched_oldest_days``)."""
        company = company or self.env.company
        as_of = fields.Date.to_date(as_of_date)
        start = as_of - timedelta(days=days - 1)
        self.env["account.bank.statement.line"].flush_model()
        self.env["ar.reconcile.suggestion"].flush_model()
        [(received, auto, people, booked)] = self.env.execute_query(
            SQL(
                """
            SELECT COUNT(*),
                   COUNT(*) FILTER (WHERE line.ar_match_state = 'reconciled'),
                   COUNT(*) FILTER (WHERE line.ar_match_state IN ('accepted', 'manual')),
                   COUNT(*) FILTER (WHERE line.ar_match_state = 'booked')
              FROM account_bank_statement_line line
              JOIN account_move move ON move.id = line.move_id
             WHERE move.company_id = %s AND move.date BETWEEN %s AND %s AND line.amount > 0
            """,
                company.id,
                start,
                as_of,
            )
        )
        [(accepted, rejected)] = self.env.execute_query(
            SQL(
                """
            SELECT COUNT(*) FILTER (WHERE state = 'accepted'), COUNT(*) FILTER (WHERE state = 'rejected')
              FROM ar_reconcile_suggestion
             WHERE company_id = %s AND decided_date::date BETWEEN %s AND %s
            """,
                company.id,
                start,
                as_of,
            )
        )
        [(unmatched_count, unmatched_value, oldest)] = self.env.execute_query(
            SQL(
                """
            SELECT COUNT(*), COALESCE(SUM(ABS(aml.balance)), 0), MIN(move.date)
              FROM account_bank_statement_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN account_journal journal ON journal.id = line.journal_id
              JOIN account_move_line aml
                ON aml.move_id = move.id AND aml.account_id = journal.suspense_account_id
             WHERE move.company_id = %s AND move.state = 'posted' AND NOT line.is_reconciled
               AND line.amount > 0 AND move.date <= %s
            """,
                company.id,
                as_of,
            )
        )
        matchable = received - booked
        return {
            "received": received,
            "auto_reconciled": auto,
            "matched_by_people": people,
            "auto_rate": round(100.0 * auto / matchable, 1) if matchable else None,
            "accepted": accepted,
            "rejected": rejected,
            "unmatched_count": unmatched_count,
            "unmatched_value": Decimal(str(unmatched_value)),
            "unmatched_oldest_days": (as_of - oldest).days if oldest else 0,
        }

    @api.private
    @api.model
    def ar_snapshot(self, as_of_date, company=None, partner_ids=None):
        snapshot = super().ar_snapshot(as_of_date, company=company, partner_ids=partner_ids)
        if partner_ids is None and not self.env.context.get("ar_kpi_partner_ids"):
            company = self.env["res.company"].browse(snapshot["company_id"])
            snapshot["cash_application"] = self.ar_cash_application(as_of_date, company)
        return snapshot
