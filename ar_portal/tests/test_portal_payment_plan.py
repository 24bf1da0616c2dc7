from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestPortalPaymentPlan(ArPortalCommon, HttpCase):
    portal_login = "jan.plan"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = cls.company._ar_today()
        past = cls.today - timedelta(days=60)
        cls.first = cls._posted_invoice(600, past, cls.customer, invoice_date_due=past + timedelta(days=14))
        cls.second = cls._posted_invoice(400, past, cls.customer, invoice_date_due=past + timedelta(days=20))
        cls.not_mine = cls._posted_invoice(999, past, cls.partner_b, invoice_date_due=past)

    def _day(self, days):
        return str(self.today + timedelta(days=days))

    def _propose(self, invoices, rows, **extra):
        data = {"invoice_ids": [inv.id for inv in invoices], **extra}
        for index, (day, amount) in enumerate(rows):
            data[f"date_{index}"] = day
            data[f"amount_{index}"] = amount
        return self._post("/my/payment_plan/propose", **data)

    def _plans(self):
        return self.env["ar.payment.plan"].search(
            [("partner_id", "in", (self.customer | self.partner_b).ids)]
        )

    def test_customer_proposes_instalments(self):
        self.authenticate(self.portal_login, self.portal_login)
        self.assertIn("/my/payment_plan", self.url_open("/my/statement").text)
        page = self.url_open("/my/payment_plan").text
        self.assertIn(self.first.name, page)
        self.assertNotIn(self.not_mine.name, page)
        split = self.url_open(
            f"/my/payment_plan?invoice_ids={self.first.id}&invoice_ids={self.second.id}&count=3"
            f"&first_date={self._day(10)}"
        ).text
        self.assertEqual(split.count("o_ar_plan_row"), 3, "an even monthly split to start from")
        self.assertIn('value="333.34"', split)
        response = self._propose(
            self.first | self.second,
            [(self._day(10), "500"), (self._day(40), "500,00")],
            note="Sezon niski, płacimy w dwóch ratach",
        )
        self.assertIn("ar_message=proposed", response.url)
        plan = self._plans()
        self.assertRecordValues(
            plan,
            [{"state": "proposed", "origin": "portal", "amount_total": 1000, "user_id": self.collector.id}],
        )
        self.assertEqual(plan.invoice_ids, self.first | self.second)
        self.assertEqual(plan.activity_ids.user_id, self.collector, "a to-do for the collector")
        page = self.url_open("/my/payment_plan").text
        self.assertIn(plan.name, page)
        self.assertNotIn(f'name="invoice_ids" value="{self.first.id}"', page, "already in a plan")

    def test_someone_elses_or_unknown_invoice_is_refused_alike(self):
        self.authenticate(self.portal_login, self.portal_login)
        other = self._propose(self.not_mine, [(self._day(10), "999")])
        unknown = self._post(
            "/my/payment_plan/propose", invoice_ids=[99999999], date_0=self._day(10), amount_0="999"
        )
        mixed = self._propose(self.first | self.not_mine, [(self._day(10), "1599")])
        self.assertIn("ar_error=", other.url)
        self.assertEqual(other.url, unknown.url, "no difference tells that the invoice exists")
        self.assertEqual(other.url, mixed.url)
        self.assertNotIn(self.not_mine.name, other.text)
        self.assertIn("ar_error=", self.url_open(f"/my/payment_plan?invoice_ids={self.not_mine.id}").url)
        self.assertFalse(self._plans())

    def test_tampered_schedules_are_refused(self):
        self.authenticate(self.portal_login, self.portal_login)
        both = self.first | self.second
        attacks = {
            "sum below the balance": [(self._day(10), "500"), (self._day(40), "499.99")],
            "sum above the balance": [(self._day(10), "1000.01")],
            "negative amount": [(self._day(10), "1100"), (self._day(40), "-100")],
            "zero amount": [(self._day(10), "1000"), (self._day(40), "0")],
            "not a number": [(self._day(10), "abc")],
            "infinity": [(self._day(10), "Infinity")],
            "fraction of a cent": [(self._day(10), "999.995"), (self._day(40), "0.005")],
            "date today": [(self._day(0), "1000")],
            "date in the past": [(self._day(-5), "1000")],
            "no date": [("", "1000")],
            "25 instalments": [(self._day(i + 1), "40") for i in range(25)],
            "no instalment": [],
        }
        for label, rows in attacks.items():
            with self.subTest(label):
                response = self._propose(both, rows)
                # Refused with the reason, the proposal shown again as typed.
                self.assertEqual(response.status_code, 422)
                self.assertIn("o_ar_plan_error", response.text)
                for _day, amount in rows:
                    self.assertIn(f'value="{amount}"', response.text)
        self.assertFalse(self._plans())
        most = [(self._day(i + 1), "40") for i in range(23)] + [(self._day(24), "80")]
        self.assertIn("ar_message=proposed", self._propose(both, most).url, "24 instalments are allowed")

    def test_customer_accepts_a_counter_proposal(self):
        plan = self.env["ar.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "invoice_ids": [Command.set((self.first | self.second).ids)],
                "origin": "portal",
                "line_ids": [Command.create({"date": self.today + timedelta(days=10), "amount": 1000})],
            }
        )
        plan.action_propose()
        plan.with_user(self.collector).write(
            {
                "line_ids": [
                    Command.clear(),
                    Command.create({"date": self.today + timedelta(days=10), "amount": 600}),
                    Command.create({"date": self.today + timedelta(days=40), "amount": 400}),
                ]
            }
        )
        plan.with_user(self.collector).action_counter()
        other_plan = self.env["ar.payment.plan"].create(
            {
                "partner_id": self.partner_b.id,
                "invoice_ids": [Command.set(self.not_mine.ids)],
                "line_ids": [Command.create({"date": self.today + timedelta(days=10), "amount": 999})],
            }
        )
        other_plan.action_propose()
        other_plan.action_counter()
        self.authenticate(self.portal_login, self.portal_login)
        self.assertIn(f"/my/payment_plan/{plan.id}/accept", self.url_open("/my/payment_plan").text)
        refused = self._post(f"/my/payment_plan/{other_plan.id}/accept")
        self.assertEqual(refused.url, self._post("/my/payment_plan/99999999/accept").url)
        self.assertIn("ar_error=", refused.url)
        self.assertEqual(other_plan.state, "countered")
        response = self._post(f"/my/payment_plan/{plan.id}/accept")
        self.assertIn("ar_message=accepted", response.url)
        self.assertEqual(plan.state, "approved")
        self.assertIn("ar_error=", self._post(f"/my/payment_plan/{plan.id}/accept").url, "only once")

    def test_a_refused_proposal_keeps_what_was_typed(self):
        self.authenticate(self.portal_login, self.portal_login)
        rows = [(self._day(10), "500"), (self._day(40), "499,99")]
        response = self._propose(self.first | self.second, rows, note="Niski sezon, prosimy o raty")
        self.assertEqual(response.status_code, 422)
        self.assertIn("add up to the open balance", response.text)
        self.assertIn("Niski sezon, prosimy o raty", response.text)
        self.assertIn('value="499,99"', response.text)
        self.assertIn(f'value="{self._day(40)}"', response.text)
        self.assertFalse(self._plans())
