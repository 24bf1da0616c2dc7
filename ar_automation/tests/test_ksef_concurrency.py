"""Two workers run the KSeF queue at the same moment, each in a real transaction of its own (two threads,
two connections to the test database, work committed beforehand): every invoice reaches KSeF once and no
serialization error escapes. The tests' usual single shared transaction could not show either.

The work is committed, so the test cleans up after itself: the invoices and the customer are deleted, the
system parameters restored, and the company (with its chart of accounts) archived, to be reused next time.
"""

import base64
import threading

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import file_open

from ..tools.ksef_service import URL_PARAMETER, ArKsefApiService
from ..tools.mock_ksef import KsefMock

COMPANY_NAME = "KSeF Concurrency Test Sp. z o.o."
INVOICES = 8
PARAMETERS = (URL_PARAMETER, "l10n_pl_edi_ksef.mode")


@tagged("post_install", "-at_install")
class TestKsefConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.mock = KsefMock().start()
        cls.addClassCleanup(cls.mock.stop)

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _prepare(self, env):
        """A KSeF company (registered with the mock), a customer and INVOICES posted invoices queued."""
        params_sudo = env["ir.config_parameter"].sudo()
        saved = {key: params_sudo.get_param(key) for key in PARAMETERS}
        params_sudo.set_param(URL_PARAMETER, self.mock.url)
        params_sudo.set_param("l10n_pl_edi_ksef.mode", "test")
        company = env["res.company"].with_context(active_test=False).search([("name", "=", COMPANY_NAME)])
        if not company:
            company = env["res.company"].create(
                {
                    "name": COMPANY_NAME,
                    "country_id": env.ref("base.pl").id,
                    "currency_id": env.ref("base.PLN").id,
                    "vat": "PL1234567883",
                    "street": "ul. Hurtowa 5",
                    "city": "Warszawa",
                    "zip": "00-001",
                }
            )
            env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
            company.l10n_pl_edi_certificate = self._certificate(env, company)
        company.active = True
        access, refresh = ArKsefApiService(company.sudo()).authenticate_with_ksef_token(self.mock.ksef_token)
        company.write(
            {
                "l10n_pl_edi_access_token": access,
                "l10n_pl_edi_refresh_token": refresh,
                "l10n_pl_edi_session_id": False,
            }
        )
        customer = env["res.partner"].create(
            {
                "name": "Kowalski Sp. z o.o.",
                "is_company": True,
                "vat": "PL5795955811",
                "street": "ul. Długa 1",
                "city": "Racibórz",
                "zip": "47-400",
                "country_id": env.ref("base.pl").id,
                "email": "ap@kowalski.example.com",
            }
        )
        moves = (
            env["account.move"]
            .with_company(company)
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": customer.id,
                        "invoice_date": fields.Date.today(),
                        "invoice_line_ids": [
                            Command.create(
                                {"name": f"Usługa {n}", "quantity": 1, "price_unit": 100 + n, "tax_ids": []}
                            )
                        ],
                    }
                    for n in range(INVOICES)
                ]
            )
        )
        moves.action_post()
        moves._ar_ksef_queue()
        return company.id, customer.id, moves.ids, saved

    def _certificate(self, env, company):
        def read(name):
            with file_open(f"l10n_pl_edi/tests/certificate/{name}", mode="rb") as file:
                return base64.b64encode(file.read())

        key = env["certificate.key"].create(
            {"name": "ksef.key", "content": read("l10n_pl_edi_test.key"), "password": "Qwertyuiop@12345"}
        )
        return env["certificate.certificate"].create(
            {"name": "ksef.pem", "content": read("l10n_pl_edi_test.pem"), "private_key_id": key.id}
        )

    def _cleanup(self, company_id, customer_id, move_ids, saved):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            moves = env["account.move"].browse(move_ids).exists()
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(customer_id).unlink()
            env["res.company"].browse(company_id).write(
                {"active": False, "l10n_pl_edi_access_token": False, "l10n_pl_edi_refresh_token": False}
            )
            for key, value in saved.items():
                env["ir.config_parameter"].sudo().set_param(key, value or False)

    def test_two_workers_at_once_send_each_invoice_once(self):
        with self.registry.cursor() as cr:
            prepared = self._prepare(self._env(cr))
        self.addCleanup(self._cleanup, *prepared)
        _company_id, _customer_id, move_ids, _saved = prepared
        self.mock.reset()
        self.mock.delay = 0.05  # KSeF takes a moment, so the workers overlap

        barrier = threading.Barrier(2)
        errors = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    barrier.wait(timeout=60)
                    env["account.move"]._cron_ar_ksef_process()
            except Exception as error:  # noqa: BLE001 - any error reaching the worker fails the test
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

        self.assertEqual(errors, [], "no error (a serialization failure included) reached either worker")
        with self.registry.cursor() as cr:
            moves = self._env(cr)["account.move"].browse(move_ids)
            names = moves.mapped("name")
            self.assertEqual(set(moves.mapped("ar_ksef_state")), {"accepted"})
            self.assertEqual(len(set(moves.mapped("l10n_pl_edi_number"))), INVOICES)
        sent = self.mock.sent_numbers()
        self.assertCountEqual(sent, names, "each invoice reached KSeF exactly once")
        sendings = [call for call in self.mock.calls if call[0] == "POST" and call[1].endswith("/invoices")]
        self.assertEqual(len(sendings), INVOICES, "the mock's request log: one sending per invoice")
