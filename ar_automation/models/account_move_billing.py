from odoo import api, models


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model_create_multi
    def create(self, vals_list):
        """A new customer invoice without a reference gets its customer's PO number."""
        partners = self.env["res.partner"].browse(
            [vals["partner_id"] for vals in vals_list if vals.get("partner_id") and not vals.get("ref")]
        )
        po_numbers = {partner.id: partner.commercial_partner_id.ar_customer_po for partner in partners}
        for vals in vals_list:
            move_type = vals.get("move_type", self.env.context.get("default_move_type"))
            if move_type == "out_invoice" and not vals.get("ref") and po_numbers.get(vals.get("partner_id")):
                vals["ref"] = po_numbers[vals["partner_id"]]
        return super().create(vals_list)


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_default_mail_partner_ids(self, move, mail_template, mail_lang):
        """Invoices go to the customer's billing contact when it has a billing e-mail."""
        partners = super()._get_default_mail_partner_ids(move, mail_template, mail_lang)
        billing = move.commercial_partner_id._ar_billing_contact()
        if billing:
            partners = (partners - move.partner_id - move.commercial_partner_id) | billing
        return partners
