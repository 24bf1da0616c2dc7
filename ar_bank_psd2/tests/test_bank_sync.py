import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

from .mock_bank import MockBank
from .mock_enable_banking import MockEnableBanking, new_key_pair

SPEC = Path(__file__).resolve().parent / "data" / "berlin-group-psd2-api-1.3.12.yaml"
TODAY = date(2026, 11, 23)


@tagged("post_install", "-at_install")
class TestBankSync(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pln = cls.setup_other_currency("PLN")
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "mBank API",
                "type": "bank",
                "code": "MBAPI",
                "currency_id": cls.pln.id,
                "company_id": cls.company.id,
                "bank_account_id": cls.env["res.partner.bank"]
                .create(
                    {"acc_number": "PL61109010140000071219812874", "partner_id": cls.company.partner_id.id}
                )
                .id,
            }
        )

    def setUp(self):
        super().setUp()
        self.bank = MockBank(page_size=100, today=TODAY)
        self.resource = self.bank.add_account("PL61109010140000071219812874")
        self.addCleanup(self.bank.stop)
        self.connection = self.env["ar.bank.connection"].create(
            {"name": "mBank", "provider": "berlin_group", "api_base_url": self.bank.start()}
        )

    def _connect(self):
        with freeze_time(TODAY):
            action = self.connection.action_connect()
        consent_id = re.search(r"/sca/(\w+)", action["url"]).group(1)
        self.bank.approve(consent_id)
        with freeze_time(TODAY):
            self.assertTrue(self.connection._ar_finish_consent())
        return consent_id

    def test_consent_by_redirect_maps_the_accounts_to_journals(self):
        consent_id = self._connect()
        self.assertEqual(self.connection.state, "active")
        self.assertEqual(self.connection.account_ids.journal_id, self.journal)
        self.assertEqual(self.connection.consent_expiry.date(), TODAY + timedelta(days=180))
        self.assertEqual(self.bank.consents[consent_id]["frequencyPerDay"], 4)
        self.assertTrue(all("x-request-id" in headers for _m, _p, headers in self.bank.requests))

    def test_sync_books_new_transactions_once_across_pages_and_files(self):
        self._connect()
        for n in range(250):
            self.bank.add_transaction(
                self.resource,
                100 + n,
                TODAY - timedelta(days=n % 20),
                name=f"Klient {n}",
                iban="PL27114020040000300201355387",
                remittance=f"FV/2026/{n:05d}",
            )
        with freeze_time(TODAY):
            lines = self.connection._ar_sync_now()
        self.assertEqual(len(lines), 250)
        pages = [p for m, p, _h in self.bank.requests if "/transactions" in p]
        self.assertEqual(len(pages), 3, "250 transactions in pages of 100")
        line = lines.filtered(lambda ln: ln.amount == 100)
        self.assertRecordValues(
            line, [{"ar_import_id": "E00000001", "ar_source": "api", "partner_name": "Klient 0"}]
        )
        self.assertEqual(line.transaction_details["raw"]["transactionId"], "T00000001")
        # The next sync reads from 3 days before the last booked day and books only what is new.
        self.bank.add_transaction(self.resource, 999, TODAY, name="Nowy", remittance="FV/2026/99999")
        with freeze_time(TODAY):
            again = self.connection._ar_sync_now()
        self.assertEqual(again.mapped("amount"), [999])

    def test_oauth_sca_approach_with_pkce_bearer_token_and_refresh(self):
        bank = MockBank(page_size=100, today=TODAY, oauth=True)
        resource = bank.add_account("PL61109010140000071219812874")
        self.addCleanup(bank.stop)
        connection = self.env["ar.bank.connection"].create(
            {
                "name": "Bank OAuth",
                "provider": "berlin_group",
                "api_base_url": bank.start(),
                "client_id": "tpp-1",
            }
        )
        with freeze_time(TODAY):
            action = connection.action_connect()
        authorize = urlsplit(action["url"])
        query = dict(parse_qsl(authorize.query))
        self.assertEqual(authorize.path, "/oauth/authorize")
        self.assertEqual(
            (query["response_type"], query["code_challenge_method"], query["client_id"]),
            ("code", "S256", "tpp-1"),
        )
        self.assertEqual(query["scope"], f"AIS:{connection.sudo().consent_id}")
        self.assertNotIn(
            connection.sudo().oauth_flow["code_verifier"], action["url"], "only the challenge leaves"
        )
        # The customer logs in at the bank, which sends the browser back with a code and our state.
        back = requests.get(action["url"], allow_redirects=False, timeout=10)
        callback = dict(parse_qsl(urlsplit(back.headers["Location"]).query))
        self.assertEqual(callback["state"], connection.sudo().redirect_state)
        wrong = dict(callback, code="forged")
        with freeze_time(TODAY):
            self.assertFalse(connection._ar_finish_consent(wrong), "a forged code gets no token")
            self.assertTrue(connection._ar_finish_consent(callback))
        self.assertTrue(connection.sudo().access_token)
        self.assertEqual(connection.account_ids.journal_id, self.journal)
        bank.add_transaction(resource, 123, TODAY, name="Klient", remittance="FV/2026/00001")
        with freeze_time(TODAY):
            self.assertEqual(connection._ar_sync_now().mapped("amount"), [123])
        bearer = [h.get("authorization", "") for _m, p, h in bank.requests if "/transactions" in p]
        self.assertTrue(bearer and all(value.startswith("Bearer ") for value in bearer))
        # An expired token is refreshed before the next read.
        old = connection.sudo().access_token
        bank.add_transaction(resource, 456, TODAY, name="Klient", remittance="FV/2026/00002")
        with freeze_time(TODAY):
            connection.token_expiry = fields.Datetime.now() - timedelta(minutes=5)
            self.assertEqual(connection._ar_sync_now().mapped("amount"), [456])
        self.assertNotEqual(connection.sudo().access_token, old)

    def test_pending_transactions_are_shown_on_request_and_never_booked(self):
        self._connect()
        self.bank.add_transaction(self.resource, 100, TODAY, name="Zaksięgowany", remittance="FV/2026/00001")
        self.bank.add_pending(self.resource, 250, TODAY, name="W drodze", remittance="FV/2026/00002")
        with freeze_time(TODAY):
            lines = self.connection._ar_sync_now()
        self.assertEqual(lines.mapped("amount"), [100])
        self.assertFalse(self.connection.pending_ids, "pending ones only when asked for")
        self.assertIn(
            "bookingStatus=booked", next(p for _m, p, _h in self.bank.requests if "/transactions" in p)
        )
        self.connection.show_pending = True
        with freeze_time(TODAY):
            lines = self.connection._ar_sync_now()
        self.assertFalse(lines, "a pending transaction is not booked")
        self.assertRecordValues(
            self.connection.pending_ids,
            [
                {
                    "amount": 250.0,
                    "counterparty_name": "W drodze",
                    "remittance": "FV/2026/00002",
                    "date": TODAY,
                }
            ],
        )
        # Once the bank books it, it is booked and no longer pending.
        self.bank.pending[self.resource].clear()
        self.bank.add_transaction(self.resource, 250, TODAY, name="W drodze", remittance="FV/2026/00002")
        with freeze_time(TODAY):
            lines = self.connection._ar_sync_now()
        self.assertEqual(lines.mapped("amount"), [250])
        self.assertFalse(self.connection.pending_ids)

    def test_unattended_reads_stop_at_four_a_day_user_reads_do_not_count(self):
        self._connect()
        self.bank.add_transaction(self.resource, 10, TODAY, name="A", remittance="x")
        with freeze_time(TODAY):
            for _ in range(4):
                self.connection._sync()
            self.assertEqual(self.connection.unattended_reads, 4)
            self.assertFalse(self.connection._sync())
            self.assertIn("unattended reads for today are used up", self.connection.last_error)
            self.connection._ar_sync_now()  # a user is present
        self.assertEqual(self.connection.state, "active")

    def test_bank_limit_errors_and_expiry_lose_nothing_and_double_nothing(self):
        self._connect()
        for n in range(150):
            self.bank.add_transaction(self.resource, 1 + n, TODAY, name="K", remittance=f"R{n}")
        # A server error on the second page: nothing is booked, the error is shown.
        self.bank.failures = [None] if False else []
        calls = len(self.bank.requests)
        self.bank.failures = []
        with freeze_time(TODAY):
            original = self.bank._transactions

            def fail_second_page(handler, resource_id, query, path):
                if query.get("page") == "1":
                    return self.bank._error(handler, 503, "SERVICE_UNAVAILABLE", "maintenance")
                return original(handler, resource_id, query, path)

            self.bank._transactions = fail_second_page
            self.assertFalse(self.connection._ar_sync_now())
            self.assertEqual(self.connection.state, "error")
            self.assertIn("503", self.connection.last_error)
            self.bank._transactions = original
            lines = self.connection._ar_sync_now()
        self.assertEqual(len(lines), 150)
        self.assertEqual(self.connection.state, "active")
        self.assertGreater(len(self.bank.requests), calls)
        # A 429 from the bank keeps the state and says when to retry.
        self.bank.failures = [429]
        with freeze_time(TODAY):
            self.connection._ar_sync_now()
        self.assertIn("limit", self.connection.last_error)
        # The consent expires at the bank: the connection asks to reconnect.
        self.bank.expire(next(iter(self.bank.consents)))
        with freeze_time(TODAY):
            self.assertFalse(self.connection._ar_sync_now())
        self.assertEqual(self.connection.state, "expired")
        self.assertIn("CONSENT_EXPIRED", self.connection.last_error)
        with self.assertRaises(UserError):
            self.connection._ar_sync_now()

    def test_a_broken_connection_is_an_error_not_a_crash(self):
        # (Odoo's test runner stretches request time-outs to 10 s: test_engine_provider.py covers them.)
        self._connect()
        self.bank.failures = ["drop"]
        with freeze_time(TODAY):
            self.assertFalse(self.connection._ar_sync_now())
        self.assertEqual(self.connection.state, "error")
        self.assertIn("cannot be reached", self.connection.last_error)

    def test_payments_from_the_api_and_a_file_are_booked_once(self):
        self._connect()
        self.bank.add_transaction(
            self.resource,
            1230,
            date(2026, 3, 13),
            name="Hurtownia Żółw Sp. z o.o.",
            iban="PL27114020040000300201355387",
            remittance="/VAT/230,00/IDC/5260250274/INV/FV 1/2026/TXT/zapłata za towar",
        )
        self.connection.account_ids.last_booking_date = date(2026, 3, 14)
        with freeze_time(TODAY):
            self.assertEqual(len(self.connection._ar_sync_now()), 1)
        data = (Path(__file__).parent / "data" / "camt053_two_accounts.xml").read_bytes()
        lines = self.journal.ar_import_statement_file(data, "camt.xml")
        self.assertNotIn(1230, lines.mapped("amount"), "already booked from the API")

    def test_expiring_consents_get_a_renewal_task(self):
        self._connect()
        self.connection.consent_expiry = "2026-12-01 00:00:00"
        with freeze_time(TODAY):
            self.env["ar.bank.connection"]._cron_consent_reminders()
        self.assertEqual(self.connection.state, "expiring")
        self.assertIn("Renew the bank consent", self.connection.activity_ids.summary)

    def test_secrets_are_for_settings_administrators_only(self):
        self.connection.sudo().client_secret = "s3cr3t"
        collector = self.env["res.users"].create(
            {
                "name": "Collector",
                "login": "collector.bank",
                "group_ids": [(6, 0, [self.env.ref("ar_automation.ar_automation_group_collector").id])],
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        fields_seen = self.connection.with_user(collector).fields_get()
        self.assertNotIn("client_secret", fields_seen)
        self.assertNotIn("consent_id", fields_seen)

    def test_the_mock_follows_the_berlin_group_specification(self):
        spec = SPEC.read_text()
        for path in (
            "/v1/consents:",
            "/v1/consents/{consentId}/status:",
            "/v1/accounts:",
            "/v1/accounts/{account-id}/transactions:",
        ):
            self.assertIn(f"\n  {path}", spec, path)
        block = spec.split("\n    transactions:\n", 1)[1].split("\n    ", 1)[0]
        properties = set(re.findall(r"^        (\w+):", "\n" + block, re.M)) | set(
            re.findall(r"\n        (\w+):", spec.split("\n    transactions:\n", 1)[1][:6000])
        )
        tx = self.bank.add_transaction(
            self.resource, 5, TODAY, name="X", iban="PL27114020040000300201355387", remittance="r"
        )
        self.assertLessEqual(set(tx), properties, "every field the mock sends is a transactions field")
        # Error bodies: tppMessages of category, code and text, as the mock sends them; the 429 example
        # of the specification is the mock's ACCESS_EXCEEDED.
        self.assertIn("tppMessages:", spec)
        self.assertIn('"code": "ACCESS_EXCEEDED"', spec)
        for key in ("category:", "code:", "text:"):
            self.assertIn(
                key, spec.split("tppMessage401_AIS:", 1)[1][:1500] if "tppMessage401_AIS:" in spec else spec
            )

    def _notification(self):
        with freeze_time(TODAY):
            action = self.connection.action_sync()
        self.assertEqual((action["type"], action["tag"]), ("ir.actions.client", "display_notification"))
        return action["params"]

    def test_the_sync_button_says_how_many_transactions_went_where(self):
        self._connect()
        self.connection.show_pending = True
        for n in range(3):
            self.bank.add_transaction(self.resource, 100 + n, TODAY - timedelta(days=1), name=f"Klient {n}")
        self.bank.add_pending(self.resource, 250, TODAY, name="W drodze", remittance="FV/2026/00002")
        params = self._notification()
        self.assertEqual(params["type"], "success")
        self.assertIn("3 new transaction(s) booked: 3 new into mBank API", params["message"])
        self.assertIn("1 pending: the bank has not booked them yet", params["message"])
        self.assertNotIn("skipped", params["message"])
        self.assertEqual(params["next"], {"type": "ir.actions.client", "tag": "soft_reload"})
        # Read again: the 3-day overlap brings the same three back, skipped as already booked.
        self.bank.add_transaction(self.resource, 999, TODAY, name="Nowy")
        params = self._notification()
        self.assertIn("1 new transaction(s) booked: 1 new into mBank API", params["message"])
        self.assertIn("3 already booked (from an earlier sync or a file), skipped", params["message"])
        self.assertEqual(
            self.env["account.bank.statement.line"].search_count([("journal_id", "=", self.journal.id)]), 4
        )

    def test_the_sync_button_says_what_went_wrong_in_plain_words(self):
        self._connect()
        self.bank.failures = ["drop"]
        params = self._notification()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["sticky"])
        self.assertIn("synchronisation failed", params["title"])
        self.assertIn("The bank answered with an error", params["message"])
        self.assertIn("cannot be reached", params["message"])
        self.assertIn("No new transactions", params["message"])


@tagged("post_install", "-at_install")
class TestEnableBankingSync(ArTestCommon):
    def test_connect_through_the_callback_and_sync(self):
        pln = self.setup_other_currency("PLN")
        journal = self.env["account.journal"].create(
            {
                "name": "ING via Enable Banking",
                "type": "bank",
                "code": "INGEB",
                "currency_id": pln.id,
                "company_id": self.company.id,
                "bank_account_id": self.env["res.partner.bank"]
                .create(
                    {"acc_number": "PL10105000997603123456789123", "partner_id": self.company.partner_id.id}
                )
                .id,
            }
        )
        pem, public = new_key_pair()
        mock = MockEnableBanking("app-9", public, page_size=2, today=TODAY)
        self.addCleanup(mock.stop)
        uid = mock.add_account("PL10105000997603123456789123")
        for n in range(5):
            mock.add_transaction(uid, 10 + n, TODAY, name="Klient", remittance=f"FV/{n}")
        connection = self.env["ar.bank.connection"].create(
            {
                "name": "ING",
                "provider": "enable_banking",
                "api_base_url": mock.start(),
                "institution_name": "ING Bank Śląski",
                "client_id": "app-9",
                "private_key": pem,
            }
        )
        with freeze_time(TODAY):
            action = connection.action_connect()
        state = action["url"].rsplit("state=", 1)[1]
        self.assertEqual(connection.sudo().redirect_state, state)
        with freeze_time(TODAY):
            self.assertTrue(connection._ar_finish_consent({"code": mock.authorize(state), "state": state}))
            self.assertEqual(connection.account_ids.journal_id, journal)
            lines = connection._ar_sync_now()
        self.assertEqual(len(lines), 5)
        self.assertEqual(sorted(lines.mapped("ar_import_id")), [f"ER{n:08d}" for n in range(1, 6)])
        self.assertEqual(connection.state, "active")
