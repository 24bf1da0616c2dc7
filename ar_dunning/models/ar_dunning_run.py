import logging
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..engine.decide import Item, Level, decide

_logger = logging.getLogger(__name__)
RUN_LOCK_KEY = "ar_dunning.run"
SEND_BATCH = 200


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
            run._send_lines(run.line_ids.filtered(lambda line: line.state == "draft"))
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

    @api.model
    def action_preview_today(self):
        return self.run_for_date(fields.Date.context_today(self), send=False)._get_formview_action()

    @api.model
    def action_preview_tomorrow(self):
        tomorrow = fields.Date.add(fields.Date.context_today(self), days=1)
        return self.run_for_date(tomorrow, send=False)._get_formview_action()

    @api.model
    def _cron_run(self):
        """The daily run, for every company."""
        all_companies = self.with_context(allowed_company_ids=self.env["res.company"].sudo().search([]).ids)
        all_companies.run_for_date(fields.Date.context_today(self))
        return True

    # ------------------------------------------------------------------
    # Deciding
    # ------------------------------------------------------------------

    def _lock_runs(self):
        locked = self.env.execute_query(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", RUN_LOCK_KEY))
        if not locked[0][0]:
            raise UserError(self.env._("Another dunning run is in progress; try again when it has finished."))

    def _create_lines(self):
        self.ensure_one()
        invoices = self.env["account.move"].search(self._open_items_domain(), order="partner_id, id")
        values = []
        for company, company_invoices in invoices.grouped("company_id").items():
            for policy, policy_invoices in company_invoices._ar_dunning_policy_groups().items():
                values += self._prepare_line_values(company, policy, policy_invoices)
        self.env["ar.dunning.line"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        ).create(values)

    def _open_items_domain(self):
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "!=", False),
            ("company_id", "in", self.env.companies.ids),
        ]

    def _prepare_line_values(self, company, policy, invoices):
        today = self.date
        levels = {level.offset_days: level for level in policy.level_ids}
        pauses = invoices._ar_dunning_pause_reasons(today)
        items = [
            Item(
                key=invoice.id,
                customer=invoice.commercial_partner_id.id,
                due=invoice.invoice_date_due,
                residual=Decimal(str(invoice.amount_residual_signed)),
                last_level_offset=invoice.ar_dunning_level_id.offset_days
                if invoice.ar_dunning_level_id
                else None,
                paused=pauses.get(invoice.id, ""),
            )
            for invoice in invoices
        ]
        engine_levels = [
            Level(lv.id, lv.offset_days, lv.channel, Decimal(str(lv.min_overdue_amount)))
            for lv in levels.values()
        ]
        values = []
        for decision in decide(items, engine_levels, today):
            level = self.env["ar.dunning.level"].browse(decision.level.key) if decision.level else None
            values.append(
                {
                    "run_id": self.id,
                    "company_id": company.id,
                    "partner_id": decision.customer,
                    "policy_id": policy.id,
                    "level_id": level.id if level else False,
                    "channel": level.channel if level else False,
                    "invoice_ids": [(6, 0, decision.items)],
                    "raised_levels": {str(key): offset for key, offset in decision.raised.items()},
                    "paused_invoice_ids": [(6, 0, list(decision.paused))],
                    "pause_reasons": "\n".join(
                        f"{self.env['account.move'].browse(key).name}: {reason}"
                        for key, reason in decision.paused.items()
                    ),
                    "amount_overdue": float(decision.overdue),
                    "reason": decision.reason,
                    "state": "draft" if level else ("paused" if decision.paused else "skipped"),
                }
            )
        return values

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
