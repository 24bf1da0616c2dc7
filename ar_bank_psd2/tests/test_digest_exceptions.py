from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon


@tagged("post_install", "-at_install")
class TestDigestExceptions(ArTestCommon):
    """The styled daily digest: currency-formatted figures, their change against yesterday and last month,
    links to the screens and today's exceptions of every kind (ar_bank_psd2 adds the bank's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"ar_digest_emails": "board@example.com"})
        with freeze_time("2026-11-23"):
            cls.late = cls._posted_invoice(1900, "2026-10-01", invoice_date_due=date(2026, 10, 31))
        snapshot = cls.env["ar.kpi.snapshot"]
        for day, receivable, dso in (("2026-11-22", 1500.0, 40.0), ("2026-10-23", 2400.0, 55.0)):
            snapshot.create(
                {
                    "date": day,
                    "company_id": cls.company.id,
                    "receivable": receivable,
                    "overdue": 500.0,
                    "dso": dso,
                }
            )
        cls.to_fix = cls._create_invoice_one_line(price_unit=50, partner_id=cls.partner_b.id, post=False)
        cls.to_fix.write({"ar_check_state": "blocked", "ar_check_message": "VAT missing"})
        cls.payment = cls.env["account.bank.statement.line"].create(
            {
                "journal_id": cls.company_data["default_journal_bank"].id,
                "date": "2026-11-22",
                "amount": 777.70,
                "payment_ref": "Przelew bez tytulu",
                "partner_name": "Nieznany Platnik",
            }
        )
        cls.connection = cls.env["ar.bank.connection"].create(
            {
                "name": "mBank",
                "provider": "berlin_group",
                "state": "active",
                "consent_expiry": datetime(2026, 11, 30, 12),
            }
        )

    def test_the_digest_shows_money_changes_links_and_every_exception(self):
        with freeze_time("2026-11-23 07:00"):
            failed = self.env["mail.mail"].create(
                {
                    "subject": "Przypomnienie o płatności",
                    "email_to": "ap@gone.example.com",
                    "body_html": "<p>x</p>",
                }
            )
            failed.write({"state": "exception", "failure_reason": "Connection refused"})
            self.payment.ar_match_state = "unmatched"
            mails = self.company.sudo()._ar_send_digest()
        body = mails.body_html
        currency = self.company.currency_id.symbol
        self.assertIn(f"{currency}\xa01,900.00", body, "today's receivable in the currency's format")
        self.assertIn(f"+{currency}\xa0400.00", body, "receivable 1,500.00 yesterday")
        self.assertIn(f"−{currency}\xa0500.00", body, "receivable 2,400.00 a month ago")
        base = self.company.get_base_url()
        for xml_id in (
            "ar_automation.ar_worklist_item_action",
            "ar_automation.ar_kpi_snapshot_action",
            "ar_automation.account_move_action_ar_to_fix",
            "ar_bank_psd2.ar_statement_line_queue_action",
            "ar_bank_psd2.ar_bank_connection_action",
            "mail.action_view_mail_mail",
        ):
            self.assertIn(f'href="{base}/odoo/action-{xml_id}"', body)
        self.assertIn("Invoices to fix: 1", body)
        self.assertIn(self.partner_b.display_name, body)
        self.assertIn("Payments to match: 1", body)
        self.assertIn("Nieznany Platnik", body)
        self.assertIn("777.70", body)
        self.assertIn("Bank consents to renew: 1", body)
        self.assertIn("mBank: ends 11/30/2026 (Reconnect)", body)
        self.assertIn("E-mails that failed: 1", body)
        self.assertIn("ap@gone.example.com: Connection refused", body)

    def test_a_quiet_day_says_so(self):
        self.to_fix.unlink()
        self.connection.consent_expiry = datetime(2027, 5, 1)
        with freeze_time("2026-11-23 07:00"):
            values = self.company.ar_digest_values()
        titles = [exception["title"] for exception in values["exceptions"]]
        self.assertNotIn("Invoices to fix", titles)
        self.assertNotIn("Bank consents to renew", titles)
        figures = {figure["key"]: figure for figure in values["figures"]}
        self.assertEqual(figures["receivable"]["value"], 1900.0)
        self.assertEqual(
            (figures["receivable"]["yesterday"], figures["receivable"]["month"]), (400.0, -500.0)
        )
        self.assertIsNotNone(figures["dso"]["month"])
