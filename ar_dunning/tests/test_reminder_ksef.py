from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon
from odoo.addons.ar_automation.tests.pdf_text import pdf_text, render_pdf
from odoo.addons.mail.tests.common import MailCase

KSEF_NUMBER = "5265877635-20250826-0100001AF629-AF"


@tagged("post_install", "-at_install")
class TestReminderKsef(ArTestCommon, MailCase):
    """A reminder names each invoice issued in KSeF by its KSeF number, also in the transfer title the
    customer is asked to use (art. 108g of the VAT act)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.ar_dunning_policy_id = cls.env["ar.dunning.policy"].create(
            {
                "name": "One e-mail",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create({"name": "Gentle", "offset_days": 1, "channel": "email", "tone": "gentle"})
                ],
            }
        )
        cls.company_data["default_journal_bank"].bank_account_id = cls.env["res.partner.bank"].create(
            {"acc_number": "PL61109010140000071219812874", "partner_id": cls.company.partner_id.id}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Drukarnia Mazur", "is_company": True, "email": "ksiegowosc@mazur.example.com"}
        )
        with freeze_time("2026-03-01"):
            cls.invoice = cls._posted_invoice(
                1230.5, "2026-02-01", cls.customer, invoice_date_due=date(2026, 3, 3)
            )
        cls.invoice.write({"l10n_pl_edi_status": "accepted", "l10n_pl_edi_number": KSEF_NUMBER})

    def test_reminder_shows_the_ksef_number_and_puts_it_in_the_title(self):
        with freeze_time("2026-03-10"), self.mock_mail_gateway():
            run = self.env["ar.dunning.run"].run_for_date("2026-03-10")
        body = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer).mail_id.body_html
        self.assertIn(f"KSeF: {KSEF_NUMBER}", body)
        title = self.company._ar_transfer_title(self.invoice)
        self.assertTrue(title.startswith(KSEF_NUMBER))
        self.assertIn(title, body)

    def _reminder(self, channel, **level):
        self.company.ar_dunning_policy_id.level_ids.write({"channel": channel, **level})
        self.customer.phone = "+48 601 234 567"
        with freeze_time("2026-03-10 10:00"), self.mock_mail_gateway():  # outside the quiet hours
            run = self.env["ar.dunning.run"].run_for_date("2026-03-10")
        return run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)

    def test_sms_reminder_carries_the_ksef_number(self):
        line = self._reminder("sms")
        self.assertEqual(line.state, "sent")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(f"KSeF {KSEF_NUMBER}", sms.body)
        self.assertIn(f"KSeF {KSEF_NUMBER}", line.sms_body)

    def test_letter_names_the_ksef_number_and_the_title(self):
        line = self._reminder("letter")
        with freeze_time("2026-03-10"):
            text = pdf_text(render_pdf(self.env, "ar_dunning.action_report_reminder_letter", line.ids))
        flat = " ".join(text.split())
        self.assertIn(self.invoice.name, flat)
        self.assertIn(f"KSeF: {KSEF_NUMBER}", flat)
        self.assertIn(f"transfer title: {KSEF_NUMBER} ", flat, "the title the customer is asked to use")
