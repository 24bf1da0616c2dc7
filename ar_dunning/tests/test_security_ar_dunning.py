"""Who may read reminders, late fees and payment plans, and print reminder letters: a salesperson with own
documents only those of their own customers (the customer's salesperson, or the invoice's), accounting
and sales with all documents all of their companies'; running the reminders is not an RPC call."""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.ar_automation.tests.common import ArSecurityCommon


class ArDunningSecurityCommon(ArSecurityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.company._ar_today()
        cls.plan_own = cls._plan(cls.invoice_own, today)
        cls.plan_other = cls._plan(cls.invoice_other, today)
        cls.dunning_run = cls.env["ar.dunning.run"].create({"date": today, "state": "preview"})
        cls.reminder_own = cls._reminder(cls.invoice_own)
        cls.reminder_other = cls._reminder(cls.invoice_other)
        cls.fee_other = cls.env["ar.dunning.fee"].create(
            {"line_id": cls.reminder_other.id, "move_id": cls.invoice_other.id, "interest": 12.5}
        )

    @classmethod
    def _plan(cls, invoice, today):
        return cls.env["ar.payment.plan"].create(
            {
                "partner_id": invoice.commercial_partner_id.id,
                "invoice_ids": [Command.set(invoice.ids)],
                "line_ids": [
                    Command.create({"date": today + timedelta(days=30 * (i + 1)), "amount": amount})
                    for i, amount in enumerate(invoice.amount_total * share for share in (0.5, 0.5))
                ],
            }
        )

    @classmethod
    def _reminder(cls, invoice):
        return cls.env["ar.dunning.line"].create(
            {
                "run_id": cls.dunning_run.id,
                "company_id": invoice.company_id.id,
                "partner_id": invoice.commercial_partner_id.id,
                "invoice_ids": [Command.set(invoice.ids)],
            }
        )


@tagged("post_install", "-at_install")
class TestSecurityReminders(ArDunningSecurityCommon):
    def test_salesman_own_docs_lists_only_own_customers_payment_plans(self):
        plans = self.plan_own | self.plan_other
        self.assertEqual(self._visible(self.own, plans), self.plan_own)
        self.assertEqual(self._visible(self.other, plans), self.plan_other)

    def test_salesman_own_docs_lists_only_own_customers_instalments(self):
        lines = (self.plan_own | self.plan_other).line_ids
        self.assertEqual(self._visible(self.own, lines), self.plan_own.line_ids)

    def test_salesman_own_docs_cannot_read_or_change_another_salespersons_plan(self):
        with self.assertRaises(AccessError):
            self.plan_other.with_user(self.own).read(["amount_total", "state"])
        with self.assertRaises(AccessError):
            self.plan_own.with_user(self.own).write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.plan_own.line_ids.with_user(self.own).unlink()
        self.assertEqual(len(self.plan_own.line_ids), 2)

    def test_salesman_own_docs_lists_only_own_customers_reminders(self):
        reminders = self.reminder_own | self.reminder_other
        self.assertEqual(self._visible(self.own, reminders), self.reminder_own)

    def test_salesman_own_docs_reads_own_reminders_from_the_customer(self):
        self.assertEqual(
            self.customer_own.with_user(self.own).ar_dunning_line_ids, self.reminder_own.with_user(self.own)
        )
        with self.assertRaises(AccessError):
            self.reminder_other.with_user(self.own).read(["state", "channel"])

    def test_sales_all_documents_and_billing_read_every_plan_and_reminder(self):
        plans = self.plan_own | self.plan_other
        reminders = self.reminder_own | self.reminder_other
        for user in (self.all_docs, self.billing):
            self.assertEqual(self._visible(user, plans), plans, user.login)
        self.assertEqual(self._visible(self.all_docs, reminders), reminders)

    def test_other_company_collector_cannot_read_late_fees(self):
        self.assertFalse(self._visible(self.collector_2, self.fee_other))
        with self.assertRaises(AccessError):
            self.fee_other.with_user(self.collector_2).read(["interest"])

    def test_other_company_collector_cannot_read_plans_or_reminders(self):
        self.assertFalse(self._visible(self.collector_2, self.plan_own | self.plan_other))
        self.assertFalse(self._visible(self.collector_2, self.reminder_own | self.reminder_other))


@tagged("post_install", "-at_install")
class TestSecurityRemindersHttp(ArDunningSecurityCommon, HttpCase):
    def _letter(self, login, reminder):
        self.authenticate(login, login)
        return self.url_open(f"/report/html/ar_dunning.report_reminder_letter/{reminder.id}")

    def test_reminder_letter_by_url_only_for_who_may_read_the_reminder(self):
        response = self._letter(self.own.login, self.reminder_other)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.customer_other.name, response.text)
        response = self._letter(self.collector_2.login, self.reminder_other)
        self.assertEqual(response.status_code, 403)

    def test_rpc_run_for_date_is_refused_and_sends_nothing(self):
        collector = self._user("sec.collector.one", "ar_automation.ar_automation_group_collector")
        runs_before = self.env["ar.dunning.run"].search_count([])
        self.authenticate(collector.login, collector.login)
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/ar.dunning.run/run_for_date",
                {
                    "model": "ar.dunning.run",
                    "method": "run_for_date",
                    "args": [str(self.company._ar_today())],
                    "kwargs": {},
                },
            )
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.assertEqual(self.env["ar.dunning.run"].search_count([]), runs_before)
