from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.segments import History, SegmentRule, assign

LOOK_BACK_DAYS = 365


class ArCustomerSegment(models.Model):
    """A group of customers chased alike: its own dunning policy, and the payment-history limits that
    the automatic segmentation puts customers in it by."""

    _name = "ar.customer.segment"
    _description = "Customer Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Automatic segmentation tries segments in this order.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    policy_id = fields.Many2one(
        "ar.dunning.policy",
        string="Dunning Policy",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )
    is_default = fields.Boolean(
        string="Default Segment", help="For customers with no history or matching no limits."
    )
    is_automatic = fields.Boolean(
        string="Automatic", default=True, help="Used by the automatic segmentation."
    )
    max_days_late = fields.Integer(
        string="Max. Days Late",
        default=-1,
        help="Average days late of paid invoices, or days overdue of open ones; -1: any.",
    )
    max_broken_promises = fields.Integer(string="Max. Broken Promises", default=-1, help="-1: any.")
    max_disputes = fields.Integer(string="Max. Disputes", default=-1, help="-1: any.")
    min_paid_invoices = fields.Integer(string="Min. Paid Invoices")
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    def _compute_partner_count(self):
        for segment in self:
            segment.partner_count = (
                self.env["res.partner"]
                .with_company(segment.company_id)
                .search_count([("ar_segment_id", "=", segment.id)])
            )

    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("ar_segment_id", "=", self.id)],
            "context": {"allowed_company_ids": self.company_id.ids},
        }

    # ------------------------------------------------------------------
    # Automatic segmentation
    # ------------------------------------------------------------------

    @api.model
    def _cron_segment_customers(self):
        for company in self.env["res.company"].search([]):
            self.with_company(company)._segment_customers(company)
        return True

    def _segment_customers(self, company):
        """Put every customer of ``company`` that is not set by hand in the segment its history earns."""
        segments = self.search([("company_id", "=", company.id), ("is_automatic", "=", True)])
        default = self.search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
        if not segments or not default:
            return {}
        rules = [
            SegmentRule(
                s.id,
                max_days_late=None if s.max_days_late < 0 else s.max_days_late,
                max_broken_promises=None if s.max_broken_promises < 0 else s.max_broken_promises,
                max_disputes=None if s.max_disputes < 0 else s.max_disputes,
                min_paid_invoices=s.min_paid_invoices,
            )
            for s in segments
        ]
        histories = self._payment_histories(company)
        partners = self.env["res.partner"].with_company(company).browse(list(histories))
        by_segment = defaultdict(list)
        for partner in partners.filtered(lambda p: not p.ar_segment_manual):
            key, _reason = assign(histories[partner.id], rules, default.id)
            if partner.ar_segment_id.id != key:
                by_segment[key].append(partner.id)
        for key, partner_ids in by_segment.items():
            partners.browse(partner_ids).write({"ar_segment_id": key})
        return {key: len(ids) for key, ids in by_segment.items()}

    def _payment_histories(self, company):
        """``{commercial partner id: History}`` over the look-back window, in two aggregate queries."""
        today = company._ar_today()
        since = today - timedelta(days=LOOK_BACK_DAYS)
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.payment"].flush_model()
        paid = self.env.execute_query(
            SQL(
                """
            SELECT am.commercial_partner_id, count(*),
                   avg(GREATEST(GREATEST(rec.paid_on, pay.paid_on) - am.invoice_date_due, 0))
              FROM account_move am
              LEFT JOIN LATERAL (
                    SELECT max(apr.max_date) AS paid_on
                      FROM account_move_line aml
                      JOIN account_account aa
                        ON aa.id = aml.account_id AND aa.account_type = 'asset_receivable'
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE aml.move_id = am.id
                   ) rec ON TRUE
              LEFT JOIN LATERAL (
                    SELECT max(ap.date) AS paid_on
                      FROM account_move__account_payment rel
                      JOIN account_payment ap
                        ON ap.id = rel.payment_id AND ap.state NOT IN ('draft', 'canceled')
                     WHERE rel.invoice_id = am.id
                   ) pay ON TRUE
             WHERE am.move_type = 'out_invoice' AND am.state = 'posted' AND am.payment_state = 'paid'
               AND am.company_id = %(company)s AND am.invoice_date_due IS NOT NULL
               AND GREATEST(rec.paid_on, pay.paid_on) >= %(since)s
             GROUP BY am.commercial_partner_id
            """,
                company=company.id,
                since=since,
            )
        )
        open_late = self.env.execute_query(
            SQL(
                """
            SELECT commercial_partner_id, max(%(today)s - invoice_date_due)
              FROM account_move
             WHERE %(open)s
               AND company_id = %(company)s AND invoice_date_due < %(today)s
             GROUP BY commercial_partner_id
            """,
                open=self.env["account.move"]._ar_open_receivable_sql(),
                company=company.id,
                today=today,
            )
        )
        self.env["ar.payment.promise"].flush_model()
        self.env["ar.dispute"].flush_model()
        broken = self.env.execute_query(
            SQL(
                """
            SELECT partner_id, count(*) FROM ar_payment_promise
             WHERE company_id = %s AND state = 'broken' AND date_promised >= %s
             GROUP BY partner_id
            """,
                company.id,
                since,
            )
        )
        disputes = self.env.execute_query(
            SQL(
                """
            SELECT partner_id, count(*) FROM ar_dispute
             WHERE company_id = %s AND date_opened >= %s AND stage != 'rejected'
             GROUP BY partner_id
            """,
                company.id,
                since,
            )
        )
        data = defaultdict(dict)
        for partner_id, count in broken:
            data[partner_id]["broken_promises"] = count
        for partner_id, count in disputes:
            data[partner_id]["disputes"] = count
        for partner_id, count, avg_late in paid:
            data[partner_id].update(paid_count=count, avg_days_late=Decimal(str(round(avg_late or 0, 2))))
        for partner_id, days in open_late:
            data[partner_id]["open_days_late"] = days
        return {partner_id: History(partner_id, **values) for partner_id, values in data.items()}
