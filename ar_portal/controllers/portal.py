from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..engine.inputs import MAX_ID, InputError, clean_text, parse_date
from .alerts import alert
from .amounts import amount_text

MAX_DESCRIPTION_LENGTH = 5000


class ArStatementPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ar_open_item_count" in counters:
            partner = request.env.user.partner_id
            values["ar_open_item_count"] = (
                request.env["account.move"].sudo().search_count(partner._ar_statement_domain())
            )
        return values

    def _ar_statement_filters(self):
        return {
            "all": {"label": request.env._("All open"), "keep": lambda move: True},
            "overdue": {"label": request.env._("Overdue"), "keep": lambda move: move.ar_days_overdue > 0},
            "not_due": {
                "label": request.env._("Not yet due"),
                "keep": lambda move: move.move_type == "out_invoice" and move.ar_days_overdue <= 0,
            },
            "credit_notes": {
                "label": request.env._("Credit notes"),
                "keep": lambda move: move.move_type == "out_refund",
            },
        }

    @http.route(["/my/statement"], type="http", auth="user", methods=["GET"], website=True, readonly=True)
    def portal_my_statement(self, filterby="all", **kw):
        partner = request.env.user.partner_id
        moves_sudo = partner._ar_statement_lines()
        filters = self._ar_statement_filters()
        if filterby not in filters:
            filterby = "all"
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_statement",
                "ar_alert": alert(kw.get("ar_error")),
                "partner": partner.commercial_partner_id,
                "moves": moves_sudo.filtered(filters[filterby]["keep"]),
                "ar_amount_texts": {
                    move.id: amount_text(request.env, move.amount_residual, move.currency_id)
                    for move in moves_sudo
                },
                "searchbar_filters": {key: {"label": f["label"]} for key, f in filters.items()},
                "filterby": filterby,
                "default_url": "/my/statement",
                "unallocated": partner.commercial_partner_id._ar_unallocated_payments(),
                "payments": request.env["account.payment"]
                .sudo()
                .search(
                    [
                        ("partner_id", "child_of", partner.commercial_partner_id.id),
                        ("partner_type", "=", "customer"),
                        ("state", "in", ("in_process", "paid")),
                    ],
                    order="date desc, id desc",
                    limit=10,
                ),
                **moves_sudo._ar_statement_totals(),
            }
        )
        return request.render("ar_portal.portal_my_statement", values)


class ArInvoiceRequestsPortal(CustomerPortal):
    """The customer disputes an invoice or promises a payment date from its portal page."""

    def _ar_invoice_or_redirect(self, invoice_id, access_token):
        if not 0 < invoice_id <= MAX_ID or not isinstance(access_token, (str, type(None))):
            return None
        try:
            invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
        except (AccessError, MissingError):
            return None
        if invoice_sudo.move_type != "out_invoice" or invoice_sudo.state != "posted":
            return None
        return invoice_sudo

    def _ar_back(self, invoice_sudo, message):
        return request.redirect(invoice_sudo.get_portal_url(query_string=f"&ar_message={message}"))

    def _ar_form_refused(self, invoice_sudo, access_token, code, form):
        """The invoice page again, with the form the customer sent still open and filled in as sent
        (``form``: the field values) and the reason next to the field, instead of a redirect that loses
        what was typed."""
        values = self._invoice_get_page_view_values(invoice_sudo, access_token)
        values.update({"ar_form_error": code, "ar_form": form, "ar_max_description": MAX_DESCRIPTION_LENGTH})
        return request.render("account.portal_invoice_page", values, status=422)

    @http.route(
        "/my/invoices/<int:invoice_id>/ar_dispute", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_ar_dispute(self, invoice_id, access_token=None, reason="other", description="", **kw):
        invoice_sudo = self._ar_invoice_or_redirect(invoice_id, access_token)
        if invoice_sudo is None:
            return request.redirect("/my")
        reasons = dict(request.env["ar.dispute"]._fields["reason"].selection)
        typed = description[: 4 * MAX_DESCRIPTION_LENGTH] if isinstance(description, str) else ""
        description = clean_text(typed, MAX_DESCRIPTION_LENGTH + 1, multiline=True)
        form = {"reason": reason if reason in reasons else "other", "description": typed}
        if reason not in reasons or not description:
            return self._ar_form_refused(invoice_sudo, access_token, "dispute_invalid", form)
        if len(description) > MAX_DESCRIPTION_LENGTH:
            return self._ar_form_refused(invoice_sudo, access_token, "dispute_too_long", form)
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
            promised = parse_date(date_promised)
        except InputError:
            promised = None
        code = request.env["ar.payment.promise"].sudo()._ar_customer_promise(invoice_sudo, promised)
        if code != "promise_recorded":
            form = {"date_promised": promised.isoformat() if promised else ""}
            return self._ar_form_refused(invoice_sudo, access_token, code, form)
        return self._ar_back(invoice_sudo, code)


class ArDocumentsPortal(CustomerPortal):
    """The statement of any period and the receipts of the customer's payments, as PDF."""

    @http.route("/my/statement/pdf", type="http", auth="user", methods=["GET"], readonly=True)
    def portal_ar_statement_pdf(self, date_from=None, date_to=None, **kw):
        partner = request.env.user.partner_id.commercial_partner_id
        today = request.env.company.sudo()._ar_today()  # the company's date, as the documents'
        try:
            start = parse_date(date_from) if date_from else today.replace(day=1)
            end = parse_date(date_to) if date_to else today
        except InputError:
            return request.redirect("/my/statement?" + urlencode({"ar_error": "date_invalid"}))
        if start > end:
            return request.redirect("/my/statement?" + urlencode({"ar_error": "period_reversed"}))
        return self._ar_pdf_response(
            "ar_portal.action_report_partner_statement",
            partner.sudo(),
            f"statement-{start}-{end}.pdf",
            data={"date_from": start, "date_to": end},
        )

    @http.route(
        "/my/payments/<int:payment_id>/receipt", type="http", auth="user", methods=["GET"], readonly=True
    )
    def portal_ar_payment_receipt(self, payment_id, **kw):
        partner = request.env.user.partner_id.commercial_partner_id
        if not 0 < payment_id <= MAX_ID:
            return request.not_found()
        payment = request.env["account.payment"].sudo().browse(payment_id).exists()
        if (
            not payment
            or payment.partner_id.commercial_partner_id != partner
            or payment.partner_type != "customer"
            or payment.state in ("draft", "canceled", "rejected")
        ):
            return request.not_found()
        return self._ar_pdf_response(
            "account.action_report_payment_receipt", payment, f"receipt-{payment.name}.pdf"
        )

    def _ar_pdf_response(self, report_ref, records_sudo, filename, data=None):
        """The PDF of ``report_ref`` for ``records_sudo`` (already checked to be the customer's) as a
        download named ``filename``, with the headers of Odoo's ``CustomerPortal._show_report`` (which
        cannot pass report ``data`` nor name the file), the name encoded by ``content_disposition``."""
        pdf = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(report_ref, records_sudo.ids, data=data)[0]
        )
        headers = {
            "Content-Type": "application/pdf",
            "Content-Length": len(pdf),
            "Content-Disposition": content_disposition(filename, disposition_type="attachment"),
        }
        return request.make_response(pdf, headers=list(headers.items()))


class ArAutoPayPortal(CustomerPortal):
    """The customer switches AutoPay on (a saved payment method and an explicit consent) or off."""

    def _ar_tokens(self):
        partner = request.env.user.partner_id
        return (
            request.env["payment.token"]
            .sudo()
            .search(
                [("partner_id", "in", (partner | partner.commercial_partner_id).ids), ("active", "=", True)]
            )
        )

    @http.route("/my/autopay", type="http", auth="user", methods=["GET"], website=True, readonly=True)
    def portal_ar_autopay(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_autopay",
                "partner": request.env.user.partner_id.commercial_partner_id.sudo(),
                "tokens": self._ar_tokens(),
                "ar_message": kw.get("ar_message"),
            }
        )
        return request.render("ar_portal.portal_my_autopay", values)

    @http.route("/my/autopay/enable", type="http", auth="user", methods=["POST"], website=True)
    def portal_ar_autopay_enable(self, token_id=None, consent=None, **kw):
        token = self._ar_tokens().filtered(lambda t: str(t.id) == str(token_id))
        if not token or consent != "on":
            return request.redirect("/my/autopay?ar_message=invalid")
        partner = request.env.user.partner_id.commercial_partner_id.sudo()
        partner._ar_enable_autopay(token, request.env.user, request.httprequest.remote_addr)
        return request.redirect("/my/autopay?ar_message=enabled")

    @http.route("/my/autopay/disable", type="http", auth="user", methods=["POST"], website=True)
    def portal_ar_autopay_disable(self, **kw):
        request.env.user.partner_id.commercial_partner_id.sudo()._ar_disable_autopay(request.env.user)
        return request.redirect("/my/autopay?ar_message=disabled")
