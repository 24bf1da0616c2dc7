import io
from datetime import date
from email.message import EmailMessage
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.service.model import call_kw
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon
from odoo.addons.mail.tests.common import MailCase


@tagged("post_install", "-at_install")
class TestDunningRun(ArTestCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["ar.dunning.policy"].create(
            {
                "name": "Brief",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create(
                        {"name": "Gentle", "offset_days": 1, "channel": "email", "tone": "gentle"}
                    ),
                    Command.create(
                        {"name": "Formal", "offset_days": 7, "channel": "email", "tone": "formal"}
                    ),
                    Command.create({"name": "Call", "offset_days": 14, "channel": "call", "tone": "formal"}),
                ],
            }
        )
        cls.company.ar_dunning_policy_id = cls.policy
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Anna",
                "login": "anna.dunning",
                "email": "anna@seller.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [Command.set(cls.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Kowalski Sp. z o.o.",
                "is_company": True,
                "email": "ap@kowalski.example.com",
                "user_id": cls.salesperson.id,
            }
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Nowak S.A.", "email": "ksiegowosc@nowak.example.com"}
        )
        with freeze_time("2026-03-01"):
            cls.late_2 = cls._posted_invoice(
                100, "2026-02-01", cls.customer, invoice_date_due=date(2026, 3, 29)
            )
            cls.late_9 = cls._posted_invoice(
                250, "2026-02-01", cls.customer, invoice_date_due=date(2026, 3, 22)
            )
            cls.not_due = cls._posted_invoice(
                70, "2026-03-01", cls.customer, invoice_date_due=date(2026, 4, 30)
            )
            cls.other_late = cls._posted_invoice(
                40, "2026-02-01", cls.other, invoice_date_due=date(2026, 3, 30)
            )

    def _run(self, day):
        with freeze_time(day), self.mock_mail_gateway():
            run = self.env["ar.dunning.run"].run_for_date(day)
        return run

    def test_one_reminder_per_customer_listing_all_overdue_invoices(self):
        run = self._run("2026-03-31")
        self.assertEqual(run.state, "done")
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.level_id.name, "Formal", "the highest level any invoice reached")
        self.assertEqual(line.invoice_ids, self.late_9 | self.late_2)
        self.assertEqual(line.amount_overdue, 350)
        self.assertEqual(line.state, "sent")
        mail = line.mail_id
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(self.late_9.name, mail.body_html)
        self.assertIn(self.late_2.name, mail.body_html)
        self.assertNotIn(self.not_due.name, mail.body_html)
        self.assertIn("access_token=", mail.body_html, "each invoice links to its portal page to pay it")
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Formal")
        self.assertEqual(self.late_2.ar_dunning_level_id.name, "Gentle", "an invoice keeps its own level")
        self.assertEqual(len(run.line_ids), 2)
        self.assertEqual(run.sent_count, 2)
        self.assertIn("Payment reminder (Formal", self.customer.message_ids[0].body)

    def test_running_twice_on_the_same_date_sends_nothing_twice(self):
        self._run("2026-03-31")
        again = self._run("2026-03-31")
        self.assertFalse(again.line_ids)
        tomorrow = self._run("2026-04-01")
        self.assertFalse(tomorrow.line_ids)

    def test_the_call_level_creates_a_task_for_the_salesperson(self):
        self._run("2026-03-31")
        run = self._run("2026-04-05")  # late_9 is 14 days late now
        line = run.line_ids
        self.assertEqual((line.partner_id, line.channel, line.state), (self.customer, "call", "done"))
        activity = self.customer.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn(self.late_9.name, activity.note)

    def test_customer_without_email_gets_a_call_task_with_the_reason(self):
        self.customer.email = False
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "done")
        self.assertIn("no e-mail address", line.error)
        self.assertIn("no e-mail address", self.customer.activity_ids.note)

    def test_invoice_on_hold_is_skipped_and_the_reason_shown(self):
        (self.late_2 | self.late_9).ar_dunning_hold_until = date(2026, 4, 3)
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "paused")
        self.assertIn("on hold until 2026-04-03", line.pause_reasons)
        self.assertFalse(line.invoice_ids)
        self.assertFalse(self.late_9.ar_dunning_level_id)

    def test_preview_sends_nothing_and_changes_nothing(self):
        with freeze_time("2026-03-31"), self.mock_mail_gateway():
            preview = self.env["ar.dunning.run"].run_for_date("2026-03-31", send=False)
        self.assertEqual(preview.state, "preview")
        self.assertEqual(set(preview.line_ids.mapped("state")), {"draft"})
        self.assertIn(
            "reached level +7d", preview.line_ids.filtered(lambda ln: ln.partner_id == self.customer).reason
        )
        self.assertFalse(self.late_9.ar_dunning_level_id)
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "ar.dunning.line")]))
        with freeze_time("2026-03-31"), self.mock_mail_gateway():
            preview.action_send()
        self.assertEqual(preview.state, "superseded")
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Formal")

    def test_paid_invoice_leaves_the_chase(self):
        self._register_payment(self.late_9)
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.invoice_ids, self.late_2)
        self.assertEqual(line.level_id.name, "Gentle")

    def test_two_runs_cannot_overlap(self):
        self.env["ar.dunning.run"]._lock_runs()
        with self.registry.cursor() as other_cr:
            other_env = self.env(cr=other_cr)
            with self.assertRaisesRegex(UserError, "Another dunning run is in progress"):
                other_env["ar.dunning.run"]._lock_runs()

    def test_the_daily_job_leaves_a_run_in_progress_alone(self):
        self.env["ar.dunning.run"]._lock_runs()
        with self.registry.cursor() as other_cr:
            # Another server's job: its own transaction, as the cron's user (the test's users exist only in
            # this test's uncommitted transaction).
            other_env = self.env(cr=other_cr, user=self.env.ref("base.user_root").id)
            runs = other_env["ar.dunning.run"].search_count([])
            self.assertTrue(other_env["ar.dunning.run"]._cron_run(), "no error: the job ends")
            self.assertEqual(other_env["ar.dunning.run"].search_count([]), runs, "no run started")

    def test_overdue_below_the_minimum_is_skipped_with_the_reason(self):
        self.policy.level_ids.min_overdue_amount = 1000
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "skipped")
        self.assertIn("below the levels' minimum amounts", line.reason)
        self.assertFalse(line.mail_id)

    def test_an_open_dispute_pauses_every_channel_and_rejection_resumes_without_reset(self):
        self._run("2026-03-24")  # late_9 (due 22/3) reaches Gentle
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Gentle")
        dispute = self.env["ar.dispute"]._ar_open_for(self.late_9, reason="quantity")
        self.assertTrue(self.late_9.ar_dunning_paused)
        # While open, no level (email, then call) lists the invoice, and the reason is shown.
        for day in ("2026-03-31", "2026-04-06"):
            line = self._run(day).line_ids.filtered(lambda ln: ln.partner_id == self.customer)
            self.assertNotIn(self.late_9, line.invoice_ids, day)
            self.assertIn(self.late_9, line.paused_invoice_ids, day)
            self.assertIn(f"disputed ({dispute.name})", line.pause_reasons, day)
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Gentle", "no level raised while disputed")
        self.assertFalse(self.customer.activity_ids.filtered(lambda a: self.late_9.name in (a.note or "")))
        dispute.action_reject()
        # Resumed where it stopped, the clock not reset: 16 days late now, straight to the call level.
        line = self._run("2026-04-07").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertIn(self.late_9, line.invoice_ids)
        self.assertEqual(line.level_id.name, "Call")
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Call")

    def test_a_pending_promise_pauses_until_its_date_and_grace(self):
        self.company.ar_promise_grace_days = 2
        self.env["ar.payment.promise"].create(
            {"invoice_id": self.late_9.id, "date_promised": date(2026, 4, 1)}
        )
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.invoice_ids, self.late_2)
        self.assertIn("payment promised for 2026-04-01", line.pause_reasons)
        self.assertFalse(self._run("2026-04-03").line_ids.filtered(lambda ln: self.late_9 in ln.invoice_ids))
        with freeze_time("2026-04-04"):
            self.env["ar.payment.promise"]._cron_check_promises()
        self.assertEqual(self.late_9.ar_promise_ids.state, "broken")
        line = self._run("2026-04-05").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertIn(self.late_9, line.invoice_ids)

    def test_a_complaint_replying_to_a_reminder_disputes_the_invoice_it_names(self):
        run = self._run("2026-03-31")
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        reminder = line.mail_id.mail_message_id
        self.assertTrue(reminder.message_id)
        reply = EmailMessage()
        reply["From"] = "Kowalski <ap@kowalski.example.com>"
        reply["To"] = "billing@company.example.com"
        reply["Subject"] = "Re: Payment reminder"
        reply["Message-Id"] = "<complaint-1@kowalski.example.com>"
        reply["In-Reply-To"] = reminder.message_id
        reply.set_content(f"Dzień dobry, na fakturze {self.late_9.name} jest błędna ilość. Reszta OK.")
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(False, reply.as_bytes())
        self.assertTrue(self.late_9.ar_dunning_paused)
        self.assertFalse(self.late_2.ar_dunning_paused, "only the invoice the customer names")
        self.assertEqual(self.late_9.ar_dispute_ids.reason, "quantity")
        self.assertTrue(
            line.message_ids.filtered(lambda m: m.message_type == "email"), "kept on the reminder"
        )

    def test_a_promise_replying_to_a_reminder_covers_all_its_invoices(self):
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        reply = EmailMessage()
        reply["From"] = "ap@kowalski.example.com"
        reply["To"] = "billing@company.example.com"
        reply["Subject"] = "Re: Payment reminder"
        reply["Message-Id"] = "<promise-1@kowalski.example.com>"
        reply["In-Reply-To"] = line.mail_id.mail_message_id.message_id
        reply.set_content("Zapłacimy w piątek.")
        with freeze_time("2026-03-31"), self.mock_mail_gateway():
            self.env["mail.thread"].message_process(False, reply.as_bytes())
        self.assertEqual((self.late_9 | self.late_2).mapped("ar_promise_date"), [date(2026, 4, 3)] * 2)

    def test_levels_adding_fees_claim_interest_and_compensation_then_invoice_them(self):
        self.policy.level_ids.filtered(lambda lv: lv.offset_days == 7).adds_fees = True
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 0.25)])  # 1 EUR = 4 company units
        self.assertEqual(eur._convert(40, self.company.currency_id, self.company, date(2026, 2, 28)), 160)
        self.env["ar.interest.rate"].create(
            {
                "country_id": self.company.country_id.id or self.env.ref("base.pl").id,
                "date_from": date(2026, 1, 1),
                "rate": 14.25,
            }
        )
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.level_id.name, "Formal")
        fees = {fee.move_id: fee for fee in line.fee_ids}
        self.assertEqual(set(fees), {self.late_9, self.late_2})
        # 250 late 9 days at 14.25 %: 250 * 0.1425 * 9 / 365 = 0.88; compensation 40 EUR = 160.
        self.assertRecordValues(fees[self.late_9], [{"days_late": 9, "interest": 0.88, "compensation": 160}])
        self.assertIn("compensation for recovery costs", line.mail_id.body_html)
        action = line.action_invoice_fees()
        fee_invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(fee_invoice.partner_id, self.customer)
        self.assertAlmostEqual(fee_invoice.amount_total, line.fee_total)
        self.assertEqual(line.fee_ids.invoice_id, fee_invoice)
        with self.assertRaises(UserError):
            line.action_invoice_fees()
        # The compensation is charged once per invoice: the next fee reminder claims interest only.
        again = self._run("2026-04-05")
        call = again.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertFalse(call.fee_ids, "the call level adds no fees")

    def test_reminder_lists_credits_and_the_net_amount(self):
        with freeze_time("2026-03-01"):
            self._posted_invoice(30, "2026-03-01", self.customer, move_type="out_refund")
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.amount_net, 320)
        self.assertIn("Net amount due", line.mail_id.body_html)

    def test_ab_variants_are_drawn_by_weight_recorded_and_compared(self):
        gentle = self.policy.level_ids.filtered(lambda lv: lv.offset_days == 1)
        standard = self.env.ref("ar_dunning.mail_template_dunning_reminder")
        short = standard.copy({"name": "Short reminder", "subject": "Short: invoices due"})
        variants = self.env["ar.dunning.variant"].create(
            [
                {"level_id": gentle.id, "name": "A: standard", "template_id": standard.id, "weight": 1},
                {"level_id": gentle.id, "name": "B: short", "template_id": short.id, "weight": 1},
            ]
        )
        customers = self.env["res.partner"].create(
            [{"name": f"Klient {n}", "email": f"klient{n}@example.com"} for n in range(40)]
        )
        with freeze_time("2026-03-01"):
            invoices = self.env["account.move"]
            for customer in customers:
                invoices |= self._posted_invoice(
                    100, "2026-02-01", customer, invoice_date_due=date(2026, 3, 30)
                )
        run = self._run("2026-03-31")
        lines = run.line_ids.filtered(lambda ln: ln.partner_id in customers)
        drawn = {variant: lines.filtered(lambda ln, v=variant: ln.variant_id == v) for variant in variants}
        self.assertEqual(sum(len(group) for group in drawn.values()), 40)
        self.assertTrue(all(10 <= len(group) <= 30 for group in drawn.values()), "roughly half each")
        self.assertTrue(all(line.mail_id.subject == "Short: invoices due" for line in drawn[variants[1]]))
        # The same customer draws the same variant when the run is decided again.
        again = self.env["ar.dunning.run"].run_for_date("2026-03-31", send=False)
        self.assertFalse(again.line_ids.filtered(lambda ln: ln.partner_id in customers), "already reminded")
        # Pay the invoices of variant B's reminders 5 days after the reminder.
        lines_b = run.line_ids.filtered(lambda ln: ln.variant_id == variants[1])
        for invoice in lines_b.invoice_ids:
            self._register_payment(invoice, payment_date=date(2026, 4, 5))
        self.env.flush_all()
        report = {row.variant_id: row for row in self.env["ar.dunning.variant.report"].search([])}
        self.assertEqual(report[variants[1]].reminder_count, len(lines_b))
        self.assertEqual(report[variants[1]].invoice_count, len(lines_b.invoice_ids))
        self.assertEqual(report[variants[1]].paid_within_rate, 100)
        self.assertEqual(report[variants[1]].mean_days_to_pay, 5)
        self.assertEqual(report[variants[0]].paid_within_count, 0)

    def test_opted_out_customers_are_paused_with_the_reason(self):
        self.customer.ar_dunning_opt_out = True
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "paused")
        self.assertIn("receives no reminders", line.pause_reasons)

    def test_preferred_channel_replaces_the_levels_email(self):
        self.customer.write({"ar_dunning_channel": "letter"})
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual((line.channel, line.state), ("letter", "sent"))
        self.assertFalse(line.mail_id)
        letter = self.env["ir.attachment"].search(
            [("res_model", "=", "ar.dunning.line"), ("res_id", "=", line.id)]
        )
        self.assertEqual(len(letter), 1)
        self.assertIn(self.late_9.name, letter.raw.decode(errors="replace"), "the letter lists the invoices")
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Formal")

    def test_escalation_stops_contact_and_exports_the_file(self):
        self.policy.level_ids.filtered(lambda lv: lv.offset_days == 14).channel = "escalation"
        self._run("2026-03-31")
        line = self._run("2026-04-05").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual((line.channel, line.state), ("escalation", "done"))
        self.assertEqual(self.customer.ar_escalated_date, date(2026, 4, 5))
        export = self.env["ir.attachment"].search(
            [("res_model", "=", "ar.dunning.line"), ("res_id", "=", line.id)]
        )
        book = openpyxl.load_workbook(io.BytesIO(export.raw))
        self.assertEqual(book.sheetnames, ["Invoices", "Reminders", "Contacts"])
        invoices = [row[0] for row in book["Invoices"].iter_rows(min_row=2, values_only=True)]
        self.assertIn(self.late_9.name, invoices)
        self.assertTrue(self.customer.activity_ids.filtered(lambda a: "collection file" in a.summary))
        later = self._run("2026-04-30").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(later.state, "paused")
        self.assertIn("handed over to collections", later.pause_reasons)

    def test_sms_wait_for_the_end_of_the_quiet_hours(self):
        self.policy.level_ids.channel = "sms"
        self.customer.phone = "+48 600 100 200"
        self.company.partner_id.tz = "Europe/Warsaw"
        self.company.write({"ar_quiet_start": 20.0, "ar_quiet_end": 8.0, "ar_quiet_weekends": True})
        with freeze_time("2026-03-31 19:30"), self.mock_mail_gateway():  # 21:30 in Warsaw
            run = self.env["ar.dunning.run"].run_for_date("2026-03-31")
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "draft")
        self.assertIn("quiet hours", line.error)
        self.assertFalse(self.late_9.ar_dunning_level_id, "not reminded yet")
        with freeze_time("2026-04-01 05:00"):  # 07:00 in Warsaw: still quiet
            self.env["ar.dunning.line"]._cron_send_postponed()
        self.assertEqual(line.state, "draft")
        with freeze_time("2026-04-01 07:00"):  # 09:00
            self.env["ar.dunning.line"]._cron_send_postponed()
        self.assertEqual(line.state, "sent")
        self.assertEqual(self.late_9.ar_dunning_level_id.name, "Formal")

    def test_a_run_killed_midway_leaves_nothing_and_runs_again_once(self):
        class Killed(BaseException):  # the worker is killed: nothing catches it
            pass

        def crash(lines):
            raise Killed

        with self.assertRaises(Killed), self.env.cr.savepoint(), freeze_time("2026-03-31"):
            with patch.object(type(self.env["ar.dunning.line"]), "_note_on_customers", crash):
                self.env["ar.dunning.run"].run_for_date("2026-03-31")
        self.env.invalidate_all()
        self.assertFalse(self.late_9.ar_dunning_level_id)
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "ar.dunning.line")]))
        run = self._run("2026-03-31")
        self.assertEqual(len(run.line_ids.filtered(lambda ln: ln.partner_id == self.customer).mail_id), 1)
        self.assertFalse(self._run("2026-03-31").line_ids)

    def test_a_payment_seen_on_the_bank_but_not_reconciled_pauses_the_customer(self):
        with freeze_time("2026-03-30"):
            self.env["account.bank.statement.line"].create(
                {
                    "journal_id": self.company_data["default_journal_bank"].id,
                    "date": date(2026, 3, 30),
                    "payment_ref": "przelew za faktury",
                    "partner_id": self.customer.id,
                    "amount": 350,
                }
            )
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "paused")
        self.assertIn("seen on the bank on 2026-03-30 is not reconciled yet", line.pause_reasons)

    def test_a_level_may_also_send_an_sms_with_the_email(self):
        self.policy.level_ids.filtered(lambda lv: lv.offset_days == 7).also_sms = True
        self.customer.phone = "+48 600 100 200"
        self.company.write({"ar_quiet_start": 0.0, "ar_quiet_end": 0.0, "ar_quiet_weekends": False})
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual((line.channel, line.state), ("email", "sent"))
        self.assertTrue(line.mail_id)
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("2 invoice(s) overdue", sms.body)

    def test_a_refused_or_bounced_email_becomes_a_task_with_the_reason(self):
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "sent")
        self.assertTrue(line.mail_id)
        line.mail_id.write({"state": "exception", "failure_reason": "550 mailbox unavailable"})
        self.env["ar.dunning.line"]._cron_send_postponed()
        self.assertEqual(line.state, "error")
        self.assertIn("550 mailbox unavailable", line.error)
        self.assertIn("550 mailbox unavailable", self.customer.activity_ids.note)
        self.assertEqual(self.customer.activity_ids.user_id, self.salesperson)

    def test_a_bounce_on_a_reminder_becomes_a_task(self):
        line = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        line._message_receive_bounce(self.customer.email, self.customer)
        self.assertEqual(line.state, "error")
        self.assertIn("bounced", line.error)
        self.assertTrue(self.customer.activity_ids)

    def test_preview_buttons_work_as_the_web_client_calls_them(self):
        """The list's header buttons are called by the web client with the (empty) selection as ids."""
        with freeze_time("2026-03-31"), self.mock_mail_gateway():
            today = call_kw(self.env["ar.dunning.run"], "action_preview_today", [[]], {})
            tomorrow = call_kw(self.env["ar.dunning.run"], "action_preview_tomorrow", [[]], {})
        previews = self.env["ar.dunning.run"].browse([today["res_id"], tomorrow["res_id"]])
        self.assertEqual(previews.mapped("state"), ["preview", "preview"])
        self.assertEqual(previews.mapped("date"), [date(2026, 3, 31), date(2026, 4, 1)])
        self.assertEqual(today["res_model"], "ar.dunning.run")
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "ar.dunning.line")]))

    def test_a_preview_shows_each_reminder_as_the_customer_would_receive_it(self):
        with freeze_time("2026-03-31"), self.mock_mail_gateway():
            preview = self.env["ar.dunning.run"].run_for_date("2026-03-31", send=False)
            line = preview.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
            self.assertIn(self.late_9.name, line.email_body)
            self.assertIn(self.company.name, line.email_subject)
            self.assertEqual(line.state, "draft")
        sent = self._run("2026-03-31").line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(sent.email_body, sent.mail_id.body_html)
        self.assertIn(self.late_9.name, sent.email_body)

    def test_an_email_the_mail_server_refuses_is_an_error_counted_in_its_run_at_once(self):
        run = self._run("2026-03-31")
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.state, "sent")
        with patch.object(
            type(self.env["ir.mail_server"]),
            "_connect__",
            side_effect=ConnectionRefusedError("Connection refused"),
        ):
            line.mail_id.send()
        self.assertEqual(line.mail_id.state, "exception")
        self.assertEqual(line.state, "error")
        self.assertIn("Connection refused", line.error)
        run.invalidate_recordset(["error_count"])
        self.assertEqual(run.error_count, 1)
        self.assertIn("Connection refused", self.customer.activity_ids.note)
