import logging
import secrets
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request

from ..engine.statement import normalize_account
from ..providers import PROVIDERS, ProviderError
from ..providers.base import Account

_logger = logging.getLogger(__name__)
CONSENT_DAYS = 180
UNATTENDED_READS_PER_DAY = 4
FIRST_SYNC_DAYS = 90
OVERLAP_DAYS = 3
EXPIRY_WARNING_DAYS = 14


class ArBankConnectionAccount(models.Model):
    """A bank account the consent covers, and the bank journal its transactions go to."""

    _name = "ar.bank.connection.account"
    _description = "Bank Connection Account"
    _order = "connection_id, iban"

    connection_id = fields.Many2one("ar.bank.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    resource_id = fields.Char(string="Bank's Account Id", required=True, readonly=True)
    iban = fields.Char(string="IBAN", readonly=True)
    currency = fields.Char(readonly=True)
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        check_company=True,
    )
    last_booking_date = fields.Date(readonly=True, help="Transactions are read again from 3 days before it.")
    pending_ids = fields.One2many("ar.bank.pending.transaction", "account_id", string="Pending")

    def _ar_replace_pending(self, transactions):
        """The account's pending transactions are now these (the bank's latest view)."""
        self.ensure_one()
        self.pending_ids.unlink()
        self.env["ar.bank.pending.transaction"].create(
            [
                {
                    "account_id": self.id,
                    "date": tx.value_date or tx.booking_date,
                    "amount": float(tx.amount),
                    "currency": tx.currency,
                    "counterparty_name": tx.counterparty_name,
                    "counterparty_iban": tx.counterparty_iban,
                    "remittance": tx.remittance or tx.structured_reference,
                }
                for tx in transactions
            ]
        )


class ArBankConnection(models.Model):
    _inherit = "ar.bank.connection"

    api_base_url = fields.Char(string="API URL", help="The bank's (or aggregator's) API root.")
    show_pending = fields.Boolean(
        string="Show Pending Transactions",
        help="Also read the transactions the bank has not booked yet, to show them (money on its way); "
        "they are never booked nor matched until the bank books them.",
    )
    pending_ids = fields.One2many(
        "ar.bank.pending.transaction", "connection_id", string="Pending Transactions"
    )
    client_id = fields.Char(
        string="Client Id",
        groups="base.group_system",
        help="The id the bank or aggregator gave this application (PolishAPI: the TPP id, sent as client_id "
        "and tppId).",
    )
    client_secret = fields.Char(string="Client Secret", groups="base.group_system", copy=False)
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_expiry = fields.Datetime(string="Token Valid Until", readonly=True, copy=False)
    oauth_flow = fields.Json(
        string="OAuth2 Authorisation",
        groups="base.group_system",
        copy=False,
        help="OAuth2 SCA approach: the bank's token endpoint, the PKCE verifier and the redirect URI.",
    )
    private_key = fields.Text(
        string="Private Key",
        groups="base.group_system",
        copy=False,
        help="The PEM RSA key that signs every call: Enable Banking's application key, or PolishAPI's "
        "TPP key (the key of the TPP certificate below).",
    )
    tpp_certificate = fields.Text(
        string="TPP Certificate",
        groups="base.group_system",
        copy=False,
        help="PolishAPI: the TPP's certificate (PEM) registered at the bank; its key signs every request "
        "(X-JWS-SIGNATURE) and the certificate travels in the signature's x5c header.",
    )
    institution_country = fields.Char(string="Bank Country", default="PL", size=2)
    certificate_path = fields.Char(
        string="QWAC Certificate",
        groups="base.group_system",
        help="Path of the eIDAS QWAC (PEM) where the bank needs it.",
    )
    consent_id = fields.Char(readonly=True, copy=False, groups="base.group_system")
    redirect_state = fields.Char(readonly=True, copy=False, groups="base.group_system")
    account_ids = fields.One2many("ar.bank.connection.account", "connection_id", string="Accounts")
    unattended_reads = fields.Integer(readonly=True, copy=False, help="Unattended reads today.")
    unattended_day = fields.Date(readonly=True, copy=False)
    api_timeout = fields.Float(string="Time-out (s)", default=30.0, help="How long to wait for the bank.")

    def _provider(self):
        self.ensure_one()
        provider_class = PROVIDERS.get(self.provider)
        if not provider_class:
            raise UserError(self.env._("%s: this provider is not available yet.", self.display_name))
        secrets_ = self.sudo()
        settings = {
            "base_url": self.api_base_url or "",
            "client_id": secrets_.client_id,
            "client_secret": secrets_.client_secret,
            "access_token": secrets_.access_token,
            "cert": secrets_.certificate_path or None,
            "private_key": secrets_.private_key,
            "tpp_certificate": secrets_.tpp_certificate,
            # PolishAPI names the accounts in the consent: the ones known, else the journals' accounts.
            "accounts": list(
                dict.fromkeys(
                    self.account_ids.mapped("iban") + self.journal_ids.bank_account_id.mapped("acc_number")
                )
            ),
            "bank_name": self.institution_name or "",
            "country": self.institution_country or "PL",
        }
        return provider_class(settings, timeout=self.api_timeout or 30.0)

    def _ar_oauth_tokens(self, params):
        """OAuth2 SCA approach: exchange the callback's authorisation code for the tokens."""
        if params.get("error") or not params.get("code"):
            raise ProviderError(
                "consent",
                params.get("error_description")
                or params.get("error")
                or "the bank returned no authorisation code",
            )
        tokens = self._provider().exchange_code(self.sudo().oauth_flow, params["code"])
        self._ar_store_tokens(tokens)
        return tokens

    def _ar_store_tokens(self, tokens):
        self.sudo().write(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token or self.sudo().refresh_token,
                "token_expiry": fields.Datetime.now() + timedelta(seconds=tokens.expires_in)
                if tokens.expires_in
                else False,
            }
        )

    def _ar_fresh_token(self):
        """Refresh an OAuth2 access token about to expire (a minute of margin) with the refresh token."""
        self.ensure_one()
        secret = self.sudo()
        if not secret.oauth_flow or not secret.refresh_token or not self.token_expiry:
            return
        if self.token_expiry - timedelta(seconds=60) > fields.Datetime.now():
            return
        self._ar_store_tokens(self._provider().refresh_tokens(secret.oauth_flow, secret.refresh_token))

    def _psu_ip(self):
        """The user's IP address when a user triggered the call (the read then does not use up the
        bank's four unattended reads a day)."""
        try:
            return request.httprequest.remote_addr if request else None
        except RuntimeError:
            return None

    # ------------------------------------------------------------------
    # Consent
    # ------------------------------------------------------------------

    def action_connect(self):
        """Ask the bank for a consent (valid 180 days) and send the user to the bank to authorise it.
        Raises ``AccessError`` for whoever may not change the connection (the consent is written as
        superuser, its ids being administrators' only)."""
        self.ensure_one()
        self.check_access("write")
        state = secrets.token_urlsafe(24)
        redirect = f"{self.get_base_url()}/ar_bank_psd2/callback?state={state}"
        try:
            consent = self._provider().create_consent(
                redirect, fields.Date.today() + timedelta(days=CONSENT_DAYS), psu_ip=self._psu_ip()
            )
        except ProviderError as error:
            self._record_error(error)
            raise UserError(self.env._("%(bank)s: %(error)s", bank=self.display_name, error=error)) from error
        self.sudo().write(
            {"consent_id": consent.consent_id, "redirect_state": state, "oauth_flow": consent.oauth or False}
        )
        self.message_post(body=self.env._("Consent requested; waiting for the authorisation at the bank."))
        return {"type": "ir.actions.act_url", "url": consent.sca_redirect, "target": "self"}

    def _ar_finish_consent(self, params=None):
        """After the bank's redirect (``params``: its query): read the consent and its accounts, map them
        to journals by IBAN."""
        self.ensure_one()
        params = params or {}
        consent_id = self.sudo().consent_id
        try:
            tokens = self._ar_oauth_tokens(params) if self.sudo().oauth_flow else None
            provider = self._provider()
            consent = provider.complete_consent(consent_id, params, tokens=tokens)
            if consent.status != "valid":
                raise ProviderError("consent", f"the consent is {consent.status}")
            if consent.consent_id and consent.consent_id != consent_id:
                consent_id = consent.consent_id
                self.sudo().consent_id = consent_id
            accounts = provider.accounts(consent_id, psu_ip=self._psu_ip())
        except ProviderError as error:
            self._record_error(error)
            return False
        journals = {
            normalize_account(j.bank_account_id.acc_number): j
            for j in self.env["account.journal"].search(
                [
                    ("type", "=", "bank"),
                    ("company_id", "=", self.company_id.id),
                    ("bank_account_id", "!=", False),
                ]
            )
        }
        known = {account.resource_id: account for account in self.account_ids}
        for account in accounts:
            values = {"iban": account.iban, "currency": account.currency}
            if not (known.get(account.resource_id) or self.env["ar.bank.connection.account"]).journal_id:
                values["journal_id"] = journals.get(account.iban, self.env["account.journal"]).id
            if account.resource_id in known:
                known[account.resource_id].write(values)
            else:
                self.env["ar.bank.connection.account"].create(
                    {"connection_id": self.id, "resource_id": account.resource_id, **values}
                )
        self.write(
            {
                "state": "active",
                "consent_expiry": fields.Datetime.to_datetime(consent.valid_until)
                if consent.valid_until
                else fields.Datetime.now() + timedelta(days=CONSENT_DAYS),
                "last_error": False,
                "journal_ids": [(6, 0, self.account_ids.journal_id.ids)],
            }
        )
        self.message_post(body=self.env._("Consent authorised: %s account(s).", len(accounts)))
        return True

    # ------------------------------------------------------------------
    # Synchronisation
    # ------------------------------------------------------------------

    def _ar_sync_now(self, stats=None):
        """Pull the new transactions of this connection now (the user is present) and return the created
        statement lines (``action_sync`` says what happened)."""
        self.ensure_one()
        return self._sync(psu_ip=self._psu_ip() or "127.0.0.1", stats=stats)

    def _sync(self, psu_ip=None, stats=None):
        """Read every mapped account's transactions since the last booked day (minus a 3-day overlap),
        book the new ones, deduplicated by the bank's ids and by fingerprint (``stats``, a list, gets
        ``(account, booked read, new)`` per account read). An error leaves that account untouched (nothing
        half-booked); the next sync starts from the same day."""
        self.ensure_one()
        lines = self.env["account.bank.statement.line"]
        if self.state not in ("active", "expiring", "error"):
            raise UserError(
                self.env._("%s is not connected: authorise the consent first.", self.display_name)
            )
        if not psu_ip and not self._take_unattended_read():
            self.last_error = self.env._(
                "The bank's %s unattended reads for today are used up.", UNATTENDED_READS_PER_DAY
            )
            return lines
        try:
            self._ar_fresh_token()
        except ProviderError as error:
            self._record_error(error)
            return lines
        today = fields.Date.today()
        for account in self.account_ids.filtered("journal_id"):
            start = (account.last_booking_date or today - timedelta(days=FIRST_SYNC_DAYS)) - timedelta(
                days=OVERLAP_DAYS
            )
            try:
                transactions = self._ar_read_transactions(account, start, psu_ip)
            except ProviderError as error:
                self._record_error(error)
                return lines
            booked = [tx for tx in transactions if not tx.pending]
            account._ar_replace_pending([tx for tx in transactions if tx.pending])
            new = account.journal_id._ar_book_api_transactions(booked)
            lines |= new
            if stats is not None:
                stats.append((account, len(booked), len(new)))
            if booked:
                account.last_booking_date = max(tx.booking_date for tx in booked)
        self.write(
            {"last_sync": fields.Datetime.now(), "last_error": False, "state": self._state_after_sync()}
        )
        if lines:
            counts = lines._ar_match_on_arrival()
            self.message_post(
                body=self.env._(
                    "%(count)s new transaction(s) booked: %(reconciled)s reconciled, %(suggested)s with "
                    "suggestions, %(unmatched)s without a match.",
                    count=len(lines),
                    **counts,
                )
            )
        return lines

    def _ar_read_transactions(self, account, start, psu_ip):
        """The account's transactions since ``start``. An OAuth2 access token the bank refuses (401) before
        the time it gave is refreshed once and the read done again."""
        secret = self.sudo()
        for attempt in (1, 2):
            try:
                return list(
                    self._provider().transactions(
                        secret.consent_id,
                        Account(account.resource_id, account.iban, account.currency),
                        start,
                        psu_ip=psu_ip,
                        pending=self.show_pending,
                    )
                )
            except ProviderError as error:
                if attempt == 2 or error.status != 401 or not (secret.oauth_flow and secret.refresh_token):
                    raise
                _logger.info("Bank connection %s: access token refused, refreshing it", self.id)
                self._ar_store_tokens(
                    self._provider().refresh_tokens(secret.oauth_flow, secret.refresh_token)
                )
        return []  # not reached: the second attempt returns or raises

    def _state_after_sync(self):
        if self.consent_expiry and self.consent_expiry - fields.Datetime.now() <= timedelta(
            days=EXPIRY_WARNING_DAYS
        ):
            return "expiring"
        return "active"

    def _take_unattended_read(self):
        today = fields.Date.today()
        reads = self.unattended_reads if self.unattended_day == today else 0
        if reads >= UNATTENDED_READS_PER_DAY:
            return False
        self.write({"unattended_reads": reads + 1, "unattended_day": today})
        return True

    def _record_error(self, error):
        state = {"consent": "expired", "rate_limit": self.state, "server": "error"}[error.kind]
        self.write({"last_error": str(error), "state": state})
        self.message_post(body=Markup("<p>%s</p>") % self.env._("Bank connection problem: %s", error))
        _logger.info("Bank connection %s: %s (%s)", self.id, error.kind, error.status)

    @api.model
    def _cron_sync(self):
        """Unattended sync of the connected banks, within each bank's daily limit."""
        for connection in self.search([("state", "in", ("active", "expiring", "error"))]):
            connection._sync()
        return True

    @api.model
    def _cron_consent_reminders(self):
        """Consents ending within 14 days: expiring, with a task to renew for the journals' responsible."""
        soon = fields.Datetime.now() + timedelta(days=EXPIRY_WARNING_DAYS)
        for connection in self.search([("state", "=", "active"), ("consent_expiry", "<=", soon)]):
            connection.state = "expiring"
            user = connection.company_id.ar_dispute_team_id.user_id or self.env.ref("base.user_admin")
            connection.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=connection.consent_expiry.date(),
                summary=self.env._("Renew the bank consent (Reconnect)"),
                user_id=user.id,
            )
        for connection in self.search(
            [("state", "=", "expiring"), ("consent_expiry", "<", fields.Datetime.now())]
        ):
            connection.state = "expired"
        return True


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _ar_book_api_transactions(self, transactions):
        """Statement lines for the transactions not booked yet in this journal (by the bank's id, else by
        fingerprint: the same payment may have come in a file)."""
        verdicts = self._ar_new_transactions(transactions, "api")
        values = [
            self._ar_statement_line_values(tx, "api", verdict) for tx, verdict in verdicts if verdict.is_new
        ]
        return self._ar_create_lines(values)
