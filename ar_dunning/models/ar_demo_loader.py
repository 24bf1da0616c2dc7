from datetime import timedelta

from odoo import api, models


class ArDemoLoader(models.AbstractModel):
    _inherit = "ar.demo.loader"

    @api.model
    def _load_dunning_demo(self):
        """Segment the demo customers (automatically, then as the sales team tagged them where that differs)
        and show yesterday's reminder run (its e-mails cancelled: no e-mail leaves a demo database) and a
        preview of today's."""
        company = self.env.ref("ar_automation.demo_company")
        company.ar_dunning_policy_id = self.env.ref("ar_dunning.demo_policy_standard")
        segments = self.env["ar.customer.segment"].create(
            [
                {
                    "name": "Strategic",
                    "sequence": 10,
                    "company_id": company.id,
                    "min_paid_invoices": 2,
                    "max_days_late": 5,
                    "max_broken_promises": 0,
                    "max_disputes": 1,
                    "policy_id": self.env.ref("ar_dunning.demo_policy_strategic").id,
                },
                {
                    "name": "Standard",
                    "sequence": 20,
                    "company_id": company.id,
                    "max_days_late": 30,
                    "is_default": True,
                    "policy_id": self.env.ref("ar_dunning.demo_policy_standard").id,
                },
                {
                    "name": "High risk",
                    "sequence": 30,
                    "company_id": company.id,
                    "policy_id": self.env.ref("ar_dunning.demo_policy_high_risk").id,
                },
            ]
        )
        self.env["ar.customer.segment"]._segment_customers(company)
        # The demo's segment tags say where the sales team puts each customer: follow them by hand.
        for tag_xmlid, segment in zip(
            (
                "ar_automation.demo_tag_strategic",
                "ar_automation.demo_tag_standard",
                "ar_automation.demo_tag_high_risk",
            ),
            segments,
            strict=True,
        ):
            tagged = (
                self.env["res.partner"]
                .with_company(company)
                .search(
                    [("category_id", "in", self.env.ref(tag_xmlid).ids), ("ar_segment_id", "!=", segment.id)]
                )
            )
            tagged.write({"ar_segment_id": segment.id, "ar_segment_manual": True})
        today = company._ar_today()
        runs = self.env["ar.dunning.run"].with_company(company).with_context(allowed_company_ids=company.ids)
        yesterday = runs.run_for_date(today - timedelta(days=1))
        yesterday.line_ids.mail_id.write({"state": "cancel"})
        runs.run_for_date(today, send=False)
        return True
