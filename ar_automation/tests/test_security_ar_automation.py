"""Who may read and change disputes, promises and billing schedules, as Odoo's own invoice rules decide:
a salesperson with own documents only works on their own customers' (the customer's salesperson, or
the invoice's), everybody else of sales (all documents) and accounting on all of their companies'; the
scripted API cannot be called over RPC."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import ArSecurityCommon


@tagged("post_install", "-at_install")
class TestSecurityDisputesPromises(ArSecurityCommon):
    # ------------------------------------------------------------------ disputes

    def test_salesman_own_docs_lists_only_own_customers_disputes(self):
        disputes = self.dispute_own | self.dispute_other
        self.assertEqual(self._visible(self.own, disputes), self.dispute_own)
        self.assertEqual(self._visible(self.other, disputes), self.dispute_other)

    def test_salesman_own_docs_opens_own_dispute_form(self):
        form = Form(self.dispute_own.with_user(self.own))
        self.assertEqual(form.partner_id, self.customer_own)
        self.assertEqual(form.stage, "new")

    def test_salesman_own_docs_cannot_read_another_salespersons_dispute(self):
        with self.assertRaises(AccessError):
            self.dispute_other.with_user(self.own).read(["description", "amount_disputed"])

    def test_salesman_own_docs_cannot_close_another_salespersons_dispute(self):
        with self.assertRaises(AccessError):
            self.dispute_other.with_user(self.own).write({"stage": "rejected"})
        self.assertEqual(self.dispute_other.stage, "new")
        # their own one they may move on
        self.dispute_own.with_user(self.own).write({"stage": "in_progress"})
        self.assertEqual(self.dispute_own.stage, "in_progress")

    def test_salesman_own_docs_cannot_reject_another_salespersons_dispute_by_button(self):
        with self.assertRaises(AccessError):
            self.dispute_other.with_user(self.own).action_reject()
        self.assertEqual(self.dispute_other.stage, "new")

    def test_salesman_own_docs_cannot_read_another_salespersons_dispute_chatter(self):
        self.dispute_other.message_post(body="Klient grozi sądem", message_type="comment")
        messages = (
            self.env["mail.message"]
            .with_user(self.own)
            .search([("model", "=", "ar.dispute"), ("res_id", "=", self.dispute_other.id)])
        )
        self.assertFalse(messages)

    def test_salesman_own_docs_totals_only_own_disputed_amounts(self):
        groups = (
            self.env["ar.dispute"]
            .with_user(self.own)
            .formatted_read_group(
                [("id", "in", (self.dispute_own | self.dispute_other).ids)], [], ["amount_disputed:sum"]
            )
        )
        self.assertEqual(groups[0]["amount_disputed:sum"], 1000)

    def test_salesman_own_docs_sees_disputes_of_invoices_they_sold(self):
        """A customer of another salesperson, but the invoice is theirs: they see that dispute."""
        invoice = self._posted_invoice(
            300,
            self.invoice_other.invoice_date,
            self.customer_other,
            invoice_date_due=self.invoice_other.invoice_date_due,
            invoice_user_id=self.own.id,
        )
        dispute = self._dispute(invoice)
        disputes = dispute | self.dispute_other
        self.assertEqual(self._visible(self.own, disputes), dispute)

    def test_all_documents_billing_and_manager_see_every_dispute(self):
        disputes = self.dispute_own | self.dispute_other
        for user in (self.all_docs, self.billing, self.accountant):
            self.assertEqual(self._visible(user, disputes), disputes, user.login)

    def test_portal_user_and_other_company_cannot_read_disputes(self):
        with self.assertRaises(AccessError):
            self.env["ar.dispute"].with_user(self.portal).search_read([], ["description"])
        self.assertFalse(self._visible(self.collector_2, self.dispute_own | self.dispute_other))

    def test_salesman_own_docs_lists_only_own_customers_replies(self):
        replies = self.env["ar.customer.reply"]
        for dispute in self.dispute_own | self.dispute_other:
            replies |= replies.create(
                {
                    "subject": "Reklamacja",
                    "partner_id": dispute.partner_id.id,
                    "company_id": dispute.company_id.id,
                    "invoice_ids": [Command.set(dispute.invoice_ids.ids)],
                    "kind": "dispute",
                    "state": "applied",
                    "dispute_id": dispute.id,
                }
            )
        self.assertEqual(
            self._visible(self.own, replies), replies.filtered(lambda r: r.dispute_id == self.dispute_own)
        )
        self.assertFalse(self._visible(self.collector_2, replies))

    # ------------------------------------------------------------------ promises

    def test_salesman_own_docs_lists_only_own_customers_promises(self):
        promises = self.promise_own | self.promise_other
        self.assertEqual(self._visible(self.own, promises), self.promise_own)

    def test_salesman_own_docs_cannot_read_another_salespersons_promise(self):
        with self.assertRaises(AccessError):
            self.promise_other.with_user(self.own).read(["date_promised", "amount", "note"])

    def test_salesman_own_docs_cannot_change_any_promise(self):
        with self.assertRaises(AccessError):
            self.promise_own.with_user(self.own).write({"state": "kept"})
        self.assertEqual(self.promise_own.state, "pending")


@tagged("post_install", "-at_install")
class TestSecurityBillingSchedules(ArSecurityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_own = cls._order_of(cls.customer_own, cls.own, cls.company)
        cls.order_other = cls._order_of(cls.customer_other, cls.other, cls.company)

    @classmethod
    def _order_of(cls, customer, salesperson, company):
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": salesperson.id,
                "company_id": company.id,
                "ar_milestone_ids": [
                    Command.create({"name": "Zaliczka", "percentage": 30.0, "trigger": "on_confirm"})
                ],
            }
        )
        # periods are written by the invoicing itself (nobody may create them by hand)
        cls.env["ar.invoice.period"].sudo().create(
            {"order_id": order.id, "period_start": "2026-11-01", "period_end": "2026-11-30"}
        )
        return order

    def test_salesman_own_docs_cannot_read_or_change_another_salespersons_milestones(self):
        milestones = (self.order_own | self.order_other).ar_milestone_ids
        self.assertEqual(self._visible(self.own, milestones), self.order_own.ar_milestone_ids)
        with self.assertRaises(AccessError):
            self.order_other.ar_milestone_ids.with_user(self.own).write({"percentage": 100.0})
        with self.assertRaises(AccessError):
            self.order_other.ar_milestone_ids.with_user(self.own).unlink()
        self.assertEqual(self.order_other.ar_milestone_ids.percentage, 30.0)

    def test_salesman_own_docs_cannot_read_another_salespersons_invoiced_periods(self):
        periods = (self.order_own | self.order_other).ar_period_ids
        self.assertEqual(self._visible(self.own, periods), self.order_own.ar_period_ids)

    def test_other_company_user_cannot_read_milestones_or_periods(self):
        orders = self.order_own | self.order_other
        self.assertFalse(self._visible(self.collector_2, orders.ar_milestone_ids))
        self.assertFalse(self._visible(self.collector_2, orders.ar_period_ids))
        self.assertEqual(self._visible(self.all_docs, orders.ar_milestone_ids), orders.ar_milestone_ids)


@tagged("post_install", "-at_install")
class TestSecurityRpc(ArSecurityCommon, HttpCase):
    """The scripted API (Python) is not reachable over JSON-RPC, whoever calls it."""

    def _call_kw(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _assert_refused(self, login, model, method, args, kwargs=None):
        with self.assertRaises(JsonRpcException) as caught:
            self._call_kw(login, model, method, args, kwargs)
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")

    def test_rpc_ar_check_is_refused(self):
        self._assert_refused(self.billing.login, "account.move", "ar_check", [self.invoice_own.ids])

    def test_rpc_ar_snapshot_is_refused(self):
        self._assert_refused(
            self.own.login, "ar.kpi", "ar_snapshot", ["2026-12-01"], {"company": self.company.id}
        )

    def test_rpc_ar_digest_values_is_refused(self):
        collector = self._user("sec.collector.one", "ar_automation.ar_automation_group_collector")
        self._assert_refused(collector.login, "res.company", "ar_digest_values", [self.company.ids])

    def test_rpc_buttons_stay_callable_within_the_users_rights(self):
        """An ``action_*`` button is still callable, and still bound by the record rules."""
        self.authenticate(self.own.login, self.own.login)
        result = self._call_kw(self.own.login, "ar.dispute", "action_view_invoices", [self.dispute_own.ids])
        self.assertEqual(result["res_model"], "account.move")
        with self.assertRaises(JsonRpcException) as caught:
            self._call_kw(self.own.login, "ar.dispute", "action_reject", [self.dispute_other.ids])
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.assertEqual(self.dispute_other.stage, "new")
