import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

# Aging buckets of the statement's summary: (label, last day overdue); None: no end.
AGING_BUCKETS = (("not_due", 0), ("1_30", 30), ("31_60", 60), ("61_90", 90), ("over_90", None))


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_autopay_attempts = fields.Integer(string="AutoPay Attempts", copy=False, readonly=True)
    ar_autopay_next_try = fields.Date(string="AutoPay Next Try", copy=False, readonly=True)
    ar_autopay_noticed = fields.Boolean(copy=False, readonly=True)

    def _ar_statement_totals(self):
        """Overdue, not-due and total open amounts of these documents and their aging, per document
        currency (a USD invoice is summed in USD, never into the PLN balance), the companies' own currency
        first; with the bank account to pay to and the transfer title naming the open invoices.

        Returns ``{'totals': [{'currency', 'overdue', 'not_due', 'balance', 'aging': [(label, amount)],
        'bank_account', 'transfer_title'}, ...]}``.
        """
        sums = defaultdict(lambda: defaultdict(float))
        invoices = defaultdict(lambda: self.browse())
        for move in self:
            amount = move.amount_residual * (-1 if move.move_type == "out_refund" else 1)
            bucket = sums[move.currency_id]
            days = move.ar_days_overdue
            bucket["overdue" if days > 0 else "not_due"] += amount
            bucket["balance"] += amount
            label = next(key for key, last in AGING_BUCKETS if last is None or days <= last)
            bucket[f"aging_{label}"] += amount
            if move.move_type == "out_invoice":
                invoices[move.currency_id] |= move
        labels = self._ar_aging_labels()
        bank_account = (
            self.company_id[:1]._ar_bank_account() if self.company_id else self.env["res.partner.bank"]
        )
        own = self.company_id.currency_id
        return {
            "totals": [
                {
                    "currency": currency,
                    **{key: currency.round(sums[currency][key]) for key in ("overdue", "not_due", "balance")},
                    "aging": [
                        (labels[key], currency.round(sums[currency][f"aging_{key}"]))
                        for key, _last in AGING_BUCKETS
                    ],
                    "bank_account": bank_account,
                    "transfer_title": self.company_id[:1]._ar_transfer_title(invoices[currency]),
                }
                for currency in sorted(sums, key=lambda c: (c not in own, c.name))
            ]
        }

    def _ar_aging_labels(self):
        return {
            "not_due": self.env._("Not due"),
            "1_30": self.env._("1-30 days"),
            "31_60": self.env._("31-60 days"),
            "61_90": self.env._("61-90 days"),
            "over_90": self.env._("Over 90 days"),
        }

    # ------------------------------------------------------------------
    # AutoPay
    # ------------------------------------------------------------------

    def _ar_autopay_domain(self, day):
        return self._ar_open_receivable_domain() & Domain(
            [
                ("commercial_partner_id.ar_autopay", "=", True),
                ("ar_dunning_paused", "=", False),
                # An approved payment plan's instalments are charged instead (ar.payment.plan.line).
                ("ar_payment_plan_ids", "not any", [("state", "=", "approved")]),
                ("invoice_date_due", "<=", day),
                "|",
                ("ar_autopay_next_try", "=", False),
                ("ar_autopay_next_try", "<=", day),
            ]
        )

    @api.model
    def _cron_ar_autopay(self):
        """Charge the AutoPay invoices due today (and those whose retry day came), one transaction each, and
        the due instalments of approved payment plans; tell the customers whose invoices will be charged
        soon."""
        for company in self.env["res.company"].search([]):
            today = company._ar_today()
            self._ar_autopay_notices(company, today)
            invoices = self.search(self._ar_autopay_domain(today) & Domain("company_id", "=", company.id))
            retries = company._ar_retry_days()
            for invoice in invoices:
                if invoice.ar_autopay_attempts > len(retries):
                    continue
                invoice._ar_autopay_charge(today, retries)
                if self.env.context.get("cron_id"):
                    # A charge reached the provider: keep it even if a later one crashes the run.
                    self.env["ir.cron"]._commit_progress(1)
            self.env["ar.payment.plan.line"]._ar_autopay_instalments(company, today)
        return True

    def _ar_autopay_notices(self, company, today):
        soon = self.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
                ("commercial_partner_id.ar_autopay", "=", True),
                ("ar_autopay_noticed", "=", False),
                ("ar_payment_plan_ids", "not any", [("state", "=", "approved")]),
                ("invoice_date_due", ">", today),
                ("invoice_date_due", "<=", today + timedelta(days=company.ar_autopay_notice_days)),
            ]
        )
        for invoice in soon:
            invoice.message_post(
                body=self.env._(
                    "AutoPay: %(amount)s %(currency)s will be charged on %(date)s to %(method)s.",
                    amount=invoice.amount_residual,
                    currency=invoice.currency_id.name,
                    date=invoice.invoice_date_due,
                    method=invoice.commercial_partner_id.ar_autopay_token_id.display_name,
                ),
                partner_ids=invoice.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        soon.ar_autopay_noticed = True

    def _ar_autopay_charge(self, today, retries):
        """One charge with the customer's token; a failure schedules the next try, the last failure hands
        the invoice back to the reminders."""
        self.ensure_one()
        tx, charged = self.env["payment.transaction"]._ar_autopay_charge(
            self.commercial_partner_id.ar_autopay_token_id,
            self.commercial_partner_id,
            self.amount_residual,
            self.currency_id,
            self,
            self.name,
        )
        if charged:
            self.write({"ar_autopay_next_try": False})
            return tx
        attempts = self.ar_autopay_attempts + 1
        next_try = tx._ar_autopay_next_try(today, attempts, retries)
        self.write({"ar_autopay_attempts": attempts, "ar_autopay_next_try": next_try})
        if not next_try:
            note = self.env._("AutoPay failed %s times: the payment reminders take over.", attempts)
        else:
            note = self.env._(
                "AutoPay charge failed (%(reason)s); next try on %(date)s.",
                reason=tx.state_message or tx.state,
                date=next_try,
            )
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        _logger.info("AutoPay of %s: %s", self.name, tx.state)
        return tx
