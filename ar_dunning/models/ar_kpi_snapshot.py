from odoo import api, fields, models


class ArKpiSnapshot(models.Model):
    _inherit = "ar.kpi.snapshot"

    segment_id = fields.Many2one("ar.customer.segment", readonly=True, index="btree_not_null")

    @api.model
    def _scopes(self, company):
        """One snapshot per customer segment of the company, besides the company's."""
        scopes = super()._scopes(company)
        partners = self.env["res.partner"].with_company(company).search([("ar_segment_id", "!=", False)])
        by_segment = partners.grouped("ar_segment_id")
        for segment in self.env["ar.customer.segment"].search([("company_id", "=", company.id)]):
            members = by_segment.get(segment, self.env["res.partner"])
            scopes.append((f"segment:{segment.id}", {"segment_id": segment.id}, members.ids))
        return scopes
