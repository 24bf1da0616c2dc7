from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestAutoPayPaymentPlan(ArPortalCommon):
    portal_login = "jan.autopay.plan"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls._demo_token(cls.contact)
        with freeze_time("2026-10-01"):
            cls.first = cls._posted_invoice(
                600, "2026-10-01", cls.customer, invoice_date_due=date(2026, 10, 15)
            )
            cls.second = cls._posted_invoice(
                400, "2026-10-01", cls.customer, invoice_date_due=date(2026, 10, 20)
            )
        cls.customer._ar_enable_autopay(cls.token, cls.env.user, "10.0.0.1")
        with freeze_time("2026-10-10"):
            cls.plan = cls.env["ar.payment.plan"].create(
                {
                    "partner_id": cls.customer.id,
                    "invoice_ids": [Command.set((cls.first | cls.second).ids)],
                    "line_ids": [
                        Command.create({"date": date(2026, 11, 10), "amount": 500}),
                        Command.create({"date": date(2026, 12, 10), "amount": 500}),
                    ],
                }
            )
            cls.plan.action_approve()

    def _cron(self, day):
        with freeze_time(f"{day} 10:00"):
            self.env["account.move"]._cron_ar_autopay()

    def _transactions(self):
        return self.env["payment.transaction"].search([("partner_id", "=", self.customer.id)])

    def test_instalments_are_charged_instead_of_the_invoices(self):
        self._cron("2026-10-20")
        self.assertFalse(self._transactions(), "invoices in an approved plan are not charged whole")
        self.assertFalse(self.first.ar_autopay_noticed)
        self._cron("2026-11-10")
        tx = self._transactions()
        self.assertEqual(tx.amount, 500, "the instalment's amount")
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.first.amount_residual, 100, "the oldest invoice first")
        self.assertEqual(self.second.amount_residual, 400)
        self.assertEqual(self.plan.line_ids.mapped("state"), ["paid", "pending"])
        self._cron("2026-11-11")
        self.assertEqual(len(self._transactions()), 1, "an instalment is charged once")
        self._cron("2026-12-10")
        self.assertEqual(self._transactions().mapped("amount"), [500, 500])
        self.assertEqual((self.first | self.second).mapped("payment_state"), ["paid", "paid"])
        self.assertEqual(self.plan.state, "completed")

    def test_a_failed_instalment_is_retried(self):
        self.token.demo_simulated_state = "error"
        self.company.ar_autopay_retry_days = "3"
        self._cron("2026-11-10")
        line = self.plan.line_ids[0]
        self.assertRecordValues(line, [{"ar_autopay_attempts": 1, "ar_autopay_next_try": date(2026, 11, 13)}])
        self.assertIn("failed", self.plan.message_ids[0].body)
        self.token.demo_simulated_state = "done"
        self._cron("2026-11-13")
        self.assertEqual(line.state, "paid")
        self.assertEqual(self.plan.state, "approved")
