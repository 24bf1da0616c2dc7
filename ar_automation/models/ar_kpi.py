import calendar
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.aging import bucket_keys, parse_edges
from ..engine.kpi import cei, dso_countback, dso_simple, ratio

KPI_PERIOD_DAYS = 90


def to_decimal(value):
    """A SQL amount as ``Decimal`` (Odoo's cursor returns numeric columns as floats; their shortest repr
    is the exact numeric value for amounts of this size)."""
    return Decimal(str(value or 0))


COUNTBACK_MONTHS = 12


class ArKpi(models.AbstractModel):
    """Receivables figures as SQL aggregates over the receivable journal items: aging as of any date and
    the KPIs (DSO, best possible DSO, CEI, overdue ratio, average days late, disputed amount, invoice error
    rate). Amounts are in the company's currency."""

    _name = "ar.kpi"
    _description = "Receivables KPIs"

    # ------------------------------------------------------------------
    # Aging
    # ------------------------------------------------------------------

    @api.model
    def _scope(self, column):
        """``AND <column> = ANY(customers)`` when the figures are restricted to some customers (a segment:
        context key ``ar_kpi_partner_ids``), else nothing."""
        partner_ids = self.env.context.get("ar_kpi_partner_ids")
        if partner_ids is None:
            return SQL("")
        return SQL("AND %s = ANY(%s)", SQL(column), list(partner_ids))

    @api.model
    def _receivable_account_ids(self, company):
        return (
            self.env["account.account"]
            .sudo()
            .search([("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)])
            .ids
        )

    @api.model
    def _open_items_sql(self, as_of, company):
        """The receivable journal items open on ``as_of`` with their residual as of that day: today's
        residual plus what was reconciled with them after that day. Two parts, each on an index: the items
        not fully reconciled today (Odoo's partial index on unreconciled items), and the reconciled ones
        that had a reconciliation after ``as_of`` (found from those reconciliations), without overlap."""
        return SQL(
            """
            WITH after AS (
                SELECT debit_move_id AS id, amount, debit_amount_currency AS amount_currency
                  FROM account_partial_reconcile
                 WHERE company_id = %(company)s AND max_date > %(as_of)s
                 UNION ALL
                SELECT credit_move_id, -amount, -credit_amount_currency
                  FROM account_partial_reconcile
                 WHERE company_id = %(company)s AND max_date > %(as_of)s
            ), added_back AS (
                SELECT id, SUM(amount) AS amount, SUM(amount_currency) AS amount_currency
                  FROM after GROUP BY id
            )
            SELECT line.id AS line_id, line.move_id, line.partner_id, line.currency_id,
                   COALESCE(line.date_maturity, line.date) AS due,
                   line.amount_residual + COALESCE(added_back.amount, 0) AS residual,
                   line.amount_residual_currency + COALESCE(added_back.amount_currency, 0)
                       AS residual_currency
              FROM account_move_line line
              LEFT JOIN added_back ON added_back.id = line.id
             WHERE line.account_id = ANY(%(accounts)s) AND line.reconciled IS NOT TRUE
               AND line.company_id = %(company)s AND line.parent_state = 'posted' AND line.date <= %(as_of)s
               %(scope)s
             UNION ALL
            SELECT line.id, line.move_id, line.partner_id, line.currency_id,
                   COALESCE(line.date_maturity, line.date),
                   line.amount_residual + added_back.amount,
                   line.amount_residual_currency + added_back.amount_currency
              FROM added_back
              JOIN account_move_line line ON line.id = added_back.id
             WHERE line.account_id = ANY(%(accounts)s) AND line.reconciled
               AND line.parent_state = 'posted' AND line.date <= %(as_of)s %(scope)s
            """,
            company=company.id,
            as_of=as_of,
            accounts=self._receivable_account_ids(company),
            scope=self._scope("line.partner_id"),
        )

    @api.model
    def _bucket_sql(self, edges, as_of):
        """A CASE naming the bucket of an open item (credits, that is negative residuals, are never
        overdue: they count as not due and reduce the balance)."""
        keys = bucket_keys(edges)
        whens = [SQL("WHEN items.residual <= 0 OR %s - items.due <= 0 THEN %s", as_of, keys[0])]
        for key, edge in zip(keys[1:], edges, strict=False):
            whens.append(SQL("WHEN %s - items.due <= %s THEN %s", as_of, edge, key))
        return SQL("CASE %s ELSE %s END", SQL(" ").join(whens), keys[-1])

    @api.model
    def _no_jit(self):
        """These aggregates are fast already: PostgreSQL's JIT compilation would only add its own time."""
        self.env.cr.execute("SET LOCAL jit = off")

    @api.model
    def _aging_totals(self, as_of, company, edges):
        self.env.flush_all()
        self._no_jit()
        rows = self.env.execute_query(
            SQL(
                """SELECT %s AS bucket, SUM(items.residual)
                     FROM (%s) items WHERE items.residual != 0 GROUP BY 1""",
                self._bucket_sql(edges, as_of),
                self._open_items_sql(as_of, company),
            )
        )
        buckets = dict.fromkeys(bucket_keys(edges), Decimal(0))
        for bucket, amount in rows:
            buckets[bucket] = to_decimal(amount)
        return buckets

    # ------------------------------------------------------------------
    # KPIs
    # ------------------------------------------------------------------

    @api.model
    def _credit_sales_by_month(self, as_of, company, months=COUNTBACK_MONTHS):
        """``[(days, sales), ...]`` of the months up to ``as_of`` (the current one to ``as_of``), the most
        recent first: the receivable amounts of customer invoices minus credit notes."""
        first = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
        for _ in range(months - 2):
            first = (first - timedelta(days=1)).replace(day=1)
        rows = dict(
            self.env.execute_query(
                SQL(
                    """
                SELECT date_trunc('month', line.date)::date, SUM(line.balance)
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                                        AND move.move_type IN ('out_invoice', 'out_refund')
                  JOIN account_account account ON account.id = line.account_id
                                              AND account.account_type = 'asset_receivable'
                 WHERE line.company_id = %s AND line.parent_state = 'posted'
                   AND line.date BETWEEN %s AND %s %s
                 GROUP BY 1
                """,
                    company.id,
                    first,
                    as_of,
                    self._scope("line.partner_id"),
                )
            )
        )
        result, month = [], as_of.replace(day=1)
        for index in range(months):
            days = as_of.day if index == 0 else calendar.monthrange(month.year, month.month)[1]
            result.append((days, to_decimal(rows.get(month))))
            month = (month - timedelta(days=1)).replace(day=1)
        return result

    @api.model
    def _credit_sales(self, start, end, company):
        rows = self.env.execute_query(
            SQL(
                """
            SELECT COALESCE(SUM(line.balance), 0)
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
                                    AND move.move_type IN ('out_invoice', 'out_refund')
              JOIN account_account account ON account.id = line.account_id
                                          AND account.account_type = 'asset_receivable'
             WHERE line.company_id = %s AND line.parent_state = 'posted' AND line.date BETWEEN %s AND %s %s
            """,
                company.id,
                start,
                end,
                self._scope("line.partner_id"),
            )
        )
        return to_decimal(rows[0][0])

    @api.model
    def _receivable_total(self, as_of, company):
        """The receivable on ``as_of``: reconciling moves amounts between items but never changes their
        total, so it is the sum of the balances of the receivable items dated up to that day."""
        rows = self.env.execute_query(
            SQL(
                """
            SELECT COALESCE(SUM(balance), 0) FROM account_move_line
             WHERE account_id = ANY(%s) AND company_id = %s AND parent_state = 'posted' AND date <= %s %s
            """,
                self._receivable_account_ids(company),
                company.id,
                as_of,
                self._scope("partner_id"),
            )
        )
        return to_decimal(rows[0][0])

    @api.model
    def _average_days_late(self, start, end, company):
        """Days between due date and payment of the invoices paid in full during the period, weighted by
        their amounts; None when none was paid."""
        rows = self.env.execute_query(
            SQL(
                """
            SELECT SUM(line.balance * GREATEST(paid.day - COALESCE(line.date_maturity, line.date), 0))
                   / NULLIF(SUM(line.balance), 0)
              FROM account_move_line line
              JOIN (SELECT debit_move_id AS id, MAX(max_date) AS day
                      FROM account_partial_reconcile
                     WHERE company_id = %(company)s AND max_date <= %(end)s
                     GROUP BY debit_move_id
                    HAVING MAX(max_date) >= %(start)s) paid ON paid.id = line.id
              JOIN account_account account ON account.id = line.account_id
                                          AND account.account_type = 'asset_receivable'
             WHERE line.company_id = %(company)s AND line.reconciled AND line.balance > 0 %(scope)s
            """,
                company=company.id,
                start=start,
                end=end,
                scope=self._scope("line.partner_id"),
            )
        )
        value = rows[0][0]
        return None if value is None else to_decimal(value).quantize(Decimal("0.1"))

    @api.model
    def _disputed_amount(self, as_of, company):
        end = fields.Datetime.to_datetime(as_of + timedelta(days=1))
        rows = self.env.execute_query(
            SQL(
                """
            SELECT COALESCE(SUM(amount_disputed), 0) FROM ar_dispute
             WHERE company_id = %s AND date_opened < %s AND (date_resolved IS NULL OR date_resolved >= %s) %s
            """,
                company.id,
                end,
                end,
                self._scope("partner_id"),
            )
        )
        return to_decimal(rows[0][0])

    @api.model
    def _invoice_error_rate(self, start, end, company):
        """Share of the invoices generated in the period that the checks blocked at least once."""
        rows = self.env.execute_query(
            SQL(
                """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE ar_check_blocked_once)
              FROM account_move
             WHERE company_id = %s AND move_type = 'out_invoice' AND ar_check_state IS NOT NULL
               AND create_date >= %s AND create_date < %s %s
            """,
                company.id,
                fields.Datetime.to_datetime(start),
                fields.Datetime.to_datetime(end + timedelta(days=1)),
                self._scope("commercial_partner_id"),
            )
        )
        total, blocked = rows[0]
        return ratio(blocked, total)

    @api.private
    @api.model
    def ar_snapshot(self, as_of_date, company=None, partner_ids=None):
        """Aging and KPIs of ``company`` (default: the current one) as of ``as_of_date``: a dict with
        ``receivable``, ``overdue``, ``buckets`` (``not_due``, ``1_30``… by the company's edges), ``dso``
        (count-back), ``dso_simple``, ``best_possible_dso``, ``cei``, ``overdue_ratio``,
        ``average_days_late``, ``disputed_amount``, ``invoice_error_rate`` and the period they cover
        (the 90 days to ``as_of_date``). Amounts are ``Decimal`` in the company's currency; a KPI that
        cannot be computed (no sales) is None. ``partner_ids`` restricts every figure to those customers
        (commercial partners), e.g. a segment."""
        if partner_ids is not None:
            return self.with_context(ar_kpi_partner_ids=list(partner_ids)).ar_snapshot(as_of_date, company)
        company = company or self.env.company
        as_of = fields.Date.to_date(as_of_date)
        edges = parse_edges(company.ar_aging_edges)
        start = as_of - timedelta(days=KPI_PERIOD_DAYS - 1)
        buckets = self._aging_totals(as_of, company, edges)
        opening = self._receivable_total(start - timedelta(days=1), company)
        receivable = sum(buckets.values(), Decimal(0))
        not_due = buckets[bucket_keys(edges)[0]]
        overdue = receivable - not_due
        sales = self._credit_sales(start, as_of, company)
        months = self._credit_sales_by_month(as_of, company)
        return {
            "company_id": company.id,
            "currency": company.currency_id.name,
            "as_of": as_of,
            "period_start": start,
            "receivable": receivable,
            "overdue": overdue,
            "buckets": buckets,
            "credit_sales": sales,
            "dso": dso_countback(receivable, months),
            "dso_simple": dso_simple(receivable, sales, KPI_PERIOD_DAYS),
            # the same count-back on the receivable not yet due: never above the DSO it is compared with
            "best_possible_dso": dso_countback(max(not_due, Decimal(0)), months),
            "cei": cei(opening, sales, receivable, not_due),
            "overdue_ratio": ratio(overdue, receivable) if receivable > 0 else None,
            "average_days_late": self._average_days_late(start, as_of, company),
            "disputed_amount": self._disputed_amount(as_of, company),
            "invoice_error_rate": self._invoice_error_rate(start, as_of, company),
        }
