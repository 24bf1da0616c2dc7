import base64
import re
from datetime import timedelta
from unittest.mock import patch

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree

from odoo import Command, fields, tools
from odoo.tests import freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.l10n_pl_edi.tools import ksef_api_service

from ..engine.ksef import invoice_digest, offline_deadline
from ..tools.ksef_service import URL_PARAMETER, ArKsefApiService
from ..tools.mock_ksef import KsefMock, ksef_checksum
from .common import ArInvoicingCommon

KSEF_NUMBER = re.compile(r"^(\d{10}-\d{8}-[0-9A-F]{12})-([0-9A-F]{2})$")


def register_with_ksef_token(company, ksef_token):
    """Authenticate ``company`` with a KSeF token, as the Ministry's flow has it: challenge,
    ``token|timestampMs`` encrypted with KSeF's public key, status, redeem."""
    access, refresh = ArKsefApiService(company.sudo()).authenticate_with_ksef_token(ksef_token)
    company.sudo().write({"l10n_pl_edi_access_token": access, "l10n_pl_edi_refresh_token": refresh})


def _unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@tagged("post_install", "-at_install")
class TestKsef(ArInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mock = KsefMock().start()
        cls.addClassCleanup(cls.mock.stop)
        # l10n_pl_edi's client, pointed at the mock by our system parameter (as the demo does).
        cls.env["ir.config_parameter"].sudo().set_param(URL_PARAMETER, cls.mock.url)
        cls.env["ir.config_parameter"].sudo().set_param("l10n_pl_edi_ksef.mode", "test")
        cls.company.write(
            {
                "country_id": cls.env.ref("base.pl").id,
                "vat": "PL1234567883",
                "street": "ul. Hurtowa 5",
                "city": "Warszawa",
                "zip": "00-001",
            }
        )

        def read(filename):
            with tools.file_open(f"l10n_pl_edi/tests/certificate/{filename}", mode="rb") as file:
                return base64.b64encode(file.read())

        key = cls.env["certificate.key"].create(
            {"name": "ksef.key", "content": read("l10n_pl_edi_test.key"), "password": "Qwertyuiop@12345"}
        )
        certificate = cls.env["certificate.certificate"].create(
            {"name": "ksef.pem", "content": read("l10n_pl_edi_test.pem"), "private_key_id": key.id}
        )
        cls.company.sudo().l10n_pl_edi_certificate = certificate
        register_with_ksef_token(cls.company, cls.mock.ksef_token)
        # l10n_pl_edi's test certificate (EC P-256) stands in for a KSeF Offline certificate.
        cls.offline_certificate = certificate

    def setUp(self):
        super().setUp()
        self.mock.reset()

    def _invoice(self):
        order = self._order()
        order.action_confirm()
        return order.invoice_ids

    def _run_cron(self):
        self.env.flush_all()
        with self.enter_registry_test_mode():
            self.env.ref("ar_automation.ir_cron_ar_ksef_process").method_direct_trigger()
        self.env.invalidate_all()

    def _assert_accepted(self, invoice):
        self.assertEqual(invoice.ar_ksef_state, "accepted")
        self.assertEqual(invoice.l10n_pl_edi_status, "accepted")
        match = KSEF_NUMBER.match(invoice.l10n_pl_edi_number or "")
        self.assertTrue(match, invoice.l10n_pl_edi_number)
        self.assertEqual(match.group(2), ksef_checksum(match.group(1)))
        self.assertTrue(invoice.l10n_pl_edi_number.startswith("1234567883-"))
        self.assertEqual(invoice.sending_data["sending_methods"], ["email"], "e-mailed once accepted")

    def test_accepted_invoice_keeps_number_and_upo_then_is_emailed(self):
        invoice = self._invoice()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self.assertFalse(invoice.sending_data, "not e-mailed before KSeF accepted it")

        self._run_cron()

        self._assert_accepted(invoice)
        self.assertEqual(self.mock.sent_numbers(), [invoice.name], "KSeF decrypted and read the FA(3) file")
        self.assertIn(invoice.l10n_pl_edi_number.encode(), base64.b64decode(invoice.l10n_pl_edi_upo_file))
        self.assertTrue(invoice.l10n_pl_edi_attachment_file, "the FA(3) file sent is kept")
        self.assertRegex(
            invoice.ar_ksef_verification_url,
            rf"^https://qr-test\.ksef\.mf\.gov\.pl/invoice/1234567883/{invoice.invoice_date:%d-%m-%Y}/[\w-]{{43}}$",
        )
        self.assertTrue(
            any(invoice.l10n_pl_edi_number in body for body in invoice.message_ids.mapped("body"))
        )

        html = (
            self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", invoice.ids)[0].decode()
        )
        self.assertIn(invoice.l10n_pl_edi_number, html, "the invoice's visualisation shows its KSeF number")
        self.assertIn('alt="KSeF QR" src="data:image/png;base64,', html)
        self.assertIn(invoice.ar_ksef_verification_url, html)
        title = self.company._ar_transfer_title(invoice)
        self.assertTrue(
            title.startswith(invoice.l10n_pl_edi_number), "art. 108g: the KSeF number in the title"
        )

        self._run_cron()
        self.assertEqual(len(self.mock.sent_numbers()), 1, "an accepted invoice is not sent again")

    def test_ksef_mandatory_field_blocks_in_invoices_to_fix(self):
        self.company.street = False
        invoice = self._invoice()
        self.assertEqual(invoice.state, "draft")
        self.assertIn(invoice, self._to_fix())
        self.assertIn("KSeF", invoice.ar_check_message)
        self.assertIn("address of your company", invoice.ar_check_message)
        self.assertFalse(invoice.ar_ksef_state)

    def test_rejected_invoice_goes_back_to_invoices_to_fix_with_ksef_message(self):
        invoice = self._invoice()
        self.mock.reject[invoice.name] = ["Nieprawidłowy kod kraju nabywcy."]
        self._run_cron()

        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.ar_ksef_state, "rejected")
        self.assertIn(invoice, self._to_fix())
        self.assertIn("Błąd weryfikacji semantyki dokumentu faktury (450)", invoice.ar_check_message)
        self.assertIn("Nieprawidłowy kod kraju nabywcy.", invoice.ar_check_message)
        self.assertIn("Nieprawidłowy kod kraju nabywcy.", invoice.activity_ids.note)
        self.assertFalse(invoice.sending_data, "a rejected invoice is never e-mailed")

        del self.mock.reject[invoice.name]
        invoice.action_ar_check_and_send()
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self._run_cron()
        self._assert_accepted(invoice)

    def test_ksef_unavailable_keeps_the_invoice_queued_then_sends_it(self):
        invoice = self._invoice()
        self.mock.unavailable = True
        self._run_cron()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self.assertEqual(invoice.ar_ksef_attempts, 1)
        self.assertIn("KSeF", invoice.ar_ksef_error)
        self.assertTrue(invoice.ar_ksef_next_try)
        self.assertFalse(invoice.sending_data)
        queue = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_automation.account_move_action_ar_ksef_queue"
        )
        self.assertIn(invoice, self.env["account.move"].search(safe_eval(queue["domain"])))

        self.mock.unavailable = False
        self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "to_send", "not before its next try")
        with freeze_time(fields.Datetime.now() + timedelta(minutes=6)):
            self._run_cron()
        self._assert_accepted(invoice)

    def test_time_out_keeps_the_invoice_queued(self):
        invoice = self._invoice()
        # l10n_pl_edi's 10 s time-out (Odoo's tests raise shorter ones to 10 s): KSeF answers after 10.5 s.
        self.mock.delay = ksef_api_service.TIMEOUT + 0.5
        self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self.assertIn("timed out", invoice.ar_ksef_error.lower())
        self.mock.delay = 0
        invoice.action_ar_ksef_retry()
        self._assert_accepted(invoice)

    def test_rate_limit_keeps_the_invoice_queued(self):
        invoice = self._invoice()
        self.mock.rate_limited = True
        self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self.assertIn("Too Many Requests", invoice.ar_ksef_error)

    def test_expired_session_and_access_token_are_renewed(self):
        first = self._invoice()
        self._run_cron()
        self._assert_accepted(first)
        old_session = self.company.sudo().l10n_pl_edi_session_id

        self.mock.cancel_sessions()
        self.mock.expire_access_tokens()
        second = self._invoice()
        self._run_cron()

        self._assert_accepted(second)
        self.assertIn(("POST", "/v2/auth/token/refresh"), self.mock.calls)
        self.assertNotEqual(second.l10n_pl_edi_session_id, old_session, "a new session was opened")

    def test_send_repeated_after_a_lost_answer_is_not_doubled(self):
        invoice = self._invoice()
        # A run sent the invoice and died before committing: KSeF holds it, Odoo still has it to send.
        service = ArKsefApiService(self.company.sudo())
        service.open_ksef_session()
        service.send_invoice(invoice._l10n_pl_edi_render_xml().encode())
        original_number = next(iter(self.mock.issued.values()))[1]

        self._run_cron()

        self.assertEqual(invoice.ar_ksef_state, "accepted")
        self.assertEqual(invoice.l10n_pl_edi_number, original_number, "the KSeF number KSeF gave first")
        self.assertEqual(len(self.mock.issued), 1, "KSeF issued one invoice")
        self.assertEqual(invoice.sending_data["sending_methods"], ["email"])
        self._run_cron()
        self.assertEqual(self.mock.sent_numbers(), [invoice.name, invoice.name], "not sent a third time")

    def test_dispute_credit_note_is_a_correction_naming_the_ksef_number(self):
        invoice = self._invoice()
        self._run_cron()
        self._assert_accepted(invoice)
        dispute = self.env["ar.dispute"].create(
            {
                "partner_id": invoice.commercial_partner_id.id,
                "invoice_ids": [Command.set(invoice.ids)],
                "reason": "other",
                "company_id": self.company.id,
                "description": "Towar uszkodzony",
            }
        )
        dispute.action_create_credit_note()
        credit_note = dispute.credit_note_ids
        credit_note.action_post()
        self.assertEqual(credit_note.ar_ksef_state, "to_send")
        self.assertFalse(credit_note.sending_data, "not e-mailed before KSeF accepted it")

        self._run_cron()

        self.assertEqual(credit_note.ar_ksef_state, "accepted")
        self.assertTrue(credit_note.l10n_pl_edi_number)
        xml = base64.b64decode(credit_note.l10n_pl_edi_attachment_file).decode()
        self.assertIn("<RodzajFaktury>KOR</RodzajFaktury>", xml)
        self.assertIn("<NrKSeF>1</NrKSeF>", xml)
        self.assertIn(f"<NrKSeFFaKorygowanej>{invoice.l10n_pl_edi_number}</NrKSeFFaKorygowanej>", xml)
        self.assertNotIn("NrKSeFN", xml)
        self.assertEqual(dispute.stage, "resolved_credit")

    def test_invoice_locked_by_another_worker_is_skipped(self):
        invoice = self._invoice()
        with patch.object(type(invoice), "try_lock_for_update", lambda self, **kw: self.browse()):
            self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self.assertEqual(self.mock.sent_numbers(), [])

    # -- offline ----------------------------------------------------------------------------------------

    def _assert_certificate_link(self, invoice):
        """KOD II names the seller, the certificate's serial number and the file's hash, and is signed with
        the certificate's key (ECDSA P-256, r || s)."""
        path, signature = invoice.ar_ksef_certificate_url.removeprefix("https://").rsplit("/", 1)
        xml = base64.b64decode(invoice.l10n_pl_edi_attachment_file)
        self.assertEqual(
            path,
            f"qr-test.ksef.mf.gov.pl/certificate/Nip/1234567883/1234567883/01C311C507F83E0C/{invoice_digest(xml)}",
        )
        certificate = x509.load_pem_x509_certificate(
            base64.b64decode(self.offline_certificate.pem_certificate)
        )
        raw = _unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        certificate.public_key().verify(der, path.encode(), ec.ECDSA(hashes.SHA256()))

    def _queue(self, filter_name):
        """The invoices the KSeF Queue shows with the search filter ``filter_name``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_automation.account_move_action_ar_ksef_queue"
        )
        search = etree.fromstring(
            self.env.ref("ar_automation.account_move_view_search_ar_ksef_queue").arch_db
        )
        domain = search.xpath(f"//filter[@name='{filter_name}']")[0].get("domain")
        return self.env["account.move"].search(safe_eval(action["domain"]) + safe_eval(domain))

    def test_ksef_unavailable_issues_offline_then_sends_the_same_file_and_keeps_the_number(self):
        self.company.sudo().ar_ksef_offline_certificate_id = self.offline_certificate
        invoice = self._invoice()
        self.mock.unavailable = True
        self._run_cron()

        self.assertEqual(invoice.ar_ksef_state, "offline")
        self.assertTrue(invoice.ar_ksef_offline)
        self.assertEqual(invoice.ar_ksef_offline_deadline, offline_deadline(invoice.invoice_date))
        self.assertIn("503", invoice.ar_ksef_error)
        self.assertFalse(invoice.l10n_pl_edi_number)
        self.assertEqual(invoice.sending_data["sending_methods"], ["email"], "e-mailed as an offline invoice")
        xml = base64.b64decode(invoice.l10n_pl_edi_attachment_file)
        self.assertTrue(invoice.ar_ksef_verification_url.endswith(invoice_digest(xml)))
        self._assert_certificate_link(invoice)
        html = (
            self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", invoice.ids)[0].decode()
        )
        self.assertIn(">OFFLINE<", html, "KOD I is labelled OFFLINE until KSeF numbers the invoice")
        self.assertIn(">CERTYFIKAT<", html)
        self.assertIn(invoice.ar_ksef_certificate_url, html)
        self.assertIn(invoice, self._queue("issued_offline"))
        self.assertIn(invoice, self._queue("pending"))
        self.assertEqual(self.mock.sent_numbers(), [])

        invoice.sending_data = False  # the e-mail went out (Odoo's sending cron)
        self.mock.unavailable = False
        with freeze_time(fields.Datetime.now() + timedelta(minutes=6)):
            self._run_cron()

        self._assert_accepted_number(invoice)
        self.assertTrue(invoice.ar_ksef_offline, "still known as issued offline")
        self.assertEqual(self.mock.sent_numbers(), [invoice.name])
        status = next(iter(self.mock.invoices.values()))
        self.assertEqual(status["invoicingMode"], "Offline", "sent with offlineMode")
        self.assertEqual(
            _unb64url(invoice_digest(xml)), base64.b64decode(status["invoiceHash"]), "the same file"
        )
        self.assertFalse(invoice.sending_data, "not e-mailed a second time")
        html = (
            self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", invoice.ids)[0].decode()
        )
        self.assertIn(invoice.l10n_pl_edi_number, html)
        self.assertNotIn(">OFFLINE<", html, "KOD I now labelled with the KSeF number")

    def test_company_in_offline_mode_issues_offline_and_sends_once_switched_off(self):
        self.company.sudo().write(
            {"ar_ksef_offline_mode": True, "ar_ksef_offline_certificate_id": self.offline_certificate.id}
        )
        invoice = self._invoice()
        self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "offline")
        self.assertIn("offline mode", invoice.ar_ksef_error)
        self.assertEqual(self.mock.calls, [], "KSeF is not called in offline mode")
        with freeze_time(fields.Datetime.now() + timedelta(minutes=6)):
            self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "offline", "kept while the company is offline")
        self.assertEqual(self.mock.calls, [])

        self.company.sudo().ar_ksef_offline_mode = False
        with freeze_time(fields.Datetime.now() + timedelta(minutes=6)):
            self._run_cron()
        self._assert_accepted_number(invoice)

    def test_offline_invoice_past_its_deadline_is_flagged(self):
        self.company.sudo().ar_ksef_offline_certificate_id = self.offline_certificate
        invoice = self._invoice()
        self.mock.unavailable = True
        self._run_cron()
        deadline = invoice.ar_ksef_offline_deadline
        self.assertNotIn(invoice, self._queue("offline_late"))
        self.assertFalse(invoice.activity_ids)

        with freeze_time(f"{deadline} 10:00:00"):
            self._run_cron()
            self.assertIn(invoice, self._queue("offline_late"))
        self.assertEqual(invoice.ar_ksef_state, "offline")
        self.assertEqual(invoice.ar_ksef_attempts, 1, "one failed sending of the offline invoice")
        self.assertIn(f"Send to KSeF by {deadline}", invoice.activity_ids.mapped("summary"))
        with freeze_time(f"{deadline} 11:00:00"):
            self._run_cron()
        self.assertEqual(len(invoice.activity_ids), 1, "one to-do, not one per try")

    def test_without_offline_certificate_an_unavailable_ksef_keeps_the_invoice_queued(self):
        invoice = self._invoice()
        self.mock.unavailable = True
        self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "to_send")
        self.assertFalse(invoice.ar_ksef_offline)
        self.assertIn("no KSeF Offline certificate", invoice.ar_ksef_error)
        self.assertFalse(invoice.sending_data)

    def test_rate_limit_is_not_an_unavailability(self):
        self.company.sudo().ar_ksef_offline_certificate_id = self.offline_certificate
        invoice = self._invoice()
        self.mock.rate_limited = True
        self._run_cron()
        self.assertEqual(invoice.ar_ksef_state, "to_send", "KSeF answered: throttled, not offline")

    def _assert_accepted_number(self, invoice):
        self.assertEqual(invoice.ar_ksef_state, "accepted")
        match = KSEF_NUMBER.match(invoice.l10n_pl_edi_number or "")
        self.assertTrue(match, invoice.l10n_pl_edi_number)
        self.assertEqual(match.group(2), ksef_checksum(match.group(1)))
