from psycopg2 import IntegrityError

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestDunningPolicy(TransactionCase):
    def test_default_policy_follows_the_brief(self):
        policy = self.env.ref("ar_dunning.ar_dunning_policy_standard")
        steps = [(lvl.offset_days, lvl.channel, lvl.tone) for lvl in policy.level_ids]
        self.assertEqual(steps, [(1, "email", "gentle"), (7, "email", "formal"), (14, "call", "formal")])

    def test_two_levels_cannot_share_an_offset(self):
        policy = self.env["ar.dunning.policy"].create({"name": "Twice"})
        self.env["ar.dunning.level"].create({"policy_id": policy.id, "name": "A", "offset_days": 3})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["ar.dunning.level"].create({"policy_id": policy.id, "name": "B", "offset_days": 3})

    def test_levels_are_ordered_by_offset_and_courtesy_comes_first(self):
        policy = self.env["ar.dunning.policy"].create(
            {
                "name": "Mixed",
                "level_ids": [
                    (0, 0, {"name": "Late", "offset_days": 10}),
                    (0, 0, {"name": "Courtesy", "offset_days": -3, "tone": "courtesy"}),
                ],
            }
        )
        policy.invalidate_recordset(["level_ids"])
        self.assertEqual(policy.level_ids.mapped("offset_days"), [-3, 10])
        self.assertEqual(policy.level_count, 2)

    def test_policies_of_another_company_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        policy = self.env["ar.dunning.policy"].create({"name": "Theirs", "company_id": other.id})
        user = self.env["res.users"].create(
            {
                "name": "Collector Main",
                "login": "collector_main",
                "group_ids": [(6, 0, [self.env.ref("ar_automation.ar_automation_group_collector").id])],
                "company_id": self.env.company.id,
                "company_ids": [(6, 0, self.env.company.ids)],
            }
        )
        visible = self.env["ar.dunning.policy"].with_user(user).search([])
        self.assertNotIn(policy, visible)
        self.assertIn(self.env.ref("ar_dunning.ar_dunning_policy_standard"), visible)
