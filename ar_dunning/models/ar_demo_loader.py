from datetime import timedelta

from odoo import api, models


class ArDemoLoader(models.AbstractModel):
    _inherit = "ar.demo.loader"

    @api.model
    def _load_dunning_demo(self):
        """Give each segment of the demo company its policy and show yesterday's reminder run (its
        e-mails cancelled: no e-mail leaves a demo database) and a preview of today's."""
        company = self.env.ref("ar_automation.demo_company")
        policies = {
            "ar_automation.demo_tag_strategic": self.env.ref("ar_dunning.demo_policy_strategic"),
            "ar_automation.demo_tag_high_risk": self.env.ref("ar_dunning.demo_policy_high_risk"),
        }
        company.ar_dunning_policy_id = self.env.ref("ar_dunning.demo_policy_standard")
        for tag_xmlid, policy in policies.items():
            tag = self.env.ref(tag_xmlid)
            customers = self.env["res.partner"].search([("category_id", "in", tag.ids)])
            customers.with_company(company).ar_dunning_policy_id = policy
        today = company._ar_today()
        runs = self.env["ar.dunning.run"].with_company(company).with_context(allowed_company_ids=company.ids)
        yesterday = runs.run_for_date(today - timedelta(days=1))
        yesterday.line_ids.mail_id.write({"state": "cancel"})
        runs.run_for_date(today, send=False)
        return True
