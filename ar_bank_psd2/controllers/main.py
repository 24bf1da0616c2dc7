from odoo import http
from odoo.http import request


class ArBankConsentController(http.Controller):
    @http.route("/ar_bank_psd2/callback", type="http", auth="user")
    def consent_callback(self, state=None, **kwargs):
        """The bank sends the user back here after the strong authentication."""
        connection = (
            request.env["ar.bank.connection"].sudo().search([("redirect_state", "=", state or "-")], limit=1)
            if state
            else request.env["ar.bank.connection"]
        )
        if not connection or not connection.with_user(request.env.user).has_access("write"):
            return request.not_found()
        connection = connection.with_user(request.env.user)
        connection._ar_finish_consent(kwargs)
        connection.sudo().redirect_state = False
        return request.redirect(f"/odoo/action-ar_bank_psd2.ar_bank_connection_action/{connection.id}")
