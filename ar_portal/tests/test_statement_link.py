import time
from datetime import date
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import hmac

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestStatementLink(ArPortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._posted_invoice(
            300, "2026-10-01", cls.customer, invoice_date_due=date(2026, 10, 15)
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Nowak S.A.", "is_company": True})
        cls.other_invoice = cls._posted_invoice(999, "2026-10-01", cls.other_customer)

    def _path(self, url):
        return url[url.index("/my/statement/link/") :]

    def test_link_opens_the_statement_without_a_password(self):
        url = self.contact._ar_statement_link()
        self.assertIn(
            f"/my/statement/link/{self.customer.id}/", url, "the company's statement, not the contact's"
        )
        response = self.url_open(self._path(url))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice.name, response.text)
        self.assertIn("access_token=", response.text, "each invoice opens to be paid")
        self.assertNotIn(self.other_invoice.name, response.text)

    def test_tampered_or_expired_links_are_refused(self):
        url = self._path(self.customer._ar_statement_link())
        _prefix, partner_id, expires, token = url.rsplit("/", 3)
        # The last character changed to another one, whatever it was (a fixed "0" forged nothing when
        # the real token ended in 0).
        altered = token[:-1] + ("1" if token[-1] == "0" else "0")
        self.assertNotEqual(altered, token)
        forged = [
            f"/my/statement/link/{self.other_customer.id}/{expires}/{token}",
            f"/my/statement/link/{partner_id}/{int(expires) + 86400}/{token}",
            f"/my/statement/link/{partner_id}/{expires}/{altered}",
            f"/my/statement/link/999999/{expires}/{token}",
        ]
        for path in forged:
            response = self.url_open(path)
            self.assertEqual(response.status_code, 403, path)
            self.assertNotIn(self.other_invoice.name, response.text)
            self.assertNotIn(self.invoice.name, response.text)
        with patch.object(time, "time", return_value=int(expires) + 1):
            self.assertFalse(self.customer._ar_check_statement_token(expires, token))

    def _old_link(self, partner, expires):
        """A link as reminders sent them before links named their company: signed (customer, expiry)."""
        token = hmac(self.env(su=True), "ar_portal-statement-link", (partner.id, expires))
        return f"/my/statement/link/{partner.id}/{expires}/{token}"

    def test_old_links_without_company_open_the_one_company_statement(self):
        expires = int(time.time()) + 86400
        response = self.url_open(self._old_link(self.customer, expires))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice.name, response.text)
        self.assertNotIn(self.other_invoice.name, response.text)
        path = self._old_link(self.customer, expires)
        forged = [
            path[:-1] + ("1" if path[-1] == "0" else "0"),
            path.replace(f"/{self.customer.id}/", f"/{self.other_customer.id}/"),
            self._old_link(self.customer, int(time.time()) - 1),
            self._old_link(self.contact, expires),
        ]
        for url in forged:
            with self.subTest(url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn(self.invoice.name, response.text)

    def test_reminders_carry_the_signed_link(self):
        self.env["ar.dunning.policy"].create(
            {
                "name": "P",
                "company_id": self.company.id,
                "level_ids": [(0, 0, {"name": "L", "offset_days": 1})],
            }
        )
        run = self.env["ar.dunning.run"].run_for_date("2026-11-20", send=False)
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        self.assertIn(f"/my/statement/link/{self.customer.id}/", line._ar_statement_url())
        body = self.env.ref("ar_dunning.mail_template_dunning_reminder")._render_field("body_html", line.ids)[
            line.id
        ]
        self.assertIn("/my/statement/link/", body)
