import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)
BUCKET_COLUMNS = ("bucket_1", "bucket_2", "bucket_3", "bucket_4")
# The figures of the CFO dashboard, shown with their change against the month before.
DASHBOARD_FIGURES = ("dso", "best_possible_dso", "cei", "overdue_ratio", "disputed_amount")


class ArKpiSnapshot(models.Model):
    """The aging and KPIs of a company on a day, stored by a daily cron so that trends and past aging are
    read instantly instead of recomputed."""

    _name = "ar.kpi.snapshot"
    _description = "Receivables KPI Snapshot"
    _order = "date desc, company_id"
    _rec_name = "date"

    _company_date_scope_unique = models.UniqueIndex("(company_id, date, scope)")

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    scope = fields.Char(
        required=True,
        default="company",
        readonly=True,
        help="What the figures cover: the whole company, or one group of its customers (e.g. a segment).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    receivable = fields.Monetary(readonly=True, aggregator="avg")
    overdue = fields.Monetary(readonly=True, aggregator="avg")
    not_due = fields.Monetary(string="Not Due", readonly=True, aggregator="avg")
    bucket_1 = fields.Monetary(string="1-30 Days", readonly=True, aggregator="avg")
    bucket_2 = fields.Monetary(string="31-60 Days", readonly=True, aggregator="avg")
    bucket_3 = fields.Monetary(string="61-90 Days", readonly=True, aggregator="avg")
    bucket_4 = fields.Monetary(string="Over 90 Days", readonly=True, aggregator="avg")
    buckets = fields.Json(readonly=True, help="Every bucket by its name (the company's edges on that day).")
    credit_sales = fields.Monetary(string="Credit Sales (90 days)", readonly=True, aggregator="avg")
    dso = fields.Float(
        string="DSO (count-back)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Days of sales outstanding: walking back month by month from the day, the days of credit sales "
        "that the receivable still holds (the last month pro rata).",
    )
    dso_simple = fields.Float(string="DSO (simple)", digits=(16, 1), readonly=True, aggregator="avg")
    best_possible_dso = fields.Float(
        string="Best Possible DSO",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="The same count-back on the receivable not yet due: the DSO if every customer paid on time. "
        "DSO minus best possible DSO is the days lost to late payment.",
    )
    cei = fields.Float(string="CEI (%)", digits=(16, 1), readonly=True, aggregator="avg")
    overdue_ratio = fields.Float(string="Overdue (%)", digits=(16, 1), readonly=True, aggregator="avg")
    average_days_late = fields.Float(digits=(16, 1), readonly=True, aggregator="avg")
    disputed_amount = fields.Monetary(readonly=True, aggregator="avg")
    invoice_error_rate = fields.Float(
        string="Invoice Error Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )

    # The CFO dashboard: each figure beside the one of a month before (the latest snapshot of the same
    # company and scope on or before the same day last month).
    previous_id = fields.Many2one("ar.kpi.snapshot", string="A Month Before", compute="_compute_previous")
    previous_date = fields.Date(string="Compared With", compute="_compute_previous")
    dso_change = fields.Float(string="DSO Change", digits=(16, 1), compute="_compute_previous")
    best_possible_dso_change = fields.Float(
        string="Best Possible DSO Change", digits=(16, 1), compute="_compute_previous"
    )
    cei_change = fields.Float(string="CEI Change", digits=(16, 1), compute="_compute_previous")
    overdue_ratio_change = fields.Float(string="Overdue Change", digits=(16, 1), compute="_compute_previous")
    disputed_amount_change = fields.Monetary(string="Disputed Change", compute="_compute_previous")
    previous_dso = fields.Float(string="DSO a Month Before", digits=(16, 1), compute="_compute_previous")
    previous_cei = fields.Float(string="CEI a Month Before", digits=(16, 1), compute="_compute_previous")
    previous_overdue_ratio = fields.Float(
        string="Overdue a Month Before", digits=(16, 1), compute="_compute_previous"
    )
    previous_disputed_amount = fields.Monetary(string="Disputed a Month Before", compute="_compute_previous")

    @api.depends("date", "company_id", "scope", *DASHBOARD_FIGURES)
    def _compute_previous(self):
        """One read of the candidate snapshots for all of ``self``."""
        dated = self.filtered("date")
        candidates = self.search(
            [
                ("company_id", "in", dated.company_id.ids),
                ("scope", "in", list(set(dated.mapped("scope")))),
                (
                    "date",
                    "<=",
                    max(dated.mapped("date"), default=fields.Date.today()) - relativedelta(months=1),
                ),
            ],
            order="date desc",
        )
        for snapshot in self:
            day = snapshot.date and snapshot.date - relativedelta(months=1)
            previous = candidates.filtered(
                lambda c, s=snapshot, d=day: (
                    d and c.company_id == s.company_id and c.scope == s.scope and c.date <= d
                )
            )[:1]
            snapshot.previous_id = previous
            snapshot.previous_date = previous.date
            for name in ("dso", "cei", "overdue_ratio", "disputed_amount"):
                snapshot[f"previous_{name}"] = previous[name] if previous else 0.0
            for name in DASHBOARD_FIGURES:
                snapshot[f"{name}_change"] = snapshot[name] - previous[name] if previous else 0.0

    @api.model
    def action_open_dashboard(self):
        """The CFO dashboard: the latest snapshot of the current company (today's taken first if there is
        none yet)."""
        company = self.env.company
        domain = [("company_id", "=", company.id), ("scope", "=", "company")]
        latest = self.search(domain, order="date desc", limit=1)
        if not latest:
            self._take(company._ar_today(), company)
            latest = self.search(domain, order="date desc", limit=1)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Receivables Dashboard"),
            "res_model": "ar.kpi.snapshot",
            "res_id": latest.id,
            "view_mode": "form",
            "views": [(self.env.ref("ar_automation.ar_kpi_snapshot_view_form_dashboard").id, "form")],
            "target": "current",
        }

    @api.model
    def _values_from(self, snapshot):
        buckets = list(snapshot["buckets"].items())
        values = {
            "date": snapshot["as_of"],
            "company_id": snapshot["company_id"],
            "receivable": float(snapshot["receivable"]),
            "overdue": float(snapshot["overdue"]),
            "buckets": {key: float(amount) for key, amount in buckets},
            "not_due": float(buckets[0][1]),
            "credit_sales": float(snapshot["credit_sales"]),
            "disputed_amount": float(snapshot["disputed_amount"]),
        }
        # The columns follow the default buckets; with other edges the buckets are only in ``buckets``.
        if len(buckets) == len(BUCKET_COLUMNS) + 1:
            values.update(
                {
                    name: float(amount)
                    for name, (_key, amount) in zip(BUCKET_COLUMNS, buckets[1:], strict=True)
                }
            )
        for name in (
            "dso",
            "dso_simple",
            "best_possible_dso",
            "cei",
            "overdue_ratio",
            "average_days_late",
            "invoice_error_rate",
        ):
            values[name] = float(snapshot[name]) if snapshot[name] is not None else 0.0
        return values

    @api.model
    def _take(self, day, companies):
        """Store (or refresh) the snapshot of ``day`` for ``companies``."""
        kpi = self.env["ar.kpi"]
        values = []
        for company in companies:
            values.append(self._values_from(kpi.ar_snapshot(day, company)))
            for scope, extra, partner_ids in self._scopes(company):
                snapshot = kpi.ar_snapshot(day, company, partner_ids=partner_ids)
                values.append({**self._values_from(snapshot), "scope": scope, **extra})
        self.env.flush_all()
        self.env.cr.execute(
            SQL("DELETE FROM ar_kpi_snapshot WHERE date = %s AND company_id = ANY(%s)", day, companies.ids)
        )
        self.invalidate_model()
        return self.create(values)

    @api.model
    def _scopes(self, company):
        """Groups of customers that get their own snapshot: ``[(scope, extra values, partner ids)]``
        (the segments, with ar_dunning)."""
        return []

    @api.model
    def _cron_snapshot(self):
        """Today's snapshot of every company (in its own time zone); re-running the same day refreshes it."""
        for company in self.env["res.company"].search([]):
            self._take(company._ar_today(), company)
            _logger.info("Receivables snapshot of %s stored", company.name)
        return True
