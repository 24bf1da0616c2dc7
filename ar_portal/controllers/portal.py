from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

MAX_PROMISE_DAYS = 90


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


class ArInvoiceRequestsPortal(CustomerPortal):
    """The customer disputes an invoice or promises a payment date from its portal page."""

    def _ar_invoice_or_redirect(self, invoice_id, access_token):
        try:
            invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
        except (AccessError, MissingError):
            return None
        if invoice_sudo.move_type != "out_invoice" or invoice_sudo.state != "posted":
            return None
        return invoice_sudo

    def _ar_back(self, invoice_sudo, message):
        return request.redirect(invoice_sudo.get_portal_url(query_string=f"&ar_message={message}"))

    @http.route(
        "/my/invoices/<int:invoice_id>/ar_dispute", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_ar_dispute(self, invoice_id, access_token=None, reason="other", description="", **kw):
        invoice_sudo = self._ar_invoice_or_redirect(invoice_id, access_token)
        if invoice_sudo is None:
            return request.redirect("/my")
        reasons = dict(request.env["ar.dispute"]._fields["reason"].selection)
        description = (description or "").strip()[:5000]
        if reason not in reasons or not description:
            return self._ar_back(invoice_sudo, "dispute_invalid")
        request.env["ar.dispute"].sudo()._ar_open_for(
            invoice_sudo, reason=reason, origin="portal", description=description
        )
        return self._ar_back(invoice_sudo, "dispute_opened")

    @http.route(
        "/my/invoices/<int:invoice_id>/ar_promise", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_ar_promise(self, invoice_id, access_token=None, date_promised="", **kw):
        invoice_sudo = self._ar_invoice_or_redirect(invoice_id, access_token)
        if invoice_sudo is None:
            return request.redirect("/my")
        try:
            promised = fields.Date.to_date(date_promised)
        except ValueError:
            promised = None
        today = invoice_sudo.company_id._ar_today()
        if (
            not promised
            or not today <= promised <= today + timedelta(days=MAX_PROMISE_DAYS)
            or invoice_sudo.payment_state not in ("not_paid", "partial")
        ):
            return self._ar_back(invoice_sudo, "promise_invalid")
        request.env["ar.payment.promise"].sudo().create(
            {"invoice_id": invoice_sudo.id, "date_promised": promised, "origin": "portal"}
        )
        return self._ar_back(invoice_sudo, "promise_recorded")
