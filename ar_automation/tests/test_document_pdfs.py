from unittest.mock import patch

from odoo.tests import tagged

from .common import ArTestCommon
from .pdf_text import pdf_text, render_pdf

ENGINE = "odoo.addons.ar_automation.models.res_company.ResCompany._ar_pdf_engine"


@tagged("post_install", "-at_install")
class TestDocumentPdfs(ArTestCommon):
    """An invoice PDF is a legal document: the seller's name, address, NIP and bank account are on it,
    whatever the PDF engine can print."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Hurtownia Testowa Sp. z o.o.",
                "vat": "PL5260250274",
                "street": "ul. Prosta 12",
                "zip": "00-850",
                "city": "Warszawa",
            }
        )
        cls.bank_account = cls.env["res.partner.bank"].create(
            {"acc_number": "PL61109010140000071219812874", "partner_id": cls.company.partner_id.id}
        )
        cls.company_data["default_journal_bank"].bank_account_id = cls.bank_account
        cls.invoice = cls._posted_invoice(1230, "2026-03-02")

    def test_invoice_pdf_names_the_seller(self):
        text = pdf_text(render_pdf(self.env, "account.account_invoices", self.invoice.ids))
        self.assertIn("Hurtownia Testowa Sp. z o.o.", text)
        self.assertIn("PL5260250274", text)
        self.assertIn(self.invoice.name, text)

    def test_engine_without_headers_prints_the_seller_in_the_body(self):
        engine = {"state": "ok", "version": "0.12.6", "bin": "/usr/bin/wkhtmltopdf", "prints_headers": False}
        # Odoo's header and footer dropped: the seller's identity is in the body all the same.
        with patch(ENGINE, return_value=engine):
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html("account.account_invoices", self.invoice.ids)[0]
                .decode()
            )
            problems = self.invoice.ar_check()
        self.assertFalse([p for p in problems if "PDF engine" in p], "an engine without headers still sends")
        self.assertIn("o_ar_seller_identity", html)
        body = html.split("o_ar_seller_identity", 1)[1].split("</div>", 1)[0]
        for expected in (
            "Hurtownia Testowa Sp. z o.o.",
            "PL5260250274",
            "Warszawa",
            self.bank_account.acc_number,
        ):
            self.assertIn(expected, body)

    def test_no_pdf_engine_blocks_automatic_sending(self):
        engine = {"state": "install", "version": "", "bin": "wkhtmltopdf", "prints_headers": False}
        with patch(ENGINE, return_value=engine):
            problems = self.invoice.ar_check()
            settings = self.env["res.config.settings"].create({})
            self.assertIn("No working wkhtmltopdf", settings.ar_pdf_engine)
            self.assertIn("without the seller's name, address and NIP", settings.ar_pdf_problem)
        self.assertTrue(any("No working PDF engine" in p for p in problems), problems)

    def test_settings_tell_which_engine(self):
        settings = self.env["res.config.settings"].create({})
        engine = self.company._ar_pdf_engine()
        self.assertIn(engine["bin"], settings.ar_pdf_engine)
        self.assertFalse(settings.ar_pdf_problem)
