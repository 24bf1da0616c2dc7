import time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import consteq
from odoo.tools.misc import hmac

ACCOUNT_DETAIL_FIELDS = ("ar_billing_email", "lang", "ar_customer_po")
# A statement link in a reminder opens without a password for this long (a month: the next reminder
# brings a fresh one).
STATEMENT_LINK_DAYS = 30
CONSENT_TEXT = (
    "I authorise {company} to charge my saved payment method {token} for each invoice on its due date, "
    "until I switch AutoPay off."
)


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

    def _ar_statement_domain(self, company=None):
        """Open posted receivable documents (invoices and credit notes) of this commercial partner issued
        by ``company`` (default: the environment's, which for a portal user is the user's company)."""
        self.ensure_one()
        company = company or self.env.company
        return (
            Domain("partner_id", "child_of", self.commercial_partner_id.id)
            & Domain("company_id", "=", company.id)
            & self.env["account.move"]._ar_open_receivable_domain(move_types=("out_invoice", "out_refund"))
        )

    def _ar_statement_lines(self, company=None):
        """The statement's documents of ``company`` (default: the environment's), oldest due date
        first, read in one query (sudo: the domain is bound to this partner and company, so portal users
        only ever see their own)."""
        self.ensure_one()
        moves_sudo = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                self._ar_statement_domain(company),
                [
                    "name",
                    "move_type",
                    "invoice_date",
                    "invoice_date_due",
                    "amount_total_signed",
                    "amount_residual_signed",
                    "amount_total",
                    "amount_residual",
                    "currency_id",
                    "company_id",
                    "payment_state",
                    "access_token",
                ],
                order="invoice_date_due, id",
            )
        )
        return moves_sudo

    def _ar_unallocated_payments(self):
        """This customer's receivable items with money in its favour not applied to any invoice yet
        (payments, bank receipts, overpayments), in one query."""
        self.ensure_one()
        return (
            self.env["account.move.line"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "child_of", self.commercial_partner_id.id),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", "<", 0),
                    ("move_id.move_type", "=", "entry"),
                ],
                ["date", "move_name", "name", "amount_residual", "company_currency_id"],
                order="date, id",
            )
        )

    def _ar_statement_period(self, date_from, date_to, company=None):
        """The account statement of this commercial partner with ``company`` (default: the
        environment's) for a period, one section per currency, each in its own currency: opening balance,
        every receivable movement (invoices, credit notes, payments) with the running balance, closing
        balance. One aggregate and one search.

        Returns ``{'sections': [{'currency', 'opening', 'lines', 'closing'}, ...]}``, the company's
        currency first.
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        company = company or self.env.company
        domain = [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        lines_sudo = self.env["account.move.line"].sudo()
        opening = dict(
            lines_sudo._read_group(
                domain + [("date", "<", date_from)],
                groupby=["currency_id"],
                aggregates=["amount_currency:sum"],
            )
        )
        lines = lines_sudo.search(
            domain + [("date", ">=", date_from), ("date", "<=", date_to)], order="date, id"
        )
        currencies = (lines.currency_id | self.env["res.currency"].concat(*opening)).sorted(
            lambda c: (c != company.currency_id, c.name)
        )
        sections = []
        for currency in currencies:
            balance = opening.get(currency, 0.0)
            section = {"currency": currency, "opening": balance, "lines": []}
            for line in lines.filtered(lambda aml, c=currency: aml.currency_id == c):
                amount = line.amount_currency
                balance += amount
                section["lines"].append(
                    {
                        "date": line.date,
                        "document": line.move_id.name,
                        "ksef_number": line.move_id.l10n_pl_edi_number or "",
                        "label": line.move_id.ref or line.name or "",
                        "due": line.date_maturity,
                        "debit": amount if amount > 0 else 0.0,
                        "credit": -amount if amount < 0 else 0.0,
                        "balance": currency.round(balance),
                    }
                )
            section["closing"] = currency.round(balance)
            sections.append(section)
        return {"sections": sections}

    def _ar_update_account_details(self, values, user):
        """Write the account details a customer changed on the portal (``values``: a subset of
        ``ACCOUNT_DETAIL_FIELDS``, already validated) and log each change, old -> new, on the customer."""
        self.ensure_one()
        languages = dict(self.env["res.lang"].get_installed())
        shown = {"lang": lambda code: languages.get(code, code)}
        changes = [
            (name, self[name] or "", value or "")
            for name, value in values.items()
            if name in ACCOUNT_DETAIL_FIELDS and (self[name] or "") != (value or "")
        ]
        if not changes:
            return False
        self.write({name: new or False for name, _old, new in changes})
        items = Markup().join(
            Markup("<li>%s: %s → %s</li>")
            % (
                self._fields[name]._description_string(self.env),
                shown.get(name, str)(old) or "-",
                shown.get(name, str)(new) or "-",
            )
            for name, old, new in changes
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (self.env._("Account details changed on the portal by %s:", user.name), items),
            subtype_xmlid="mail.mt_note",
        )
        return True

    # ------------------------------------------------------------------
    # Statement link (opens without a password)
    # ------------------------------------------------------------------

    def _ar_statement_token(self, expires, company=None):
        """The signature of this customer's link to its statement with ``company`` (default: the
        environment's) valid until ``expires`` (a POSIX time)."""
        self.ensure_one()
        company = company or self.env.company
        return hmac(
            self.env(su=True),
            "ar_portal-statement-link",
            (self.commercial_partner_id.id, int(expires), company.id),
        )

    def _ar_statement_link(self, days=STATEMENT_LINK_DAYS, company=None):
        """A link to this customer's statement with ``company`` (default: the environment's) that opens
        without a password for ``days`` days."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = company or self.env.company
        expires = int(time.time()) + days * 86400
        token = partner._ar_statement_token(expires, company)
        return (
            f"{partner.get_base_url()}/my/statement/link/{partner.id}/{expires}/{token}?company={company.id}"
        )

    def _ar_check_statement_token(self, expires, token, company=None):
        """Whether ``token`` signs this customer's statement link with ``company`` (default: the
        environment's) and has not expired."""
        self.ensure_one()
        return (
            self.exists()
            and self == self.commercial_partner_id
            and int(expires) >= time.time()
            and consteq(self._ar_statement_token(expires, company), token or "")
        )

    # ------------------------------------------------------------------
    # AutoPay
    # ------------------------------------------------------------------

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
