import logging
from decimal import Decimal

from psycopg2 import IntegrityError

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import mute_logger

from ..engine.schedule import (
    Milestone,
    check_milestone_percentages,
    due_milestones,
    due_periods,
    next_period_start,
)
from .res_company import INVOICE_POLICIES

_logger = logging.getLogger(__name__)
CRON_BATCH = 50


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ar_billing_mode = fields.Selection(
        selection=INVOICE_POLICIES,
        string="Automatic Invoicing",
        compute="_compute_ar_billing_mode",
        store=True,
        readonly=False,
        precompute=True,
        help="How this order is invoiced: from the customer's policy, else the company's; "
        "can be changed per order.",
    )
    ar_milestone_ids = fields.One2many("ar.sale.milestone", "order_id", string="Milestones", copy=True)
    ar_recurring_interval = fields.Selection(
        selection=[("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
        string="Billing Interval",
        default="monthly",
    )
    ar_recurring_start = fields.Date(string="Billing Start")
    ar_recurring_end = fields.Date(string="Billing End", help="No period starting after this day is billed.")
    ar_recurring_count = fields.Integer(string="Number of Periods", help="0: until the end date, or forever.")
    ar_period_ids = fields.One2many("ar.invoice.period", "order_id", string="Invoiced Periods", readonly=True)
    ar_recurring_next_date = fields.Date(
        string="Next Billing", compute="_compute_ar_recurring_next_date", store=True, index="btree_not_null"
    )

    @api.depends("partner_invoice_id", "company_id")
    def _compute_ar_billing_mode(self):
        for order in self:
            partner = order.partner_invoice_id or order.partner_id
            company = order.company_id or self.env.company
            order.ar_billing_mode = (
                partner._ar_effective_invoice_policy(company) if partner else (company.ar_invoice_policy)
            )

    @api.depends("ar_period_ids.invoice_id")
    def _get_invoiced(self):
        """Recurring periods are billed without linking invoice lines to order lines: add their invoices."""
        result = super()._get_invoiced()
        for order in self.filtered("ar_period_ids"):
            invoices = order.invoice_ids | order.ar_period_ids.invoice_id
            order.invoice_ids = invoices
            order.invoice_count = len(invoices)
        return result

    @api.depends(
        "ar_billing_mode",
        "ar_recurring_interval",
        "ar_recurring_start",
        "ar_recurring_end",
        "ar_recurring_count",
        "ar_period_ids.period_start",
    )
    def _compute_ar_recurring_next_date(self):
        for order in self:
            if order.ar_billing_mode != "recurring" or not order.ar_recurring_start:
                order.ar_recurring_next_date = False
                continue
            order.ar_recurring_next_date = next_period_start(**order._ar_schedule_args())

    @api.constrains("ar_billing_mode", "ar_milestone_ids")
    def _check_ar_milestones(self):
        for order in self.filtered(lambda o: o.ar_billing_mode == "milestone" and o.ar_milestone_ids):
            problems = check_milestone_percentages(
                [Decimal(str(m.percentage)) for m in order.ar_milestone_ids]
            )
            if problems:
                raise ValidationError(
                    self.env._(
                        "Order %(order)s: %(problems)s.", order=order.name, problems="; ".join(problems)
                    )
                )

    @api.constrains("ar_recurring_start", "ar_recurring_interval", "ar_recurring_end", "ar_recurring_count")
    def _check_ar_recurring(self):
        for order in self.filtered(lambda o: o.ar_billing_mode == "recurring"):
            if (
                order.ar_recurring_end
                and order.ar_recurring_start
                and order.ar_recurring_end < order.ar_recurring_start
            ):
                raise ValidationError(
                    self.env._("Order %s: the billing end is before its start.", order.name)
                )
            if order.ar_recurring_count < 0:
                raise ValidationError(
                    self.env._("Order %s: the number of periods cannot be negative.", order.name)
                )

    def write(self, vals):
        changed = {"ar_recurring_start", "ar_recurring_interval"} & vals.keys()
        for order in self.filtered("ar_period_ids") if changed else ():
            for fname in changed:
                new = fields.Date.to_date(vals[fname]) if fname == "ar_recurring_start" else vals[fname]
                if order[fname] != new:
                    raise ValidationError(
                        self.env._(
                            "Order %s already has invoiced periods: its billing start and interval "
                            "can no longer change (set an end date and create a new order instead).",
                            order.name,
                        )
                    )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Confirmation and scheduled invoicing
    # ------------------------------------------------------------------

    def action_confirm(self):
        result = super().action_confirm()
        confirmed = self.filtered(lambda o: o.state == "sale")
        today_orders = confirmed.filtered(
            lambda o: o.ar_billing_mode in ("on_confirm", "milestone", "recurring")
        )
        if today_orders:
            today_orders._ar_invoice_due()
        return result

    def _ar_invoice_due(self):
        """Invoice what is due on these confirmed orders today, by their billing mode; return the invoices."""
        invoices = self.env["account.move"]
        whole = self.filtered(lambda o: o.ar_billing_mode in ("on_confirm", "on_delivery"))
        if whole:
            invoices |= whole._ar_generate_invoices()
        for order in self.filtered(lambda o: o.ar_billing_mode == "milestone"):
            invoices |= order._ar_invoice_due_milestones()
        for order in self.filtered(lambda o: o.ar_billing_mode == "recurring"):
            invoices |= order._ar_invoice_due_periods()
        if invoices:
            # The policy authorises posting for whoever confirms the order, salespeople included.
            invoices_sudo = invoices.sudo()
            invoices_sudo._ar_autopost()
        return invoices

    def _ar_generate_invoices(self):
        """One draft invoice per order for what is invoiceable now; orders with nothing to invoice are
        skipped. Returns the invoices."""
        invoices = self.with_context(raise_if_nothing_to_invoice=False)._create_invoices(grouped=True)
        for invoice in invoices:
            invoice._ar_note_origin(invoice.line_ids.sale_line_ids.order_id)
        return invoices

    def _ar_invoice_due_milestones(self):
        self.ensure_one()
        plan = [
            Milestone(m.id, Decimal(str(m.percentage)), m.trigger, m.date, m.is_invoiced)
            for m in self.ar_milestone_ids
        ]
        due = self.ar_milestone_ids.browse(due_milestones(plan, self.company_id._ar_today(), True))
        invoices = self.env["account.move"]
        for milestone in due:
            last = not (self.ar_milestone_ids - milestone).filtered(lambda m: not m.is_invoiced)
            if last:
                invoice = self.with_context(raise_if_nothing_to_invoice=False)._create_invoices(final=True)
            else:
                wizard = (
                    self.env["sale.advance.payment.inv"]
                    .with_context(active_model="sale.order", active_ids=self.ids)
                    .create({"advance_payment_method": "percentage", "amount": milestone.percentage})
                )
                invoice = wizard._create_invoices(self)
            if not invoice:
                continue
            milestone.invoice_id = invoice
            invoice._ar_note_origin(self, self.env._("milestone %s", milestone.name))
            invoices |= invoice
        return invoices

    def _ar_schedule_args(self):
        self.ensure_one()
        return {
            "start": self.ar_recurring_start,
            "interval": self.ar_recurring_interval or "monthly",
            "invoiced_starts": set(self.ar_period_ids.mapped("period_start")),
            "end": self.ar_recurring_end or None,
            "count": self.ar_recurring_count or None,
        }

    def _ar_invoice_due_periods(self):
        """One invoice per due period of a recurring order. The period is recorded before its invoice is
        made: when another worker got there first, the unique index refuses it and the period is skipped."""
        self.ensure_one()
        if not self.ar_recurring_start:
            return self.env["account.move"]
        periods = due_periods(today=self.company_id._ar_today(), **self._ar_schedule_args())
        invoices = self.env["account.move"]
        for period in periods:
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    period_sudo = (
                        self.env["ar.invoice.period"]
                        .sudo()
                        .create(
                            {
                                "order_id": self.id,
                                "period_start": period.start,
                                "period_end": period.end,
                            }
                        )
                    )
            except IntegrityError:
                _logger.info("%s: period %s already invoiced by another worker", self.name, period.start)
                continue
            invoice = self._ar_create_period_invoice(period)
            period_sudo.invoice_id = invoice
            invoices |= invoice
        return invoices

    def _ar_create_period_invoice(self, period):
        label = self.env._("%(start)s to %(end)s", start=period.start, end=period.end)
        lines = []
        for line in self.order_line.filtered(lambda sl: not sl.display_type and not sl.is_downpayment):
            values = line._prepare_invoice_line(quantity=line.product_uom_qty)
            values.pop("sale_line_ids", None)  # periods are billed again and again: not a quantity invoiced
            values["name"] = f"{values.get('name') or line.name} ({label})"
            lines.append(Command.create(values))
        invoice_vals = self._prepare_invoice()
        invoice_vals["invoice_line_ids"] = lines
        invoice = self.env["account.move"].sudo().with_company(self.company_id).create(invoice_vals)
        invoice._ar_note_origin(self, self.env._("period %s", label))
        return invoice.with_env(self.env)

    @api.model
    def _cron_ar_invoice_orders(self):
        """Invoice delivered goods, reached milestones and due recurring periods of confirmed orders, in
        batches committed one by one: a killed run resumes with what is left, nothing twice."""
        today = fields.Date.context_today(self)
        domain = Domain("state", "=", "sale") & Domain.OR(
            [
                Domain("ar_billing_mode", "=", "on_delivery") & Domain("invoice_status", "=", "to invoice"),
                Domain("ar_billing_mode", "=", "milestone")
                & Domain(
                    "ar_milestone_ids",
                    "any",
                    [("is_invoiced", "=", False), ("trigger", "=", "date"), ("date", "<=", today)],
                ),
                Domain("ar_billing_mode", "=", "recurring") & Domain("ar_recurring_next_date", "<=", today),
            ]
        )
        done_ids = set()
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=self.search_count(domain))
        while True:
            orders = self.search(
                domain & Domain("id", "not in", list(done_ids)), limit=CRON_BATCH, order="id"
            )
            if not orders:
                break
            orders = orders.try_lock_for_update()
            done_ids.update(orders.ids)
            for order in orders:
                try:
                    with self.env.cr.savepoint():
                        order._ar_invoice_due()
                except Exception as error:  # noqa: BLE001 - one bad order must not stop the others
                    _logger.warning("Automatic invoicing of %s failed: %s", order.name, error)
                    order.message_post(body=self.env._("Automatic invoicing failed: %s", error))
            if not cron._commit_progress(len(orders)):
                break
        return True
