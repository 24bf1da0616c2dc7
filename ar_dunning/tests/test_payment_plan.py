from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon


@tagged("post_install", "-at_install")
class TestPaymentPlan(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.ar_promise_grace_days = 3
        cls.collector = cls.env["res.users"].create(
            {
                "name": "Ewa Windykacja",
                "login": "ewa.plan",
                "email": "ewa@seller.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [Command.set(cls.env.ref("ar_automation.ar_automation_group_collector").ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kowalski Sp. z o.o.", "is_company": True, "user_id": cls.collector.id}
        )
        cls.env["ar.dunning.policy"].create(
            {
                "name": "P",
                "company_id": cls.company.id,
                "level_ids": [Command.create({"name": "L", "offset_days": 1})],
            }
        )
        with freeze_time("2026-01-15"):
            cls.first = cls._posted_invoice(
                600, "2026-01-01", cls.customer, invoice_date_due=date(2026, 1, 31)
            )
            cls.second = cls._posted_invoice(
                400, "2026-01-05", cls.customer, invoice_date_due=date(2026, 2, 4)
            )

    def _plan(self, amounts=(300, 300, 400), first_day=date(2026, 3, 10)):
        return self.env["ar.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "invoice_ids": [Command.set((self.first | self.second).ids)],
                "line_ids": [
                    Command.create({"date": first_day.replace(month=first_day.month + i), "amount": amount})
                    for i, amount in enumerate(amounts)
                ],
            }
        )

    def _approved_plan(self):
        plan = self._plan()
        with freeze_time("2026-03-01"):
            plan.action_propose()
            plan.with_user(self.collector).action_approve()
        return plan

    def _paused_reasons(self, day):
        with freeze_time(day):
            run = self.env["ar.dunning.run"].run_for_date(day, send=False)
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.customer)
        return line.pause_reasons or "", line

    def test_the_instalments_must_add_up_to_the_open_balance(self):
        plan = self._plan(amounts=(300, 300, 300))
        with self.assertRaisesRegex(ValidationError, r"900\.00.*1,000\.00"):
            plan.action_propose()
        self.assertEqual(plan.state, "draft")
        plan.line_ids[-1].amount = 400
        plan.action_propose()
        self.assertEqual(plan.state, "proposed")
        self.assertEqual(plan.user_id, self.collector, "the customer's salesperson reviews it")
        self.assertEqual(plan.activity_ids.user_id, self.collector)

    def test_an_invoice_is_in_one_active_plan_only(self):
        self._approved_plan()
        with self.assertRaisesRegex(ValidationError, "already in payment plan"):
            self._plan().action_propose()

    def test_approved_plan_pauses_the_reminders_of_its_invoices(self):
        reasons, line = self._paused_reasons("2026-03-01")
        self.assertFalse(reasons)
        self.assertEqual(line.invoice_ids, self.first | self.second)
        self._approved_plan()
        reasons, line = self._paused_reasons("2026-03-02")
        self.assertIn("in a payment plan (next instalment 2026-03-10)", reasons)
        self.assertFalse(line.invoice_ids, "no invoice is reminded")
        self.assertIn("approved", self.first.message_ids[0].body)

    def test_a_missed_instalment_breaks_the_plan_and_reminders_resume(self):
        plan = self._approved_plan()
        with freeze_time("2026-03-13"):
            self.env["ar.payment.plan"]._cron_check_plans()
        self.assertEqual(plan.state, "approved", "within the grace days")
        with freeze_time("2026-03-14"):
            self.env["ar.payment.plan"]._cron_check_plans()
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.line_ids.mapped("state"), ["missed", "pending", "pending"])
        self.assertIn("is broken and reminders resume", plan.message_ids[0].body)
        self.assertIn("is broken and reminders resume", self.second.message_ids[0].body)
        reasons, line = self._paused_reasons("2026-03-14")
        self.assertNotIn("payment plan", reasons)
        self.assertEqual(line.invoice_ids, self.first | self.second)

    def test_payments_mark_instalments_paid_in_order_then_complete_the_plan(self):
        plan = self._approved_plan()
        with freeze_time("2026-03-09"):
            self._register_payment(self.second, payment_date=date(2026, 3, 9))
            self.env["ar.payment.plan"]._cron_check_plans()
        self.assertEqual(plan.amount_paid, 400)
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "pending", "pending"])
        self.assertEqual(plan.line_ids.mapped("paid_amount"), [300, 100, 0])
        self.assertEqual(plan.next_date, date(2026, 4, 10))
        with freeze_time("2026-04-09"):
            self._register_payment(self.first, payment_date=date(2026, 4, 9))
            self.env["ar.payment.plan"]._cron_check_plans()
        self.assertEqual(plan.state, "completed")
        self.assertEqual(set(plan.line_ids.mapped("state")), {"paid"})

    def test_collector_counters_and_customer_accepts(self):
        plan = self._plan()
        plan.action_propose()
        plan = plan.with_user(self.collector)
        plan.write(
            {
                "line_ids": [
                    Command.clear(),
                    Command.create({"date": date(2026, 3, 10), "amount": 500}),
                    Command.create({"date": date(2026, 4, 10), "amount": 500}),
                ]
            }
        )
        plan.action_counter()
        self.assertEqual(plan.state, "countered")
        self.assertFalse(plan.activity_ids, "the review to-do is done")
        plan.sudo().action_accept_counter()
        self.assertEqual(plan.state, "approved")
        self.assertEqual(plan.amount_approved, 1000)

    def test_rejected_plan_changes_nothing(self):
        plan = self._plan()
        plan.action_propose()
        plan.with_user(self.collector).action_reject()
        self.assertEqual(plan.state, "rejected")
        reasons, _line = self._paused_reasons("2026-03-02")
        self.assertNotIn("payment plan", reasons)

    def _worklist(self, day):
        with freeze_time(day):
            action = self.env["ar.worklist.item"].action_open()
        return self.env["ar.worklist.item"].search(action["domain"])

    def test_the_worklist_never_advises_escalating_planned_or_handed_over_debt(self):
        large = self._worklist("2026-05-01").filtered(lambda item: item.kind == "large_overdue")
        self.assertEqual(large.partner_id, self.customer, "1,000 overdue more than 60 days: escalate")
        self.assertEqual(large.salesperson_id, self.collector)
        self._approved_plan()
        self.assertFalse(
            self._worklist("2026-05-01").filtered(lambda item: item.kind == "large_overdue"),
            "the plan settles how the debt is collected",
        )
        self.customer.ar_escalated_date = date(2026, 4, 1)
        self.env["ar.payment.plan"].search([("partner_id", "=", self.customer.id)]).state = "broken"
        self.assertFalse(
            self._worklist("2026-05-01").filtered(lambda item: item.kind == "large_overdue"),
            "the collection agency has the debt",
        )
