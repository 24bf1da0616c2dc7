import time
from datetime import date

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import hmac

from odoo.addons.ar_automation.tests.common import ArTestCommon
from odoo.addons.ar_automation.tests.pdf_text import pdf_text, render_pdf


@tagged("post_install", "-at_install")
class TestStatementCompanies(ArTestCommon, HttpCase):
    """A customer invoiced by two companies, one invoice in a foreign currency: the statement on the web,
    in the PDF and behind the signed link shows only the current company's documents, per currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.other = cls.setup_other_company(name="Druga Spółka S.A.")["company"]
        cls.customer = cls.env["res.partner"].create({"name": "Drukarnia Mazur", "is_company": True})
        contact = cls.env["res.partner"].create(
            {"name": "Anna Mazur", "parent_id": cls.customer.id, "email": "anna@mazur.example.com"}
        )
        cls.env["res.users"].create(
            {
                "name": "Anna Mazur",
                "login": "anna.mazur",
                "password": "anna.mazur",
                "partner_id": contact.id,
                "group_ids": [(6, 0, [cls.env.ref("base.group_portal").id])],
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
            }
        )
        cls.bank_account = cls.env["res.partner.bank"].create(
            {"acc_number": "PL61109010140000071219812874", "partner_id": cls.company.partner_id.id}
        )
        cls.company_data["default_journal_bank"].bank_account_id = cls.bank_account
        with freeze_time("2026-03-31"):
            cls.own = cls._posted_invoice(
                1000, "2026-01-10", partner=cls.customer, invoice_date_due=date(2026, 2, 9)
            )
            cls.foreign = cls._posted_invoice(
                300,
                "2026-03-20",
                partner=cls.customer,
                invoice_date_due=date(2026, 4, 19),
                currency_id=cls.eur.id,
            )
            cls.elsewhere = cls._create_invoice_one_line(
                price_unit=777,
                tax_ids=[],
                partner_id=cls.customer.id,
                invoice_date="2026-03-01",
                invoice_date_due=date(2026, 3, 31),
                invoice_payment_term_id=False,
                company_id=cls.other.id,
                journal_id=cls.env["account.journal"]
                .search([("company_id", "=", cls.other.id), ("type", "=", "sale")], limit=1)
                .id,
                post=True,
            )

    def test_statement_totals_per_currency_of_one_company(self):
        with freeze_time("2026-03-31"):
            lines = self.customer.with_company(self.company)._ar_statement_lines()
            totals = lines._ar_statement_totals()["totals"]
        by_currency = {t["currency"]: t for t in totals}
        self.assertEqual(set(by_currency), {self.company.currency_id, self.eur})
        self.assertEqual(by_currency[self.company.currency_id]["balance"], 1000)
        self.assertEqual(by_currency[self.eur]["balance"], 300, "the EUR invoice in EUR, not converted")
        self.assertIn(self.own.name, by_currency[self.company.currency_id]["transfer_title"])
        self.assertNotIn(self.foreign.name, by_currency[self.company.currency_id]["transfer_title"])
        aging = dict(by_currency[self.company.currency_id]["aging"])
        self.assertEqual(aging["31-60 days"], 1000, "due 2026-02-09, 50 days late on 2026-03-31")
        self.assertEqual(sum(dict(by_currency[self.eur]["aging"]).values()), 300)
        self.assertEqual(by_currency[self.eur]["bank_account"], self.bank_account)

    def test_web_page_shows_one_company(self):
        with freeze_time("2026-03-31"):
            self.authenticate("anna.mazur", "anna.mazur")
            page = self.url_open("/my/statement").text
        self.assertIn(self.own.name, page)
        self.assertIn(self.foreign.name, page)
        self.assertNotIn("777.00", page, "another company's invoice never appears")
        self.assertIn(self.bank_account.acc_number, page)
        self.assertIn(f"{self.own.name} of 01/10/2026", page, "the transfer title names the invoice")

    def test_signed_link_shows_one_company(self):
        with freeze_time("2026-03-31"):
            link = self.customer._ar_statement_link(company=self.company)
            page = self.url_open(link[link.index("/my/") :]).text
        self.assertIn(self.own.name, page)
        self.assertNotIn("777.00", page)

    def test_old_link_without_its_company_is_refused_with_a_reason(self):
        """A link sent before links named their company cannot tell which of the two companies sent it."""
        with freeze_time("2026-03-31"):
            expires = int(time.time()) + 86400
            token = hmac(self.env(su=True), "ar_portal-statement-link", (self.customer.id, expires))
            response = self.url_open(f"/my/statement/link/{self.customer.id}/{expires}/{token}")
        self.assertEqual(response.status_code, 409)
        self.assertIn("o_ar_statement_link_ambiguous", response.text)
        self.assertIn("customer of several of our companies", response.text)
        self.assertNotIn(self.own.name, response.text)
        self.assertNotIn("777.00", response.text)

    def test_pdf_per_currency(self):
        with freeze_time("2026-03-31"):
            pdf = render_pdf(
                self.env(context=dict(self.env.context, allowed_company_ids=self.company.ids)),
                "ar_portal.action_report_partner_statement",
                self.customer.ids,
                data={"date_from": date(2026, 1, 1), "date_to": date(2026, 3, 31)},
            )
        text = pdf_text(pdf)
        self.assertIn(self.own.name, text)
        self.assertIn(self.foreign.name, text)
        self.assertNotIn("777", text)
        eur_section = text.split("EUR", 1)[1]
        self.assertIn("300.00", eur_section)
        self.assertNotIn("1,300.00", text, "the EUR invoice is never added to the company-currency balance")
        self.assertIn(self.bank_account.acc_number, text)
