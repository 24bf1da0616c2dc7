"""The account statement opened by URL is refused to whoever may not read the customer's invoices, as
Odoo's invoice rules decide; the AutoPay consent's evidence and saved method are for accounting only."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.ar_automation.tests.common import ArSecurityCommon

AUTOPAY_EVIDENCE = (
    "ar_autopay_consent_ip",
    "ar_autopay_consent_user_id",
    "ar_autopay_consent_date",
    "ar_autopay_consent_text",
    "ar_autopay_token_id",
)


@tagged("post_install", "-at_install")
class TestSecurityStatementReport(ArSecurityCommon, HttpCase):
    def _statement(self, login, partner, converter="html"):
        self.authenticate(login, login)
        return self.url_open(f"/report/{converter}/ar_portal.report_partner_statement/{partner.id}")

    def _assert_refused(self, response):
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.invoice_other.name, response.text)

    def test_statement_of_another_salespersons_customer_refused_to_salesman_own_docs(self):
        self._assert_refused(self._statement(self.own.login, self.customer_other))

    def test_statement_pdf_of_another_salespersons_customer_refused_to_salesman_own_docs(self):
        self._assert_refused(self._statement(self.own.login, self.customer_other, "pdf"))

    def test_statement_with_one_invoice_of_another_salesperson_refused(self):
        """The customer is theirs, but one invoice was sold by someone else: they may not read it in Odoo,
        nor in the statement."""
        self._posted_invoice(
            777,
            self.invoice_own.invoice_date,
            self.customer_own,
            invoice_date_due=self.invoice_own.invoice_date_due,
            invoice_user_id=self.other.id,
        )
        response = self._statement(self.own.login, self.customer_own)
        self.assertEqual(response.status_code, 403)

    def test_statement_of_another_companys_customer_refused(self):
        self._assert_refused(self._statement(self.collector_2.login, self.customer_other))

    def test_statement_of_another_customer_refused_to_portal_user(self):
        self._assert_refused(self._statement(self.portal.login, self.customer_other))

    def test_statement_allowed_to_the_customers_salesman_and_accounting(self):
        for user in (self.own, self.all_docs, self.billing, self.accountant):
            response = self._statement(user.login, self.customer_own)
            self.assertEqual(response.status_code, 200, user.login)
            self.assertIn(self.invoice_own.name, response.text)
        response = self._statement(self.other.login, self.customer_other)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_other.name, response.text)


@tagged("post_install", "-at_install")
class TestSecurityAutoPayFields(ArSecurityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_other.write(
            {
                "ar_autopay_consent_ip": "203.0.113.7",
                "ar_autopay_consent_user_id": cls.env.user.id,
                "ar_autopay_consent_text": "I authorise…",
            }
        )

    def test_salesman_cannot_read_autopay_consent_ip(self):
        with self.assertRaises(AccessError):
            self.customer_other.with_user(self.own).read(["ar_autopay_consent_ip"])

    def test_salesman_all_documents_cannot_read_autopay_consent_ip_by_search_read(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.all_docs).search_read(
                [("id", "=", self.customer_other.id)], ["ar_autopay_consent_ip"]
            )

    def test_salesman_cannot_read_autopay_saved_method(self):
        with self.assertRaises(AccessError):
            self.customer_other.with_user(self.other).read(["ar_autopay_token_id"])

    def test_salesman_cannot_read_who_consented_and_when(self):
        for field in ("ar_autopay_consent_user_id", "ar_autopay_consent_date", "ar_autopay_consent_text"):
            with self.assertRaises(AccessError, msg=field):
                self.customer_other.with_user(self.own).read([field])

    def test_salesman_cannot_search_customers_by_autopay_consent_ip(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.own).search(
                [("ar_autopay_consent_ip", "=", "203.0.113.7")]
            )

    def test_salesman_partner_form_leaves_the_evidence_out(self):
        form_fields = (
            self.env["res.partner"]
            .with_user(self.own)
            .get_views([(False, "form")])["models"]["res.partner"]["fields"]
        )
        self.assertFalse(set(AUTOPAY_EVIDENCE) & set(form_fields))
        self.assertIn("ar_autopay", form_fields)

    def test_accounting_reads_the_consent_evidence(self):
        for user in (self.billing, self.accountant):
            values = self.customer_other.with_user(user).read(list(AUTOPAY_EVIDENCE))[0]
            self.assertEqual(values["ar_autopay_consent_ip"], "203.0.113.7", user.login)
