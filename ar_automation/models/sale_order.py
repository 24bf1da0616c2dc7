from markupsafe import Markup

from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        result = super().action_confirm()
        on_confirm = self.filtered(
            lambda o: o.state == "sale" and o.partner_invoice_id._ar_effective_invoice_policy(o.company_id)
            == "on_confirm"
        )
        if on_confirm:
            on_confirm._ar_generate_invoices()
        return result

    def _ar_generate_invoices(self):
        """Generate one invoice per order for what is invoiceable now, then check, post and send them
        (see ``account.move._ar_autopost``). Orders with nothing to invoice are skipped.

        Returns the generated invoices.
        """
        invoices = self.with_context(raise_if_nothing_to_invoice=False)._create_invoices(grouped=True)
        for invoice in invoices:
            orders = invoice.line_ids.sale_line_ids.order_id
            invoice.message_post(
                body=Markup(self.env._("Generated from %s.")) % Markup(", ").join(
                    Markup("<a href='#' data-oe-model='sale.order' data-oe-id='%s'>%s</a>") % (o.id, o.name)
                    for o in orders
                ),
                subtype_xmlid="mail.mt_note",
            )
        if invoices:
            # The policy authorises posting for whoever confirms the order, salespeople included.
            invoices_sudo = invoices.sudo()
            invoices_sudo._ar_autopost()
        return invoices
