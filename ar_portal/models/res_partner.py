from odoo import models
from odoo.fields import Domain


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _ar_statement_domain(self):
        """Open posted receivable documents (invoices and credit notes) of this commercial partner."""
        self.ensure_one()
        return Domain.AND(
            [
                Domain("partner_id", "child_of", self.commercial_partner_id.id),
                Domain("move_type", "in", ("out_invoice", "out_refund")),
                Domain("state", "=", "posted"),
                Domain("payment_state", "in", ("not_paid", "partial")),
            ]
        )

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
