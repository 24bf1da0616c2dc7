import base64
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

DATA = Path(__file__).parent / "data"


@tagged("post_install", "-at_install")
class TestStatementImport(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pln = cls.setup_other_currency("PLN")
        cls.eur = cls.setup_other_currency("EUR")
        cls.journal = cls._bank_journal("mBank PLN", "PL61109010140000071219812874", cls.pln)

    @classmethod
    def _bank_journal(cls, name, iban, currency):
        return cls.env["account.journal"].create(
            {
                "name": name,
                "type": "bank",
                "code": name[:3].upper() + iban[-2:],
                "currency_id": currency.id,
                "company_id": cls.company.id,
                "bank_account_id": cls.env["res.partner.bank"]
                .create({"acc_number": iban, "partner_id": cls.company.partner_id.id})
                .id,
            }
        )

    def _file(self, name):
        return (DATA / name).read_bytes()

    def test_camt_file_lines_with_counterparty_remittance_and_split_payment(self):
        lines = self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt.xml")
        self.assertEqual(len(lines), 4)
        first = lines.filtered(lambda line: line.amount == 1230)
        self.assertRecordValues(
            first,
            [
                {
                    "partner_name": "Hurtownia Żółw Sp. z o.o.",
                    "account_number": "PL27114020040000300201355387",
                    "ar_import_id": "260313PL0000001",
                    "ar_end_to_end_id": "E2E-FV-1-2026",
                    "ar_source": "file",
                }
            ],
        )
        self.assertIn("/INV/FV 1/2026", first.payment_ref)
        self.assertEqual(first.transaction_details["mpp"]["nip"], "5260250274")
        statement = lines.statement_id
        self.assertEqual((statement.balance_start, statement.balance_end_real), (15000, 16719.45))
        record = self.env["ar.bank.statement.import"].search([("journal_id", "=", self.journal.id)])
        self.assertEqual(record.line_count, 4)
        self.assertIn("PL03", record.skipped_accounts, "the EUR account has no journal: reported")

    def test_a_file_with_several_accounts_fills_each_journal(self):
        eur_journal = self._bank_journal("mBank EUR", "PL03109010140000071219812875", self.eur)
        self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt.xml")
        self.assertEqual(
            self.env["account.bank.statement.line"].search_count([("journal_id", "=", eur_journal.id)]), 1
        )

    def test_the_same_file_twice_imports_nothing_the_second_time(self):
        self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt.xml")
        again = self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt (1).xml")
        self.assertFalse(again)

    def test_the_same_payments_in_an_mt940_after_the_camt_are_not_booked_twice(self):
        self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt.xml")
        lines = self.journal.ar_import_statement_file(self._file("mt940_pko_cp1250.sta"), "pko.sta")
        # The 1230.00 payment has the same date, amount, counterparty and title in both files (the
        # names are written differently); the -310.55 one went to another account of the payee.
        self.assertEqual(lines.mapped("amount"), [-310.55])
        record = self.env["ar.bank.statement.import"].search([("filename", "=", "pko.sta")])
        self.assertEqual(record.duplicate_count, 1)

    def test_mt940_in_windows_1250(self):
        lines = self.journal.ar_import_statement_file(self._file("mt940_pko_cp1250.sta"), "pko.sta")
        self.assertEqual(sorted(lines.mapped("amount")), [-310.55, 1230])
        self.assertTrue(
            any("ż" in (line.partner_name or "") + line.payment_ref or "" for line in lines)
            or any("Ż" in (line.partner_name or "") for line in lines)
        )

    def test_bad_files_are_refused_with_the_reason_and_create_nothing(self):
        before = self.env["account.bank.statement.line"].search_count([])
        other = self._bank_journal("Other", "PL10105000997603123456789123", self.pln)
        cases = [
            (self.journal, b"", "is empty"),
            (self.journal, b"<Document><broken>", "line"),
            (self.journal, self._file("camt053_two_accounts.xml")[:-300], "line"),
            (other, self._file("camt053_two_accounts.xml"), "holds no statement of Other"),
        ]
        for journal, data, message in cases:
            with self.subTest(message), self.assertRaisesRegex(UserError, message):
                journal.ar_import_statement_file(data, "bad.xml")
        self.journal.currency_id = self.company.currency_id
        with self.assertRaisesRegex(UserError, "is in PLN but journal mBank PLN is in USD"):
            self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt.xml")
        self.assertEqual(self.env["account.bank.statement.line"].search_count([]), before)

    def test_a_gap_between_statements_is_reported(self):
        self.journal.ar_import_statement_file(
            self._file("mt940_pko_cp1250.sta"), "pko.sta"
        )  # closes 15919.45
        self.journal.ar_import_statement_file(self._file("camt053_two_accounts.xml"), "camt.xml")
        record = self.env["ar.bank.statement.import"].search([("filename", "=", "camt.xml")])
        self.assertIn("opens at 15000.00 but the previous one", record.gap_message)
        self.assertIn("closed at 15919.45", record.gap_message)

    def test_the_import_wizard(self):
        wizard = self.env["ar.statement.import.wizard"].create(
            {
                "journal_id": self.journal.id,
                "file": base64.b64encode(self._file("camt053_two_accounts.xml")),
                "filename": "camt.xml",
            }
        )
        action = wizard.action_import()
        record = self.env["ar.bank.statement.import"].browse(action["res_id"])
        self.assertEqual(record.line_count, 4)
