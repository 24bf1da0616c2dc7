from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..engine.inputs import InputError, clean_text, parse_email
from .alerts import alert

MAX_PO_LENGTH = 64


class ArAccountDetailsPortal(CustomerPortal):
    """The customer's billing e-mail, preferred language and PO number for future invoices; each change is
    logged on the customer."""

    def _ar_account_values(self, form):
        """The validated values from the form, or raise ``InputError`` with the code of the first problem."""
        email = parse_email(form.get("billing_email") or "")
        lang = form.get("lang") or ""
        if lang not in dict(request.env["res.lang"].get_installed()):
            raise InputError("lang_invalid")
        po_number = clean_text(form.get("customer_po") or "", MAX_PO_LENGTH + 1)
        if len(po_number) > MAX_PO_LENGTH:
            raise InputError("po_too_long")
        return {"ar_billing_email": email, "lang": lang, "ar_customer_po": po_number}

    @http.route("/my/account_details", type="http", auth="user", methods=["GET"], website=True, readonly=True)
    def portal_ar_account_details(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_account_details",
                "customer": request.env.user.partner_id.commercial_partner_id.sudo(),
                "languages": request.env["res.lang"].get_installed(),
                "ar_alert": alert(kw.get("ar_error")),
                "ar_message": kw.get("ar_message"),
            }
        )
        return request.render("ar_portal.portal_my_account_details", values)

    @http.route("/my/account_details", type="http", auth="user", methods=["POST"], website=True)
    def portal_ar_account_details_save(self, **kw):
        try:
            values = self._ar_account_values(request.httprequest.form)
        except InputError as error:
            return request.redirect("/my/account_details?" + urlencode({"ar_error": error.code}))
        customer_sudo = request.env.user.partner_id.commercial_partner_id.sudo()
        changed = customer_sudo._ar_update_account_details(values, request.env.user)
        return request.redirect("/my/account_details?ar_message=" + ("saved" if changed else "unchanged"))
