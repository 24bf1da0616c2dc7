import re
from datetime import date

from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestPortalPay(ArPortalCommon, HttpCase):
    portal_login = "jan.pay"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls._posted_invoice(100, "2026-10-01", cls.customer, invoice_date_due=date(2026, 10, 31))
        cls.second = cls._posted_invoice(250, "2026-10-05", cls.customer, invoice_date_due=date(2026, 11, 4))
        cls.not_mine = cls._posted_invoice(
            999, "2026-10-01", cls.partner_b, invoice_date_due=date(2026, 10, 31)
        )
        cls.provider = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider.write(
            {
                "state": "test",
                "company_id": cls.company.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        cls.method = cls.env.ref("payment_demo.payment_method_demo")

    def _pay_page(self, query):
        return self.url_open(f"/my/statement/pay?{query}")

    @staticmethod
    def _page_token(page):
        """The signed token of what the pay page shows (the payment form sends it back)."""
        return re.search(r'data-access-token="([^"]+)"', page.text).group(1)

    def _transaction(self, access_token=None, amount=None):
        params = {
            "access_token": access_token,
            "csrf_token": Request.csrf_token(self),
            "payment_reference": "BATCH",
            "provider_id": self.provider.id,
            "payment_method_id": self.method.id,
            "token_id": None,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/my/statement",
        }
        if amount is not None:
            params["amount"] = amount
        return self.make_jsonrpc_request("/my/statement/pay/transaction", params)

    def test_pay_page_offers_a_bank_transfer_too(self):
        bank_account = self.env["res.partner.bank"].create(
            {"acc_number": "PL61109010140000071219812874", "partner_id": self.company.partner_id.id}
        )
        self.company_data["default_journal_bank"].bank_account_id = bank_account
        self.authenticate("jan.pay", "jan.pay")
        page = self._pay_page(f"invoice_ids={self.first.id}&invoice_ids={self.second.id}").text
        transfer = page.split("o_ar_pay_transfer", 1)[1]
        self.assertIn(bank_account.acc_number, transfer)
        self.assertIn(self.first.name, transfer)
        self.assertIn(self.second.name, transfer)

    def test_pay_two_invoices_one_in_part(self):
        self.authenticate("jan.pay", "jan.pay")
        page = self._pay_page(
            f"invoice_ids={self.first.id}&invoice_ids={self.second.id}&amount_{self.second.id}=120"
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_ar_pay_allocation", page.text)
        self.assertIn("220.00", page.text)
        # a tampered amount from the browser is ignored
        values = self._transaction(self._page_token(page), amount=1.0)
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", values["reference"])])
        self.assertEqual(tx.amount, 220)
        self.assertEqual(tx.invoice_ids, self.first | self.second)
        tx._set_done()
        tx._post_process()
        self.assertEqual(self.first.payment_state, "paid")
        self.assertEqual(self.second.payment_state, "partial")
        self.assertEqual(self.second.amount_residual, 130)

    def test_reloading_the_pay_page_consumes_no_reference(self):
        """Showing the pay page creates nothing and uses up no reference: reloaded, it shows the same one;
        only the transaction created when the customer pays takes it (and the next one gets a new one)."""
        self.authenticate("jan.pay", "jan.pay")
        query = f"invoice_ids={self.first.id}&invoice_ids={self.second.id}"
        references = set()
        for _reload in range(3):
            page = self._pay_page(query)
            references.add(re.search(r'id="o_payment_summary_reference"[^>]*>([^<]+)<', page.text).group(1))
        transactions = self.env["payment.transaction"].sudo()
        self.assertEqual(references, {f"{self.first.name}-{self.second.name}"})
        self.assertFalse(transactions.search([("partner_id", "=", self.contact.id)]), "nothing created")
        first = self._transaction(self._page_token(page))["reference"]
        self.assertEqual(first, f"{self.first.name}-{self.second.name}")
        second = self._transaction(self._page_token(self._pay_page(query)))["reference"]
        self.assertEqual(second, f"{first}-1", "a reference is taken by a transaction only")
        self.assertEqual(len(transactions.search([("partner_id", "=", self.contact.id)])), 2)

    def test_attacks_are_refused_without_leaking(self):
        self.authenticate("jan.pay", "jan.pay")
        attacks = [
            f"invoice_ids={self.not_mine.id}",
            f"invoice_ids={self.first.id}&invoice_ids={self.not_mine.id}",
            f"invoice_ids={self.first.id}&amount_{self.first.id}=-10",
            f"invoice_ids={self.first.id}&amount_{self.first.id}=100.01",
            f"invoice_ids={self.first.id}&amount_{self.first.id}=1e9",
            f"invoice_ids={self.first.id}&invoice_ids={self.second.id}&amount_{self.first.id}=1&amount_{self.second.id}=1",
            "invoice_ids=99999999",
            "invoice_ids=",
        ]
        for query in attacks:
            with self.subTest(query):
                response = self._pay_page(query)
                self.assertIn("ar_error=", response.url)
                self.assertNotIn(self.not_mine.name, response.text)
        # No confirmed pay page: the transaction route refuses.
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self._transaction()
        self.assertFalse(
            self.env["payment.transaction"].sudo().search([("partner_id", "=", self.contact.id)])
        )
        self._register_payment(self.first)
        self.assertIn(
            "ar_error=", self._pay_page(f"invoice_ids={self.first.id}").url, "paid: cannot be paid again"
        )

    def test_pay_all_overdue(self):
        self.authenticate("jan.pay", "jan.pay")
        page = self._pay_page("overdue=1")
        self.assertIn("350.00", page.text)

    def test_tour_pay_two_overdue_invoices(self):
        self.start_tour("/my/statement", "ar_portal_pay_two_invoices_tour", login="jan.pay")
        tx = self.env["payment.transaction"].sudo().search([("partner_id", "=", self.contact.id)])
        self.assertEqual(tx.amount, 350)
        self.assertEqual(tx.invoice_ids, self.first | self.second)

    def test_statement_page_offers_the_selection(self):
        self.authenticate("jan.pay", "jan.pay")
        page = self.url_open("/my/statement").text
        self.assertIn("o_ar_pay_selected", page)
        self.assertIn(f'name="amount_{self.first.id}"', page)

    def test_statement_pdf_of_a_period_and_receipts(self):
        self._register_payment(self.first, payment_date=date(2026, 11, 10))
        payment = self.first.matched_payment_ids
        other_payment = self._register_payment(self.not_mine)
        self.authenticate("jan.pay", "jan.pay")
        response = self.url_open("/my/statement/pdf?date_from=2026-10-01&date_to=2026-11-30")
        self.assertEqual(response.status_code, 200)
        self.assertIn(response.headers["Content-Type"], ("application/pdf", "text/html; charset=utf-8"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "ar_portal.action_report_partner_statement",
                self.customer.ids,
                data={"date_from": date(2026, 10, 1), "date_to": date(2026, 11, 30)},
            )[0]
            .decode()
        )
        self.assertIn(self.first.name, html)
        self.assertIn(self.second.name, html)
        self.assertNotIn(self.not_mine.name, html, "another customer's documents never appear")
        (section,) = self.customer._ar_statement_period(date(2026, 10, 1), date(2026, 11, 30))["sections"]
        self.assertEqual((section["opening"], section["closing"]), (0, 250))
        self.assertIn(f"/my/payments/{payment.id}/receipt", self.url_open("/my/statement").text)
        self.assertEqual(self.url_open(f"/my/payments/{payment.id}/receipt").status_code, 200)
        self.assertEqual(self.url_open(f"/my/payments/{other_payment.id}/receipt").status_code, 404)
        self.assertIn(
            "ar_error=", self.url_open("/my/statement/pdf?date_from=2026-12-01&date_to=2026-11-01").url
        )
