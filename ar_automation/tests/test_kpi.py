import io
from datetime import date
from decimal import Decimal

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ArTestCommon


@tagged("post_install", "-at_install")
class TestKpi(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi = cls.env["ar.kpi"]
        cls.other_currency = cls.setup_other_currency("EUR")  # 2 EUR for 1 of the company's currency
        with freeze_time("2026-11-23"):
            cls.not_due = cls._posted_invoice(1000, "2026-11-10", invoice_date_due=date(2026, 12, 10))
            cls.late_10 = cls._posted_invoice(400, "2026-10-14", invoice_date_due=date(2026, 11, 13))
            cls.late_45 = cls._posted_invoice(300, "2026-09-09", invoice_date_due=date(2026, 10, 9))
            cls.late_100 = cls._posted_invoice(200, "2026-07-15", invoice_date_due=date(2026, 8, 15))
            cls.zero = cls._posted_invoice(0, "2026-11-01", invoice_date_due=date(2026, 11, 2))

    def test_aging_buckets_and_totals(self):
        snap = self.kpi.ar_snapshot(date(2026, 11, 23), self.company)
        self.assertEqual(
            snap["buckets"],
            {
                "not_due": Decimal(1000),
                "1_30": Decimal(400),
                "31_60": Decimal(300),
                "61_90": Decimal(0),
                "over_90": Decimal(200),
            },
        )
        self.assertEqual(snap["receivable"], Decimal(1900))
        self.assertEqual(snap["overdue"], Decimal(900))
        self.assertEqual(snap["overdue_ratio"], Decimal("47.4"))
        self.assertIsNotNone(snap["dso"])
        self.assertIsNotNone(snap["best_possible_dso"])
        self.assertLessEqual(snap["best_possible_dso"], snap["dso_simple"])

    def test_credit_notes_and_unallocated_payments_reduce_the_balance_never_overdue(self):
        with freeze_time("2026-11-23"):
            self._posted_invoice(150, "2026-09-01", move_type="out_refund")
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.partner_a.id,
                    "amount": 50,
                    "date": date(2026, 10, 1),
                }
            )
            payment.action_post()
        snap = self.kpi.ar_snapshot(date(2026, 11, 23), self.company)
        self.assertEqual(snap["receivable"], Decimal(1900 - 150 - 50))
        self.assertEqual(snap["overdue"], Decimal(900))
        self.assertEqual(snap["buckets"]["not_due"], snap["receivable"] - Decimal(900))

    def test_aging_as_of_a_past_date_ignores_later_payments(self):
        self._register_payment(self.late_45, payment_date=date(2026, 11, 20))
        today = self.kpi.ar_snapshot(date(2026, 11, 23), self.company)
        before = self.kpi.ar_snapshot(date(2026, 11, 19), self.company)
        self.assertEqual(today["buckets"]["31_60"], Decimal(0))
        self.assertEqual(before["buckets"]["31_60"], Decimal(300))
        self.assertEqual(before["receivable"] - today["receivable"], Decimal(300))
        self.assertEqual(today["average_days_late"], Decimal("42.0"))

    def test_foreign_currency_invoices_count_in_company_currency(self):
        with freeze_time("2026-11-23"):
            self._posted_invoice(
                100,
                "2026-11-20",
                invoice_date_due=date(2026, 12, 20),
                currency_id=self.other_currency.id,
            )
        snap = self.kpi.ar_snapshot(date(2026, 11, 23), self.company)
        self.assertEqual(snap["buckets"]["not_due"], Decimal(1050))

    def test_archived_customers_and_no_history(self):
        self.partner_a.active = False
        self.assertEqual(self.kpi.ar_snapshot(date(2026, 11, 23), self.company)["receivable"], Decimal(1900))
        empty = self.kpi.ar_snapshot(date(2020, 1, 1), self.company)
        self.assertEqual(empty["receivable"], Decimal(0))
        self.assertIsNone(empty["dso_simple"])
        self.assertIsNone(empty["cei"])

    def test_disputed_amount_as_of(self):
        with freeze_time("2026-11-20 10:00"):
            dispute = self.env["ar.dispute"]._ar_open_for(self.late_10, reason="price")
        self.assertEqual(
            self.kpi.ar_snapshot(date(2026, 11, 23), self.company)["disputed_amount"], Decimal(400)
        )
        self.assertEqual(
            self.kpi.ar_snapshot(date(2026, 11, 19), self.company)["disputed_amount"], Decimal(0)
        )
        with freeze_time("2026-11-22 10:00"):
            dispute.action_reject()
        self.assertEqual(
            self.kpi.ar_snapshot(date(2026, 11, 23), self.company)["disputed_amount"], Decimal(0)
        )
        self.assertEqual(
            self.kpi.ar_snapshot(date(2026, 11, 21), self.company)["disputed_amount"], Decimal(400)
        )

    def test_the_aging_opens_on_today_with_its_buckets_in_order(self):
        with freeze_time("2026-11-23"):
            action = self.env["ar.aging.line"].action_open_today()
        self.assertEqual(action["view_mode"].split(",")[0], "graph", "a chart first, no form to fill")
        lines = self.env["ar.aging.line"].with_context(action["context"])
        groups = lines.formatted_read_group(action["domain"], ["bucket"], ["residual:sum"])
        self.assertEqual(
            [(group["bucket"], group["residual:sum"]) for group in groups],
            [("not_due", 1000), ("1_30", 400), ("31_60", 300), ("61_90", 0), ("over_90", 200)],
        )
        stacked = lines.formatted_read_group(action["domain"], ["bucket", "salesperson_id"], ["residual:sum"])
        self.assertEqual([group["bucket"] for group in stacked], ["not_due", "1_30", "31_60", "over_90"])
        self.assertIn("23", action["display_name"])
        self.assertEqual(
            self.env["ar.aging.line"].action_choose_date()["res_model"], "ar.aging.wizard", "another date"
        )

    def test_custom_bucket_edges(self):
        self.company.ar_aging_edges = "15,45"
        snap = self.kpi.ar_snapshot(date(2026, 11, 23), self.company)
        self.assertEqual(list(snap["buckets"]), ["not_due", "1_15", "16_45", "over_45"])
        self.assertEqual(snap["buckets"]["16_45"], Decimal(300))
        with self.assertRaisesRegex(ValidationError, "strictly ascending"):
            self.company.ar_aging_edges = "60,30"

    def test_daily_snapshot_is_stored_once_per_day(self):
        with freeze_time("2026-11-23 20:00"):
            self.env["ar.kpi.snapshot"].sudo()._cron_snapshot()
            self.env["ar.kpi.snapshot"].sudo()._cron_snapshot()
        stored = self.env["ar.kpi.snapshot"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(stored), 1)
        self.assertRecordValues(
            stored,
            [
                {
                    "date": date(2026, 11, 23),
                    "receivable": 1900,
                    "overdue": 900,
                    "bucket_1": 400,
                    "bucket_4": 200,
                }
            ],
        )

    def test_aging_report_as_of_a_date_with_drill_down(self):
        self._register_payment(self.late_45, payment_date=date(2026, 11, 20))
        wizard = self.env["ar.aging.wizard"].create(
            {"as_of": date(2026, 11, 19), "company_id": self.company.id}
        )
        action = wizard.action_open()
        lines = self.env["ar.aging.line"].search(action["domain"])
        self.assertEqual(sorted(lines.mapped("residual")), [200, 300, 400, 1000])
        late_45 = lines.filtered(lambda line: line.move_id == self.late_45)
        self.assertRecordValues(
            late_45, [{"bucket": "31_60", "days_overdue": 41, "partner_id": self.partner_a.id}]
        )
        self.assertEqual(late_45.action_open_document()["res_id"], self.late_45.id)
        groups = self.env["ar.aging.line"].formatted_read_group(
            action["domain"], ["bucket"], ["residual:sum"]
        )
        self.assertEqual(
            {g["bucket"]: g["residual:sum"] for g in groups},
            {
                "not_due": 1000,
                "1_30": 400,
                "31_60": 300,
                "over_90": 200,
            },
        )
        # Asking again replaces the rows: today the paid invoice is gone.
        self.env["ar.aging.wizard"].create({"as_of": date(2026, 11, 23)}).action_open()
        self.assertEqual(len(self.env["ar.aging.line"].search(action["domain"])), 3)

    def test_daily_digest_mails_the_figures_with_the_xlsx_aging(self):
        cfo = self.env["res.users"].create(
            {
                "name": "Ewa CFO",
                "login": "ewa.cfo",
                "email": "cfo@company.example.com",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        self.company.write({"ar_digest_user_ids": [(6, 0, cfo.ids)], "ar_digest_emails": "board@example.com"})
        self.partner_a.vat = False
        with freeze_time("2026-11-23 07:00"):
            dispute = self.env["ar.dispute"]._ar_open_for(self.late_10, reason="price")
            mails = self.company.sudo()._ar_send_digest()
        self.assertEqual(len(mails), 1)
        self.assertIn(cfo.partner_id, mails.recipient_ids)
        self.assertEqual(mails.email_to, "board@example.com")
        body = mails.body_html
        self.assertIn("1,900.00", body)
        self.assertIn("900.00", body)
        self.assertIn(dispute.name, body)
        self.assertIn(self.partner_a.name, body)
        attachment = mails.attachment_ids
        self.assertEqual(len(attachment), 1)
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        self.assertEqual(rows[0][:3], ("Customer", "VAT", "Not due"))
        self.assertEqual(rows[1][0], self.partner_a.name)
        self.assertEqual(rows[1][-1], 1900)

    def test_daily_digest_in_each_recipients_language(self):
        self.env["res.lang"]._activate_lang("pl_PL")
        users = self.env["res.users"].create(
            [
                {
                    "name": name,
                    "login": login,
                    "email": f"{login}@company.example.com",
                    "lang": lang,
                    "company_id": self.company.id,
                    "company_ids": [(6, 0, self.company.ids)],
                }
                for name, login, lang in (("Ewa", "ewa.pl", "pl_PL"), ("John", "john.en", "en_US"))
            ]
        )
        self.company.write({"ar_digest_user_ids": [(6, 0, users.ids)], "ar_digest_emails": False})
        with freeze_time("2026-11-23 07:00"):
            mails = self.company.sudo()._ar_send_digest()
        self.assertEqual(len(mails), 2, "one e-mail per language")
        polish = mails.filtered(lambda m: m.recipient_ids == users[0].partner_id)
        english = mails.filtered(lambda m: m.recipient_ids == users[1].partner_id)
        self.assertIn("23.11.2026", polish.body_html, "the date in the Polish format")
        self.assertIn("900,00", polish.body_html, "amounts in the Polish format (decimal comma)")
        self.assertIn("11/23/2026", english.body_html)
        self.assertIn("1,900.00", english.body_html)

    def test_the_daily_digest_job_sends_the_days_digest_once(self):
        """A second run of the job the same day (another worker, a manual run) sends nothing more; the next
        day's run sends the next digest (tests/test_concurrency.py runs it in two processes at once)."""
        self.company.write({"ar_digest_emails": "board@example.com"})
        digests = self.env["mail.mail"].search(
            [("model", "=", "res.company"), ("res_id", "=", self.company.id)]
        )
        for day, expected in (("2026-11-23 07:00", 1), ("2026-11-23 09:00", 1), ("2026-11-24 07:00", 2)):
            with freeze_time(day):
                self.env["res.company"]._cron_ar_digest()
            sent = self.env["mail.mail"].search(
                [("model", "=", "res.company"), ("res_id", "=", self.company.id)]
            )
            self.assertEqual(len(sent - digests), expected, day)

    def test_no_recipients_no_digest(self):
        self.assertFalse(self.company.sudo()._ar_send_digest())

    def test_collection_forecast_from_payment_history_promises_and_disputes(self):
        # partner_a paid three invoices 10 days late each.
        for day in (1, 8, 15):
            invoice = self._posted_invoice(100, f"2026-06-{day:02d}", invoice_date_due=date(2026, 7, day))
            self._register_payment(invoice, payment_date=date(2026, 7, day + 10))
        late_customer = self.partner_b
        with freeze_time("2026-11-23"):
            newcomer = self._posted_invoice(
                70, "2026-11-20", partner=late_customer, invoice_date_due=date(2026, 12, 20)
            )
            self.env["ar.payment.promise"].create(
                {"invoice_id": self.late_45.id, "date_promised": date(2026, 11, 27)}
            )
            self.env["ar.dispute"]._ar_open_for(self.late_100, reason="quality")
            action = self.env["ar.forecast.line"].action_open()
        lines = self.env["ar.forecast.line"].search(action["domain"])
        by_move = {line.move_id: line for line in lines}
        self.assertRecordValues(
            by_move[self.not_due], [{"expected_date": date(2026, 12, 20), "basis": "history", "delay": 10}]
        )
        self.assertEqual(by_move[self.late_10].expected_date, date(2026, 11, 23), "late: from today on")
        self.assertRecordValues(
            by_move[self.late_45], [{"expected_date": date(2026, 11, 27), "basis": "promise"}]
        )
        self.assertRecordValues(
            by_move[self.late_100], [{"expected_date": date(2026, 12, 17), "basis": "dispute"}]
        )
        # A customer without history gets the company's average delay (10 days here).
        self.assertRecordValues(
            by_move[newcomer], [{"expected_date": date(2026, 12, 30), "basis": "fallback"}]
        )
        self.assertNotIn(self.zero, by_move)
        self.assertIn("accuracy", action["display_name"])

    def test_long_overdue_debt_is_not_expected_today(self):
        for day in (1, 8, 15):  # the company's customers pay 10 or 60 days late
            invoice = self._posted_invoice(100, f"2026-06-{day:02d}", invoice_date_due=date(2026, 7, day))
            self._register_payment(invoice, payment_date=date(2026, 7, day + 10))
        invoice = self._posted_invoice(100, "2026-05-01", invoice_date_due=date(2026, 6, 1))
        self._register_payment(invoice, payment_date=date(2026, 7, 31))
        with freeze_time("2026-11-23"):
            action = self.env["ar.forecast.line"].action_open()
        by_move = {line.move_id: line for line in self.env["ar.forecast.line"].search(action["domain"])}
        # 45 days late: a quarter of the paid amount was paid later (60 days): 15 more days
        self.assertRecordValues(
            by_move[self.late_45], [{"basis": "late", "expected_date": date(2026, 12, 8), "delay": 60}]
        )
        # 100 days late: later than any invoice ever paid, not in this week's cash
        self.assertEqual(by_move[self.late_100].basis, "doubtful")
        self.assertGreater(by_move[self.late_100].expected_date, date(2027, 2, 15))

    def test_worklist_ranks_what_needs_a_person_today(self):
        for day in (1, 8, 15):  # partner_b used to pay on time, now pays 30 days late
            invoice = self._posted_invoice(
                100, f"2026-01-{day:02d}", partner=self.partner_b, invoice_date_due=date(2026, 2, day)
            )
            self._register_payment(invoice, payment_date=date(2026, 2, day))
            recent = self._posted_invoice(
                100, f"2026-08-{day:02d}", partner=self.partner_b, invoice_date_due=date(2026, 9, day)
            )
            self._register_payment(recent, payment_date=date(2026, 10, day))
        with freeze_time("2026-11-23"):
            promise = self.env["ar.payment.promise"].create(
                {"invoice_id": self.late_45.id, "date_promised": date(2026, 11, 15)}
            )
            promise.state = "broken"
            dispute = self.env["ar.dispute"]._ar_open_for(self.late_10, reason="price")
            action = self.env["ar.worklist.item"].action_open()
        items = self.env["ar.worklist.item"].search(action["domain"])
        kinds = {item.kind: item for item in items}
        self.assertEqual(set(kinds), {"broken_promise", "dispute", "large_overdue", "worsened"})
        self.assertEqual(kinds["broken_promise"].res_id, self.late_45.id)
        self.assertEqual(kinds["dispute"].res_id, dispute.id)
        self.assertEqual(kinds["large_overdue"].partner_id, self.partner_a)
        self.assertEqual(kinds["large_overdue"].amount, 200)
        self.assertEqual(kinds["worsened"].partner_id, self.partner_b)
        self.assertEqual(items[0].score, max(items.mapped("score")), "most urgent first")
        self.assertEqual(kinds["dispute"].action_open_record()["res_id"], dispute.id)
        self.assertIn("200.00", kinds["large_overdue"].why, "money formatted in the company's currency")
        self.assertIn(self.company.currency_id.symbol, kinds["large_overdue"].why)

    def test_the_worklist_never_advises_escalating_disputed_or_promised_debt(self):
        def large_overdue():
            with freeze_time("2026-11-23"):
                action = self.env["ar.worklist.item"].action_open()
            items = self.env["ar.worklist.item"].search(action["domain"])
            return items.filtered(lambda item: item.kind == "large_overdue")

        self.assertEqual(large_overdue().amount, 200)
        with freeze_time("2026-11-23"):
            dispute = self.env["ar.dispute"]._ar_open_for(self.late_100, reason="quality")
        self.assertFalse(large_overdue(), "disputed: resolve the dispute, do not escalate")
        dispute.action_reject()
        with freeze_time("2026-11-23"):
            self.env["ar.payment.promise"].create(
                {"invoice_id": self.late_100.id, "date_promised": date(2026, 11, 30)}
            )
        self.assertFalse(large_overdue(), "promised for next week: wait for the promise")
