from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon


@tagged("post_install", "-at_install")
class TestPartnerReceivables(ArTestCommon):
    """The customer form's receivables summary and smart buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            "ewa.summary",
            groups="ar_automation.ar_automation_group_collector",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.salesman = new_test_user(
            cls.env,
            "jan.sales.summary",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kowalski Sp. z o.o.", "is_company": True, "email": "ap@kowalski.example.com"}
        )
        cls.contact = cls.env["res.partner"].create({"name": "Jan Kowalski", "parent_id": cls.customer.id})
        cls.policy = cls.env["ar.dunning.policy"].create(
            {
                "name": "P",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create({"name": "First", "offset_days": 1}),
                    Command.create({"name": "Second", "offset_days": 15}),
                    Command.create({"name": "Final", "offset_days": 45}),
                ],
            }
        )
        cls.customer.with_company(cls.company).ar_dunning_policy_id = cls.policy
        with freeze_time("2026-01-15"):
            cls.first = cls._posted_invoice(
                600, "2026-01-01", cls.customer, invoice_date_due=date(2026, 1, 31)
            )
            cls.second = cls._posted_invoice(
                400, "2026-01-05", cls.customer, invoice_date_due=date(2026, 2, 4)
            )
            cls.third = cls._posted_invoice(
                300, "2026-01-10", cls.customer, invoice_date_due=date(2026, 3, 20)
            )
        with freeze_time("2026-02-20 09:00"):
            cls.env["ar.dunning.run"].run_for_date("2026-02-20")
        cls.dispute = cls.env["ar.dispute"].create(
            {
                "partner_id": cls.customer.id,
                "invoice_ids": [Command.set(cls.first.ids)],
                "reason": "other",
                "amount_disputed": 250,
                "company_id": cls.company.id,
            }
        )
        cls.promise = cls.env["ar.payment.promise"].create(
            {"invoice_id": cls.second.id, "date_promised": date(2026, 3, 10)}
        )

    def test_the_summary_of_a_customer_with_overdue_debt_a_promise_and_a_dispute(self):
        with freeze_time("2026-03-01 09:00"):
            customer = self.customer.with_user(self.collector)
            values = customer.read(
                [
                    "ar_receivable_balance",
                    "ar_overdue_amount",
                    "ar_oldest_overdue_days",
                    "ar_open_invoice_count",
                    "ar_open_promise_date",
                    "ar_promise_count",
                    "ar_open_dispute_count",
                    "ar_open_dispute_amount",
                    "ar_current_level_id",
                    "ar_last_reminder_date",
                    "ar_next_reminder_date",
                    "ar_reminder_count",
                ]
            )[0]
            self.assertEqual(values["ar_receivable_balance"], 1300.0)
            self.assertEqual(values["ar_overdue_amount"], 1000.0)
            self.assertEqual(values["ar_oldest_overdue_days"], 29, "31 January to 1 March")
            self.assertEqual(values["ar_open_invoice_count"], 3)
            self.assertEqual(values["ar_open_promise_date"], date(2026, 3, 10))
            self.assertEqual(values["ar_promise_count"], 1)
            self.assertEqual((values["ar_open_dispute_count"], values["ar_open_dispute_amount"]), (1, 250.0))
            self.assertEqual(values["ar_current_level_id"][1], "Second", "20 days overdue on 20 February")
            self.assertEqual(values["ar_last_reminder_date"], date(2026, 2, 20))
            self.assertEqual(values["ar_reminder_count"], 1)
            self.assertEqual(
                values["ar_next_reminder_date"], date(2026, 3, 17), "the final level: 31 January + 45 days"
            )
            # A contact of the customer shows its company's figures; many partners are computed at once.
            both = (self.customer | self.contact).with_user(self.collector)
            self.assertEqual(both.mapped("ar_overdue_amount"), [1000.0, 1000.0])
            self.assertEqual(self.customer.currency_id, self.company.currency_id)

            plan = self.env["ar.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "invoice_ids": [Command.set(self.third.ids)],
                    "line_ids": [Command.create({"date": date(2026, 4, 10), "amount": 300})],
                }
            )
            plan.action_propose()
            plan.action_approve()
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.with_user(self.collector).ar_active_plan_id, plan)

    def test_the_smart_buttons_open_the_customers_records(self):
        customer = self.customer.with_user(self.collector)
        cases = [
            ("action_ar_open_invoices", "account.move", self.first | self.second | self.third),
            ("action_ar_disputes", "ar.dispute", self.dispute),
            ("action_ar_promises", "ar.payment.promise", self.promise),
            ("action_ar_reminders", "ar.dunning.line", self.customer.ar_dunning_line_ids),
        ]
        other = self.env["res.partner"].create({"name": "Inna Sp. z o.o.", "is_company": True})
        self._posted_invoice(99, "2026-01-10", other, invoice_date_due=date(2026, 1, 20))
        for method, model, expected in cases:
            with self.subTest(method):
                action = getattr(customer, method)()
                self.assertEqual(action["type"], "ir.actions.act_window")
                self.assertEqual(action["res_model"], model)
                found = self.env[model].with_user(self.collector).search(action["domain"])
                self.assertTrue(expected)
                self.assertEqual(found, expected)
        # From a contact's form, the buttons open its company's records.
        action = self.contact.with_user(self.collector).action_ar_open_invoices()
        self.assertEqual(
            self.env["account.move"].search(action["domain"]), self.first | self.second | self.third
        )

    def test_a_salesperson_does_not_see_the_receivables(self):
        customer = self.customer.with_user(self.salesman)
        with self.assertRaises(AccessError):
            customer.read(["ar_overdue_amount"])
        arch = customer.get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("ar_receivable_balance", "ar_next_reminder_date", "action_ar_open_invoices"):
            self.assertNotIn(name, arch)
        arch = self.customer.with_user(self.collector).get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("ar_receivable_balance", "ar_next_reminder_date", "action_ar_open_invoices"):
            self.assertIn(name, arch)
