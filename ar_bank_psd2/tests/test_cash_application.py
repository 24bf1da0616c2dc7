from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.ar_automation.tests.common import ArTestCommon

from ..engine.ksef import crc8

CAMT_STRD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T10:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>S-2026-11-20</Id>
   <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>
   <Ntry>
    <Amt Ccy="{currency}">450.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt>
    <AcctSvcrRef>STRD-1</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>Nowak Hurt S.A.</Nm></Dbtr></RltdPties>
     <RmtInf>
      <Strd>
       <RfrdDocInf><Nb>{first}</Nb></RfrdDocInf>
       <RfrdDocAmt><RmtdAmt Ccy="{currency}">300.00</RmtdAmt></RfrdDocAmt>
      </Strd>
      <Strd>
       <RfrdDocInf><Nb>{second}</Nb></RfrdDocInf>
       <RfrdDocAmt><RmtdAmt Ccy="{currency}">150.00</RmtdAmt></RfrdDocAmt>
      </Strd>
     </RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


@tagged("post_install", "-at_install")
class TestCashApplication(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.company_data["default_journal_bank"]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Nowak Hurt S.A.", "is_company": True, "vat": "PL5260250274"}
        )
        cls.other = cls.env["res.partner"].create({"name": "Zielinski Trade Sp. z o.o.", "is_company": True})
        cls.rule = cls.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments")
        cls.fee_account = cls.company_data["default_account_expense"]
        cls.rule.write(
            {
                "writeoff_account_id": cls.fee_account.id,
                "writeoff_label": "Bank fee",
                "writeoff_tolerance": 5.0,
                "writeoff_tolerance_percent": 1.0,
                "company_id": False,
            }
        )

    def _invoice(self, amount, partner=None, **vals):
        return self._posted_invoice(amount, "2026-11-02", partner or self.customer, **vals)

    def _line(self, amount, ref, journal=None, **vals):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": (journal or self.bank).id,
                "date": "2026-11-20",
                "amount": amount,
                "payment_ref": ref,
                **vals,
            }
        )

    def _receivable(self, invoice):
        return invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def test_exact_reference_reconciles_and_says_why(self):
        invoice = self._invoice(300)
        line = self._line(300, f"Zaplata za fakture {invoice.name}", partner_name="Nowak Hurt SA")
        self.assertEqual(line.ar_auto_reconcile(), {"reconciled": 1, "suggested": 0, "unmatched": 0})
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.ar_match_state, "reconciled")
        self.assertEqual(line.ar_match_rule_id, self.rule)
        self.assertGreaterEqual(line.ar_match_score, 95)
        self.assertIn(invoice.name, line.ar_match_explanation)
        self.assertTrue(any(reason.startswith("ref:") for reason in line.ar_match_reasons))
        partial = self._receivable(invoice).matched_credit_ids
        self.assertEqual(partial.credit_move_id.move_id, line.move_id, "a standard partial reconciliation")
        self.assertEqual(line.partner_id, self.customer)

    def test_rerun_on_reconciled_lines_changes_nothing(self):
        invoice = self._invoice(120)
        line = self._line(120, invoice.name)
        line.ar_auto_reconcile()
        move_lines = line.move_id.line_ids.ids
        self.assertEqual(line.ar_auto_reconcile(), {"reconciled": 0, "suggested": 0, "unmatched": 0})
        self.assertEqual(line.move_id.line_ids.ids, move_lines)

    def test_one_transfer_pays_several_invoices(self):
        first, second = self._invoice(300), self._invoice(150)
        line = self._line(450, f"FV {first.name} oraz {second.name}")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1)
        self.assertEqual((first.payment_state, second.payment_state), ("paid", "paid"))

    def test_bank_fee_within_tolerance_is_written_off(self):
        invoice = self._invoice(500)
        line = self._line(497.50, f"Payment {invoice.name}")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1)
        self.assertEqual(invoice.payment_state, "paid")
        fee = line.move_id.line_ids.filtered(lambda ml: ml.account_id == self.fee_account)
        self.assertRecordValues(fee, [{"debit": 2.5, "name": "Bank fee"}])

    def test_partial_payment_leaves_the_rest_open(self):
        invoice = self._invoice(1000)
        line = self._line(400, f"Czesciowa wplata {invoice.name}")
        line.ar_auto_reconcile()
        self.assertEqual(line.ar_match_state, "reconciled", line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 600)
        self.assertTrue(line.is_reconciled)
        self.assertIn("600.00 left open", line.ar_match_explanation)
        self.assertIn(invoice, self.env["account.move"].search(invoice._ar_open_receivable_domain()))

    def test_partial_payment_policy_switched_off_only_suggests(self):
        self.rule.is_partial_applied = False
        invoice = self._invoice(1000)
        line = self._line(400, f"Czesciowa wplata {invoice.name}")
        self.assertEqual(line.ar_auto_reconcile()["suggested"], 1, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_partial_payment_of_someone_elses_invoice_is_only_suggested(self):
        iban = "PL27114020040000300201355387"
        self.env["res.partner.bank"].create({"acc_number": iban, "partner_id": self.other.id})
        invoice = self._invoice(1000)
        line = self._line(400, f"Czesciowa wplata {invoice.name}", account_number=iban)
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 0)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_short_invoice_numbers_as_customers_write_them(self):
        invoice = self._invoice(321.45)
        year, number = invoice.name.split("/")[-2], int(invoice.name.split("/")[-1])
        line = self._line(321.45, f"Zaplata za fakt. nr {number}/{year}")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "paid")

    def test_duplicate_customer_records_sharing_an_account_pay_by_reference(self):
        iban = "PL27114020040000300201355387"
        twin = self.env["res.partner"].create(
            {"name": "Nowak Hurt S.A. Oddzial", "is_company": True, "vat": "PL5260250274"}
        )
        for partner in self.customer | twin:
            self.env["res.partner.bank"].create({"acc_number": iban, "partner_id": partner.id})
        invoice = self._invoice(870, twin)
        line = self._line(870, "przelew", account_number=iban)
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "paid")

    def test_ksef_number_alone_pays_its_invoice(self):
        if "l10n_pl_edi_number" not in self.env["account.move"]._fields:
            self.skipTest("l10n_pl_edi is not installed")
        invoice = self._invoice(1845)
        number = "5260250274-20261102-0100001AF629"
        number = f"{number}-{crc8(number)}"
        invoice.l10n_pl_edi_number = number
        line = self._line(1845, f"KSeF {number.replace('-', '').lower()}")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertIn(f"KSeF number {number}", line.ar_match_explanation)

    def test_write_offs_are_reported_per_month(self):
        invoice = self._invoice(500)
        line = self._line(497.50, f"Payment {invoice.name}")
        line.ar_auto_reconcile()
        self.assertEqual(line.ar_writeoff_amount, 2.5)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_bank_psd2.ar_statement_line_writeoff_action"
        )
        groups = self.env["account.bank.statement.line"].formatted_read_group(
            safe_eval(action["domain"]), ["date:month"], ["ar_writeoff_amount:sum"]
        )
        self.assertEqual([g["ar_writeoff_amount:sum"] for g in groups], [2.5])
        line.action_ar_undo()
        self.assertEqual(line.ar_writeoff_amount, 0)

    def test_overpayment_stays_as_customer_credit(self):
        invoice = self._invoice(200)
        line = self._line(250, invoice.name)
        line.ar_auto_reconcile()
        self.assertEqual(invoice.payment_state, "paid")
        credit = line.move_id.line_ids.filtered(
            lambda ml: ml.account_type == "asset_receivable" and not ml.reconciled
        )
        self.assertRecordValues(credit, [{"credit": 50.0, "partner_id": self.customer.id}])
        self.assertTrue(line.is_reconciled, "nothing left on the suspense account")

    def test_amount_alone_of_an_unknown_payer_is_not_reconciled(self):
        self._invoice(777, self.customer)
        self._invoice(777, self.other)
        line = self._line(777, "przelew", partner_name="Jan Kowalski")
        counts = line.ar_auto_reconcile()
        self.assertEqual(counts["reconciled"], 0)
        self.assertFalse(line.is_reconciled)
        self.assertIn(line.ar_match_state, ("suggested", "unmatched"))

    def test_two_equally_plausible_invoices_are_only_suggested(self):
        first, second = self._invoice(640), self._invoice(640)
        line = self._line(640, "platnosc", partner_id=self.customer.id)
        self.assertEqual(line.ar_auto_reconcile(), {"reconciled": 0, "suggested": 1, "unmatched": 0})
        self.assertEqual((first.payment_state, second.payment_state), ("not_paid", "not_paid"))
        self.assertTrue(all(s.ambiguous for s in line.ar_suggestion_ids))

    def test_unrelated_credit_is_not_matched(self):
        self._invoice(35.12)
        line = self._line(35.12, "KAPITALIZACJA ODSETEK", partner_name="mBank S.A.")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 0)

    def test_accepting_a_suggestion_reconciles_and_teaches_the_iban(self):
        first = self._invoice(640)
        self._invoice(640)
        iban = "PL27114020040000300201355387"
        line = self._line(640, "platnosc", partner_name="NOWAK HURT", account_number=iban)
        line.ar_auto_reconcile()
        suggestion = line.ar_suggestion_ids.filtered(lambda s: first in s.move_ids)
        suggestion.action_accept()
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(line.ar_match_state, "accepted")
        self.assertEqual(suggestion.state, "accepted")
        self.assertEqual((line.ar_suggestion_ids - suggestion).mapped("state"), ["rejected"])
        self.assertIn(iban, self.customer.bank_ids.mapped("sanitized_acc_number"))
        # The next payment from that account, without any reference, is recognised.
        third = self._invoice(99.90)
        nxt = self._line(99.90, "przelew", account_number=iban)
        self.assertEqual(nxt.ar_auto_reconcile()["reconciled"], 1)
        self.assertEqual(third.payment_state, "paid")
        self.assertIn("partner:iban", nxt.ar_match_reasons)

    def test_manual_match_with_wizard_learns_the_title(self):
        first, second = self._invoice(100), self._invoice(80)
        line = self._line(200, "Oplata abonament serwis kwartalny", partner_name="Someone Else")
        line.ar_auto_reconcile()
        self.assertFalse(line.is_reconciled)
        action = line.action_ar_manual_match()
        wizard = Form(self.env[action["res_model"]].with_context(action["context"]))
        wizard.partner_id = self.customer
        wizard.move_line_ids.add(self._receivable(first))
        wizard.move_line_ids.add(self._receivable(second))
        wizard.save().action_match()
        self.assertEqual((first.payment_state, second.payment_state), ("paid", "paid"))
        self.assertEqual(line.ar_match_state, "manual")
        self.assertIn("abonament serwis kwartalny", self.customer.ar_payment_patterns)
        credit = line.move_id.line_ids.filtered(
            lambda ml: ml.account_type == "asset_receivable" and not ml.reconciled
        )
        self.assertEqual(credit.credit, 20.0, "the excess is the customer's credit")

    def test_undo_reopens_the_invoice(self):
        invoice = self._invoice(300)
        line = self._line(300, invoice.name)
        line.ar_auto_reconcile()
        line.action_ar_undo()
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertFalse(line.is_reconciled)
        self.assertEqual(line.ar_match_state, "unmatched")
        self.env["account.bank.statement.line"]._cron_ar_auto_reconcile()
        self.assertFalse(line.is_reconciled, "an undone line waits for people")

    def test_an_invoice_paid_meanwhile_is_not_paid_twice(self):
        invoice = self._invoice(300)
        first = self._line(300, invoice.name)
        second = self._line(300, invoice.name)
        counts = (first + second).ar_auto_reconcile()
        self.assertEqual(counts["reconciled"], 1)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(len(self._receivable(invoice).matched_credit_ids), 1)
        late = (first + second).filtered(lambda line: not line.is_reconciled)
        self.assertIn(late.ar_match_state, ("suggested", "unmatched"))

    def test_a_stale_suggestion_is_refused_and_nothing_written(self):
        invoice = self._invoice(640)
        self._invoice(640)
        line = self._line(640, "platnosc", partner_id=self.customer.id)
        line.ar_auto_reconcile()
        suggestion = line.ar_suggestion_ids.filtered(lambda s: invoice in s.move_ids)
        self._line(640, invoice.name).ar_auto_reconcile()
        self.assertEqual(invoice.payment_state, "paid")
        move_lines = line.move_id.line_ids.ids
        with self.assertRaisesRegex(UserError, "no longer open"):
            suggestion.action_accept()
        self.assertEqual(line.move_id.line_ids.ids, move_lines)

    def test_rule_books_bank_interest_to_an_account(self):
        income = self.company_data["default_account_revenue"]
        rule = self.env["ar.reconcile.rule"].create(
            {
                "name": "Bank interest",
                "sequence": 1,
                "text_pattern": "KAPITALIZACJA|ODSETK",
                "action": "writeoff",
                "writeoff_account_id": income.id,
            }
        )
        line = self._line(12.34, "KAPITALIZACJA ODSETEK 11/2026")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.ar_match_state, "booked")
        self.assertEqual(line.ar_match_rule_id, rule)
        booked = line.move_id.line_ids.filtered(lambda ml: ml.account_id == income)
        self.assertEqual(booked.credit, 12.34)

    def test_rule_conditions(self):
        rule = self.env["ar.reconcile.rule"].create(
            {
                "name": "Big payments only suggested",
                "sequence": 5,
                "amount_min": 10000,
                "auto_validate": False,
            }
        )
        invoice = self._invoice(20000)
        line = self._line(20000, invoice.name)
        self.assertEqual(line.ar_auto_reconcile(), {"reconciled": 0, "suggested": 1, "unmatched": 0})
        self.assertEqual(line.ar_match_rule_id, rule)
        line.ar_suggestion_ids[0].action_accept()
        self.assertEqual(invoice.payment_state, "paid")
        with self.assertRaisesRegex(Exception, "not a valid regular expression"):
            rule.text_pattern = "FV("

    def test_rf_creditor_reference_matches_exactly(self):
        journal = self.company_data["default_journal_sale"]
        journal.invoice_reference_model = "euro"
        invoice = self._invoice(410)
        self.assertTrue(invoice.payment_reference.startswith("RF"))
        line = self._line(410, f"Przelew {invoice.payment_reference.replace(' ', '')}", partner_name="X")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(any(reason.startswith("rf:") for reason in line.ar_match_reasons))

    def test_camt_referred_documents_split_one_payment(self):
        iban = "PL61109010140000071219812874"
        self.bank.bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": iban, "partner_id": self.company.partner_id.id}
        )
        first, second = self._invoice(300), self._invoice(150)
        data = CAMT_STRD.format(
            iban=iban,
            currency=self.bank.currency_id.name or self.company.currency_id.name,
            first=first.name,
            second=second.name,
        )
        lines = self.bank.ar_import_statement_file(data.encode(), "camt.xml")
        self.assertEqual(len(lines), 1)
        self.assertEqual((first.payment_state, second.payment_state), ("paid", "paid"))
        record = self.env["ar.bank.statement.import"].search([("journal_id", "=", self.bank.id)])
        self.assertEqual((record.reconciled_count, record.unmatched_count), (1, 0))

    def test_foreign_currency_invoice_paid_into_company_currency_account(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 0.25)])
        invoice = self._invoice(100, currency_id=eur.id)
        self.assertEqual(self._receivable(invoice).balance, 400)
        line = self._line(404, f"Invoice {invoice.name}")
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(line.is_reconciled)
        suspense = line.journal_id.suspense_account_id
        self.assertFalse(line.move_id.line_ids.filtered(lambda ml: ml.account_id == suspense))

    def test_queue_menu_and_cron(self):
        invoice = self._invoice(55)
        line = self._line(55, invoice.name)
        self.assertEqual(line.ar_match_state, "new")
        self.env["account.bank.statement.line"]._cron_ar_auto_reconcile()
        self.assertEqual(line.ar_match_state, "reconciled")
        action = self.env.ref("ar_bank_psd2.ar_statement_line_queue_action")
        self.assertTrue(self.env.ref("ar_bank_psd2.ar_statement_line_queue_menu").action == action)
        self.assertTrue(self.env.ref("ar_bank_psd2.ir_cron_ar_auto_reconcile").active)

    def test_lines_of_another_company_use_its_open_items(self):
        other_company = self.setup_other_company()
        invoice = self._invoice(70)
        line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": other_company["default_journal_bank"].id,
                "date": "2026-11-20",
                "amount": 70,
                "payment_ref": invoice.name,
            }
        )
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 0)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_outgoing_lines_are_left_alone(self):
        line = self._line(-50, "Oplata za prowadzenie rachunku")
        self.assertEqual(line.ar_auto_reconcile(), {"reconciled": 0, "suggested": 0, "unmatched": 0})
        self.assertEqual(line.ar_match_state, "outgoing")
        self.assertFalse(line.ar_suggestion_ids)

    def test_cash_application_kpis(self):
        invoice = self._invoice(300)
        self._line(300, invoice.name).ar_auto_reconcile()
        self._line(999, "nic nie pasuje", partner_name="Ktos").ar_auto_reconcile()
        cash = self.env["ar.kpi"].ar_cash_application("2026-11-25", self.company)
        self.assertEqual(
            {key: cash[key] for key in ("received", "auto_reconciled", "auto_rate", "unmatched_count")},
            {"received": 2, "auto_reconciled": 1, "auto_rate": 50.0, "unmatched_count": 1},
        )
        self.assertEqual((cash["unmatched_value"], cash["unmatched_oldest_days"]), (999, 5))
        snapshots = self.env["ar.kpi.snapshot"]._take(date(2026, 11, 25), self.company)
        company_row = snapshots.filtered(lambda s: s.scope == "company")
        self.assertRecordValues(
            company_row, [{"auto_match_rate": 50.0, "unmatched_payments": 1, "unmatched_payment_value": 999}]
        )

    def test_company_currency_invoice_paid_into_a_foreign_currency_account(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 0.25)])
        eur_bank = self.env["account.journal"].create(
            {"name": "Bank EUR", "type": "bank", "code": "BEUR", "currency_id": eur.id}
        )
        invoice = self._invoice(400)
        line = self._line(100, f"Invoice {invoice.name}", journal=eur_bank)
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1, line.ar_match_explanation)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(line.is_reconciled)
