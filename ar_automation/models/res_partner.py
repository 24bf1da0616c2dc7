from odoo import fields, models

from .res_company import INVOICE_POLICIES


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_invoice_policy = fields.Selection(
        selection=INVOICE_POLICIES,
        string="Automatic Invoicing",
        company_dependent=True,
        help="Overrides the company's automatic invoicing policy for this customer; empty: the company's.",
    )

    def _ar_effective_invoice_policy(self, company):
        """The invoicing policy for this customer in ``company``: its own, else the company's."""
        self.ensure_one()
        own = self.commercial_partner_id.with_company(company).ar_invoice_policy
        return own or company.ar_invoice_policy
