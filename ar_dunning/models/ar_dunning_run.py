import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..engine.decide import Item, Level, decide
from .ar_dunning_variant import draw_variant

_logger = logging.getLogger(__name__)
RUN_LOCK_KEY = "ar_dunning.run"


@dataclass(frozen=True)
class _Row:
    """An open invoice as the run reads it."""

    id: int
    name: str
    company_id: int
    customer: int
    due: date
    residual: Decimal
    last_offset: int | None
    disputed: bool
    promised: date | None
    hold_until: date | None
    opted_out: bool
    escalated: date | None
    preferred_channel: str | None


SEND_BATCH = 200
PREFERABLE_CHANNELS = ("email", "sms", "letter")
BANK_PAUSE_DAYS = 10


class ArDunningRun(models.Model):
    """One reminder run as of a date, for every company: the reminders decided, sent or previewed."""

    _name = "ar.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection(
        selection=[
            ("preview", "Preview"),
            ("running", "Sending"),
            ("done", "Done"),
            ("superseded", "Superseded"),
        ],
        required=True,
        default="running",
        readonly=True,
        tracking=True,
    )
    line_ids = fields.One2many("ar.dunning.line", "run_id", string="Reminders", readonly=True)
    line_count = fields.Integer(compute="_compute_counts", string="Reminder Count")
    sent_count = fields.Integer(compute="_compute_counts", string="Sent")
    error_count = fields.Integer(compute="_compute_counts", string="Errors")
    paused_count = fields.Integer(compute="_compute_counts", string="Paused")

    @api.depends("date", "state")
    def _compute_name(self):
        for run in self:
            label = self.env._("Preview") if run.state == "preview" else self.env._("Run")
            run.name = f"{label} {run.date}" if run.date else label

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for run in self:
            states = run.line_ids.mapped("state")
            run.line_count = len(states)
            run.sent_count = states.count("sent") + states.count("done")
            run.error_count = states.count("error")
            run.paused_count = states.count("paused")

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.private
    @api.model
    def run_for_date(self, run_date, send=True):
        """Decide and (unless ``send`` is False: a preview) send the reminders due on ``run_date`` for
        every company; return the run. Two runs cannot overlap: the second one is refused."""
        run_date = fields.Date.to_date(run_date)
        self._lock_runs()
        self.search([("state", "=", "running"), ("date", "=", run_date)]).state = "superseded"
        run = self.create({"date": run_date, "state": "running" if send else "preview"})
        run._create_lines()
        if send:
            run._send_lines(
                self.env["ar.dunning.line"].search([("run_id", "=", run.id), ("state", "=", "draft")])
            )
            run.state = "done"
            run._post_summary()
        return run

    def action_send(self):
        """Send now what a preview showed, decided again on the current data."""
        self.ensure_one()
        if self.state != "preview":
            raise UserError(self.env._("Only a preview can be sent."))
        run = self.run_for_date(self.date)
        self.state = "superseded"
        return run._get_formview_action()

    def _get_formview_action(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
        }

    def action_preview_today(self):
        """List header button (called with the selected runs, none needed): preview today's reminders."""
        return self.run_for_date(fields.Date.context_today(self), send=False)._get_formview_action()

    def action_preview_tomorrow(self):
        """List header button: preview the reminders tomorrow's run would send."""
        tomorrow = fields.Date.add(fields.Date.context_today(self), days=1)
        return self.run_for_date(tomorrow, send=False)._get_formview_action()

    @api.model
    def _cron_run(self):
        """The daily run, for every company. While another run is in progress (a collector's Send, another
        server's job) the job leaves it to that run and ends without an error."""
        if not self._try_lock_runs():
            _logger.info("Dunning run not started: another run is in progress")
            return True
        all_companies = self.with_context(allowed_company_ids=self.env["res.company"].sudo().search([]).ids)
        all_companies.run_for_date(fields.Date.context_today(self))
        return True

    # ------------------------------------------------------------------
    # Deciding
    # ------------------------------------------------------------------

    def _try_lock_runs(self):
        """Whether this transaction holds (or now took) the lock of the runs."""
        return self.env.execute_query(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", RUN_LOCK_KEY))[0][
            0
        ]

    def _lock_runs(self):
        if not self._try_lock_runs():
            raise UserError(self.env._("Another dunning run is in progress; try again when it has finished."))

    def _create_lines(self):
        """Decide the reminders of this run and store them. Set-based: the open items are read with one
        query, each customer's policy with one read per company, and the reminders are inserted at once."""
        self.ensure_one()
        rows_by_company = {}
        for row in self._open_items():
            rows_by_company.setdefault(row.company_id, []).append(row)
        values = []
        for company_id, rows in rows_by_company.items():
            company = self.env["res.company"].browse(company_id)
            policies = self._policies_by_customer(company, {row.customer for row in rows})
            pauses = self._pause_reasons(company, rows)
            rows_by_policy = {}
            for row in rows:
                if policies[row.customer]:
                    rows_by_policy.setdefault(policies[row.customer], []).append(row)
            for policy, policy_rows in rows_by_policy.items():
                values += self._prepare_line_values(company, policy, policy_rows, pauses)
        self._insert_lines(values)
        self.env["ar.dunning.line"].search(
            [("run_id", "=", self.id), ("state", "=", "draft"), ("level_id.adds_fees", "=", True)]
        )._compute_fees()

    def _open_items(self):
        """The open customer invoices of the run's companies, as rows (one query)."""
        self.env.flush_all()
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT m.id, m.name, m.company_id, m.commercial_partner_id AS customer,
                   m.invoice_date_due AS due, m.amount_residual_signed AS residual,
                   level.offset_days AS last_offset, m.ar_dunning_paused AS disputed,
                   m.ar_promise_date AS promised, m.ar_dunning_hold_until AS hold_until,
                   customer.ar_dunning_opt_out AS opted_out, customer.ar_escalated_date AS escalated,
                   customer.ar_dunning_channel AS preferred_channel
              FROM account_move m
              JOIN res_partner customer ON customer.id = m.commercial_partner_id
              LEFT JOIN ar_dunning_level level ON level.id = m.ar_dunning_level_id
             WHERE %s
               AND m.invoice_date_due IS NOT NULL
               AND m.company_id = ANY(%s)
             ORDER BY m.commercial_partner_id, m.id
            """,
                self.env["account.move"]._ar_open_receivable_sql("m"),
                self.env.companies.ids,
            )
        )
        return [_Row(**row) for row in rows]

    def _policies_by_customer(self, company, customer_ids):
        """``{customer id: policy}`` in ``company`` (see ``res.partner._ar_dunning_policies``)."""
        return self.env["res.partner"].browse(customer_ids)._ar_dunning_policies(company)

    def _pause_reasons(self, company, rows):
        """``{invoice id: reason}`` for the invoices no reminder may list today: an open dispute, an approved
        payment plan, a pending promise to pay (until its date and the grace days), a manual hold."""
        today = self.date
        grace = timedelta(days=company.ar_promise_grace_days)
        disputed = [row.id for row in rows if row.disputed]
        disputes = {}
        if disputed:
            for move_id, name in self.env.execute_query(
                SQL(
                    """
                SELECT rel.move_id, dispute.name
                  FROM ar_dispute_invoice_rel rel
                  JOIN ar_dispute dispute ON dispute.id = rel.dispute_id
                 WHERE dispute.is_open AND rel.move_id = ANY(%s)
                 ORDER BY dispute.id
                """,
                    disputed,
                )
            ):
                disputes.setdefault(move_id, name)
        unmatched = self._unreconciled_bank_payments(company, {row.customer for row in rows})
        planned = self._payment_plan_instalments([row.id for row in rows])
        reasons = {}
        for row in rows:
            if row.escalated:
                reasons[row.id] = self.env._("handed over to collections on %s", row.escalated)
            elif row.opted_out:
                reasons[row.id] = self.env._("the customer receives no reminders")
            elif row.disputed:
                reasons[row.id] = self.env._("disputed (%s)", disputes.get(row.id, ""))
            elif row.id in planned:
                reasons[row.id] = self.env._("in a payment plan (next instalment %s)", planned[row.id] or "-")
            elif row.promised and row.promised + grace >= today:
                reasons[row.id] = self.env._("payment promised for %s", row.promised)
            elif row.customer in unmatched:
                reasons[row.id] = self.env._(
                    "a payment of %(amount)s seen on the bank on %(date)s is not reconciled yet",
                    amount=unmatched[row.customer][0],
                    date=unmatched[row.customer][1],
                )
            elif row.hold_until and row.hold_until >= today:
                reasons[row.id] = self.env._("on hold until %s", row.hold_until)
        return reasons

    def _payment_plan_instalments(self, move_ids):
        """``{invoice id: date of the next pending instalment}`` for the invoices among ``move_ids`` that an
        approved payment plan covers (one query)."""
        if not move_ids:
            return {}
        self.env["ar.payment.plan"].flush_model(["state"])
        self.env["ar.payment.plan.line"].flush_model(["plan_id", "state", "date"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT rel.move_id, MIN(line.date)
              FROM ar_payment_plan_invoice_rel rel
              JOIN ar_payment_plan plan ON plan.id = rel.plan_id AND plan.state = 'approved'
              LEFT JOIN ar_payment_plan_line line ON line.plan_id = plan.id AND line.state = 'pending'
             WHERE rel.move_id = ANY(%s)
             GROUP BY rel.move_id
            """,
                list(move_ids),
            )
        )
        return dict(rows)

    def _unreconciled_bank_payments(self, company, customer_ids):
        """``{customer id: (amount, date)}``: incoming bank payments of these customers in the last
        ``BANK_PAUSE_DAYS`` days not reconciled yet (their invoices wait rather than be reminded)."""
        if not customer_ids:
            return {}
        rows = self.env.execute_query(
            SQL(
                """
            SELECT partner.commercial_partner_id, SUM(line.amount), MAX(move.date)
              FROM account_bank_statement_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner partner ON partner.id = line.partner_id
             WHERE line.company_id = %s AND NOT line.is_reconciled AND line.amount > 0
               AND move.state = 'posted' AND move.date BETWEEN %s AND %s
               AND partner.commercial_partner_id = ANY(%s)
             GROUP BY 1
            """,
                company.id,
                self.date - timedelta(days=BANK_PAUSE_DAYS),
                self.date,
                list(customer_ids),
            )
        )
        return {customer: (amount, day) for customer, amount, day in rows}

    def _prepare_line_values(self, company, policy, rows, pauses):
        today = self.date
        items = [
            Item(
                key=row.id,
                customer=row.customer,
                due=row.due,
                residual=Decimal(str(row.residual)),
                last_level_offset=row.last_offset,
                paused=pauses.get(row.id, ""),
            )
            for row in rows
        ]
        names = {row.id: row.name for row in rows}
        preferred = {row.customer: row.preferred_channel for row in rows}
        levels = {level.id: level for level in policy.level_ids}
        variants = {
            level.id: [(variant.id, variant.weight) for variant in level.variant_ids if variant.active]
            for level in levels.values()
        }
        engine_levels = [
            Level(lv.id, lv.offset_days, lv.channel, Decimal(str(lv.min_overdue_amount)))
            for lv in levels.values()
        ]
        values = []
        for decision in decide(items, engine_levels, today):
            level = levels[decision.level.key] if decision.level else None
            channel = level.channel if level else None
            if channel in PREFERABLE_CHANNELS and preferred.get(decision.customer):
                channel = preferred[decision.customer]
            values.append(
                {
                    "company_id": company.id,
                    "partner_id": decision.customer,
                    "policy_id": policy.id,
                    "level_id": level.id if level else None,
                    "channel": channel,
                    "variant_id": draw_variant(variants[level.id], f"{decision.customer}-{level.id}-{today}")
                    if channel == "email"
                    else None,
                    "invoice_ids": decision.items,
                    "raised_levels": {str(key): offset for key, offset in decision.raised.items()},
                    "paused_invoice_ids": list(decision.paused),
                    "pause_reasons": "\n".join(
                        f"{names[key]}: {reason}" for key, reason in decision.paused.items()
                    )
                    or None,
                    "amount_overdue": float(decision.overdue),
                    "reason": decision.reason,
                    "state": "draft" if level else ("paused" if decision.paused else "skipped"),
                }
            )
        return values

    def _insert_lines(self, values):
        """Insert the reminders and their invoice links with three statements (the ORM's ``create`` takes
        seconds per thousand reminders); the caches are invalidated afterwards."""
        if not values:
            return
        columns = [
            "company_id",
            "partner_id",
            "policy_id",
            "level_id",
            "channel",
            "variant_id",
            "raised_levels",
            "amount_overdue",
            "reason",
            "state",
            "pause_reasons",
        ]
        rows = [{column: vals[column] for column in columns} for vals in values]
        inserted = self.env.execute_query(
            SQL(
                """
            INSERT INTO ar_dunning_line (run_id, date, create_uid, write_uid, create_date, write_date,
                                         company_id, partner_id, policy_id, level_id, channel, variant_id,
                                         raised_levels, amount_overdue, reason, state, pause_reasons)
            SELECT %(run)s, %(date)s, %(uid)s, %(uid)s, %(now)s, %(now)s,
                   r.company_id, r.partner_id, r.policy_id, r.level_id, r.channel, r.variant_id,
                   r.raised_levels, r.amount_overdue, r.reason, r.state, r.pause_reasons
              FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
                   company_id int, partner_id int, policy_id int, level_id int, channel varchar,
                   variant_id int, raised_levels jsonb, amount_overdue numeric, reason varchar, state varchar,
                   pause_reasons text)
            RETURNING id, company_id, partner_id
            """,
                run=self.id,
                date=self.date,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                rows=json.dumps(rows),
            )
        )
        line_of = {(company_id, partner_id): line_id for line_id, company_id, partner_id in inserted}
        for table, key in (
            ("ar_dunning_line_invoice_rel", "invoice_ids"),
            ("ar_dunning_line_paused_rel", "paused_invoice_ids"),
        ):
            pairs = [
                (line_of[(vals["company_id"], vals["partner_id"])], move_id)
                for vals in values
                for move_id in vals[key]
            ]
            if pairs:
                self.env.cr.execute(
                    SQL(
                        "INSERT INTO %s (line_id, move_id) SELECT * FROM unnest(%s::int[], %s::int[])",
                        SQL.identifier(table),
                        [line for line, _move in pairs],
                        [move for _line, move in pairs],
                    )
                )
        self.env["ar.dunning.line"].invalidate_model()
        self.env["account.move"].invalidate_model(["ar_dunning_line_ids"])
        self.invalidate_recordset(["line_ids"])

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _send_lines(self, lines):
        """Send in batches: one rendering pass for the e-mails, one insert for the tasks and the notes.
        When a batch fails, its lines are sent one by one so that one customer's failure only marks that
        reminder in error."""
        for batch in split_every(SEND_BATCH, lines.ids, self.env["ar.dunning.line"].browse):
            try:
                with self.env.cr.savepoint():
                    batch._send_batch()
            except Exception as error:  # noqa: BLE001 - isolate the failing reminder below
                _logger.info("Dunning batch failed (%s), sending its reminders one by one", error)
                for line in batch:
                    try:
                        with self.env.cr.savepoint():
                            line._send_batch()
                    except Exception as line_error:  # noqa: BLE001 - one customer must not stop the run
                        _logger.warning(
                            "Dunning reminder for %s failed: %s", line.partner_id.display_name, line_error
                        )
                        line.write({"state": "error", "error": str(line_error)})

    def _post_summary(self):
        self.ensure_one()
        body = Markup("<p>%s</p>") % self.env._(
            "%(sent)s reminders sent, %(errors)s errors, %(paused)s customers with paused invoices only.",
            sent=self.sent_count,
            errors=self.error_count,
            paused=self.paused_count,
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
