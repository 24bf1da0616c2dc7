from odoo import api, fields, models

from .res_company import INVOICE_POLICIES


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_invoice_policy = fields.Selection(
        selection=INVOICE_POLICIES,
        string="Automatic Invoicing",
        company_dependent=True,
        help="Overrides the company's automatic invoicing policy for this customer; empty: the company's.",
    )

    ar_billing_email = fields.Char(
        string="Billing E-mail",
        help="Invoices and payment reminders go to this address (a billing contact of the customer); "
        "empty: the customer's own address.",
    )
    ar_customer_po = fields.Char(
        string="PO Number for Invoices",
        help="The customer's purchase order number, written as the reference of its new invoices.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered("ar_billing_email")._ar_sync_billing_contact()
        return partners

    def write(self, vals):
        result = super().write(vals)
        if vals.get("ar_billing_email"):
            self._ar_sync_billing_contact()
        return result

    def _ar_sync_billing_contact(self):
        """Make sure each customer has a billing contact (an invoice address) with its billing e-mail, the
        recipient of its invoices and reminders."""
        for partner in self:
            if not partner._ar_billing_contact():
                self.create(
                    {
                        "parent_id": partner.id,
                        "type": "invoice",
                        "name": self.env._("Billing"),
                        "email": partner.ar_billing_email,
                        "lang": partner.lang,
                    }
                )

    def _ar_billing_contact(self):
        """The contact receiving this customer's invoices and reminders: the invoice address with the
        billing e-mail (empty when no billing e-mail is set)."""
        commercial = self.commercial_partner_id
        if not commercial.ar_billing_email:
            return self.browse()
        email = commercial.ar_billing_email.strip().lower()
        return commercial.child_ids.filtered(
            lambda c: c.type == "invoice" and (c.email or "").strip().lower() == email
        )[:1]

    def _ar_effective_invoice_policy(self, company):
        """The invoicing policy for this customer in ``company``: its own, else the company's."""
        self.ensure_one()
        own = self.commercial_partner_id.with_company(company).ar_invoice_policy
        return own or company.ar_invoice_policy
