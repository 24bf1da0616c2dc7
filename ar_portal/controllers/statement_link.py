from odoo import http
from odoo.http import request

from ..engine.inputs import MAX_ID


class ArStatementLink(http.Controller):
    """The statement a reminder links to: opens without a password while its signature is valid."""

    @http.route(
        "/my/statement/link/<int:partner_id>/<int:expires>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def ar_statement_link(self, partner_id, expires, token, company="", **kw):
        partner = request.env["res.partner"].sudo().browse(partner_id if 0 < partner_id <= MAX_ID else ())
        company_id = int(company) if company.isdecimal() and 0 < int(company) <= MAX_ID else 0
        company_sudo = request.env["res.company"].sudo().browse(company_id).exists()
        if (
            not partner
            or not company_sudo
            or not partner._ar_check_statement_token(expires, token, company_sudo)
        ):
            return request.render("ar_portal.portal_ar_statement_link_invalid", status=403)
        if not request.env.user._is_public() and request.env.user.partner_id.commercial_partner_id == partner:
            return request.redirect("/my/statement")
        # The statement of the company that sent the link, in its name (its bank account, its layout).
        partner = partner.with_company(company_sudo)
        moves_sudo = partner._ar_statement_lines(company_sudo)
        values = {
            "partner": partner,
            "moves": moves_sudo,
            **moves_sudo._ar_statement_totals(),
        }
        return request.render("ar_portal.portal_ar_statement_link", values)
