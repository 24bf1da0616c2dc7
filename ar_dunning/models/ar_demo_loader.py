from datetime import timedelta

from odoo import api, models


class ArDemoLoader(models.AbstractModel):
    _inherit = "ar.demo.loader"

    @api.model
    def _load_dunning_demo(self):
        """Segment the demo customers into the demo segments (automatically, then as the sales team tagged
        them where that differs) and show yesterday's reminder run (its e-mails cancelled: no e-mail leaves a
        demo database) and a preview of today's."""
        company = self.env.ref("ar_automation.demo_company")
        # The segments and the company's default policy are demo records (demo/ar_dunning_demo.xml).
        segments = [
            self.env.ref(f"ar_dunning.demo_segment_{key}") for key in ("strategic", "standard", "high_risk")
        ]
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
