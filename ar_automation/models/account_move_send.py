from odoo import api, models


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
