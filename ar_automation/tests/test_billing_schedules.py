from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArInvoicingCommon


@tagged("post_install", "-at_install")
class TestBillingSchedules(ArInvoicingCommon):
    """Milestones, recurring periods and delivered goods, invoiced at confirmation and by the cron."""

    def _run_cron(self):
        with self.enter_registry_test_mode():
            self.env.ref("ar_automation.ir_cron_ar_invoice_orders").method_direct_trigger()

    def _customer_invoices(self, order):
        return self.env["account.move"].search([("invoice_origin", "=", order.name)], order="id")

    @freeze_time("2026-02-01")
    def test_milestones_30_40_30(self):
        order = self._order(qty=10, price=100)
        order.write(
            {
                "ar_billing_mode": "milestone",
                "ar_milestone_ids": [
                    Command.create({"name": "Advance", "percentage": 30, "trigger": "on_confirm"}),
                    Command.create(
                        {"name": "Delivery", "percentage": 40, "trigger": "date", "date": date(2026, 3, 1)}
                    ),
                    Command.create(
                        {"name": "Acceptance", "percentage": 30, "trigger": "date", "date": date(2026, 4, 1)}
                    ),
                ],
            }
        )
        order.action_confirm()
        first = self._customer_invoices(order)
        self.assertEqual(first.mapped("amount_total"), [300])
        self.assertEqual(first.state, "posted")
        self.assertEqual(order.ar_milestone_ids[0].invoice_id, first)

        self._run_cron()
        self.assertEqual(len(self._customer_invoices(order)), 1, "the delivery milestone is not reached yet")
        with freeze_time("2026-03-02"):
            self._run_cron()
            self._run_cron()
        self.assertEqual(self._customer_invoices(order).mapped("amount_total"), [300, 400])
        with freeze_time("2026-04-01"):
            self._run_cron()
        invoices = self._customer_invoices(order)
        self.assertEqual(invoices.mapped("amount_total"), [300, 400, 300])
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertTrue(all(order.ar_milestone_ids.mapped("is_invoiced")))
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertIn("milestone Acceptance", " ".join(invoices[2].message_ids.mapped("body")))

    def test_milestones_must_add_up_to_100(self):
        order = self._order()
        with self.assertRaisesRegex(ValidationError, "add up to 100% of the order, not 90"):
            order.write(
                {
                    "ar_billing_mode": "milestone",
                    "ar_milestone_ids": [
                        Command.create({"name": "A", "percentage": 50, "trigger": "on_confirm"}),
                        Command.create(
                            {"name": "B", "percentage": 40, "trigger": "date", "date": date(2026, 3, 1)}
                        ),
                    ],
                }
            )

    def _recurring_order(self, **schedule):
        order = self._order(qty=1, price=250)
        order.write(
            {
                "ar_billing_mode": "recurring",
                "ar_recurring_interval": "monthly",
                "ar_recurring_start": date(2026, 1, 1),
                **schedule,
            }
        )
        return order

    @freeze_time("2026-01-10")
    def test_recurring_one_invoice_per_period_none_twice(self):
        order = self._recurring_order(ar_recurring_count=3)
        order.action_confirm()
        self.assertEqual(order.ar_period_ids.mapped("period_start"), [date(2026, 1, 1)])
        self.assertEqual(order.ar_recurring_next_date, date(2026, 2, 1))
        with freeze_time("2026-03-20"):
            self._run_cron()
            self._run_cron()
        self.assertEqual(
            order.ar_period_ids.mapped("period_start"), [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
        )
        invoices = order.ar_period_ids.invoice_id
        self.assertEqual(len(invoices), 3)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(invoices.mapped("amount_total"), [250, 250, 250])
        self.assertIn("2026-02-01 to 2026-02-28", invoices[1].invoice_line_ids.name)
        self.assertEqual(
            order.invoice_ids, invoices, "the order's Invoices button shows the periods' invoices"
        )
        self.assertFalse(order.ar_recurring_next_date, "three periods: the schedule is complete")
        with freeze_time("2026-06-01"):
            self._run_cron()
        self.assertEqual(len(order.ar_period_ids), 3)

    @freeze_time("2026-01-10")
    def test_recurring_after_a_crash_or_a_concurrent_worker(self):
        order = self._recurring_order()
        order.action_confirm()
        # Another worker has taken March (its row is there, its transaction still running).
        self.env["ar.invoice.period"].sudo().create(
            {"order_id": order.id, "period_start": date(2026, 3, 1), "period_end": date(2026, 3, 31)}
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["ar.invoice.period"].sudo().create(
                {"order_id": order.id, "period_start": date(2026, 3, 1), "period_end": date(2026, 3, 31)}
            )
        with freeze_time("2026-04-02"):
            self._run_cron()
        self.assertEqual(
            order.ar_period_ids.mapped("period_start"),
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
        )
        self.assertEqual(len(order.ar_period_ids.invoice_id), 3, "March is left to the worker that took it")
        self.assertEqual(order.ar_recurring_next_date, date(2026, 5, 1))

    @freeze_time("2026-01-10")
    def test_schedule_edited_while_billing(self):
        order = self._recurring_order()
        order.action_confirm()
        with self.assertRaisesRegex(ValidationError, "already has invoiced periods"):
            order.ar_recurring_start = date(2026, 1, 15)
        order.ar_recurring_end = date(2026, 2, 15)
        with freeze_time("2026-05-01"):
            self._run_cron()
        self.assertEqual(order.ar_period_ids.mapped("period_start"), [date(2026, 1, 1), date(2026, 2, 1)])

    def test_delivered_goods_are_invoiced_by_the_cron(self):
        self.product_a.write({"type": "service", "invoice_policy": "delivery", "service_type": "manual"})
        order = self._order(qty=5, price=100)
        order.ar_billing_mode = "on_delivery"
        order.action_confirm()
        self.assertFalse(order.invoice_ids)
        self._run_cron()
        self.assertFalse(order.invoice_ids, "nothing delivered yet")
        order.order_line.qty_delivered = 2
        self._run_cron()
        self._run_cron()
        self.assertEqual(order.invoice_ids.mapped("amount_total"), [200])
        self.assertEqual(order.invoice_ids.state, "posted")
