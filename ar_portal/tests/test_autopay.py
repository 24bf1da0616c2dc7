from datetime import date

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestAutoPay(ArPortalCommon, HttpCase):
    portal_login = "jan.autopay"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls._demo_token(cls.contact)
        with freeze_time("2026-11-01"):
            cls.invoice = cls._posted_invoice(
                300, "2026-11-01", cls.customer, invoice_date_due=date(2026, 11, 23)
            )

    def test_customer_switches_autopay_on_with_consent_and_off(self):
        self.authenticate("jan.autopay", "jan.autopay")
        self.assertIn("o_ar_autopay_form", self.url_open("/my/autopay").text)
        self.assertIn(
            "ar_message=invalid", self._post("/my/autopay/enable", token_id=self.token.id).url, "no consent"
        )
        response = self._post("/my/autopay/enable", token_id=self.token.id, consent="on")
        self.assertIn("ar_message=enabled", response.url)
        self.assertTrue(self.customer.ar_autopay)
        self.assertRecordValues(
            self.customer, [{"ar_autopay_token_id": self.token.id, "ar_autopay_consent_ip": "127.0.0.1"}]
        )
        self.assertIn("I authorise", self.customer.ar_autopay_consent_text)
        self._post("/my/autopay/disable")
        self.assertFalse(self.customer.ar_autopay)

    def test_someone_elses_token_cannot_be_used(self):
        other = self.token.sudo().copy({"partner_id": self.partner_b.id, "provider_ref": "other"})
        self.authenticate("jan.autopay", "jan.autopay")
        self.assertIn(
            "ar_message=invalid", self._post("/my/autopay/enable", token_id=other.id, consent="on").url
        )
        self.assertFalse(self.customer.ar_autopay)

    def test_due_invoices_are_charged_with_a_notice_before(self):
        self.customer._ar_enable_autopay(self.token, self.env.user, "10.0.0.1")
        with freeze_time("2026-11-21 10:00"):
            self.env["account.move"]._cron_ar_autopay()
        self.assertTrue(self.invoice.ar_autopay_noticed)
        self.assertTrue(
            self.invoice.message_ids.filtered(lambda m: "will be charged on 2026-11-23" in m.body)
        )
        self.assertEqual(self.invoice.payment_state, "not_paid")
        with freeze_time("2026-11-23 10:00"):
            self.env["account.move"]._cron_ar_autopay()
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))

    def test_failures_retry_then_hand_over_to_reminders(self):
        self.token.demo_simulated_state = "error"
        self.company.ar_autopay_retry_days = "3,5"
        self.customer._ar_enable_autopay(self.token, self.env.user, "10.0.0.1")
        for day, attempts in (("2026-11-23", 1), ("2026-11-24", 1), ("2026-11-26", 2), ("2026-12-01", 3)):
            with freeze_time(f"{day} 10:00"):
                self.env["account.move"]._cron_ar_autopay()
            self.assertEqual(self.invoice.ar_autopay_attempts, attempts, day)
        self.assertIn("reminders take over", self.invoice.message_ids[0].body)
        with freeze_time("2026-12-10 10:00"):
            self.env["account.move"]._cron_ar_autopay()
        self.assertEqual(self.invoice.ar_autopay_attempts, 3, "no more charges")

    def test_autopay_invoices_wait_for_their_charge_in_the_dunning_run(self):
        self.customer._ar_enable_autopay(self.token, self.env.user, "10.0.0.1")
        self.env["ar.dunning.policy"].create(
            {
                "name": "P",
                "company_id": self.company.id,
                "level_ids": [(0, 0, {"name": "L", "offset_days": 1})],
            }
        )
        with freeze_time("2026-11-25"):
            run = self.env["ar.dunning.run"].run_for_date("2026-11-25", send=False)
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertIn("charged by AutoPay", line.pause_reasons)
