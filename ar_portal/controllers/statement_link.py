import time

from odoo import http
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import hmac

from ..engine.inputs import MAX_ID


class ArStatementLink(http.Controller):
    """The statement a reminder links to: opens without a password while its signature is valid."""

    def _ar_link_company(self, partner, expires, token, company):
        """The company whose statement the link opens, or ``None`` when it is not a valid link.

        A link names the company that sent it (``?company=``). Links sent before they did (valid for a
        month, ``STATEMENT_LINK_DAYS``) are signed without a company: they open the statement of the one
        company that invoices the customer, and are refused (``False``) when several do, as nothing tells
        which one sent it."""
        company_id = int(company) if company.isdecimal() and 0 < int(company) <= MAX_ID else 0
        if company:
            company_sudo = request.env["res.company"].sudo().browse(company_id).exists()
            if company_sudo and partner._ar_check_statement_token(expires, token, company_sudo):
                return company_sudo
            return None
        signed = hmac(request.env(su=True), "ar_portal-statement-link", (partner.id, int(expires)))
        if (
            partner != partner.commercial_partner_id
            or int(expires) < time.time()
            or not consteq(signed, token or "")
        ):
            return None
        invoicing = (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                ]
            )
            .company_id
        )
        return invoicing if len(invoicing) == 1 else False

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
        company_sudo = (
            self._ar_link_company(partner.exists(), expires, token, company) if partner.exists() else None
        )
        if company_sudo is False:
            return request.render("ar_portal.portal_ar_statement_link_ambiguous", status=409)
        if not company_sudo:
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
