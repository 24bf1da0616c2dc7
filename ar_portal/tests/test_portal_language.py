import re

from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


@tagged("post_install", "-at_install")
class TestPortalLanguage(ArPortalCommon, HttpCase):
    """A Polish customer sees the portal in Polish after signing in, whatever the login page left in the
    language cookie, and the portal offers every installed language."""

    portal_login = "jan.lang"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.portal_user.lang = "pl_PL"

    def _sign_in(self):
        self.opener.headers["User-Agent"] = BROWSER
        # A page seen as a visitor (an expired statement link) leaves the default language in the cookie.
        self.url_open("/my/statement/link/1/1/expired")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US")
        page = self.url_open("/web/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            "/web/login",
            data={"login": self.portal_login, "password": self.portal_login, "csrf_token": csrf},
            allow_redirects=False,
        )

    def test_signing_in_sets_the_customer_language(self):
        response = self._sign_in()
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(response.cookies.get("frontend_lang"), "pl_PL")
        statement = self.url_open("/my/statement")
        self.assertRegex(statement.text, r'js_change_lang active"[^>]*data-url_code="pl"', "the Polish pages")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "pl_PL")

    def test_a_wrong_password_changes_no_language(self):
        self.url_open("/my/statement/link/1/1/expired")
        page = self.url_open("/web/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/web/login", data={"login": self.portal_login, "password": "wrong", "csrf_token": csrf}
        )
        self.assertNotIn("frontend_lang", response.cookies)

    def test_every_installed_language_is_offered(self):
        self.authenticate(self.portal_login, self.portal_login)
        installed = dict(self.env["res.lang"].get_installed())
        self.assertGreaterEqual(set(installed), {"en_US", "pl_PL"})
        details = self.url_open("/my/account_details").text
        footer = self.url_open("/my/statement").text
        for code in installed:
            self.assertIn(f'<option value="{code}"', details, "the language of invoices and reminders")
            url_code = self.env["res.lang"]._get_data(code=code).url_code
            self.assertIn(f'data-url_code="{url_code}"', footer, "the portal's language choice")
