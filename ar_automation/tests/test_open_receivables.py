from datetime import date

from freezegun import freeze_time

from odoo.fields import Domain
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .common import ArTestCommon


@tagged("post_install", "-at_install")
class TestOpenReceivables(ArTestCommon):
    def _open_receivables(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.account_move_action_ar_open")
        return self.env["account.move"].search(safe_eval(action["domain"]))

    @freeze_time("2026-03-31 10:00:00")
    def test_days_overdue_and_bucket(self):
        late = self._posted_invoice(100, "2026-01-01", invoice_date_due=date(2026, 1, 15))
        fresh = self._posted_invoice(50, "2026-03-30", invoice_date_due=date(2026, 4, 29))
        self.assertEqual(late.ar_days_overdue, 75)
        self.assertEqual(late.ar_aging_bucket, "61_90")
        self.assertEqual(fresh.ar_days_overdue, 0)
        self.assertEqual(fresh.ar_aging_bucket, "not_due")

    @freeze_time("2026-03-31 23:30:00")
    def test_today_is_the_company_s_day_not_utc(self):
        # 23:30 UTC is already 1 April in Warsaw (UTC+2 in summer time): one more day late.
        invoice = self._posted_invoice(100, "2026-03-01", invoice_date_due=date(2026, 3, 30))
        self.assertEqual(invoice.ar_days_overdue, 2)
        self.company.partner_id.tz = "UTC"
        invoice.invalidate_recordset(["ar_days_overdue"])
        self.assertEqual(invoice.ar_days_overdue, 1)

    @freeze_time("2026-03-31")
    def test_paid_invoice_leaves_the_list_partial_stays(self):
        paid = self._posted_invoice(100, "2026-02-01", invoice_date_due=date(2026, 3, 1))
        partial = self._posted_invoice(300, "2026-02-01", invoice_date_due=date(2026, 3, 1))
        self._register_payment(paid)
        self._register_payment(partial, amount=100)
        open_items = self._open_receivables()
        self.assertNotIn(paid, open_items)
        self.assertIn(partial, open_items)
        self.assertEqual(partial.amount_residual, 200)
        self.assertEqual(partial.ar_aging_bucket, "1_30")
        self.assertFalse(paid.ar_aging_bucket)
        self.assertEqual(paid.ar_days_overdue, 0)

    def test_collector_sees_the_menu(self):
        collector = self.env["res.users"].create(
            {
                "name": "Collector",
                "login": "ar_collector",
                "group_ids": [(6, 0, [self.env.ref("ar_automation.ar_automation_group_collector").id])],
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        menu = self.env.ref("ar_automation.ar_menu_open_items")
        visible = self.env["ir.ui.menu"].with_user(collector)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        plain_user = self.env["res.users"].create(
            {
                "name": "Plain",
                "login": "ar_plain",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(plain_user)._visible_menu_ids())


@tagged("post_install", "-at_install")
class TestOpenReceivableRule(ArTestCommon):
    """The "open receivable" rule is one rule: its domain, its SQL twin and its in-memory filter agree."""

    @freeze_time("2026-03-31")
    def test_the_domain_the_sql_and_the_filter_select_the_same_documents(self):
        Move = self.env["account.move"]
        unpaid = self._posted_invoice(100, "2026-02-01")
        partial = self._posted_invoice(300, "2026-02-01")
        paid = self._posted_invoice(100, "2026-02-01")
        refund = self._posted_invoice(40, "2026-02-01", move_type="out_refund")
        cancelled = self._posted_invoice(70, "2026-02-01")
        draft = self._create_invoice_one_line(price_unit=80, tax_ids=[], partner_id=self.partner_a.id)
        self._register_payment(paid)
        self._register_payment(partial, amount=100)
        cancelled.button_draft()
        cancelled.button_cancel()
        documents = unpaid | partial | paid | refund | cancelled | draft
        self.env.flush_all()
        for move_types, expected in (
            (("out_invoice",), unpaid | partial),
            (("out_invoice", "out_refund"), unpaid | partial | refund),
            (None, unpaid | partial | refund),
        ):
            with self.subTest(move_types=move_types):
                by_domain = Move.search(
                    Move._ar_open_receivable_domain(move_types) & Domain("id", "in", documents.ids)
                )
                rows = self.env.execute_query(
                    SQL(
                        "SELECT id FROM account_move m WHERE %s AND m.id = ANY(%s)",
                        Move._ar_open_receivable_sql("m", move_types),
                        documents.ids,
                    )
                )
                self.assertEqual(by_domain, expected)
                self.assertEqual(Move.browse(sorted(r[0] for r in rows)), expected.sorted("id"))
                self.assertEqual(documents._ar_open_receivables(move_types), expected)
