from collections import defaultdict

from odoo import models

# Aging buckets of the statement's summary: (label, last day overdue); None: no end.
AGING_BUCKETS = (("not_due", 0), ("1_30", 30), ("31_60", 60), ("61_90", 90), ("over_90", None))


class AccountMove(models.Model):
    _inherit = "account.move"

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
