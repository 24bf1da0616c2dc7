"""Bank connections, their accounts, reconciliation rules and the customers' learned payment data are for
accounting (per company), their secrets for administrators only; importing a statement, matching and
the cash-application figures are Python API, not RPC calls."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.ar_automation.tests.common import ArSecurityCommon

from .test_cash_application import CAMT_STRD


@tagged("post_install", "-at_install")
class TestSecurityBank(ArSecurityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls.env["ar.bank.connection"].create(
            {"name": "mBank", "company_id": cls.company.id, "client_secret": "s3cret"}
        )
        cls.bank_account = cls.env["ar.bank.connection.account"].create(
            {
                "connection_id": cls.connection.id,
                "resource_id": "acc-1",
                "iban": "PL61109010140000071219812874",
            },
        )
        cls.customer_other.ar_payment_patterns = "FV/2026 KOWALSKI"
        cls.ar_manager = cls._user("sec.ar.manager", "ar_automation.ar_automation_group_manager")

    def test_salesman_cannot_read_bank_connections_rules_or_suggestions(self):
        for model in (
            "ar.bank.connection",
            "ar.bank.connection.account",
            "ar.reconcile.rule",
            "ar.reconcile.suggestion",
            "ar.bank.statement.import",
        ):
            for user in (self.own, self.all_docs):
                with self.assertRaises(AccessError, msg=f"{user.login} reads {model}"):
                    self.env[model].with_user(user).search_read([], ["id"])

    def test_other_company_collector_cannot_read_the_connections_bank_accounts(self):
        self.assertFalse(self._visible(self.collector_2, self.bank_account))
        with self.assertRaises(AccessError):
            self.bank_account.with_user(self.collector_2).read(["iban"])

    def test_salesman_cannot_read_customers_learned_payment_titles(self):
        with self.assertRaises(AccessError):
            self.customer_other.with_user(self.own).read(["ar_payment_patterns"])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.all_docs).search_read(
                [("id", "=", self.customer_other.id)], ["ar_payment_patterns"]
            )
        self.assertEqual(self.customer_other.with_user(self.billing).ar_payment_patterns, "FV/2026 KOWALSKI")

    def test_bank_secrets_only_for_administrators(self):
        for user in (self.ar_manager, self.accountant):
            with self.assertRaises(AccessError, msg=user.login):
                self.connection.with_user(user).read(["client_secret"])
        administrator = self._user(
            "sec.system", "base.group_system,ar_automation.ar_automation_group_manager"
        )
        self.assertEqual(self.connection.with_user(administrator).client_secret, "s3cret")


@tagged("post_install", "-at_install")
class TestSecurityBankRpc(ArSecurityCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls._user("sec.collector.one", "ar_automation.ar_automation_group_collector")
        cls.bank = cls.company_data["default_journal_bank"]

    def _assert_refused(self, model, method, args, kwargs=None, user=None):
        user = user or self.collector
        self.authenticate(user.login, user.login)
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{model}/{method}",
                {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            )
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")

    def test_rpc_ar_auto_reconcile_is_refused_and_matches_nothing(self):
        line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "date": self.invoice_own.invoice_date,
                "amount": self.invoice_own.amount_total,
                "payment_ref": f"Zaplata {self.invoice_own.name}",
            }
        )
        self._assert_refused("account.bank.statement.line", "ar_auto_reconcile", [line.ids])
        self.assertEqual(self.invoice_own.payment_state, "not_paid")
        self.assertFalse(line.is_reconciled)

    def test_rpc_ar_import_statement_file_is_refused_and_imports_nothing(self):
        iban = "PL61109010140000071219812874"
        self.bank.bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": iban, "partner_id": self.company.partner_id.id}
        )
        data = CAMT_STRD.format(
            iban=iban,
            currency=self.bank.currency_id.name or self.company.currency_id.name,
            first=self.invoice_own.name,
            second=self.invoice_other.name,
        )
        # an accountant, who may import statements from the back office
        importer = self._user(
            "sec.importer",
            "account.group_account_manager,account.group_account_basic,ar_automation.ar_automation_group_collector",
        )
        self._assert_refused(
            "account.journal",
            "ar_import_statement_file",
            [self.bank.ids, list(data.encode()), "camt.xml"],
            user=importer,
        )
        self.assertFalse(self.env["ar.bank.statement.import"].search([("journal_id", "=", self.bank.id)]))

    def test_rpc_ar_cash_application_is_refused(self):
        self._assert_refused(
            "ar.kpi", "ar_cash_application", [str(self.company._ar_today())], {"company": self.company.id}
        )

    def test_rpc_ar_snapshot_with_cash_application_is_refused(self):
        self._assert_refused("ar.kpi", "ar_snapshot", [str(self.company._ar_today())])

    def test_rpc_connect_button_refused_to_who_may_not_change_the_connection(self):
        """A collector may read a connection, not restart its consent (written as superuser)."""
        connection = self.env["ar.bank.connection"].create(
            {"name": "mBank", "company_id": self.company.id, "state": "active", "redirect_state": "kept"}
        )
        self._assert_refused("ar.bank.connection", "action_connect", [connection.ids])
        self.assertEqual((connection.state, connection.redirect_state), ("active", "kept"))


@tagged("post_install", "-at_install")
class TestSecurityBankCallback(ArSecurityCommon, HttpCase):
    """The bank's redirect back to Odoo after the strong authentication: only the user who may change the
    connection finishes a consent, only with the state Odoo gave the bank, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ar_manager = cls._user("sec.cb.manager", "ar_automation.ar_automation_group_manager")
        cls.connection = cls.env["ar.bank.connection"].create(
            {"name": "mBank", "company_id": cls.company.id, "redirect_state": "s-4f1c2a9e-good"}
        )

    def _callback(self, user, **params):
        if user:
            self.authenticate(user.login, user.login)
        return self.url_open("/ar_bank_psd2/callback", params=params, allow_redirects=False)

    def _finished(self):
        """Patch the consent's finishing step: record what would have been finished."""
        finished = []
        connection_class = type(self.env["ar.bank.connection"])
        original = connection_class._ar_finish_consent

        def record(records, values):
            finished.append((records.ids, dict(values)))
            return True

        connection_class._ar_finish_consent = record
        self.addCleanup(setattr, connection_class, "_ar_finish_consent", original)
        return finished

    def test_hostile_or_unknown_states_finish_nothing(self):
        finished = self._finished()
        hostile = ("", "x", "s-4f1c2a9e-goo", "' OR 1=1 --", "<script>alert(1)</script>", "%00", "ż" * 500)
        for state in hostile:
            with self.subTest(state=state):
                response = self._callback(self.ar_manager, state=state, code="c")
                self.assertEqual(response.status_code, 404)
        self.assertFalse(finished)
        self.assertEqual(self.connection.redirect_state, "s-4f1c2a9e-good")

    def test_a_salesman_or_another_companys_collector_cannot_finish_a_consent(self):
        finished = self._finished()
        for user in (self.own, self.all_docs, self.billing, self.collector_2):
            with self.subTest(user=user.login):
                response = self._callback(user, state="s-4f1c2a9e-good", code="c")
                self.assertEqual(response.status_code, 404)
        self.assertFalse(finished)
        self.assertEqual(self.connection.redirect_state, "s-4f1c2a9e-good", "the state stays usable")

    def test_anonymous_visitors_are_sent_to_the_login(self):
        finished = self._finished()
        response = self._callback(None, state="s-4f1c2a9e-good", code="c")
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        self.assertFalse(finished)

    def test_the_state_is_used_once(self):
        finished = self._finished()
        first = self._callback(self.ar_manager, state="s-4f1c2a9e-good", code="c")
        self.assertIn(first.status_code, (302, 303))
        self.assertEqual(finished, [(self.connection.ids, {"code": "c"})])
        again = self._callback(self.ar_manager, state="s-4f1c2a9e-good", code="c")
        self.assertEqual(again.status_code, 404, "a replayed redirect finishes nothing")
        self.assertEqual(len(finished), 1)
