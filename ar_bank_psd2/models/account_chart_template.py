from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        """A company whose chart of accounts is installed gets its defaults for reconciliation rules."""
        result = super()._post_load_data(template_code, company, template_data)
        self.env["ar.reconcile.rule"]._ar_set_company_defaults(company)
        return result
