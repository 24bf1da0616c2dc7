from datetime import date
from email.message import EmailMessage

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import MailCase

from .common import ArTestCommon


def raw_reply(parent, email_from, text=None, html=None, attachments=(), subject="Re: Invoice"):
    """An RFC 822 reply to the mail.message ``parent`` (In-Reply-To its Message-Id), as bytes."""
    msg = EmailMessage()
    msg["From"] = email_from
    msg["To"] = "billing@company.example.com"
    msg["Subject"] = subject
    msg["Message-Id"] = f"<reply-{parent.id}-{abs(hash((email_from, text, html)))}@customer.example.com>"
    msg["In-Reply-To"] = parent.message_id
    msg["References"] = parent.message_id
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


@tagged("post_install", "-at_install")
class TestDisputes(ArTestCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Anna Handlowiec",
                "login": "anna.disputes",
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
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jan Kowalski", "parent_id": cls.customer.id, "email": "jan@kowalski.example.com"}
        )
        with freeze_time("2026-11-02"):
            cls.invoice = cls._posted_invoice(
                1000, "2026-11-02", cls.customer, invoice_date_due=date(2026, 11, 16)
            )
            cls.invoice_2 = cls._posted_invoice(
                500, "2026-11-02", cls.customer, invoice_date_due=date(2026, 11, 16)
            )
        cls.sent = cls.invoice.message_post(
            body="Invoice sent", message_type="comment", partner_ids=cls.customer.ids
        )
        cls.sent_2 = cls.invoice_2.message_post(
            body="Invoice sent", message_type="comment", partner_ids=cls.customer.ids
        )

    def _process(self, raw):
        with self.mock_mail_gateway():
            return self.env["mail.thread"].message_process(False, raw)

    def test_complaint_reply_opens_a_dispute_for_the_salesperson_and_pauses_reminders(self):
        with freeze_time("2026-11-23 09:00"):
            self._process(
                raw_reply(
                    self.sent,
                    "Jan Kowalski <jan@kowalski.example.com>",
                    "Dzień dobry, błędna ilość na fakturze.",
                )
            )
        dispute = self.invoice.ar_dispute_ids
        self.assertEqual(len(dispute), 1)
        self.assertRecordValues(
            dispute,
            [
                {
                    "partner_id": self.customer.id,
                    "reason": "quantity",
                    "user_id": self.salesperson.id,
                    "stage": "new",
                    "origin": "mail",
                    "amount_disputed": 1000.0,
                    "date_deadline": date(2026, 11, 28),
                }
            ],
        )
        self.assertTrue(dispute.name.startswith("DSP/2026/"))
        self.assertTrue(self.invoice.ar_dunning_paused)
        self.assertFalse(self.invoice_2.ar_dunning_paused)
        activity = dispute.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.activity_type_id, self.env.ref("ar_automation.mail_activity_type_dispute"))
        # The customer's e-mail stays in the invoice's chatter, followed by the note naming the rule.
        messages = self.invoice.message_ids
        self.assertTrue(messages.filtered(lambda m: m.message_type == "email" and "błędna ilość" in m.body))
        note = messages.filtered(lambda m: "Complaint recognised by rule" in m.body)
        self.assertIn("bledna ilosc", note.body)
        self.assertIn(dispute.name, note.body)
        reply = dispute.reply_ids
        self.assertEqual(reply.state, "applied")
        self.assertEqual(reply.rule_id, self.env.ref("ar_automation.ar_reply_rule_dispute_pl_bledna_ilosc"))

    def test_a_second_complaint_updates_the_open_dispute(self):
        self._process(raw_reply(self.sent, "ap@kowalski.example.com", "Reklamacja: towar uszkodzony."))
        self._process(
            raw_reply(self.sent, "jan@kowalski.example.com", "Wrong quantity too!", subject="Re: again")
        )
        self.assertEqual(len(self.invoice.ar_dispute_ids), 1)
        self.assertEqual(len(self.invoice.ar_dispute_ids.reply_ids), 2)

    def test_promise_reply_is_recorded_with_its_date_not_as_a_dispute(self):
        with freeze_time("2026-11-23 09:00"):
            self._process(raw_reply(self.sent, "ap@kowalski.example.com", "Zapłacimy w piątek, pozdrawiam."))
        self.assertFalse(self.invoice.ar_dispute_ids)
        self.assertFalse(self.invoice.ar_dunning_paused)
        promise = self.invoice.ar_promise_ids
        self.assertRecordValues(
            promise, [{"date_promised": date(2026, 11, 27), "state": "pending", "origin": "mail"}]
        )
        self.assertEqual(self.invoice.ar_promise_date, date(2026, 11, 27))

    def test_promises_are_kept_or_broken_by_the_daily_check(self):
        promises = self.env["ar.payment.promise"].create(
            [
                {"invoice_id": self.invoice.id, "date_promised": date(2026, 11, 20)},
                {"invoice_id": self.invoice_2.id, "date_promised": date(2026, 11, 20)},
            ]
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice_2.ids
        ).create({"payment_date": date(2026, 11, 19)})._create_payments()
        with freeze_time("2026-11-23 12:00"):  # grace: 3 days, until the 23rd included
            self.env["ar.payment.promise"]._cron_check_promises()
        self.assertEqual(promises.mapped("state"), ["pending", "kept"])
        with freeze_time("2026-11-24 12:00"):
            self.env["ar.payment.promise"]._cron_check_promises()
        self.assertEqual(promises.mapped("state"), ["broken", "kept"])
        self.assertFalse(self.invoice.ar_promise_date)
        self.assertTrue(self.invoice.message_ids.filtered(lambda m: "did not arrive" in m.body))

    def test_a_new_promise_replaces_the_pending_one(self):
        first = self.env["ar.payment.promise"].create(
            {"invoice_id": self.invoice.id, "date_promised": date(2026, 11, 20)}
        )
        self.env["ar.payment.promise"].create(
            {"invoice_id": self.invoice.id, "date_promised": date(2026, 11, 30)}
        )
        self.assertEqual(first.state, "replaced")
        self.assertEqual(self.invoice.ar_promise_date, date(2026, 11, 30))

    def test_replies_from_strangers_wait_for_review(self):
        self._process(
            raw_reply(self.sent, "Mallory <mallory@evil.example.com>", "Reklamacja, proszę o korektę.")
        )
        self.assertFalse(self.invoice.ar_dispute_ids)
        self.assertFalse(self.invoice.ar_dunning_paused)
        reply = self.env["ar.customer.reply"].search([("invoice_ids", "in", self.invoice.ids)])
        self.assertEqual(reply.state, "review")
        self.assertIn("mallory@evil.example.com", reply.review_reason)
        self.assertTrue(self.invoice.message_ids.filtered(lambda m: "waits in Customer Replies" in m.body))
        reply.action_apply()
        self.assertEqual(reply.state, "applied")
        self.assertTrue(self.invoice.ar_dunning_paused)
        with self.assertRaises(UserError):
            reply.action_dismiss()

    def test_same_domain_counts_as_the_customer_public_webmail_does_not(self):
        self._process(raw_reply(self.sent, "ksiegowa@kowalski.example.com", "Reklamacja"))
        self.assertTrue(self.invoice.ar_dunning_paused)
        self.customer.email = "kowalski@gmail.com"
        self.contact.email = False
        self._process(raw_reply(self.sent_2, "someone@gmail.com", "Reklamacja"))
        self.assertFalse(self.invoice_2.ar_dunning_paused)

    def test_difficult_mail_has_a_defined_outcome(self):
        cases = [
            (
                "html only",
                dict(html="<html><body><p>Towar <b>uszkodzony</b>, <i>reklamacja</i>!</p></body></html>"),
                True,
            ),
            ("attachments only", dict(attachments=[("scan.pdf", b"%PDF-1.4 reklamacja")]), False),
            ("empty", dict(text=""), False),
            ("other language", dict(text="Bitte korrigieren Sie die Menge auf der Rechnung."), False),
            ("huge", dict(text="Dzień dobry. " * 80_000 + "\nReklamacja."), False),
            ("huge complaint", dict(text="Reklamacja.\n" + "x " * 500_000), True),
            ("bad charset", dict(text="Reklamacja: b\udce9dna ilo\udcb6\udce6"), True),
        ]
        for label, parts, opens in cases:
            with self.subTest(label):
                invoice = self._posted_invoice(
                    100, "2026-11-02", self.customer, invoice_date_due=date(2026, 11, 16)
                )
                sent = invoice.message_post(
                    body="Invoice sent", message_type="comment", partner_ids=self.customer.ids
                )
                raw = (
                    raw_reply(sent, "ap@kowalski.example.com", **parts)
                    if "bad" not in label
                    else (
                        raw_reply(sent, "ap@kowalski.example.com", "placeholder").replace(
                            b"placeholder", "Reklamacja: błędna ilość".encode("cp1250")
                        )
                    )
                )
                self._process(raw)
                self.assertTrue(invoice.message_ids.filtered(lambda m: m.message_type == "email"), label)
                self.assertEqual(invoice.ar_dunning_paused, opens, label)

    def test_internal_users_replies_are_not_read(self):
        self.env.user.email = "ksiegowosc@company.example.com"
        self._process(raw_reply(self.sent, "ksiegowosc@company.example.com", "Reklamacja"))
        self.assertTrue(self.invoice.message_ids.filtered(lambda m: m.message_type == "email"))
        self.assertFalse(self.invoice.ar_dispute_ids)
        self.assertFalse(self.env["ar.customer.reply"].search([("invoice_ids", "in", self.invoice.ids)]))

    def test_dispute_opened_by_hand_from_the_invoice(self):
        action = self.invoice.action_ar_open_dispute()
        with Form(self.env["ar.dispute"].with_context(action["context"])) as form:
            form.reason = "price"
            form.description = "Cena niezgodna z ofertą"
        dispute = form.save()
        self.assertEqual(dispute.invoice_ids, self.invoice)
        self.assertEqual(dispute.origin, "manual")
        self.assertEqual(dispute.user_id, self.salesperson)
        self.assertTrue(self.invoice.ar_dunning_paused)
        self.assertEqual(self.invoice.ar_dispute_count, 1)

    def test_owner_falls_back_to_the_dispute_team(self):
        team = self.env["crm.team"].create(
            {"name": "Reklamacje", "user_id": self.env.user.id, "company_id": self.company.id}
        )
        self.company.ar_dispute_team_id = team
        self.customer.user_id = False
        dispute = self.env["ar.dispute"]._ar_open_for(self.invoice, reason="delivery")
        self.assertEqual(dispute.user_id, self.env.user)
        self.assertEqual(dispute.team_id, team)

    def test_credit_note_resolves_the_dispute_and_resumes_reminders(self):
        dispute = self.env["ar.dispute"]._ar_open_for(self.invoice, reason="quantity")
        action = dispute.action_create_credit_note()
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.ar_dispute_id, dispute)
        self.assertEqual(dispute.stage, "in_progress")
        credit_note.invoice_line_ids.price_unit = 200  # a partial credit
        credit_note.action_post()
        self.assertEqual(dispute.stage, "resolved_credit")
        self.assertTrue(dispute.date_resolved)
        self.assertFalse(self.invoice.ar_dunning_paused)
        self.assertFalse(dispute.activity_ids)
        self.assertTrue(self.invoice.message_ids.filtered(lambda m: "resolved by credit note" in m.body))

    def test_reject_resumes_and_closed_disputes_cannot_be_closed_twice(self):
        dispute = self.env["ar.dispute"]._ar_open_for(self.invoice | self.invoice_2, reason="price")
        self.assertTrue(self.invoice.ar_dunning_paused and self.invoice_2.ar_dunning_paused)
        dispute.action_reject()
        self.assertEqual(dispute.stage, "rejected")
        self.assertFalse(self.invoice.ar_dunning_paused or self.invoice_2.ar_dunning_paused)
        with self.assertRaises(UserError):
            dispute.action_resolve_correction()
        dispute.action_reopen()
        self.assertTrue(self.invoice.ar_dunning_paused)

    def test_reporting_by_reason_and_owner(self):
        with freeze_time("2026-11-20 10:00"):
            first = self.env["ar.dispute"]._ar_open_for(self.invoice, reason="quantity")
            second = self.env["ar.dispute"]._ar_open_for(self.invoice_2, reason="price")
        with freeze_time("2026-11-22 10:00"):
            first.action_resolve_correction()
        self.assertAlmostEqual(first.resolution_days, 2.0, places=2)
        groups = self.env["ar.dispute"].formatted_read_group(
            [("id", "in", (first | second).ids)], ["reason"], ["amount_disputed:sum", "__count"]
        )
        by_reason = {g["reason"]: (g["amount_disputed:sum"], g["__count"]) for g in groups}
        self.assertEqual(by_reason, {"quantity": (1000.0, 1), "price": (500.0, 1)})
        with freeze_time("2026-12-01"):
            self.assertEqual(self.env["ar.dispute"].search([("sla_overdue", "=", True)]), second)

    def test_a_dispute_needs_a_posted_invoice(self):
        draft = self.init_invoice("out_invoice", partner=self.customer, amounts=[100])
        with self.assertRaises(UserError):
            self.env["ar.dispute"]._ar_open_for(draft)
