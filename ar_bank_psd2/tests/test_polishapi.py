"""A PolishAPI connection against the PolishAPI mock bank: the authorisation through Odoo's consent
callback, booked transactions read page by page into statement lines, pending ones shown, an expired
token refreshed, a signature the bank refuses told to the user, hostile callbacks."""

import json
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

import requests
from cryptography import x509

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

from .mock_polishapi import MockPolishApi, new_tpp_credentials

IBAN = "PL61109010140000071219812874"
PAYER = "PL27114020040000300201355387"
KEY, CERTIFICATE = new_tpp_credentials("Odoo AR TPP")


@tagged("post_install", "-at_install")
class TestPolishApi(ArTestCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "PKO BP API",
                "type": "bank",
                "code": "PKOAPI",
                "company_id": cls.company.id,
                "bank_account_id": cls.env["res.partner.bank"]
                .create({"acc_number": IBAN, "partner_id": cls.company.partner_id.id})
                .id,
            }
        )
        cls.manager = new_test_user(
            cls.env,
            "polishapi.manager",
            groups="ar_automation.ar_automation_group_manager,account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.today = date.today()
        self.bank = MockPolishApi("tpp-42", CERTIFICATE, page_size=2, today=self.today)
        self.number = self.bank.add_account(IBAN)
        self.addCleanup(self.bank.stop)
        self.connection = self.env["ar.bank.connection"].create(
            {
                "name": "PKO BP",
                "provider": "polishapi",
                "company_id": self.company.id,
                "api_base_url": self.bank.start(),
                "client_id": "tpp-42",
                "private_key": KEY,
                "tpp_certificate": CERTIFICATE,
                "journal_ids": [(6, 0, self.journal.ids)],
            }
        )

    def _to_the_bank(self):
        """Connect: the user is sent to the bank, logs in there and is sent back: the callback URL."""
        action = self.connection.with_user(self.manager).action_connect()
        back = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(back.status_code, 302)
        location = urlsplit(back.headers["Location"])
        self.assertEqual(location.path, "/ar_bank_psd2/callback")
        return f"{location.path}?{location.query}"

    def _callback(self, url):
        self.authenticate(self.manager.login, self.manager.login)
        response = self.url_open(url, allow_redirects=False)
        self.connection.invalidate_recordset()
        return response

    def _authorise(self):
        response = self._callback(self._to_the_bank())
        self.assertIn(response.status_code, (302, 303))
        self.assertIn(f"ar_bank_connection_action/{self.connection.id}", response.headers["Location"])
        self.assertEqual(self.connection.state, "active", self.connection.last_error)

    def test_authorise_through_the_callback_and_sync_booked_transactions_page_by_page(self):
        self._authorise()
        self.assertEqual(self.connection.account_ids.journal_id, self.journal)
        self.assertEqual(self.connection.account_ids.resource_id, self.number)
        self.assertEqual(self.connection.consent_expiry.date(), self.today + timedelta(days=180))
        self.assertTrue(self.connection.sudo().access_token)
        self.assertTrue(self.connection.sudo().refresh_token)
        self.assertFalse(self.connection.sudo().redirect_state, "the state is used once")
        authorize = next(body for path, _h, body in self.bank.requests if path.endswith("/authorize"))
        self.assertIn(b'"accountNumber": "61109010140000071219812874"', authorize)
        for n in range(5):
            self.bank.add_transaction(
                self.number,
                100 + n,
                self.today - timedelta(days=n),
                name=f"Klient {n} Sp. z o.o.",
                iban=PAYER,
                remittance=f"FV/2026/{n:05d}",
            )
        self.bank.add_transaction(
            self.number, -45, self.today, name="PKO BP", remittance="Opłata za rachunek"
        )
        lines = self.connection._ar_sync_now()
        self.assertEqual(len(lines), 6)
        pages = [path for path, _h, _b in self.bank.requests if path.endswith("getTransactionsDone")]
        self.assertEqual(len(pages), 3, "6 transactions in pages of 2")
        line = lines.filtered(lambda ln: ln.amount == 100)
        self.assertRecordValues(
            line,
            [
                {
                    "date": self.today,
                    "payment_ref": "FV/2026/00000",
                    "partner_name": "Klient 0 Sp. z o.o.",
                    "account_number": PAYER,
                    "ar_import_id": "PA0000000001",
                    "ar_source": "api",
                }
            ],
        )
        self.assertEqual(lines.filtered(lambda ln: ln.amount == -45).partner_name, "PKO BP")
        # The next sync books only what is new.
        self.bank.add_transaction(self.number, 999, self.today, name="Nowy", remittance="FV/2026/99999")
        self.assertEqual(self.connection._ar_sync_now().mapped("amount"), [999])

    def test_pending_transactions_are_shown_not_booked(self):
        self._authorise()
        self.bank.add_transaction(self.number, 100, self.today, name="Zaksięgowany", remittance="FV/1")
        self.bank.add_pending(self.number, 250, self.today, name="W drodze", iban=PAYER, remittance="FV/2")
        self.connection.show_pending = True
        lines = self.connection._ar_sync_now()
        self.assertEqual(lines.mapped("amount"), [100])
        self.assertRecordValues(
            self.connection.pending_ids,
            [
                {
                    "amount": 250.0,
                    "date": self.today,
                    "counterparty_name": "W drodze",
                    "counterparty_iban": PAYER,
                    "remittance": "FV/2",
                    "journal_id": self.journal.id,
                }
            ],
        )
        self.bank.pending[self.number].clear()
        self.bank.add_transaction(self.number, 250, self.today, name="W drodze", remittance="FV/2")
        self.assertEqual(self.connection._ar_sync_now().mapped("amount"), [250])
        self.assertFalse(self.connection.pending_ids)

    def test_an_expired_token_is_refreshed_before_the_read(self):
        self._authorise()
        old = self.connection.sudo().access_token
        self.bank.expire_tokens()
        self.connection.token_expiry = fields.Datetime.now() - timedelta(minutes=5)
        self.bank.add_transaction(self.number, 321, self.today, name="Klient", remittance="FV/3")
        self.assertEqual(self.connection._ar_sync_now().mapped("amount"), [321])
        self.assertNotEqual(self.connection.sudo().access_token, old)
        self.assertGreater(self.connection.token_expiry, fields.Datetime.now())
        refresh = [body for path, _h, body in self.bank.requests if path.endswith("/token")][-1]
        self.assertIn(b'"grant_type": "refresh_token"', refresh)
        # The bank ends the token before the time it gave: refused (401), refreshed, read again.
        again = self.connection.sudo().access_token
        self.bank.expire_tokens()
        self.bank.add_transaction(self.number, 322, self.today, name="Klient", remittance="FV/4")
        self.assertEqual(self.connection._ar_sync_now().mapped("amount"), [322])
        self.assertNotEqual(self.connection.sudo().access_token, again)
        # Neither the token nor the refresh token known any more: the user is asked to reconnect.
        self.bank.tokens.clear()
        self.bank.refresh.clear()
        self.assertFalse(self.connection._ar_sync_now())
        self.assertEqual(self.connection.state, "expired")
        self.assertIn("invalid_grant", self.connection.last_error)

    def test_a_signature_the_bank_refuses_is_told_to_the_user(self):
        # The bank holds another certificate for this TPP than the one configured in Odoo.
        _other_key, other_certificate = new_tpp_credentials("Registered elsewhere")
        self.bank.certificate = x509.load_pem_x509_certificate(other_certificate.encode())
        with self.assertRaises(UserError) as refused:
            self.connection.with_user(self.manager).action_connect()
        message = str(refused.exception)
        self.assertIn("refused the request's signature (X-JWS-SIGNATURE)", message)
        self.assertIn("TPP certificate and private key", message)
        self.assertIn("INVALID_SIGNATURE", message)
        self.assertEqual(self.connection.state, "draft", "the refused request changed nothing")
        # A certificate that is not the private key's is caught before anything is sent.
        self.connection.tpp_certificate = other_certificate
        sent = len(self.bank.requests)
        with self.assertRaisesRegex(UserError, "does not belong to its private key"):
            self.connection.action_connect()
        self.assertEqual(len(self.bank.requests), sent)

    def test_connect_without_any_account_number_says_what_to_do(self):
        self.connection.journal_ids = False
        with self.assertRaisesRegex(UserError, "bank account numbers first"):
            self.connection.action_connect()
        self.assertFalse(self.bank.requests)

    def test_hostile_callbacks_finish_nothing(self):
        url = self._to_the_bank()
        state = self.connection.sudo().redirect_state
        for params in (
            {"state": f"{state}x", "code": "c"},
            {"state": "", "code": "c"},
            {"state": "' OR 1=1 --", "code": "c"},
            {"state": "<script>alert(1)</script>"},
            {"code": "c"},
        ):
            with self.subTest(params=params):
                response = self._callback(f"/ar_bank_psd2/callback?{urlencode(params)}")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.connection.state, "draft")
        self.assertEqual(self.connection.sudo().redirect_state, state)
        # The right state with a forged code: the bank refuses the code, nothing is connected.
        forged = urlencode({"state": state, "code": "forged';--"})
        response = self._callback(f"/ar_bank_psd2/callback?{forged}")
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self.connection.state, "expired")
        self.assertIn("invalid_grant", self.connection.last_error)
        self.assertFalse(self.connection.account_ids)
        self.assertFalse(self.connection.sudo().access_token)
        # The genuine redirect comes too late: its state was used.
        self.assertEqual(self._callback(url).status_code, 404)

    def test_the_user_refusing_at_the_bank_is_reported(self):
        self.bank.deny = True
        self._callback(self._to_the_bank())
        self.assertEqual(self.connection.state, "expired")
        self.assertIn("the user refused", self.connection.last_error)
        self.assertFalse(self.connection.account_ids)

    def test_the_tpp_key_and_certificate_are_for_settings_administrators_only(self):
        seen = self.connection.with_user(self.manager).fields_get()
        self.assertNotIn("private_key", seen)
        self.assertNotIn("tpp_certificate", seen)
        self.assertNotIn("client_id", seen)

    def test_the_cron_reads_unattended_and_reconnect_renews_the_consent(self):
        self._authorise()
        first_consent = self.connection.sudo().consent_id
        self.bank.add_transaction(self.number, 55, self.today, name="Klient", remittance="FV/5")
        self.env["ar.bank.connection"]._cron_sync()
        self.assertEqual(self.connection.unattended_reads, 1)
        read = json.loads([body for path, _h, body in self.bank.requests if path.endswith("Done")][-1])
        self.assertFalse(read["requestHeader"]["isDirectPsu"])
        self.assertNotIn("ipAddress", read["requestHeader"], "no user present")
        self.assertEqual(
            self.env["account.bank.statement.line"]
            .search([("journal_id", "=", self.journal.id)])
            .mapped("amount"),
            [55.0],
        )
        # Reconnect (the consent's renewal): a new authorisation, a new consent and a new end.
        self.connection.consent_expiry = fields.Datetime.now() + timedelta(days=5)
        self._authorise()
        self.assertNotEqual(self.connection.sudo().consent_id, first_consent)
        self.assertEqual(self.connection.consent_expiry.date(), self.today + timedelta(days=180))
        self.assertEqual(len(self.connection.account_ids), 1, "the same account, not a second one")
