from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon


@tagged("post_install", "-at_install")
class TestCustomerSegments(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["ar.dunning.policy"]
        cls.soft, cls.normal, cls.strict = Policy.create(
            [{"name": n, "company_id": cls.company.id} for n in ("Soft", "Normal", "Strict")]
        )
        cls.strategic, cls.standard, cls.high_risk = cls.env["ar.customer.segment"].create(
            [
                {
                    "name": "Strategic",
                    "sequence": 1,
                    "company_id": cls.company.id,
                    "policy_id": cls.soft.id,
                    "min_paid_invoices": 2,
                    "max_days_late": 5,
                    "max_broken_promises": 0,
                    "max_disputes": 1,
                },
                {
                    "name": "Standard",
                    "sequence": 2,
                    "company_id": cls.company.id,
                    "policy_id": cls.normal.id,
                    "max_days_late": 30,
                    "is_default": True,
                },
                {
                    "name": "High risk",
                    "sequence": 3,
                    "company_id": cls.company.id,
                    "policy_id": cls.strict.id,
                },
            ]
        )
        cls.punctual, cls.late, cls.newcomer, cls.locked = cls.env["res.partner"].create(
            [{"name": n, "is_company": True} for n in ("Punctual", "Late", "Newcomer", "Locked")]
        )

    def _paid(self, partner, due, paid_on):
        invoice = self._posted_invoice(100, "2026-01-01", partner, invoice_date_due=due)
        self._register_payment(invoice, payment_date=paid_on)
        return invoice

    @freeze_time("2026-06-30")
    def test_segments_follow_payment_history_unless_set_by_hand(self):
        self._paid(self.punctual, date(2026, 2, 1), date(2026, 2, 2))
        self._paid(self.punctual, date(2026, 3, 1), date(2026, 2, 25))
        self._paid(self.late, date(2026, 2, 1), date(2026, 3, 20))  # 47 days late
        self._paid(self.locked, date(2026, 2, 1), date(2026, 3, 20))
        self.locked.with_company(self.company).write(
            {"ar_segment_id": self.strategic.id, "ar_segment_manual": True}
        )
        self.env["ar.customer.segment"]._segment_customers(self.company)
        partners = (self.punctual | self.late | self.locked).with_company(self.company)
        self.assertEqual(partners[0].ar_segment_id, self.strategic)
        self.assertEqual(partners[1].ar_segment_id, self.high_risk)
        self.assertEqual(partners[2].ar_segment_id, self.strategic, "set by hand: left alone")
        self.assertFalse(self.newcomer.with_company(self.company).ar_segment_id, "no invoice: not segmented")

    @freeze_time("2026-06-30")
    def test_long_overdue_open_invoice_makes_high_risk(self):
        self._paid(self.punctual, date(2026, 2, 1), date(2026, 2, 1))
        self._paid(self.punctual, date(2026, 3, 1), date(2026, 3, 1))
        self._posted_invoice(100, "2026-03-01", self.punctual, invoice_date_due=date(2026, 3, 31))
        self.env["ar.customer.segment"]._segment_customers(self.company)
        self.assertEqual(self.punctual.with_company(self.company).ar_segment_id, self.high_risk)

    @freeze_time("2026-06-30")
    def test_broken_promises_and_disputes_lose_the_strategic_segment(self):
        for month in (2, 3):
            self._paid(self.punctual, date(2026, month, 1), date(2026, month, 1))
        open_invoice = self._posted_invoice(
            100, "2026-06-01", self.punctual, invoice_date_due=date(2026, 7, 1)
        )
        self.env["ar.customer.segment"]._segment_customers(self.company)
        self.assertEqual(self.punctual.with_company(self.company).ar_segment_id, self.strategic)
        promise = self.env["ar.payment.promise"].create(
            {"invoice_id": open_invoice.id, "date_promised": date(2026, 6, 10)}
        )
        promise.state = "broken"
        self.env["ar.customer.segment"]._segment_customers(self.company)
        self.assertEqual(
            self.punctual.with_company(self.company).ar_segment_id, self.standard, "a broken promise"
        )

    def test_policy_comes_from_the_customer_then_its_segment_then_the_company(self):
        partner = self.newcomer.with_company(self.company)
        contact = self.env["res.partner"].create({"name": "Accounts payable", "parent_id": partner.id})
        self.company.ar_dunning_policy_id = self.normal
        self.assertEqual(partner._ar_dunning_policies(self.company)[partner.id], self.normal)
        partner.ar_segment_id = self.high_risk
        self.assertEqual(partner._ar_dunning_policies(self.company)[partner.id], self.strict)
        partner.ar_dunning_policy_id = self.soft
        self.assertEqual(partner._ar_dunning_policies(self.company)[partner.id], self.soft)
        self.assertEqual(
            (partner | contact)._ar_dunning_policies(self.company),
            {partner.id: self.soft, contact.id: self.soft},
            "a contact follows its company's policy",
        )
        run = self.env["ar.dunning.run"]
        self.assertEqual(
            run._policies_by_customer(self.company, [partner.id, contact.id]),
            {partner.id: self.soft, contact.id: self.soft},
            "the reminder run uses the same rule",
        )

    @freeze_time("2026-06-30")
    def test_kpi_snapshots_per_segment(self):
        self._posted_invoice(300, "2026-05-01", self.punctual, invoice_date_due=date(2026, 6, 1))
        self._posted_invoice(50, "2026-05-01", self.late, invoice_date_due=date(2026, 7, 15))
        self.punctual.with_company(self.company).ar_segment_id = self.high_risk
        self.late.with_company(self.company).ar_segment_id = self.standard
        self.env["ar.kpi.snapshot"].sudo()._take(date(2026, 6, 30), self.company)
        rows = self.env["ar.kpi.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", "2026-06-30")]
        )
        by_scope = {row.segment_id: row for row in rows}
        self.assertEqual(len(rows), 4, "the company and its three segments")
        self.assertRecordValues(by_scope[self.high_risk], [{"receivable": 300, "overdue": 300}])
        self.assertRecordValues(by_scope[self.standard], [{"receivable": 50, "overdue": 0}])
        self.assertRecordValues(by_scope[self.strategic], [{"receivable": 0}])
        self.assertEqual(by_scope[self.env["ar.customer.segment"]].scope, "company")
