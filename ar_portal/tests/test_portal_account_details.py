from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccountDetails(ArPortalCommon, HttpCase):
    portal_login = "jan.details"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.customer.write({"email": "biuro@kowalski.example.com", "lang": "en_US"})

    def _save(self, **form):
        values = {"billing_email": "", "lang": "en_US", "customer_po": "", **form}
        return self._post("/my/account_details", **values)

    def test_customer_changes_billing_details_and_each_change_is_logged(self):
        self.authenticate(self.portal_login, self.portal_login)
        self.assertIn("o_ar_details_form", self.url_open("/my/account_details").text)
        self.assertIn("/my/account_details", self.url_open("/my").text)
        response = self._save(
            billing_email="faktury@kowalski.example.com", lang="pl_PL", customer_po=" ZAM/2026/17 "
        )
        self.assertIn("ar_message=saved", response.url)
        self.assertRecordValues(
            self.customer,
            [
                {
                    "ar_billing_email": "faktury@kowalski.example.com",
                    "lang": "pl_PL",
                    "ar_customer_po": "ZAM/2026/17",
                }
            ],
        )
        note = self.customer.message_ids[0].body
        self.assertIn("Jan Kowalski", note)
        self.assertIn("Billing E-mail: - → faktury@kowalski.example.com", note)
        self.assertIn("Language: English (US) → Polish", note)
        self.assertIn("ZAM/2026/17", note)
        self.assertIn(
            "ar_message=unchanged",
            self._save(
                billing_email="faktury@kowalski.example.com", lang="pl_PL", customer_po="ZAM/2026/17"
            ).url,
        )
        self._save(billing_email="", lang="pl_PL", customer_po="ZAM/2026/17")
        self.assertFalse(self.customer.ar_billing_email)
        self.assertIn("Billing E-mail: faktury@kowalski.example.com → -", self.customer.message_ids[0].body)

    def test_bad_details_are_refused(self):
        self.authenticate(self.portal_login, self.portal_login)
        for form in (
            {"billing_email": "not an e-mail"},
            {"billing_email": "a@b.example.com, c@d.example.com"},
            {"lang": "xx_XX"},
            {"lang": "de_DE"},
            {"customer_po": "x" * 65},
        ):
            with self.subTest(form):
                self.assertIn("ar_error=", self._save(**form).url)
        self.assertFalse(self.customer.ar_billing_email)
        self.assertEqual(self.customer.lang, "en_US")
        response = self._post(
            "/my/account_details", csrf=False, billing_email="x@y.example.com", lang="en_US"
        )
        self.assertEqual(response.status_code, 400, "no change without the CSRF token")
        self.assertFalse(self.customer.ar_billing_email)

    def test_invoices_and_reminders_follow_the_billing_details(self):
        self.customer.write({"ar_billing_email": "faktury@kowalski.example.com", "ar_customer_po": "PO-77"})
        billing = self.customer._ar_billing_contact()
        self.assertRecordValues(billing, [{"type": "invoice", "parent_id": self.customer.id}])
        today = self.company._ar_today()
        invoice = self._posted_invoice(
            100, today - timedelta(days=40), self.customer, invoice_date_due=today - timedelta(days=10)
        )
        self.assertEqual(invoice.ref, "PO-77", "the PO number on new invoices")
        own_ref = self._posted_invoice(100, today, self.customer, ref="Umowa 5")
        self.assertEqual(own_ref.ref, "Umowa 5", "a reference given is kept")
        template = self.env.ref("account.email_template_edi_invoice")
        recipients = self.env["account.move.send"]._get_default_mail_partner_ids(invoice, template, "en_US")
        self.assertEqual(recipients, billing)
        self.env["ar.dunning.policy"].create(
            {
                "name": "P",
                "company_id": self.company.id,
                "level_ids": [Command.create({"name": "L", "offset_days": 1})],
            }
        )
        run = self.env["ar.dunning.run"].run_for_date(today, send=False)
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertEqual(line.recipient_ids, billing)
