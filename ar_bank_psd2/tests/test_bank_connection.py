from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBankConnection(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "ar_automation.ar_automation_group_%s"
        cls.collector = new_test_user(cls.env, "bank_collector", groups=groups % "collector")
        cls.manager = new_test_user(cls.env, "bank_manager", groups=groups % "manager")

    def test_only_managers_configure_connections(self):
        connection = self.env["ar.bank.connection"].with_user(self.manager).create({"name": "mBank"})
        self.assertEqual(connection.state, "draft")
        self.assertEqual(connection.with_user(self.collector).name, "mBank")
        with self.assertRaises(AccessError):
            connection.with_user(self.collector).write({"name": "Hacked"})

    @freeze_time("2026-05-01 12:00:00")
    def test_days_to_expiry(self):
        connection = self.env["ar.bank.connection"].create(
            {"name": "PKO", "consent_expiry": datetime(2026, 5, 11, 12, 0)}
        )
        self.assertEqual(connection.days_to_expiry, 10)

    def test_connections_of_another_company_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other Bank Co"})
        theirs = self.env["ar.bank.connection"].create({"name": "Theirs", "company_id": other.id})
        self.assertNotIn(theirs, self.env["ar.bank.connection"].with_user(self.manager).search([]))
