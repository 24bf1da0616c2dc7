from decimal import Decimal

from odoo import api, models
from odoo.tools import SQL

from ..engine.matching import OpenItem
from ..engine.rf import compact_rf, is_valid_rf


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model
    def _ar_matching_items(self, company):
        """The open receivable items of ``company``'s customer invoices, credit notes and receipts, as the
        matching engine's :class:`OpenItem` (its number, payment and RF reference, KSeF number, residual in
        its currency, due date), read with one query."""
        ksef = (
            SQL("move.l10n_pl_edi_number")
            if "l10n_pl_edi_number" in self.env["account.move"]._fields
            else SQL("NULL::varchar")
        )
        return [
            OpenItem(
                id=row[0],
                move_id=row[1],
                partner_id=row[2],
                number=row[3] or "",
                payment_reference=row[4] or "",
                rf_reference=compact_rf(row[4]) if row[4] and is_valid_rf(compact_rf(row[4])) else "",
                residual=Decimal(str(row[5])),
                currency=row[6],
                due_date=row[7],
                invoice_date=row[8],
                ksef_number=row[9] or "",
            )
            for row in self.env.execute_query(
                SQL(
                    """
                SELECT aml.id, aml.move_id, move.commercial_partner_id, move.name, move.payment_reference,
                       aml.amount_residual_currency, currency.name, aml.date_maturity, move.invoice_date,
                       %s
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN res_currency currency ON currency.id = aml.currency_id
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE aml.company_id = %s
                   AND account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND NOT aml.reconciled
                   AND aml.amount_residual_currency != 0
                   AND move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
                   AND move.commercial_partner_id IS NOT NULL
                """,
                    ksef,
                    company.id,
                )
            )
        ]
