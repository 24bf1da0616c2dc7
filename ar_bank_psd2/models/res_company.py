from datetime import timedelta

from odoo import fields, models
from odoo.tools.misc import format_amount, format_date

from .ar_bank_connection_sync import EXPIRY_WARNING_DAYS

# Items listed per exception in the digest (the link opens all of them).
DIGEST_ITEMS = 5


class ResCompany(models.Model):
    _inherit = "res.company"

    def _ar_digest_exceptions(self, today):
        """The bank's exceptions in the daily digest: payments received that wait to be matched, and bank
        consents ending within two weeks (or ended), which stop the synchronisation."""
        exceptions = super()._ar_digest_exceptions(today)
        to_match = self.env["account.bank.statement.line"].search(
            [
                ("company_id", "=", self.id),
                ("amount", ">", 0),
                ("ar_match_state", "in", ("suggested", "unmatched", "new")),
                ("is_reconciled", "=", False),
            ],
            order="date, id",
        )
        if to_match:
            exceptions.append(
                {
                    "title": self.env._("Payments to match"),
                    "count": len(to_match),
                    "url": self._ar_digest_url("ar_bank_psd2.ar_statement_line_queue_action"),
                    "items": [
                        f"{format_date(self.env, line.date)} {line.partner_name or line.payment_ref or ''}: "
                        f"{format_amount(self.env, line.amount, line.currency_id)}"
                        for line in to_match[:DIGEST_ITEMS]
                    ],
                }
            )
        soon = fields.Datetime.now() + timedelta(days=EXPIRY_WARNING_DAYS)
        connections = self.env["ar.bank.connection"].search(
            [
                ("company_id", "=", self.id),
                "|",
                ("state", "in", ("expiring", "expired")),
                "&",
                ("state", "=", "active"),
                ("consent_expiry", "<=", soon),
            ],
            order="consent_expiry, id",
        )
        if connections:
            exceptions.append(
                {
                    "title": self.env._("Bank consents to renew"),
                    "count": len(connections),
                    "url": self._ar_digest_url("ar_bank_psd2.ar_bank_connection_action"),
                    "items": [
                        self.env._(
                            "%(bank)s: ends %(date)s (Reconnect)",
                            bank=connection.display_name,
                            date=format_date(self.env, connection.consent_expiry),
                        )
                        if connection.consent_expiry
                        else connection.display_name
                        for connection in connections[:DIGEST_ITEMS]
                    ],
                }
            )
        return exceptions
