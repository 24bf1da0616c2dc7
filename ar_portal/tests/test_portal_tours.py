from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestPortalTours(ArPortalCommon, HttpCase):
    """What a customer clicks on the portal, in a real browser."""

    portal_login = "jan.tours"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.company._ar_today()
        past = today - timedelta(days=45)
        cls.first = cls._posted_invoice(600, past, cls.customer, invoice_date_due=past + timedelta(days=14))
        cls.second = cls._posted_invoice(400, past, cls.customer, invoice_date_due=past + timedelta(days=21))

    def test_tour_enable_autopay(self):
        token = self._demo_token(self.contact)
        self.start_tour("/my/autopay", "ar_portal_autopay_tour", login=self.portal_login)
        self.assertEqual(self.customer.ar_autopay_token_id, token)
        self.assertEqual(self.customer.ar_autopay_consent_user_id.login, self.portal_login)

    def test_tour_dispute_an_invoice(self):
        self.start_tour(self.first.get_portal_url(), "ar_portal_dispute_tour", login=self.portal_login)
        self.assertRecordValues(
            self.first.ar_dispute_ids,
            [{"origin": "portal", "reason": "quality", "description": "Towar uszkodzony w transporcie"}],
        )

    def test_tour_promise_to_pay(self):
        self.start_tour(self.second.get_portal_url(), "ar_portal_promise_tour", login=self.portal_login)
        promise = self.second.ar_promise_ids
        self.assertEqual(promise.origin, "portal")
        # The browser counts a week from its own (UTC) day, which may be the company's day before.
        self.assertIn(
            promise.date_promised - self.company._ar_today(), (timedelta(days=6), timedelta(days=7))
        )

    def test_tour_propose_a_payment_plan(self):
        self.start_tour("/my/statement", "ar_portal_payment_plan_tour", login=self.portal_login)
        plan = self.env["ar.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            plan, [{"state": "proposed", "origin": "portal", "amount_total": 1000, "note": "Niski sezon"}]
        )
        self.assertEqual(plan.line_ids.mapped("amount"), [500, 500])
        self.assertEqual(plan.invoice_ids, self.first | self.second)


@tagged("post_install", "-at_install")
class TestPortalToursOnAPhone(TestPortalTours):
    """The same clicks on a phone-sized touch screen."""

    portal_login = "jan.phone"
    browser_size = "375x812"
    touch_enabled = True


@tagged("post_install", "-at_install")
class TestPortalOnAPhone(ArPortalCommon, HttpCase):
    """The statement, the pay page and the complaint form of a Polish customer on a 375×812 touch screen:
    a card per invoice, nothing to scroll sideways, amounts in the customer's format, a refused form that
    keeps what was typed."""

    portal_login = "jan.mobile"
    browser_size = "375x812"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.portal_user.lang = "pl_PL"
        today = cls.company._ar_today()
        past = today - timedelta(days=45)
        cls.first = cls._posted_invoice(
            2927.4, past, cls.customer, invoice_date_due=past + timedelta(days=14)
        )
        cls.second = cls._posted_invoice(400, past, cls.customer, invoice_date_due=past + timedelta(days=21))
        cls._demo_token(cls.contact)  # the demo provider, enabled for the company

    def test_statement_on_a_phone_and_paying_two_invoices(self):
        self.authenticate(self.portal_login, self.portal_login)
        page = self.url_open("/my/statement").text
        self.assertIn('placeholder="2927,40"', page, "the amount to pay in Polish, not 2927.4")
        invoices = self.url_open("/my/invoices").text
        self.assertEqual(invoices.count("o_ar_invoice_due"), 2, "the due date under each number on a phone")
        self.start_tour("/my/statement", "ar_portal_phone_statement_tour", login=self.portal_login)
        tx = self.env["payment.transaction"].sudo().search([("partner_id", "=", self.contact.id)])
        self.assertEqual(tx.amount, 500.5, "100,50 of the first invoice and the whole second one")
        self.assertEqual(tx.invoice_ids, self.first | self.second)

    def test_complaint_refused_on_a_phone_keeps_the_text(self):
        self.start_tour(self.first.get_portal_url(), "ar_portal_phone_dispute_tour", login=self.portal_login)
        self.assertRecordValues(
            self.first.ar_dispute_ids,
            [
                {
                    "origin": "portal",
                    "reason": "quality",
                    "description": "Towar uszkodzony w transporcie, kartony zgniecione.",
                }
            ],
        )
