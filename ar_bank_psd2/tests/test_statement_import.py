import base64
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

DATA = Path(__file__).parent / "data"


class StatementImportCommon(ArTestCommon):
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


@tagged("post_install", "-at_install")
class TestStatementImport(StatementImportCommon):
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
        # The same file again: the user is told, and shown the first import.
        again = wizard.copy({"file": wizard.file}).action_import()
        self.assertEqual(again["tag"], "display_notification")
        self.assertIn("already imported", again["params"]["message"])
        self.assertEqual(again["params"]["next"]["res_id"], record.id)


# Issue 14: the three shapes of real files whose transactions the old duplicate rule dropped.
MT940_THREE_NONREF = """:20:MBANK
:25:PL61109010140000071219812874PLN
:28C:00060
:60F:C260313PLN1000,00
:61:2603130313C100,00S944NONREF//NONREF
:86:944 PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY; OD: JAN KOWALSKI; TYT.: FV 10/2026
:61:2603130313C100,00S944NONREF//NONREF
:86:944 PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY; OD: JAN KOWALSKI; TYT.: FV 10/2026
:61:2603130313C250,00S944NONREF//NONREF
:86:944 PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY; OD: ANNA NOWAK; TYT.: FV 11/2026
:62F:C260313PLN1450,00
-
"""

MT940_SHARED_ORDER_REFERENCE = """:20:MBANK
:25:PL61109010140000071219812874PLN
:28C:00061
:60F:C260314PLN1000,00
:61:2603140314D500,00S941NONREF//BR2603140001
:86:941 PRZELEW WYCHODZĄCY; NA RACH.: 83102010260000110200000123; DLA: ENERGA OBRÓT; TYT.: FAKTURA 12/2026
:61:2603140314D1,50S944NONREF//BR2603140001
:86:944 OPŁATA ZA PRZELEW; TYT.: OPŁATA ZA PRZELEW ELIXIR
:61:2603140314C500,00S944NONREF//TT2603140007
:86:944 WPŁATA GOTÓWKOWA; OD: HURTOWNIA ŻÓŁW; TYT.: WPŁATA WŁASNA
:61:2603140314D2,00S944NONREF//TT2603140007
:86:944 OPŁATA ZA WPŁATĘ; TYT.: OPŁATA ZA WPŁATĘ GOTÓWKI
:62F:C260314PLN996,50
-
"""

CAMT_BATCH_SHARED_ACCTSVCRREF = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-03-16T06:10:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>2026/053/PLN</Id>
      <Acct><Id><IBAN>PL61109010140000071219812874</IBAN></Id><Ccy>PLN</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="PLN">{opening}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="PLN">2500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="PLN">2000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-03-16</Dt></BookgDt><ValDt><Dt>2026-03-16</Dt></ValDt>
        <AcctSvcrRef>2026031600042</AcctSvcrRef>
        <NtryDtls>
          <Btch><NbOfTxs>2</NbOfTxs></Btch>
          <TxDtls>
            <Refs><AcctSvcrRef>2026031600042</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="PLN">704.00</Amt></TxAmt></AmtDtls>
            <Amt Ccy="PLN">704.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Nm>Jan Kowalski</Nm></Dbtr></RltdPties>
            <RmtInf><Ustrd>FV 21/2026</Ustrd></RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>2026031600042</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="PLN">1296.00</Amt></TxAmt></AmtDtls>
            <Amt Ccy="PLN">1296.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Nm>Anna Nowak</Nm></Dbtr></RltdPties>
            <RmtInf><Ustrd>FV 22/2026</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


@tagged("post_install", "-at_install")
class TestNothingIsLost(StatementImportCommon):
    """Issue 14: every transaction of these files is imported; importing them again adds nothing and says
    so, each skipped transaction with the line it duplicates and why."""

    def _import(self, data, filename, **kwargs):
        lines = self.journal.ar_import_statement_file(data, filename, **kwargs)
        record = self.env["ar.bank.statement.import"].search(
            [("journal_id", "=", self.journal.id), ("filename", "=", filename)]
        )
        return lines, record

    def _assert_reimport_adds_nothing(self, data, first_lines):
        # Another file with the same content (the hash differs, so the duplicate rule decides).
        lines, record = self._import(data + b"\n", "again.sta")
        self.assertFalse(lines)
        self.assertEqual((record.line_count, record.duplicate_count), (0, len(first_lines)))
        self.assertEqual(record.skipped_ids.duplicate_line_id, first_lines)
        self.assertTrue(all(record.skipped_ids.mapped("reason")))
        return record

    def test_three_nonref_lines_are_three_transactions(self):
        data = MT940_THREE_NONREF.encode()
        lines, record = self._import(data, "mbank.sta")
        self.assertEqual(sorted(lines.mapped("amount")), [100, 100, 250])
        self.assertEqual((record.line_count, record.duplicate_count), (3, 0))
        self.assertFalse(any(lines.mapped("ar_import_id")), "NONREF is no id")
        again = self._assert_reimport_adds_nothing(data, lines)
        self.assertIn("same date, amount, counterparty and title", again.skipped_ids[0].reason)
        self.assertIn("no usable bank id", again.skipped_ids[0].reason)

    def test_a_fee_and_its_payment_sharing_an_order_reference_are_both_imported(self):
        data = MT940_SHARED_ORDER_REFERENCE.encode()
        lines, record = self._import(data, "mbank.sta")
        self.assertEqual(sorted(lines.mapped("amount")), [-500, -2, -1.5, 500])
        self.assertEqual(record.duplicate_count, 0)
        self._assert_reimport_adds_nothing(data, lines)

    def test_a_camt_batch_whose_payments_share_an_acctsvcrref_imports_each_payment(self):
        data = CAMT_BATCH_SHARED_ACCTSVCRREF.format(msg_id="M1", opening="500.00").encode()
        lines, record = self._import(data, "batch.xml")
        self.assertEqual(sorted(lines.mapped("amount")), [704, 1296])
        self.assertEqual(record.duplicate_count, 0)
        again_data = CAMT_BATCH_SHARED_ACCTSVCRREF.format(msg_id="M2", opening="500.00").encode()
        again, record = self._import(again_data, "batch-again.xml")
        self.assertFalse(again)
        self.assertEqual(record.duplicate_count, 2)

    def test_a_transaction_already_booked_is_listed_and_can_be_imported_anyway(self):
        lines, _record = self._import(MT940_THREE_NONREF.encode(), "mbank.sta")
        _lines, record = self._import(MT940_THREE_NONREF.encode() + b"\n", "again.sta")
        skipped = record.skipped_ids.filtered(lambda s: s.amount == 250)
        self.assertEqual(skipped.duplicate_line_id, lines.filtered(lambda line: line.amount == 250))
        action = skipped.action_import_anyway()
        wizard = (
            self.env[action["res_model"]]
            .with_context(action["context"])
            .create({"reason": "Anna Nowak paid FV 11/2026 twice: refund follows"})
        )
        self.assertEqual(wizard.duplicate_line_id, skipped.duplicate_line_id)
        wizard.action_confirm()
        self.assertEqual(skipped.state, "imported")
        self.assertEqual(skipped.imported_line_id.amount, 250)
        self.assertEqual(skipped.imported_line_id.journal_id, self.journal)
        self.assertEqual(skipped.imported_uid, self.env.user)
        message = record.message_ids[0].body
        self.assertIn("imported a skipped transaction anyway", message)
        self.assertIn("paid FV 11/2026 twice", message)
        self.assertIn(self.env.user.name, message)
        with self.assertRaisesRegex(UserError, "already imported anyway"):
            skipped._ar_import_anyway("again")
        other = record.skipped_ids.filtered(lambda s: s.state == "skipped")[:1]
        with self.assertRaisesRegex(UserError, "Say why"):
            other._ar_import_anyway("  ")
        # The third import of the same payments still adds nothing: the line imported anyway is known too.
        third, _record = self._import(MT940_THREE_NONREF.encode() + b"\n\n", "third.sta")
        self.assertFalse(third)

    def test_overlapping_statements_in_one_file_book_a_transaction_once(self):
        second = (
            MT940_THREE_NONREF.replace(":28C:00060", ":28C:00061")
            .replace(":60F:C260313PLN1000,00", ":60F:C260313PLN1100,00")
            .replace("C100,00S944NONREF//NONREF", "C100,00S944NONREF//REF1", 1)
        )
        first = MT940_THREE_NONREF.replace("C100,00S944NONREF//NONREF", "C100,00S944NONREF//REF1", 1)
        # The second statement repeats the first one's REF1 payment and adds two others.
        second = second.replace(":62F:C260313PLN1450,00", ":62F:C260313PLN1550,00")
        lines, record = self._import((first + second).encode(), "two.sta")
        self.assertEqual(len(lines), 5)
        self.assertEqual(record.duplicate_count, 1)
        self.assertIn("Repeated in this file", record.skipped_ids.reason)
        self.assertEqual(record.skipped_ids.duplicate_line_id.ar_import_id, "REF1")

    def test_balances_that_do_not_add_up_stop_the_import_and_name_the_statement(self):
        before = self.env["account.bank.statement.line"].search_count([])
        data = CAMT_BATCH_SHARED_ACCTSVCRREF.format(msg_id="M1", opening="600.00").encode()
        with self.assertRaises(UserError) as caught:
            self.journal.ar_import_statement_file(data, "batch.xml")
        message = str(caught.exception)
        for part in (
            "batch.xml",
            "PL61109010140000071219812874",
            "2026/053/PLN",
            "opening balance 600.00",
            "movements 2000.00",
            "closing balance is 2500.00",
            "difference of -100.00",
        ):
            self.assertIn(part, message)
        self.assertEqual(self.env["account.bank.statement.line"].search_count([]), before)
        # The wizard shows the problem and imports the file anyway only with a reason.
        wizard = self.env["ar.statement.import.wizard"].create(
            {"journal_id": self.journal.id, "file": base64.b64encode(data), "filename": "batch.xml"}
        )
        action = wizard.action_import()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertIn("difference of -100.00", wizard.balance_problem)
        with self.assertRaisesRegex(UserError, "Say why"):
            wizard.action_import_anyway()
        wizard.balance_reason = "The bank confirmed a wrong opening balance on this statement."
        action = wizard.action_import_anyway()
        record = self.env["ar.bank.statement.import"].browse(action["res_id"])
        self.assertEqual(record.line_count, 2)
        self.assertIn("difference of -100.00", record.balance_message)
        self.assertIn("wrong opening balance", record.balance_override_reason)
        self.assertIn("wrong opening balance", record.message_ids[0].body)

    def test_skipped_transactions_follow_the_import_rights_and_company(self):
        self._import(MT940_THREE_NONREF.encode(), "mbank.sta")
        _lines, record = self._import(MT940_THREE_NONREF.encode() + b"\n", "again.sta")
        billing = new_test_user(
            self.env,
            login="billing.skipped",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        skipped = record.skipped_ids.with_user(billing)
        self.assertEqual(len(skipped.read(["reason", "duplicate_line_id"])), 3)
        with self.assertRaises(AccessError):
            skipped[0].write({"reason": "not skipped"})
        other = self.env["res.company"].create({"name": "Other Company"})
        outsider = new_test_user(
            self.env,
            login="other.skipped",
            groups="account.group_account_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        found = (
            self.env["ar.bank.skipped.transaction"]
            .with_user(outsider)
            .search([("id", "in", record.skipped_ids.ids)])
        )
        self.assertFalse(found, "another company's skipped transactions are not visible")
