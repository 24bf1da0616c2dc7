from datetime import date

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon
from odoo.addons.ar_automation.tests.pdf_text import pdf_text, render_pdf

KSEF_NUMBER = "5265877635-20250826-0100001AF629-AF"


@tagged("post_install", "-at_install")
class TestPortalKsef(ArTestCommon, HttpCase):
    """The customer sees the KSeF number of an invoice issued in KSeF on the statement (art. 108g: the
    number to put in the transfer title)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Kowalski Sp. z o.o.", "is_company": True})
        contact = cls.env["res.partner"].create(
            {"name": "Jan Kowalski", "parent_id": cls.customer.id, "email": "jan@kowalski.example.com"}
        )
        cls.env["res.users"].create(
            {
                "name": "Jan Kowalski",
                "login": "jan.kowalski",
                "password": "jan.kowalski",
                "partner_id": contact.id,
                "group_ids": [(6, 0, [cls.env.ref("base.group_portal").id])],
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
            }
        )
        with freeze_time("2026-03-31"):
            cls.in_ksef = cls._posted_invoice(
                1230, "2026-01-10", partner=cls.customer, invoice_date_due=date(2026, 2, 9)
            )
            cls.outside_ksef = cls._posted_invoice(
                500, "2026-03-20", partner=cls.customer, invoice_date_due=date(2026, 4, 19)
            )
        cls.in_ksef.write({"l10n_pl_edi_status": "accepted", "l10n_pl_edi_number": KSEF_NUMBER})

    def test_statement_shows_the_ksef_number(self):
        with freeze_time("2026-03-31"):
            self.authenticate("jan.kowalski", "jan.kowalski")
            page = self.url_open("/my/statement").text
        self.assertIn(self.in_ksef.name, page)
        self.assertIn(f"KSeF: {KSEF_NUMBER}", page)
        self.assertEqual(page.count("o_ar_ksef_number"), 1, "only the invoice issued in KSeF has one")

    def test_statement_pdf_names_the_ksef_number_in_the_document_column(self):
        with freeze_time("2026-03-31"):
            pdf = render_pdf(
                self.env,
                "ar_portal.action_report_partner_statement",
                self.customer.ids,
                data={"date_from": date(2026, 1, 1), "date_to": date(2026, 3, 31)},
            )
        lines = pdf_text(pdf).splitlines()
        row = next(i for i, text in enumerate(lines) if self.in_ksef.name in text)
        self.assertIn(f"KSeF: {KSEF_NUMBER}", lines[row + 1], "under the invoice's number, in its column")
        self.assertEqual(sum(f"KSeF: {KSEF_NUMBER}" in text for text in lines), 1)
        other = next(i for i, text in enumerate(lines) if self.outside_ksef.name in text)
        self.assertNotIn("KSeF", lines[other] + lines[other + 1], "no KSeF number outside KSeF")
