import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

CONSENT_TEXT = (
    "I authorise {company} to charge my saved payment method {token} for each invoice on its due date, "
    "until I switch AutoPay off."
)


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_autopay_retry_days = fields.Char(
        string="AutoPay Retries (days)",
        default="3,5,7",
        help="Days after each failed AutoPay charge to try again; after the last one, reminders take over.",
    )
    ar_autopay_notice_days = fields.Integer(
        string="AutoPay Notice (days)", default=3, help="Days before the due date to tell the customer."
    )

    def _ar_retry_days(self):
        try:
            return [int(part) for part in (self.ar_autopay_retry_days or "").split(",") if part.strip()]
        except ValueError:
            return [3, 5, 7]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The saved method and the consent's evidence (who, when, from which address) are for accounting only,
    # as Odoo keeps payment transactions (account_payment/security: account.group_account_invoice).
    ar_autopay_token_id = fields.Many2one(
        "payment.token",
        string="AutoPay Payment Method",
        copy=False,
        readonly=True,
        ondelete="set null",
        groups="account.group_account_invoice",
    )
    ar_autopay_consent_date = fields.Datetime(
        string="AutoPay Consent Given", copy=False, readonly=True, groups="account.group_account_invoice"
    )
    ar_autopay_consent_user_id = fields.Many2one(
        "res.users",
        string="AutoPay Consent By",
        copy=False,
        readonly=True,
        groups="account.group_account_invoice",
    )
    ar_autopay_consent_ip = fields.Char(
        string="AutoPay Consent IP", copy=False, readonly=True, groups="account.group_account_invoice"
    )
    ar_autopay_consent_text = fields.Text(
        string="AutoPay Consent Text", copy=False, readonly=True, groups="account.group_account_invoice"
    )
    ar_autopay = fields.Boolean(string="AutoPay", compute="_compute_ar_autopay", store=True)

    @api.depends("ar_autopay_token_id.active")
    def _compute_ar_autopay(self):
        for partner in self:
            partner.ar_autopay = bool(partner.ar_autopay_token_id.active)

    def _ar_enable_autopay(self, token, user, ip):
        """Record the customer's consent (its words, time, user and address) and the method to charge."""
        self.ensure_one()
        text = CONSENT_TEXT.format(company=token.provider_id.company_id.name, token=token.display_name)
        self.write(
            {
                "ar_autopay_token_id": token.id,
                "ar_autopay_consent_date": fields.Datetime.now(),
                "ar_autopay_consent_user_id": user.id,
                "ar_autopay_consent_ip": ip,
                "ar_autopay_consent_text": text,
            }
        )
        self.message_post(
            body=Markup("<p>%s</p><p><em>%s</em></p>")
            % (self.env._("AutoPay switched on by %(user)s from %(ip)s.", user=user.name, ip=ip), text)
        )

    def _ar_disable_autopay(self, user):
        self.ensure_one()
        self.ar_autopay_token_id = False
        self.message_post(body=self.env._("AutoPay switched off by %s.", user.name))


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_autopay_attempts = fields.Integer(string="AutoPay Attempts", copy=False, readonly=True)
    ar_autopay_next_try = fields.Date(string="AutoPay Next Try", copy=False, readonly=True)
    ar_autopay_noticed = fields.Boolean(copy=False, readonly=True)

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


class ArDunningRun(models.Model):
    _inherit = "ar.dunning.run"

    def _pause_reasons(self, company, rows):
        """AutoPay invoices wait for their charge (and its retries) before any reminder."""
        reasons = super()._pause_reasons(company, rows)
        candidates = [row.id for row in rows if row.id not in reasons]
        if not candidates:
            return reasons
        retries = len(company._ar_retry_days())
        autopay = self.env["account.move"].search(
            [
                ("id", "in", candidates),
                ("commercial_partner_id.ar_autopay", "=", True),
                ("ar_autopay_attempts", "<=", retries),
            ]
        )
        for invoice in autopay:
            reasons[invoice.id] = self.env._("charged by AutoPay")
        return reasons


class ArForecastLine(models.Model):
    _inherit = "ar.forecast.line"

    @api.model
    def _autopay_move_ids(self, moves):
        return set(moves.filtered(lambda move: move.commercial_partner_id.ar_autopay).ids)
