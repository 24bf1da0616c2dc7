from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon
from odoo.addons.mail.tests.common import MailCase

ENGINE = "odoo.addons.ar_automation.models.res_company.ResCompany._ar_pdf_engine"


@tagged("post_install", "-at_install")
class TestReminderPaymentDetails(ArTestCommon, MailCase):
    """A reminder a Polish customer can pay from: the bank account, a transfer title naming the invoices,
    dates and amounts in Polish, the invoices' PDFs attached."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.company.ar_dunning_policy_id = cls.env["ar.dunning.policy"].create(
            {
                "name": "One e-mail",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create({"name": "Gentle", "offset_days": 1, "channel": "email", "tone": "gentle"})
                ],
            }
        )
        cls.bank_account = cls.env["res.partner.bank"].create(
            {"acc_number": "PL61109010140000071219812874", "partner_id": cls.company.partner_id.id}
        )
        cls.company_data["default_journal_bank"].bank_account_id = cls.bank_account
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Drukarnia Mazur",
                "is_company": True,
                "email": "ksiegowosc@mazur.example.com",
                "lang": "pl_PL",
            }
        )
        with freeze_time("2026-03-01"):
            cls.invoice = cls._posted_invoice(
                1230.5, "2026-02-01", cls.customer, invoice_date_due=date(2026, 3, 3)
            )

    def _reminder(self):
        with freeze_time("2026-03-10"), self.mock_mail_gateway():
            run = self.env["ar.dunning.run"].run_for_date("2026-03-10")
        return run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)

    def test_reminder_carries_bank_account_title_and_polish_formats(self):
        mail = self._reminder().mail_id
        body = mail.body_html
        self.assertIn(self.bank_account.acc_number, body)
        title = self.company.with_context(lang="pl_PL")._ar_transfer_title(self.invoice)
        self.assertIn("01.02.2026", title, "the invoice's date in the Polish format")
        self.assertIn(self.invoice.name, title)
        self.assertIn(title, body, "the transfer title")
        self.assertIn("03.03.2026", body, "the due date in the Polish format")
        self.assertIn("1230,50", body, "the amount in the Polish format (decimal comma)")
        self.assertEqual(mail.attachment_ids.mapped("mimetype"), ["application/pdf"])
        self.assertIn(self.invoice.name.replace("/", "_"), mail.attachment_ids.name)

    def test_invoices_not_attached_when_the_company_says_so(self):
        self.company.ar_dunning_attach_invoices = False
        self.assertFalse(self._reminder().mail_id.attachment_ids)

    def test_no_pdf_engine_refuses_reminders_with_attachments(self):
        """Without a working PDF engine the reminder is not sent without its invoices: it stays in error with
        the reason in the run, and the invoice's level is not recorded (the next run sends it)."""
        engine = {"state": "install", "version": "", "bin": "wkhtmltopdf", "prints_headers": False}
        with patch(ENGINE, return_value=engine):
            line = self._reminder()
        self.assertEqual(line.state, "error")
        self.assertFalse(line.mail_id)
        self.assertIn("PDFs cannot be attached", line.error)
        self.assertIn("No working PDF engine", line.error)
        self.assertFalse(self.invoice.ar_dunning_level_id, "the next run sends the reminder")
        self.assertEqual(line.run_id.error_count, 1)

    def test_no_pdf_engine_sends_when_attachments_are_off(self):
        self.company.ar_dunning_attach_invoices = False
        engine = {"state": "install", "version": "", "bin": "wkhtmltopdf", "prints_headers": False}
        with patch(ENGINE, return_value=engine):
            line = self._reminder()
        self.assertEqual(line.state, "sent")
        self.assertFalse(line.mail_id.attachment_ids)
