"""Attacks on the portal as a customer's portal user (like the demo's ``klient``), another customer's portal
user and an anonymous visitor, with and without the CSRF token: payment integrity, messages from codes,
malformed input, abuse limits. Each attack is refused with a clear answer (never a 500) and changes
nothing."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

from odoo import Command
from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools.misc import hmac

from ..engine.pay_token import PaySelection, make_token
from .common import ArPortalCommon

HUGE_ID = "99999999999999999999"
SPOOF = "Your account is blocked, pay to PL00 1234 now"


@tagged("post_install", "-at_install")
class TestSecurityPortal(ArPortalCommon, HttpCase):
    portal_login = "klient.attack"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = cls.company._ar_today()
        past = cls.today - timedelta(days=40)
        due = past + timedelta(days=14)
        cls.mine = cls._posted_invoice(500, past, cls.customer, invoice_date_due=due)
        cls.mine_too = cls._posted_invoice(300, past, cls.customer, invoice_date_due=due)
        cls.not_mine = cls._posted_invoice(999, past, cls.partner_b, invoice_date_due=due)
        cls.provider = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider.write(
            {
                "state": "test",
                "company_id": cls.company.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        cls.method = cls.env.ref("payment_demo.payment_method_demo")
        cls.other_contact = cls.env["res.partner"].create(
            {"name": "Anna Nowak", "parent_id": cls.partner_b.id, "email": "anna@nowak.example.com"}
        )
        cls.other_user = cls.env["res.users"].create(
            {
                "name": "Anna Nowak",
                "login": "nowak.attack",
                "password": "nowak.attack",
                "partner_id": cls.other_contact.id,
                "group_ids": [Command.set([cls.env.ref("base.group_portal").id])],
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        for invoice in cls.mine | cls.not_mine:
            invoice._portal_ensure_token()

    def setUp(self):
        super().setUp()
        self.authenticate(self.portal_login, self.portal_login)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _txs(self):
        return self.env["payment.transaction"].sudo().search([])

    def _pay_page(self, query):
        page = self.url_open(f"/my/statement/pay?{query}")
        self.assertEqual(page.status_code, 200)
        return page

    @staticmethod
    def _page_token(page):
        return re.search(r'data-access-token="([^"]+)"', page.text).group(1)

    def _sign(self, payload):
        return hmac(self.env(su=True), "ar_portal-pay", payload)

    def _pay(self, access_token, csrf=True, **overrides):
        params = {
            "access_token": access_token,
            "provider_id": self.provider.id,
            "payment_method_id": self.method.id,
            "token_id": None,
            "amount": None,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/my/statement",
            "is_validation": False,
            **overrides,
        }
        if csrf:
            params["csrf_token"] = Request.csrf_token(self)
        return self.make_jsonrpc_request("/my/statement/pay/transaction", params)

    def _refused_payment(self, access_token, **overrides):
        before = self._txs()
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self._pay(access_token, **overrides)
        self.assertEqual(self._txs(), before, "no transaction created")

    def _final(self, response):
        """The page a browser ends on: never a server error."""
        self.assertLess(response.status_code, 500, response.url)
        return response

    # ------------------------------------------------------------------
    # Payment integrity
    # ------------------------------------------------------------------

    def _batch_numbers(self):
        """What Odoo's batch payment numbering has given so far (per period of its sequence)."""
        self.env.invalidate_all()
        sequence = self.company.batch_payment_sequence_id
        return [(period.date_from, period.number_next_actual) for period in sequence.date_range_ids]

    def test_pay_page_shows_nothing_but_changes_nothing(self):
        before, numbers = self._txs(), self._batch_numbers()
        page = self._pay_page(f"invoice_ids={self.mine.id}&invoice_ids={self.mine_too.id}")
        self.assertIn("800.00", page.text)
        self.assertEqual(self._txs(), before)
        self.assertEqual(self._batch_numbers(), numbers, "no batch number consumed by a GET")

    def test_the_confirmed_page_is_paid_whatever_another_tab_selected_later(self):
        first_tab = self._pay_page(f"invoice_ids={self.mine.id}")
        # Another tab (or another site, the page being a GET) selects 1.00 on another invoice.
        self._pay_page(f"invoice_ids={self.mine_too.id}&amount_{self.mine_too.id}=1.00")
        values = self._pay(self._page_token(first_tab), amount=1.0)
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", values["reference"])])
        self.assertRecordValues(tx, [{"amount": 500.0, "reference": self.mine.name}])
        self.assertEqual(tx.invoice_ids, self.mine)

    def test_the_reference_is_computed_on_the_server(self):
        page = self._pay_page(f"invoice_ids={self.mine.id}&invoice_ids={self.mine_too.id}")
        values = self._pay(self._page_token(page), payment_reference=self.not_mine.name)
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", values["reference"])])
        self.assertNotIn(self.not_mine.name, tx.reference)
        self.assertIn(self.mine.name, tx.reference)
        self.assertIn(self.mine_too.name, tx.reference)

    def test_a_provider_of_another_company_is_refused(self):
        other_company = self.setup_other_company()["company"]
        foreign = self.provider.copy({"company_id": other_company.id, "state": "test"})
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        self.assertNotIn(f'data-provider-id="{foreign.id}"', page.text)
        self._refused_payment(self._page_token(page), provider_id=foreign.id)

    def test_a_disabled_provider_is_refused(self):
        disabled = self.provider.copy({"state": "disabled"})
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        self._refused_payment(self._page_token(page), provider_id=disabled.id)

    def test_a_payment_method_the_provider_does_not_offer_is_refused(self):
        other_method = self.env["payment.method"].search(
            [("provider_ids", "not in", self.provider.ids)], limit=1
        )
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        self._refused_payment(self._page_token(page), payment_method_id=other_method.id)
        self._refused_payment(self._page_token(page), provider_id=str(self.provider.id))
        self._refused_payment(self._page_token(page), flow="anything")

    def test_someone_elses_saved_card_cannot_pay(self):
        other_card = self._demo_token(self.other_contact)
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        self._refused_payment(
            self._page_token(page), flow="token", token_id=other_card.id, payment_method_id=None
        )

    def test_a_validation_operation_cannot_be_slipped_in(self):
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        self._refused_payment(self._page_token(page), is_validation=True)

    def test_an_altered_or_unsigned_token_is_refused(self):
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        token = self._page_token(page)
        payload, signature = token.split(".")
        cheaper = make_token(
            PaySelection(
                self.contact.id, self.mine.currency_id.id, {self.mine.id: Decimal("1.00")}, "X", 2**40
            ),
            lambda payload: "0" * 64,
        ).split(".")[0]
        for forged in (
            f"{cheaper}.{signature}",
            f"{payload}.{signature[::-1]}",
            payload,
            "",
            None,
            "x" * 9000,
        ):
            with self.subTest(forged=str(forged)[:20]):
                self._refused_payment(forged)

    def test_an_expired_page_cannot_be_paid(self):
        expired = make_token(
            PaySelection(
                self.contact.id, self.mine.currency_id.id, {self.mine.id: Decimal("500.00")}, "X", 1000
            ),
            self._sign,
        )
        self._refused_payment(expired)

    def test_a_signed_selection_of_someone_elses_invoice_is_still_refused(self):
        # Even with the signature (a leaked database secret), the invoices are checked again.
        forged = make_token(
            PaySelection(
                self.contact.id, self.not_mine.currency_id.id, {self.not_mine.id: Decimal("1.00")}, "X", 2**40
            ),
            self._sign,
        )
        self._refused_payment(forged)

    def test_an_invoice_paid_since_the_page_was_shown_is_not_charged_again(self):
        page = self._pay_page(f"invoice_ids={self.mine.id}")
        self._register_payment(self.mine)
        self._refused_payment(self._page_token(page))

    def test_another_customers_user_cannot_use_the_page_token(self):
        token = self._page_token(self._pay_page(f"invoice_ids={self.mine.id}"))
        self.authenticate("nowak.attack", "nowak.attack")
        self._refused_payment(token)

    def test_paying_without_the_csrf_token_is_refused(self):
        token = self._page_token(self._pay_page(f"invoice_ids={self.mine.id}"))
        before = self._txs()
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self._pay(token, csrf=False)
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self._pay(token, csrf=False, csrf_token="forged")
        self.assertEqual(self._txs(), before)

    def test_anonymous_visitors_cannot_pay(self):
        token = self._page_token(self._pay_page(f"invoice_ids={self.mine.id}"))
        self.authenticate(None, None)
        before = self._txs()
        with self.assertRaises(JsonRpcException):
            self._pay(token)
        self.assertEqual(self._txs(), before)

    # ------------------------------------------------------------------
    # Messages from codes, never from the URL
    # ------------------------------------------------------------------

    def test_a_sentence_in_the_url_is_never_shown(self):
        for route in ("/my/statement", "/my/account_details", "/my/payment_plan"):
            with self.subTest(route):
                page = self.url_open(f"{route}?ar_error={quote(SPOOF)}&ar_message={quote(SPOOF)}")
                self.assertEqual(page.status_code, 200)
                self.assertNotIn("PL00", page.text)
                self.assertNotIn("alert-danger", page.text)

    def test_a_known_code_shows_its_message(self):
        page = self.url_open("/my/statement?ar_error=amount_invalid")
        self.assertIn("o_ar_pay_error", page.text)
        self.assertIn("for example 1234,50", page.text)
        self.assertIn("o_ar_plan_error", self.url_open("/my/payment_plan?ar_error=plan_date_horizon").text)
        self.assertIn("o_ar_details_error", self.url_open("/my/account_details?ar_error=email_invalid").text)

    def test_errors_redirect_with_codes_only(self):
        response = self.url_open(f"/my/statement/pay?invoice_ids={self.mine.id}&amount_{self.mine.id}=1e30")
        self.assertIn("ar_error=amount_invalid", response.url)
        self.assertIn("for example 1234,50", response.text)

    # ------------------------------------------------------------------
    # Malformed input: a clear answer, never a 500
    # ------------------------------------------------------------------

    def test_unicode_digits_and_huge_numbers_in_the_pay_page(self):
        for query in (
            "invoice_ids=²",
            f"invoice_ids={HUGE_ID}",
            "invoice_ids=-1",
            f"invoice_ids={self.mine.id}&amount_{self.mine.id}=NaN",
            f"invoice_ids={self.mine.id}&amount_{self.mine.id}=inf",
            f"invoice_ids={self.mine.id}&amount_{self.mine.id}=-5",
            f"invoice_ids={self.mine.id}&amount_{self.mine.id}=%00",
            f"invoice_ids={self.mine.id}&amount_{self.mine.id}=" + "9" * 400,
        ):
            with self.subTest(query):
                response = self._final(self.url_open(f"/my/statement/pay?{query}"))
                self.assertIn("ar_error=", response.url)

    def test_polish_and_english_amounts_are_both_understood(self):
        page = self._pay_page(f"invoice_ids={self.mine.id}&amount_{self.mine.id}=" + quote("1.234,50"))
        self.assertIn("ar_error=amount_too_high", page.url)
        page = self._pay_page(f"invoice_ids={self.mine.id}&amount_{self.mine.id}=" + quote("123,45"))
        self.assertIn("123.45", page.text)

    def test_malformed_plan_requests(self):
        for query in ("count=²", f"count={HUGE_ID}", "first_date=²026-01-01", "first_date=9999-12-31"):
            with self.subTest(query):
                page = self._final(self.url_open(f"/my/payment_plan?invoice_ids={self.mine.id}&{query}"))
                self.assertIn("o_ar_plan_row", page.text)
        response = self._final(
            self._post(
                "/my/payment_plan/propose",
                invoice_ids=self.mine.id,
                date_0=str(self.today + timedelta(days=10)),
                amount_0="1e30",
            )
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("amount must be more than zero", response.text)
        self.assertFalse(self.mine.ar_payment_plan_ids)

    def test_huge_ids_in_paths_are_not_found(self):
        self.assertEqual(self.url_open(f"/my/payments/{HUGE_ID}/receipt").status_code, 404)
        self.assertEqual(self.url_open(f"/my/statement/link/{HUGE_ID}/1/x").status_code, 403)
        for route in (f"/my/invoices/{HUGE_ID}/ar_dispute", f"/my/invoices/{HUGE_ID}/ar_promise"):
            with self.subTest(route):
                self._final(self._post(route, reason="price", description="x", date_promised="2030-01-01"))
        response = self._final(self._post(f"/my/payment_plan/{HUGE_ID}/accept"))
        self.assertIn("ar_error=plan_not_acceptable", response.url)

    def test_control_characters_are_stripped_from_text(self):
        response = self._post(
            "/my/account_details", billing_email="", lang="en_US", customer_po="ZAM/\x002026/\x1b17\u202e"
        )
        self._final(response)
        self.assertEqual(self.customer.ar_customer_po, "ZAM/2026/17")
        self._post(
            f"/my/invoices/{self.mine.id}/ar_dispute", reason="price", description="Zła\x00 cena\x07\nlinia 2"
        )
        self.assertEqual(self.mine.ar_dispute_ids.description, "Zła cena\nlinia 2")

    def test_an_email_field_takes_one_address_and_nothing_else(self):
        for email in (
            "faktury@kowalski.example.com\nBcc: victim@example.com",
            "faktury@kowalski.example.com\r\nSubject: x",
            "faktury@kowalski.example.com, other@example.com",
            "Faktury <faktury@kowalski.example.com>",
            "faktury@kowalski.example.com\x00",
        ):
            with self.subTest(email):
                response = self._final(self._post("/my/account_details", billing_email=email, lang="en_US"))
                self.assertIn("ar_error=email_invalid", response.url)
        self.assertFalse(self.customer.ar_billing_email)

    def test_the_statement_pdf_refuses_malformed_dates(self):
        for query in ("date_from=²026-01-01", "date_from=2026-13-45", f"date_to={'9' * 50}"):
            with self.subTest(query):
                response = self._final(self.url_open(f"/my/statement/pdf?{query}"))
                self.assertIn("ar_error=date_invalid", response.url)

    # ------------------------------------------------------------------
    # Abuse limits
    # ------------------------------------------------------------------

    def _promise(self, days):
        return self._post(
            f"/my/invoices/{self.mine.id}/ar_promise", date_promised=str(self.today + timedelta(days=days))
        )

    def test_promises_are_renewed_a_bounded_number_of_times(self):
        for days in (5, 10, 15):
            self.assertIn("ar_message=promise_recorded", self._promise(days).url)
        response = self._promise(20)
        self.assertEqual(response.status_code, 422)
        self.assertIn("contact us", response.text)
        self.assertEqual(len(self.mine.ar_promise_ids), 3)
        self.assertEqual(
            self.mine.ar_promise_ids.filtered(lambda p: p.state == "pending").date_promised,
            self.today + timedelta(days=15),
        )
        self.company.ar_promise_max_renewals = 3
        self.assertIn("ar_message=promise_recorded", self._promise(20).url, "the company's setting")

    def test_the_same_promise_twice_records_it_once(self):
        self._promise(5)
        notes = len(self.mine.message_ids)
        self.assertIn("ar_message=promise_recorded", self._promise(5).url)
        self.assertEqual(len(self.mine.ar_promise_ids), 1)
        self.assertEqual(len(self.mine.message_ids), notes)

    def test_promises_beyond_the_horizon_are_refused(self):
        for day in ("9999-12-31", str(self.today + timedelta(days=91))):
            with self.subTest(day):
                response = self._post(f"/my/invoices/{self.mine.id}/ar_promise", date_promised=day)
                self.assertEqual(response.status_code, 422)
                self.assertIn("90 days", response.text)
        self.assertFalse(self.mine.ar_promise_ids)
        self.assertIn("promise_recorded", self._promise(90).url)
        self.company.ar_promise_horizon_days = 30
        self.assertEqual(self._promise(31).status_code, 422)

    def test_the_same_complaint_posted_again_adds_no_note(self):
        for _attempt in range(5):
            self._post(f"/my/invoices/{self.mine.id}/ar_dispute", reason="price", description="Zła cena")
        dispute = self.mine.ar_dispute_ids
        self.assertEqual(len(dispute), 1)
        notes = len(dispute.message_ids)
        self._post(f"/my/invoices/{self.mine.id}/ar_dispute", reason="price", description="  zła   CENA ")
        self.assertEqual(len(dispute.message_ids), notes)
        for _attempt in range(3):
            self._post(
                f"/my/invoices/{self.mine.id}/ar_dispute", reason="price", description="A & b <i>'c'</i>"
            )
        self.assertEqual(len(dispute.message_ids), notes + 1, "a new complaint is noted once")

    def test_plan_instalments_beyond_the_horizon_are_refused(self):
        both = self.mine | self.mine_too
        for day in ("9999-12-31", str(self.today + timedelta(days=400))):
            with self.subTest(day):
                response = self._post(
                    "/my/payment_plan/propose", invoice_ids=both.ids, date_0=day, amount_0="800"
                )
                self.assertEqual(response.status_code, 422)
                self.assertIn("within 12 months", response.text)
        self.assertFalse(both.ar_payment_plan_ids)
        split = self.url_open(f"/my/payment_plan?invoice_ids={self.mine.id}&count=24")
        self.assertLessEqual(split.text.count("o_ar_plan_row"), 12, "the even split stays within the horizon")
        self.company.ar_plan_horizon_months = 24
        response = self._post(
            "/my/payment_plan/propose",
            invoice_ids=both.ids,
            date_0=str(self.today + timedelta(days=400)),
            amount_0="800",
        )
        self.assertIn("ar_message=proposed", response.url)

    # ------------------------------------------------------------------
    # Other customers, anonymous visitors, forged requests
    # ------------------------------------------------------------------

    def test_another_customers_user_sees_and_changes_nothing_of_ours(self):
        self.authenticate("nowak.attack", "nowak.attack")
        self.assertNotIn(self.mine.name, self.url_open("/my/statement").text)
        self.assertIn(
            "ar_error=invalid_selection", self.url_open(f"/my/statement/pay?invoice_ids={self.mine.id}").url
        )
        self._post(f"/my/invoices/{self.mine.id}/ar_dispute", reason="price", description="x")
        self._post(
            f"/my/invoices/{self.mine.id}/ar_promise", date_promised=str(self.today + timedelta(days=3))
        )
        self.assertFalse(self.mine.ar_dispute_ids or self.mine.ar_promise_ids)

    def test_anonymous_requests_with_a_wrong_or_no_access_token_change_nothing(self):
        self.authenticate(None, None)
        for token in (None, "", "x" * 5000, self.not_mine.access_token):
            with self.subTest(token=str(token)[:10]):
                data = {
                    "reason": "price",
                    "description": "x",
                    "date_promised": str(self.today + timedelta(days=3)),
                }
                if token is not None:
                    data["access_token"] = token
                for route in ("ar_dispute", "ar_promise"):
                    self._final(self._post(f"/my/invoices/{self.mine.id}/{route}", **data))
        self.assertFalse(self.mine.ar_dispute_ids or self.mine.ar_promise_ids)

    def test_forged_posts_of_the_new_forms_change_nothing(self):
        day = str(self.today + timedelta(days=3))
        for route, data in (
            (f"/my/invoices/{self.mine.id}/ar_promise", {"date_promised": day}),
            (f"/my/invoices/{self.mine.id}/ar_dispute", {"reason": "price", "description": "forged"}),
            ("/my/account_details", {"billing_email": "x@example.com", "lang": "en_US", "customer_po": "X"}),
        ):
            with self.subTest(route):
                self.assertEqual(self._post(route, csrf=False, **data).status_code, 400)
        self.assertFalse(self.mine.ar_dispute_ids or self.mine.ar_promise_ids)
        self.assertFalse(self.customer.ar_customer_po)

    def test_state_changing_routes_refuse_get(self):
        for route in (
            f"/my/invoices/{self.mine.id}/ar_dispute?reason=price&description=x",
            f"/my/invoices/{self.mine.id}/ar_promise?date_promised={self.today + timedelta(days=3)}",
            "/my/payment_plan/propose",
            "/my/autopay/disable",
        ):
            with self.subTest(route):
                self.assertEqual(self.url_open(route).status_code, 405)
        self.assertFalse(self.mine.ar_dispute_ids or self.mine.ar_promise_ids)
