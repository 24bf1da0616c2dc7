from odoo.tests import tagged

from .common import ArTestCommon


@tagged("post_install", "-at_install")
class TestKpiDashboard(ArTestCommon):
    """The CFO dashboard opens on the latest snapshot with the change against a month before."""

    def _snapshot(self, day, **values):
        return self.env["ar.kpi.snapshot"].create({"date": day, "company_id": self.company.id, **values})

    def test_the_dashboard_opens_on_the_latest_snapshot_with_last_months_change(self):
        older = self._snapshot("2026-10-20", dso=52.0, cei=70.0, overdue_ratio=30.0, disputed_amount=900.0)
        self._snapshot("2026-10-25", dso=49.0, cei=71.0, overdue_ratio=29.0, disputed_amount=800.0)
        latest = self._snapshot("2026-11-23", dso=44.5, cei=78.0, overdue_ratio=25.0, disputed_amount=1200.0)
        self._snapshot("2026-11-23", scope="segment 1", dso=10.0)  # another scope is not the dashboard
        action = self.env["ar.kpi.snapshot"].action_open_dashboard()
        self.assertEqual(action["res_model"], "ar.kpi.snapshot")
        self.assertEqual(action["res_id"], latest.id)
        self.assertEqual(latest.previous_id, older, "the latest on or before 23 October")
        self.assertRecordValues(
            latest,
            [
                {
                    "dso_change": -7.5,
                    "cei_change": 8.0,
                    "overdue_ratio_change": -5.0,
                    "disputed_amount_change": 300.0,
                    "previous_dso": 52.0,
                    "previous_date": older.date,
                }
            ],
        )
        self.assertFalse(older.previous_id)
        self.assertEqual(older.dso_change, 0.0)
        arch = self.env["ar.kpi.snapshot"].get_views([(action["views"][0][0], "kanban")])["views"]["kanban"][
            "arch"
        ]
        for name in ("dso_change", "cei_change", "overdue_ratio_change", "disputed_amount_change"):
            self.assertIn(name, arch)
        # Without any snapshot, today's is taken.
        self.env["ar.kpi.snapshot"].search([]).unlink()
        action = self.env["ar.kpi.snapshot"].action_open_dashboard()
        self.assertEqual(self.env["ar.kpi.snapshot"].browse(action["res_id"]).date, self.company._ar_today())
        menu = self.env.ref("ar_automation.ar_menu_dashboard")
        self.assertEqual(menu.action, self.env.ref("ar_automation.ar_kpi_snapshot_server_action_dashboard"))
