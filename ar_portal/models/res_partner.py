import time

from markupsafe import Markup

from odoo import models
from odoo.fields import Domain
from odoo.tools import consteq
from odoo.tools.misc import hmac

ACCOUNT_DETAIL_FIELDS = ("ar_billing_email", "lang", "ar_customer_po")
# A statement link in a reminder opens without a password for this long (a month: the next reminder
# brings a fresh one).
STATEMENT_LINK_DAYS = 30


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _ar_statement_domain(self):
        """Open posted receivable documents (invoices and credit notes) of this commercial partner."""
        self.ensure_one()
        return Domain("partner_id", "child_of", self.commercial_partner_id.id) & self.env[
            "account.move"
        ]._ar_open_receivable_domain(move_types=("out_invoice", "out_refund"))

    def _ar_statement_lines(self):
        """The statement's documents, oldest due date first, read in one query (sudo: the
        domain is bound to this partner, so portal users only ever see their own)."""
        self.ensure_one()
        moves_sudo = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                self._ar_statement_domain(),
                [
                    "name",
                    "move_type",
                    "invoice_date",
                    "invoice_date_due",
                    "amount_total_signed",
                    "amount_residual_signed",
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

    def _ar_statement_period(self, date_from, date_to):
        """The account statement of this commercial partner for a period: opening balance, every
        receivable movement (invoices, credit notes, payments) with the running balance, closing balance.
        One aggregate and one search."""
        self.ensure_one()
        partner = self.commercial_partner_id
        domain = [
            ("partner_id", "=", partner.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        Line = self.env["account.move.line"].sudo()
        opening_rows = Line._read_group(domain + [("date", "<", date_from)], aggregates=["balance:sum"])
        opening = opening_rows[0][0] or 0.0
        lines = Line.search(domain + [("date", ">=", date_from), ("date", "<=", date_to)], order="date, id")
        rows, balance = [], opening
        for line in lines:
            balance += line.balance
            rows.append(
                {
                    "date": line.date,
                    "document": line.move_id.name,
                    "label": line.move_id.ref or line.name or "",
                    "due": line.date_maturity,
                    "debit": line.debit,
                    "credit": line.credit,
                    "balance": balance,
                }
            )
        return {"opening": opening, "lines": rows, "closing": balance}

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


class ResPartnerStatementLink(models.Model):
    _inherit = "res.partner"

    def _ar_statement_token(self, expires):
        """The signature of this customer's statement link valid until ``expires`` (a POSIX time)."""
        self.ensure_one()
        return hmac(
            self.env(su=True), "ar_portal-statement-link", (self.commercial_partner_id.id, int(expires))
        )

    def _ar_statement_link(self, days=STATEMENT_LINK_DAYS):
        """A link to this customer's statement that opens without a password for ``days`` days."""
        self.ensure_one()
        partner = self.commercial_partner_id
        expires = int(time.time()) + days * 86400
        token = partner._ar_statement_token(expires)
        return f"{partner.get_base_url()}/my/statement/link/{partner.id}/{expires}/{token}"

    def _ar_check_statement_token(self, expires, token):
        """Whether ``token`` signs this customer's statement link and has not expired."""
        self.ensure_one()
        return (
            self.exists()
            and self == self.commercial_partner_id
            and int(expires) >= time.time()
            and consteq(self._ar_statement_token(expires), token or "")
        )


class ArDunningLine(models.Model):
    _inherit = "ar.dunning.line"

    def _ar_statement_url(self):
        return self.partner_id._ar_statement_link()
