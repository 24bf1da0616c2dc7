from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

from ..models.ar_reconcile_rule import BANK_FEE_ACCOUNTS


def _invoice_paid_less_a_fee(case):
    """An invoice of 1,200.00 and its customer's payment of 1,191.50 (8.50 kept by the bank)."""
    invoice = case._posted_invoice(1200, "2026-11-02", case.partner_a)
    line = case.env["account.bank.statement.line"].create(
        {
            "journal_id": case.company_data["default_journal_bank"].id,
            "date": "2026-11-20",
            "amount": 1191.50,
            "payment_ref": f"Zaplata {invoice.name}",
            "partner_name": case.partner_a.name,
        }
    )
    return invoice, line


@tagged("post_install", "-at_install")
class TestReconcileRuleDefaults(ArTestCommon):
    """What a company gets out of the box: bank fees deducted from customers' payments written off to its
    chart's bank fees account, amounts in its own currency."""

    def test_a_fresh_company_writes_bank_fees_off_to_its_charts_bank_fees_account(self):
        rule = self.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments").with_company(self.company)
        self.assertEqual(self.company.chart_template, "generic_coa")
        expected = self.env.ref(f"account.{self.company.id}_{BANK_FEE_ACCOUNTS['generic_coa']}")
        self.assertEqual(rule.writeoff_account_id, expected, "the chart's Bank Fees, not any expense account")
        self.assertEqual((rule.writeoff_tolerance, rule.writeoff_tolerance_percent), (15, 2))

        invoice, line = _invoice_paid_less_a_fee(self)
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "paid")
        fee = line.move_id.line_ids.filtered(lambda ml: ml.account_id == expected)
        self.assertEqual(fee.debit, 8.5)

    def test_each_company_has_its_own_bank_fees_account_and_currency_on_the_shared_rule(self):
        other = self.setup_other_company(name="Other Co")["company"]
        rule = self.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments")
        own = rule.with_company(self.company).writeoff_account_id
        theirs = rule.with_company(other).writeoff_account_id
        self.assertTrue(own and theirs)
        self.assertNotEqual(own, theirs)
        self.assertEqual(theirs.company_ids, other)
        other.currency_id = self.setup_other_currency("EUR")
        self.assertEqual(rule.with_company(other).currency_id.name, "EUR")
        self.assertEqual(rule.with_company(self.company).currency_id, self.company.currency_id)


@tagged("post_install", "-at_install")
class TestCashApplicationSettings(ArTestCommon):
    """Settings > Cash Application changes the installed rule for customer payments: the bank fees account
    of the company being configured, the tolerance, and whether exact partial payments are applied."""

    def _settings(self, company):
        return self.env["res.config.settings"].with_company(company).create({})

    def test_settings_show_and_change_the_rule_for_customer_payments(self):
        rule = self.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments").with_company(self.company)
        settings = self._settings(self.company)
        self.assertTrue(settings.ar_cash_rule_found)
        self.assertEqual(settings.ar_cash_writeoff_account_id, rule.writeoff_account_id)
        self.assertEqual(
            (settings.ar_cash_writeoff_tolerance, settings.ar_cash_writeoff_tolerance_percent), (15, 2)
        )
        self.assertTrue(settings.ar_cash_partial_applied)

        other_account = self.company_data["default_account_expense"]
        settings.write(
            {
                "ar_cash_writeoff_account_id": other_account.id,
                "ar_cash_writeoff_tolerance": 4.0,
                "ar_cash_writeoff_tolerance_percent": 0.5,
                "ar_cash_partial_applied": False,
            }
        )
        settings.execute()
        rule.invalidate_recordset()
        self.assertEqual(rule.writeoff_account_id, other_account)
        self.assertEqual((rule.writeoff_tolerance, rule.writeoff_tolerance_percent), (4.0, 0.5))
        self.assertFalse(rule.is_partial_applied)

        # A fee above the new tolerance is no longer written off: the payment is only suggested.
        invoice, line = _invoice_paid_less_a_fee(self)
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 0, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_another_companys_bank_fees_account_is_left_alone(self):
        other = self.setup_other_company(name="Other Co")["company"]
        rule = self.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments")
        theirs = rule.with_company(other).writeoff_account_id
        settings = self._settings(self.company)
        settings.ar_cash_writeoff_account_id = self.company_data["default_account_expense"]
        settings.execute()
        self.assertEqual(rule.with_company(other).writeoff_account_id, theirs)
        self.assertEqual(self._settings(other).ar_cash_writeoff_account_id, theirs)
