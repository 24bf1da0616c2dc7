import logging

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.misc import format_amount

_logger = logging.getLogger(__name__)


class ArPaymentPlanLine(models.Model):
    """AutoPay charges the due instalments of an approved payment plan (instead of its invoices whole)."""

    _inherit = "ar.payment.plan.line"

    ar_autopay_attempts = fields.Integer(string="AutoPay Attempts", copy=False, readonly=True)
    ar_autopay_next_try = fields.Date(string="AutoPay Next Try", copy=False, readonly=True)
    ar_autopay_transaction_id = fields.Many2one(
        "payment.transaction", string="AutoPay Transaction", copy=False, readonly=True
    )

    @api.model
    def _ar_autopay_domain(self, company, day):
        return Domain.AND(
            [
                Domain("company_id", "=", company.id),
                Domain("state", "=", "pending"),
                Domain("date", "<=", day),
                Domain("plan_id.state", "=", "approved"),
                Domain("plan_id.partner_id.ar_autopay", "=", True),
                Domain("ar_autopay_next_try", "=", False) | Domain("ar_autopay_next_try", "<=", day),
                Domain("ar_autopay_transaction_id", "=", False)
                | Domain("ar_autopay_transaction_id.state", "in", ("error", "cancel")),
            ]
        )

    @api.model
    def _ar_autopay_instalments(self, company, today):
        """Charge the instalments due today (and those whose retry day came), one transaction each."""
        retries = company._ar_retry_days()
        for line in self.search(self._ar_autopay_domain(company, today), order="date, id"):
            if line.ar_autopay_attempts > len(retries):
                continue
            line._ar_autopay_charge(today, retries)
            if self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(1)

    def _ar_allocation(self, amount):
        """``{invoice: amount}``: ``amount`` applied to the plan's open invoices, oldest due date first (so
        that at most the last one is paid in part)."""
        self.ensure_one()
        currency = self.currency_id
        allocation, left = {}, amount
        invoices = self.plan_id.invoice_ids._ar_open_receivables(move_types=None)
        for invoice in invoices.sorted(lambda inv: (inv.invoice_date_due, inv.id)):
            if currency.compare_amounts(left, 0) <= 0:
                break
            share = currency.round(min(left, invoice.amount_residual))
            allocation[invoice] = share
            left = currency.round(left - share)
        return allocation

    def _ar_autopay_charge(self, today, retries):
        """Charge what is left of this instalment with the customer's saved method; a failure schedules the
        next try (the plan breaks anyway once the instalment's grace days are over)."""
        self.ensure_one()
        plan = self.plan_id
        amount = self.currency_id.round(self.amount - self.paid_amount)
        allocation = self._ar_allocation(amount)
        if not allocation:
            plan._update_progress()
            return None
        token = plan.partner_id.ar_autopay_token_id
        tx, charged = self.env["payment.transaction"]._ar_autopay_charge(
            token,
            plan.partner_id,
            sum(allocation.values()),
            self.currency_id,
            self.env["account.move"].union(*allocation),
            plan.name,
            allocation=allocation,
        )
        self.ar_autopay_transaction_id = tx
        if charged:
            self.ar_autopay_next_try = False
            plan.message_post(
                body=self.env._(
                    "AutoPay: instalment of %(amount)s due on %(date)s charged to %(method)s.",
                    amount=format_amount(self.env, tx.amount, self.currency_id),
                    date=self.date,
                    method=token.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            plan._update_progress()
            return tx
        attempts = self.ar_autopay_attempts + 1
        next_try = tx._ar_autopay_next_try(today, attempts, retries)
        self.write({"ar_autopay_attempts": attempts, "ar_autopay_next_try": next_try})
        plan.message_post(
            body=self.env._(
                "AutoPay charge of the instalment due on %(date)s failed (%(reason)s); next try: %(next)s.",
                date=self.date,
                reason=tx.state_message or tx.state,
                next=next_try or self.env._("none"),
            ),
            subtype_xmlid="mail.mt_note",
        )
        _logger.info("AutoPay of %s instalment %s: %s", plan.name, self.date, tx.state)
        return tx
