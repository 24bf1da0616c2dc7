from odoo import http
from odoo.http import request

from odoo.addons.auth_signup.controllers.main import AuthSignupHome
from odoo.addons.web.controllers.utils import is_user_internal


class ArPortalLogin(AuthSignupHome):
    """A customer who signs in sees the portal in its own language.

    The login page, seen as a visitor, leaves the ``frontend_lang`` cookie in the database's default
    language (English); Odoo prefers that cookie to the user's language, so a Polish customer would get
    English pages with US dates after signing in. Signing in sets the cookie to the customer's language
    (the language choice in the page footer still changes it afterwards)."""

    @http.route()
    def web_login(self, redirect=None, **kw):
        response = super().web_login(redirect=redirect, **kw)
        uid = request.session.uid
        if request.params.get("login_success") and uid and not is_user_internal(uid):
            lang = request.env["res.users"].sudo().browse(uid).lang
            if lang and lang in request.env["res.lang"]._get_active_by("code"):
                response.set_cookie("frontend_lang", lang)
        return response
