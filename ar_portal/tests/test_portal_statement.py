from datetime import date

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon


@tagged("post_install", "-at_install")
class TestPortalStatement(ArTestCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Kowalski Sp. z o.o.", "is_company": True})
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jan Kowalski", "parent_id": cls.customer.id, "email": "jan@kowalski.example.com"}
        )
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Jan Kowalski",
                "login": "jan.kowalski",
                "password": "jan.kowalski",
                "partner_id": cls.contact.id,
                "group_ids": [(6, 0, [cls.env.ref("base.group_portal").id])],
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
            }
        )
        with freeze_time("2026-03-31"):
            cls.late = cls._posted_invoice(
                1230, "2026-01-10", partner=cls.customer, invoice_date_due=date(2026, 2, 9)
            )
            cls.not_due = cls._posted_invoice(
                500, "2026-03-20", partner=cls.customer, invoice_date_due=date(2026, 4, 19)
            )
            cls.paid = cls._posted_invoice(
                77, "2026-03-01", partner=cls.customer, invoice_date_due=date(2026, 3, 15)
            )
            cls._register_payment(cls.paid)
            cls.someone_else = cls._posted_invoice(
                999, "2026-01-10", partner=cls.partner_b, invoice_date_due=date(2026, 2, 9)
            )

    def test_statement_lists_own_open_items_only(self):
        with freeze_time("2026-03-31"):
            self.authenticate("jan.kowalski", "jan.kowalski")
            response = self.url_open("/my/statement")
            totals = self.portal_user.partner_id._ar_statement_lines()._ar_statement_totals()["totals"]
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(self.late.name, page)
        self.assertIn(self.not_due.name, page)
        self.assertNotIn(self.paid.name, page)
        self.assertNotIn(self.someone_else.name, page)
        self.assertEqual(len(totals), 1)
        self.assertEqual(totals[0]["overdue"], 1230)
        self.assertEqual(totals[0]["not_due"], 500)
        self.assertEqual(totals[0]["balance"], 1730)

    def test_anonymous_visitor_is_sent_to_login(self):
        response = self.url_open("/my/statement", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_statement_tour(self):
        self.start_tour("/my", "ar_portal_statement_tour", login="jan.kowalski")

    def test_filters_and_unallocated_payments(self):
        bank = self.company_data["default_journal_bank"]
        receipt = self.env["account.bank.statement.line"].create(
            {"journal_id": bank.id, "date": "2026-03-25", "amount": 250, "payment_ref": "Przedpłata"}
        )
        _liquidity, suspense, _other = receipt._seek_for_lines()
        suspense.write(
            {"account_id": self.customer.property_account_receivable_id.id, "partner_id": self.customer.id}
        )
        with freeze_time("2026-03-31"):
            self.authenticate("jan.kowalski", "jan.kowalski")
            overdue = self.url_open("/my/statement?filterby=overdue").text
            not_due = self.url_open("/my/statement?filterby=not_due").text
            everything = self.url_open("/my/statement?filterby=nonsense").text
        self.assertIn(self.late.name, overdue)
        self.assertNotIn(self.not_due.name, overdue)
        self.assertIn(self.not_due.name, not_due)
        self.assertNotIn(self.late.name, not_due)
        self.assertIn(self.late.name, everything)
        self.assertIn(self.not_due.name, everything)
        self.assertIn("o_ar_unallocated", everything)
        self.assertIn(receipt.move_id.name, everything)
