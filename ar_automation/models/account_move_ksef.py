"""Automatic invoicing through KSeF, the Polish national e-invoicing system.

Active for the companies registered for KSeF in Odoo's ``l10n_pl_edi`` (``res.company.l10n_pl_edi_register``:
a KSeF certificate is set); the KSeF client is l10n_pl_edi's ``KsefApiService``, its FA(3) rendering and
mandatory-field check are l10n_pl_edi's.

The flow of a generated invoice of such a company: the pre-posting checks include l10n_pl_edi's mandatory
fields; once posted the invoice is queued (``ar_ksef_state = to_send``) instead of e-mailed; the cron
``_cron_ar_ksef_process`` sends it (``sent``), follows KSeF's status and, once accepted, keeps the KSeF number
and the UPO and only then queues the e-mail. A rejection puts the invoice back in draft, blocked, in
*Invoices to Fix* with KSeF's own message. Network failures, time-outs, 429 and 5xx leave it queued with
the error and a later try: nothing is lost. Each invoice is locked (``FOR UPDATE SKIP LOCKED``) while it is
handled, so two workers never send it together; a send whose answer was lost (the run died before its
commit) is sent again and KSeF answers "duplicate" (status 440) with the original KSeF number, which is
then kept: the customer still gets one invoice, one e-mail.
"""

import base64
import hashlib
import io
import logging
from datetime import timedelta
from xml.dom.minidom import parseString

import qrcode
from markupsafe import Markup
from stdnum.pl.nip import compact

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.image import image_data_uri

from odoo.addons.l10n_pl_edi.tools.ksef_api_service import KsefApiService

_logger = logging.getLogger(__name__)

KSEF_BATCH = 20
# Minutes to wait before the n-th retry of a failed sending (then every 4 hours).
KSEF_RETRY_MINUTES = (5, 15, 60, 240)
KSEF_QR_URLS = {"prod": "https://qr.ksef.mf.gov.pl", "test": "https://qr-test.ksef.mf.gov.pl"}
KSEF_WAITING_CODES = (100, 150)
KSEF_DUPLICATE_CODE = 440
KSEF_RETRY_CODES = (550,)


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_ksef_state = fields.Selection(
        selection=[
            ("to_send", "To Send"),
            ("sent", "Awaiting KSeF"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        string="KSeF Queue",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Where the automatic invoicing stands with KSeF: to send (also after a failed try), sent and "
        "awaiting KSeF's verdict, accepted (KSeF number given, e-mailed) or rejected (back to Invoices to "
        "Fix).",
    )
    ar_ksef_attempts = fields.Integer(string="KSeF Tries", copy=False, readonly=True)
    ar_ksef_next_try = fields.Datetime(string="Next KSeF Try", copy=False, readonly=True)
    ar_ksef_error = fields.Text(string="Last KSeF Error", copy=False, readonly=True)
    ar_ksef_verification_url = fields.Char(
        string="KSeF Verification Link",
        copy=False,
        readonly=True,
        help="KOD I: the link (and QR code) that lets the customer verify the invoice in KSeF.",
    )

    # ------------------------------------------------------------------
    # Hooks into the automatic invoicing (models/account_move.py)
    # ------------------------------------------------------------------

    def _ar_check_results(self):
        """EXTENDS ar_automation: KSeF's mandatory fields block like our own checks."""
        results = super()._ar_check_results()
        ksef_moves = self.filtered(lambda m: m in results)._ar_ksef_moves()
        for company, moves in ksef_moves.grouped("company_id").items():
            errors = moves[:1]._l10n_pl_edi_check_mandatory_fields()
            messages = [
                self.env._(
                    "KSeF (company %(company)s): %(error)s", company=company.name, error=e["message"].strip()
                )
                for e in errors.values()
            ]
            for move in moves:
                results[move] += [(True, message) for message in messages]
        return results

    def _ar_queue_sending(self):
        """EXTENDS ar_automation: invoices of a KSeF company go to KSeF first; e-mailed once accepted."""
        if self.env.context.get("ar_ksef_cleared"):
            return super()._ar_queue_sending()
        ksef_moves = self._ar_ksef_moves()
        if ksef_moves:
            ksef_moves.write({"ar_ksef_state": "to_send", "ar_ksef_next_try": False, "ar_ksef_error": False})
            ksef_moves._message_log_batch(
                dict.fromkeys(
                    ksef_moves.ids,
                    Markup("<p>%s</p>")
                    % self.env._(
                        "Posted after passing the invoice checks; queued for KSeF, e-mailed once accepted."
                    ),
                )
            )
            self.env.ref("ar_automation.ir_cron_ar_ksef_process")._trigger()
        others = self - ksef_moves
        return super(AccountMove, others)._ar_queue_sending() if others else None

    def _post(self, soft=True):
        """EXTENDS account: a credit note that resolves a dispute goes to KSeF as a correction (KOR) of the
        invoice, naming its KSeF number, and reaches the customer once KSeF accepted it."""
        posted = super()._post(soft=soft)
        corrections = posted.filtered(lambda m: m.ar_dispute_id and not m.ar_ksef_state)._ar_ksef_moves()
        if corrections:
            corrections._ar_queue_sending()
        return posted

    def _l10n_pl_edi_get_xml_values(self):
        """EXTENDS l10n_pl_edi: a correction names the KSeF number of the invoice it corrects (l10n_pl_edi
        puts the sending's reference there, and its template never writes it)."""
        values = super()._l10n_pl_edi_get_xml_values()
        if values.get("correction_info"):
            values["correction_info"]["NrKSeF"] = self.reversed_entry_id.l10n_pl_edi_number or False
        return values

    def _ar_ksef_moves(self):
        """These customer invoices and credit notes that must go through KSeF."""
        registered = self.company_id.sudo().filtered(
            lambda c: c.country_code == "PL" and c.l10n_pl_edi_register
        )
        return self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund") and m.company_id in registered
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_ksef_retry(self):
        """Send (or ask KSeF about) these queued invoices now rather than at their next try."""
        queued = self.filtered(lambda m: m.ar_ksef_state in ("to_send", "sent"))
        queued.write({"ar_ksef_next_try": False})
        queued._ar_ksef_process()
        return True

    # ------------------------------------------------------------------
    # The KSeF queue
    # ------------------------------------------------------------------

    @api.model
    def _cron_ar_ksef_process(self):
        """Send the queued invoices and follow those sent, in batches, each committed as it is done."""
        done = set()
        while True:
            moves = self.search(
                [
                    ("ar_ksef_state", "in", ("to_send", "sent")),
                    ("id", "not in", list(done)),
                    "|",
                    ("ar_ksef_next_try", "=", False),
                    ("ar_ksef_next_try", "<=", fields.Datetime.now()),
                ],
                limit=KSEF_BATCH,
                order="id",
            )
            if not moves:
                return True
            done.update(moves.ids)
            moves._ar_ksef_process(commit=True)

    def _ar_ksef_process(self, commit=False):
        """Lock each invoice (skipping those another worker holds), send or follow it; commit each one
        when ``commit`` (the cron), so what KSeF answered is never lost with a later invoice's failure."""
        for move in self:
            locked = move.try_lock_for_update()
            if not locked:
                continue
            locked.invalidate_recordset()
            if locked.ar_ksef_state == "to_send":
                locked.with_company(locked.company_id)._ar_ksef_send()
            elif locked.ar_ksef_state == "sent":
                locked.with_company(locked.company_id)._ar_ksef_follow()
            if commit:
                self.env["ir.cron"]._commit_progress(1)

    def _ar_ksef_service(self):
        return KsefApiService(self.company_id.sudo())

    def _ar_ksef_send(self):
        self.ensure_one()
        origin = self.reversed_entry_id
        if origin.ar_ksef_state in ("to_send", "sent"):
            # A correction waits for the KSeF number of the invoice it corrects.
            return self.write({"ar_ksef_error": self.env._("Waiting for KSeF to accept %s.", origin.name)})
        service = self._ar_ksef_service()
        try:
            service.open_ksef_session()
            xml = self._l10n_pl_edi_render_xml().encode()
            answer = service.send_invoice(xml)
        except UserError as error:
            return self._ar_ksef_failed(str(error))
        self.write(
            {
                "ar_ksef_state": "sent",
                "ar_ksef_error": False,
                "ar_ksef_next_try": False,
                "l10n_pl_edi_status": "sent",
                "l10n_pl_edi_ref": answer.get("referenceNumber"),
                "l10n_pl_edi_session_id": self.company_id.sudo().l10n_pl_edi_session_id,
                "l10n_pl_edi_header": False,
                "l10n_pl_edi_attachment_file": base64.b64encode(xml),
            }
        )
        self.ar_ksef_verification_url = self._ar_ksef_qr_url(xml, service.mode)
        return self._ar_ksef_follow()

    def _ar_ksef_follow(self):
        """Ask KSeF about the sent invoice and act on its verdict."""
        self.ensure_one()
        service = self._ar_ksef_service()
        try:
            answer = service.get_invoice_status(self.l10n_pl_edi_ref, session_id=self.l10n_pl_edi_session_id)
        except UserError as error:
            return self._ar_ksef_failed(str(error))
        status = answer.get("status") or {}
        code = status.get("code")
        if code in KSEF_WAITING_CODES:
            return self.write({"ar_ksef_next_try": False})
        if code == 200:
            return self._ar_ksef_accepted(answer.get("ksefNumber"), service)
        if code == KSEF_DUPLICATE_CODE and (status.get("extensions") or {}).get("originalKsefNumber"):
            # Sent before, its answer lost with the run that sent it: KSeF already holds it.
            original = status["extensions"]
            self.write({"l10n_pl_edi_session_id": original.get("originalSessionReferenceNumber")})
            return self._ar_ksef_accepted(original["originalKsefNumber"], service, ref=False)
        if code in KSEF_RETRY_CODES:
            return self._ar_ksef_failed(_status_text(status), resend=True)
        return self._ar_ksef_rejected(_status_text(status))

    def _ar_ksef_accepted(self, ksef_number, service, ref=True):
        values = {
            "ar_ksef_state": "accepted",
            "ar_ksef_error": False,
            "ar_ksef_next_try": False,
            "l10n_pl_edi_status": "accepted",
            "l10n_pl_edi_number": ksef_number,
            "l10n_pl_edi_header": False,
        }
        if ref and self.l10n_pl_edi_ref:
            try:
                upo = service.get_invoice_upo(self.l10n_pl_edi_ref, session_id=self.l10n_pl_edi_session_id)
                values["l10n_pl_edi_upo_file"] = base64.b64encode(
                    parseString(upo).toprettyxml(encoding="utf-8")
                )
            except UserError as error:
                # The UPO can be fetched later (button on the invoice); the invoice is issued.
                _logger.info("KSeF UPO of %s not fetched: %s", self.name, error)
        self.write(values)
        self.message_post(
            body=Markup("<p>%s</p>") % self.env._("KSeF accepted the invoice: KSeF number %s.", ksef_number),
            subtype_xmlid="mail.mt_note",
        )
        self.with_context(ar_ksef_cleared=True)._ar_queue_sending()

    def _ar_ksef_rejected(self, message):
        """KSeF refused the invoice, so it was never issued: back to draft, in Invoices to Fix with KSeF's
        own words."""
        text = self.env._("KSeF rejected the invoice: %s", message)
        self.write({"ar_ksef_state": "rejected", "ar_ksef_error": message, "l10n_pl_edi_status": "rejected"})
        self.button_draft()
        self.write({"ar_check_state": "blocked", "ar_check_message": text, "ar_check_blocked_once": True})
        self._ar_notify_blocked({self: [(True, text)]})

    def _ar_ksef_failed(self, error, resend=False):
        """KSeF could not be reached or asked to try again: keep the invoice queued for a later try."""
        tries = self.ar_ksef_attempts + 1
        wait = KSEF_RETRY_MINUTES[min(tries, len(KSEF_RETRY_MINUTES)) - 1]
        values = {
            "ar_ksef_attempts": tries,
            "ar_ksef_error": error,
            "ar_ksef_next_try": fields.Datetime.now() + timedelta(minutes=wait),
        }
        if resend:
            values.update(ar_ksef_state="to_send", l10n_pl_edi_status=False, l10n_pl_edi_ref=False)
        self.write(values)
        _logger.info("KSeF: %s kept in the queue (try %s): %s", self.name, tries, error)

    def _ar_ksef_qr_image(self):
        """The verification QR code (KOD I) as a PNG data URI, for the invoice's visualisation."""
        self.ensure_one()
        if not self.ar_ksef_verification_url:
            return False
        png = io.BytesIO()
        qrcode.make(self.ar_ksef_verification_url, box_size=4).save(png, format="PNG")
        return image_data_uri(base64.b64encode(png.getvalue()))

    def _ar_ksef_qr_url(self, xml, mode):
        """KOD I of the Ministry's QR-code rules: ``{base}/invoice/{seller NIP}/{issue date DD-MM-YYYY}/
        {SHA-256 of the FA(3) file, Base64URL without padding}``."""
        digest = base64.urlsafe_b64encode(hashlib.sha256(xml).digest()).decode().rstrip("=")
        base = KSEF_QR_URLS["prod" if mode == "prod" else "test"]
        return f"{base}/invoice/{compact(self.company_id.vat)}/{self.invoice_date:%d-%m-%Y}/{digest}"


def _status_text(status):
    details = "; ".join(status.get("details") or [])
    text = f"{status.get('description') or ''} ({status.get('code')})"
    return f"{text}: {details}" if details else text
