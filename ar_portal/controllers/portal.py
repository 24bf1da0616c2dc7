from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class ArStatementPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ar_open_item_count" in counters:
            partner = request.env.user.partner_id
            values["ar_open_item_count"] = (
                request.env["account.move"].sudo().search_count(partner._ar_statement_domain())
            )
        return values

    @http.route(["/my/statement"], type="http", auth="user", website=True)
    def portal_my_statement(self, **kw):
        partner = request.env.user.partner_id
        moves_sudo = partner._ar_statement_lines()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_statement",
                "partner": partner.commercial_partner_id,
                "moves": moves_sudo,
                **moves_sudo._ar_statement_totals(),
            }
        )
        return request.render("ar_portal.portal_my_statement", values)
