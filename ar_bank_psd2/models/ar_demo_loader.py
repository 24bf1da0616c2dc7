from datetime import timedelta

from odoo import api, models

from .ar_reconcile_rule import FINANCIAL_INCOME_ACCOUNTS, FINANCIAL_INCOME_NAMES


class ArDemoLoader(models.AbstractModel):
    _inherit = "ar.demo.loader"

    @api.model
    def _load_cash_application_demo(self):
        """Rules of the demo company (bank fees written off, bank interest booked) and a few payments
        received yesterday, matched by the rules: most reconciled alone, the rest waiting in the queue."""
        company = self.env.ref("ar_automation.demo_company", raise_if_not_found=False)
        journal = self.env.ref("ar_automation.demo_bank_journal", raise_if_not_found=False)
        if (
            not company
            or not journal
            or self.env["ar.reconcile.rule"].search_count([("company_id", "=", company.id)], limit=1)
        ):
            return True
        self = self.with_company(company)
        rules = self.env["ar.reconcile.rule"]
        rules._ar_set_company_defaults(company)
        rules.create(
            {
                "name": "Bank interest",
                "sequence": 5,
                "company_id": company.id,
                "text_pattern": "KAPITALIZACJA|ODSETKI BANKOWE|INTEREST",
                "action": "writeoff",
                "writeoff_account_id": rules._ar_chart_account(
                    company, FINANCIAL_INCOME_ACCOUNTS, FINANCIAL_INCOME_NAMES
                ).id,
                "writeoff_label": "Odsetki bankowe / bank interest",
            }
        )
        open_invoices = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
                ("amount_residual", ">=", 300),
            ],
            order="invoice_date_due desc, id desc",
        )
        by_customer = open_invoices.grouped("commercial_partner_id")
        pair = next((invoices[:2] for invoices in by_customer.values() if len(invoices) >= 2), None)
        singles = (open_invoices - pair) if pair else open_invoices
        if not pair or len(singles) < 5:
            return True
        yesterday = company._ar_today() - timedelta(days=1)
        exact, no_slashes, fee, partial, over = singles[:5]
        payments = [
            (exact.amount_residual, f"Zapłata za fakturę {exact.name}", exact),
            (no_slashes.amount_residual, f"FV {no_slashes.name.replace('/', '')}", no_slashes),
            (fee.amount_residual - 2.5, f"Przelew {fee.name}", fee),
            (sum(pair.mapped("amount_residual")), ", ".join(pair.mapped("name")), pair[0]),
            (round(partial.amount_residual / 2, 2), f"Częściowa wpłata {partial.name}", partial),
            (over.amount_residual + 100, f"Faktura {over.name}", over),
            (18.42, "KAPITALIZACJA ODSETEK", None),
        ]
        lines = self.env["account.bank.statement.line"].create(
            [
                {
                    "journal_id": journal.id,
                    "date": yesterday,
                    "amount": amount,
                    "payment_ref": title,
                    "partner_name": invoice.commercial_partner_id.name.upper() if invoice else "mBank S.A.",
                }
                for amount, title, invoice in payments
            ]
        )
        pending = self.env["account.bank.statement.line"].search(
            [("journal_id", "=", journal.id), ("ar_match_state", "=", "new"), ("is_reconciled", "=", False)]
        )
        (lines | pending).ar_auto_reconcile()
        return True
