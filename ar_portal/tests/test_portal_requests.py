from datetime import date

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon


@tagged("post_install", "-at_install")
class TestPortalRequests(ArPortalCommon, HttpCase):
    portal_login = "jan.requests"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._posted_invoice(
            1230, "2026-11-02", partner=cls.customer, invoice_date_due=date(2026, 11, 16)
        )
        cls.someone_else = cls._posted_invoice(
            999, "2026-11-02", partner=cls.partner_b, invoice_date_due=date(2026, 11, 16)
        )

    def test_the_invoice_page_offers_both_forms(self):
        self.authenticate("jan.requests", "jan.requests")
        page = self.url_open(self.invoice.get_portal_url()).text
        self.assertIn("o_ar_dispute_form", page)
        self.assertIn("o_ar_promise_form", page)

    def test_customer_disputes_an_invoice_from_the_portal(self):
        self.authenticate("jan.requests", "jan.requests")
        response = self._post(
            f"/my/invoices/{self.invoice.id}/ar_dispute", reason="quality", description="Towar uszkodzony"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("ar_message=dispute_opened", response.url)
        self.assertIn("o_ar_dispute_opened", response.text)
        dispute = self.invoice.ar_dispute_ids
        self.assertRecordValues(
            dispute, [{"origin": "portal", "reason": "quality", "description": "Towar uszkodzony"}]
        )
        self.assertTrue(self.invoice.ar_dunning_paused)

    def test_bad_requests_change_nothing(self):
        self.authenticate("jan.requests", "jan.requests")
        response = self._post(
            f"/my/invoices/{self.invoice.id}/ar_dispute", reason="nonsense", description="x"
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("Please choose a reason and describe the problem.", response.text)
        self._post(f"/my/invoices/{self.invoice.id}/ar_dispute", reason="price", description="   ")
        self._post(f"/my/invoices/{self.someone_else.id}/ar_dispute", reason="price", description="Not mine")
        self.assertFalse(self.env["ar.dispute"].search([]))
        for bad in ("2020-01-01", "2099-01-01", "not a date", ""):
            with freeze_time("2026-11-23"):
                response = self._post(f"/my/invoices/{self.invoice.id}/ar_promise", date_promised=bad)
            self.assertEqual(response.status_code, 422, bad)
            self.assertIn("Please choose a payment date between today and", response.text, bad)
        self.assertFalse(self.invoice.ar_promise_ids)

    def test_customer_promises_a_date_with_the_invoice_link_only(self):
        # No login: the link with the invoice's access token, as in the invoice e-mail.
        self.invoice._portal_ensure_token()
        self.authenticate(None, None)
        with freeze_time("2026-11-23"):
            response = self._post(
                f"/my/invoices/{self.invoice.id}/ar_promise",
                date_promised="2026-11-27",
                access_token=self.invoice.access_token,
            )
        self.assertIn("ar_message=promise_recorded", response.url)
        self.assertRecordValues(
            self.invoice.ar_promise_ids, [{"date_promised": date(2026, 11, 27), "origin": "portal"}]
        )
        response = self._post(
            f"/my/invoices/{self.invoice.id}/ar_promise", date_promised="2026-11-27", access_token="wrong"
        )
        self.assertEqual(len(self.invoice.ar_promise_ids), 1)

    def test_a_refused_complaint_keeps_the_text(self):
        """A complaint refused (too long here) comes back open with the reason chosen, the text as typed
        and the reason for the refusal next to it: nothing typed is lost, nothing cut silently."""
        self.authenticate("jan.requests", "jan.requests")
        text = "Towar uszkodzony w transporcie, <b>kartony</b> zgniecione. " * 100
        response = self._post(
            f"/my/invoices/{self.invoice.id}/ar_dispute", reason="quality", description=text
        )
        self.assertEqual(response.status_code, 422)
        page = response.text
        self.assertIn("at most 5000 characters", page)
        self.assertIn(f"(yours has {len(text)})", page)
        self.assertIn(
            "Towar uszkodzony w transporcie, &lt;b&gt;kartony&lt;/b&gt; zgniecione. " * 100,
            page,
            "the text kept",
        )
        self.assertRegex(page, r'<option value="quality" selected="[^"]+">')
        self.assertRegex(
            page, r'<details class="card card-body" open="[^"]+">\s*<summary class="fw-bold">Something'
        )
        self.assertFalse(self.invoice.ar_dispute_ids)
        response = self._post(
            f"/my/invoices/{self.invoice.id}/ar_dispute", reason="quality", description=text[:4000]
        )
        self.assertIn("ar_message=dispute_opened", response.url)
        self.assertEqual(self.invoice.ar_dispute_ids.description, text[:4000].strip())

    def test_a_refused_promise_keeps_the_date(self):
        self.authenticate("jan.requests", "jan.requests")
        with freeze_time("2026-11-23"):
            response = self._post(f"/my/invoices/{self.invoice.id}/ar_promise", date_promised="2027-06-01")
        self.assertEqual(response.status_code, 422)
        self.assertIn('value="2027-06-01"', response.text)
        self.assertIn("o_ar_field_error", response.text)
