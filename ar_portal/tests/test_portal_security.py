"""Attacks on every portal route of ar_portal: each is refused, and refused exactly as a request about
something that does not exist, so that nobody learns which ids exist."""

from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon

UNKNOWN_ID = 99999999


@tagged("post_install", "-at_install")
class TestPortalSecurity(ArPortalCommon, HttpCase):
    portal_login = "jan.security"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.company._ar_today()
        past = today - timedelta(days=40)
        due = past + timedelta(days=14)
        cls.mine = cls._posted_invoice(500, past, cls.customer, invoice_date_due=due)
        cls.mine_too = cls._posted_invoice(300, past, cls.customer, invoice_date_due=due)
        cls.paid = cls._posted_invoice(200, past, cls.customer, invoice_date_due=due)
        cls._register_payment(cls.paid)
        cls.cancelled = cls._posted_invoice(150, past, cls.customer, invoice_date_due=due)
        cls.cancelled.button_draft()
        cls.cancelled.button_cancel()
        cls.not_mine = cls._posted_invoice(999, past, cls.partner_b, invoice_date_due=due)
        cls.not_mine_payment = cls._register_payment(
            cls._posted_invoice(50, past, cls.partner_b, invoice_date_due=due)
        )
        other_company = cls.setup_other_company()
        cls.other_company_invoice = cls._posted_invoice(
            700,
            past,
            cls.customer,
            invoice_date_due=due,
            company_id=other_company["company"].id,
            journal_id=other_company["default_journal_sale"].id,
        )
        for invoice in cls.mine | cls.not_mine:
            invoice._portal_ensure_token()

    def setUp(self):
        super().setUp()
        self.authenticate(self.portal_login, self.portal_login)

    def _same_refusal(self, attack, unknown):
        """Both responses look the same: status and, for redirections, where they lead."""
        self.assertEqual(attack.status_code, unknown.status_code)
        if attack.history or unknown.history:
            self.assertEqual(attack.url, unknown.url)
        self.assertNotIn(self.not_mine.name, attack.text)

    # ------------------------------------------------------------------
    # Guessed ids and other customers' documents
    # ------------------------------------------------------------------

    def test_paying_a_guessed_invoice_id_is_refused_as_an_unknown_one(self):
        attack = self.url_open(f"/my/statement/pay?invoice_ids={self.not_mine.id}")
        unknown = self.url_open(f"/my/statement/pay?invoice_ids={UNKNOWN_ID}")
        self.assertIn("ar_error=", attack.url)
        self._same_refusal(attack, unknown)

    def test_an_invoice_of_a_company_the_customer_is_not_served_by_cannot_be_paid(self):
        attack = self.url_open(f"/my/statement/pay?invoice_ids={self.other_company_invoice.id}")
        self.assertIn("ar_error=", attack.url)
        self._same_refusal(attack, self.url_open(f"/my/statement/pay?invoice_ids={UNKNOWN_ID}"))

    def test_paid_and_cancelled_invoices_cannot_be_paid(self):
        unknown = self.url_open(f"/my/statement/pay?invoice_ids={UNKNOWN_ID}")
        for invoice in self.paid | self.cancelled:
            with self.subTest(invoice.payment_state):
                self._same_refusal(self.url_open(f"/my/statement/pay?invoice_ids={invoice.id}"), unknown)

    def test_someone_elses_receipt_is_not_found_like_an_unknown_one(self):
        attack = self.url_open(f"/my/payments/{self.not_mine_payment.id}/receipt")
        unknown = self.url_open(f"/my/payments/{UNKNOWN_ID}/receipt")
        self.assertEqual(attack.status_code, 404)
        self._same_refusal(attack, unknown)

    def test_the_statement_pdf_is_always_the_customers_own(self):
        response = self.url_open(
            f"/my/statement/pdf?date_from=2000-01-01&partner_id={self.partner_b.id}"
            f"&partner_ids={self.partner_b.id}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.not_mine.name, response.text)

    def test_disputing_or_promising_on_someone_elses_invoice_is_refused_as_an_unknown_one(self):
        for route, data in (("ar_dispute", {"reason": "price", "description": "x"}), ("ar_promise", {})):
            with self.subTest(route):
                data["date_promised"] = str(self.company._ar_today() + timedelta(days=3))
                attack = self._post(f"/my/invoices/{self.not_mine.id}/{route}", **data)
                unknown = self._post(f"/my/invoices/{UNKNOWN_ID}/{route}", **data)
                self._same_refusal(attack, unknown)
        self.assertFalse(self.not_mine.ar_dispute_ids)
        self.assertFalse(self.not_mine.ar_promise_ids)

    def test_another_invoices_access_token_does_not_open_this_one(self):
        self.authenticate(None, None)
        data = {"reason": "price", "description": "x", "access_token": self.mine.access_token}
        attack = self._post(f"/my/invoices/{self.not_mine.id}/ar_dispute", **data)
        unknown = self._post(f"/my/invoices/{UNKNOWN_ID}/ar_dispute", **data)
        self._same_refusal(attack, unknown)
        self.assertFalse(self.not_mine.ar_dispute_ids)
        attack = self._post(
            f"/my/invoices/{self.mine.id}/ar_dispute", reason="price", description="x", access_token="0" * 36
        )
        self.assertFalse(self.mine.ar_dispute_ids, "a wrong token opens nothing")

    def test_a_promise_for_a_cancelled_or_paid_invoice_is_refused(self):
        day = str(self.company._ar_today() + timedelta(days=3))
        for invoice in self.paid | self.cancelled:
            with self.subTest(invoice.state):
                response = self._post(f"/my/invoices/{invoice.id}/ar_promise", date_promised=day)
                self.assertNotIn("promise_recorded", response.url)
        self.assertFalse((self.paid | self.cancelled).ar_promise_ids)

    def test_someone_elses_saved_card_cannot_switch_autopay_on(self):
        other_token = self._demo_token(self.partner_b)
        attack = self._post("/my/autopay/enable", token_id=other_token.id, consent="on")
        unknown = self._post("/my/autopay/enable", token_id=UNKNOWN_ID, consent="on")
        self._same_refusal(attack, unknown)
        self.assertFalse(self.customer.ar_autopay)

    # ------------------------------------------------------------------
    # Payment plans
    # ------------------------------------------------------------------

    def _propose(self, invoices, amount):
        return self._post(
            "/my/payment_plan/propose",
            invoice_ids=invoices.ids or [UNKNOWN_ID],
            date_0=str(self.company._ar_today() + timedelta(days=10)),
            amount_0=str(amount),
        )

    def test_a_payment_plan_with_an_invoice_not_the_customers_own_is_refused(self):
        unknown = self._propose(self.env["account.move"], 999)
        for label, invoices in (
            ("someone else's", self.not_mine),
            ("mixed with someone else's", self.mine | self.not_mine),
            ("another company's", self.other_company_invoice),
            ("paid", self.paid),
            ("cancelled", self.cancelled),
        ):
            with self.subTest(label):
                self._same_refusal(self._propose(invoices, sum(invoices.mapped("amount_residual"))), unknown)
        self.assertFalse(self.env["ar.payment.plan"].search([]).filtered(lambda p: p.origin == "portal"))

    def test_negative_or_tampered_instalments_are_refused(self):
        both = self.mine | self.mine_too
        day = str(self.company._ar_today() + timedelta(days=10))
        later = str(self.company._ar_today() + timedelta(days=40))
        for amounts in (("900", "-100"), ("400", "399.99"), ("1e3", "-200"), ("800", "0")):
            with self.subTest(amounts):
                response = self._post(
                    "/my/payment_plan/propose",
                    invoice_ids=both.ids,
                    date_0=day,
                    amount_0=amounts[0],
                    date_1=later,
                    amount_1=amounts[1],
                )
                # Refused with the reason, the proposal shown again as typed.
                self.assertEqual(response.status_code, 422)
                self.assertIn("o_ar_plan_error", response.text)
        self.assertFalse(self.env["ar.payment.plan"].search([("partner_id", "=", self.customer.id)]))

    def test_someone_elses_counter_proposal_cannot_be_accepted(self):
        plan = self.env["ar.payment.plan"].create(
            {
                "partner_id": self.partner_b.id,
                "invoice_ids": [Command.set(self.not_mine.ids)],
                "line_ids": [Command.create({"date": self.company._ar_today(), "amount": 999})],
            }
        )
        plan.action_propose()
        plan.action_counter()
        attack = self._post(f"/my/payment_plan/{plan.id}/accept")
        self._same_refusal(attack, self._post(f"/my/payment_plan/{UNKNOWN_ID}/accept"))
        self.assertEqual(plan.state, "countered")

    # ------------------------------------------------------------------
    # Forged requests and anonymous visitors
    # ------------------------------------------------------------------

    def test_forged_posts_without_the_csrf_token_change_nothing(self):
        self.customer._ar_enable_autopay(self._demo_token(self.contact), self.env.user, "10.0.0.1")
        day = str(self.company._ar_today() + timedelta(days=10))
        forged = {
            f"/my/invoices/{self.mine.id}/ar_dispute": {"reason": "price", "description": "forged"},
            f"/my/invoices/{self.mine.id}/ar_promise": {"date_promised": day},
            "/my/autopay/enable": {"token_id": "1", "consent": "on"},
            "/my/autopay/disable": {"confirm": "1"},
            "/my/payment_plan/propose": {"invoice_ids": self.mine.id, "date_0": day, "amount_0": "500"},
            f"/my/payment_plan/{UNKNOWN_ID}/accept": {"confirm": "1"},
            "/my/account_details": {"billing_email": "attacker@example.com", "lang": "en_US"},
        }
        for route, data in forged.items():
            with self.subTest(route):
                self.assertEqual(self._post(route, csrf=False, **data).status_code, 400)
        self.assertFalse(self.mine.ar_dispute_ids)
        self.assertFalse(self.mine.ar_promise_ids)
        self.assertTrue(self.customer.ar_autopay, "still on")
        self.assertFalse(self.mine.ar_payment_plan_ids)
        self.assertFalse(self.customer.ar_billing_email)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        self.authenticate(None, None)
        for route in (
            "/my/statement",
            f"/my/statement/pay?invoice_ids={self.mine.id}",
            "/my/statement/pdf",
            f"/my/payments/{self.not_mine_payment.id}/receipt",
            "/my/autopay",
            "/my/payment_plan",
            "/my/account_details",
        ):
            with self.subTest(route):
                response = self.url_open(route, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])
