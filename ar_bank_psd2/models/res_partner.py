from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.base.models.res_bank import sanitize_account_number

from ..engine.learning import learned_pattern
from ..engine.matching import Customer
from ..engine.statement import normalize_account

MAX_PATTERNS = 10


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_payment_patterns = fields.Text(
        string="Payment Title Patterns",
        groups="account.group_account_invoice",
        help="Words recurring in this customer's payment titles, learned from matches made by people (one "
        "per line): a payment quoting them is recognised as this customer's.",
    )

    # ------------------------------------------------------------------ cash application

    @api.model
    def _ar_holders_of_accounts(self, account_numbers):
        """Ids of the commercial partners holding an active bank account among ``account_numbers`` (as the
        bank wrote them: read as IBANs and as Odoo sanitises them)."""
        accounts = list(
            {
                form
                for number in account_numbers
                for form in (normalize_account(number), sanitize_account_number(number))
            }
        )
        if not accounts:
            return []
        rows = self.env.execute_query(
            SQL(
                """
            SELECT DISTINCT holder.commercial_partner_id
              FROM res_partner_bank bank
              JOIN res_partner holder ON holder.id = bank.partner_id
             WHERE bank.sanitized_acc_number = ANY(%s) AND bank.active
               AND holder.commercial_partner_id IS NOT NULL
            """,
                accounts,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _ar_matching_customers(self, partner_ids):
        """The partners ``partner_ids`` as the matching engine's :class:`Customer` (name, VAT number, the
        active accounts of the company and its contacts, learned title patterns), read with one query."""
        return [
            Customer(
                id=row[0],
                name=row[1] or "",
                vat=row[2] or "",
                ibans=tuple(normalize_account(iban) for iban in row[3] or () if iban),
                patterns=tuple(
                    pattern.strip().lower() for pattern in (row[4] or "").splitlines() if pattern.strip()
                ),
            )
            for row in self.env.execute_query(
                SQL(
                    """
                SELECT partner.id, partner.name, partner.vat,
                       ARRAY(SELECT bank.sanitized_acc_number
                               FROM res_partner_bank bank
                               JOIN res_partner holder ON holder.id = bank.partner_id
                              WHERE holder.commercial_partner_id = partner.id AND bank.active),
                       partner.ar_payment_patterns
                  FROM res_partner partner
                 WHERE partner.id = ANY(%s)
                """,
                    partner_ids,
                )
            )
        ]

    def _ar_learn_payment(self, account_number, title, invoice_numbers):
        """Remember what told this customer apart in a payment people matched: the account it paid from and
        the words of its title other than the invoice numbers, so that its next payment is matched without
        a person. Does nothing on an empty recordset."""
        if not self:
            return
        self.ensure_one()
        iban = normalize_account(account_number or "")
        if iban and len(iban) >= 15:
            Bank_sudo = self.env["res.partner.bank"].sudo()
            if not Bank_sudo.search_count([("sanitized_acc_number", "=", iban)]):
                Bank_sudo.create({"acc_number": iban, "partner_id": self.id, "allow_out_payment": False})
        pattern = learned_pattern(title, invoice_numbers, self.name)
        if pattern:
            patterns = [p for p in (self.ar_payment_patterns or "").splitlines() if p.strip()]
            if pattern not in patterns:
                self.sudo().ar_payment_patterns = "\n".join([*patterns, pattern][-MAX_PATTERNS:])
