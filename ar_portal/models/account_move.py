from collections import defaultdict

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _ar_statement_totals(self):
        """Overdue, not-due and total open amounts of these documents, per company currency.

        Returns ``{'totals': [{'currency': rec, 'overdue': x, 'not_due': y, 'balance': z}, ...]}``.
        """
        sums = defaultdict(lambda: {"overdue": 0.0, "not_due": 0.0, "balance": 0.0})
        for move in self:
            bucket = sums[move.company_id.currency_id]
            amount = move.amount_residual_signed
            bucket["overdue" if move.ar_days_overdue > 0 else "not_due"] += amount
            bucket["balance"] += amount
        return {
            "totals": [
                {"currency": currency, **{k: currency.round(v) for k, v in amounts.items()}}
                for currency, amounts in sums.items()
            ]
        }
