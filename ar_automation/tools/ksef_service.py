"""l10n_pl_edi's KSeF API v2 client with what the automatic flow needs on top of it (no second client):

* the API address from the system parameter ``ar_automation.ksef_api_url`` when it is set (a local KSeF,
  such as the demo's mock), else l10n_pl_edi's (production or test KSeF, by ``l10n_pl_edi_ksef.mode``);
* ``offlineMode`` on a sending, for an invoice issued offline (``SendInvoiceRequest`` of the OpenAPI);
* authentication with a KSeF token (``POST /auth/ksef-token``: ``token|timestampMs`` encrypted with KSeF's
  public key, RSA-OAEP SHA-256), beside l10n_pl_edi's XAdES signature.
"""

import base64

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from stdnum.pl.nip import compact

from odoo.addons.l10n_pl_edi.tools.ksef_api_service import KsefApiService

URL_PARAMETER = "ar_automation.ksef_api_url"
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class ArKsefApiService(KsefApiService):
    _offline_mode = False

    def _get_api_url(self):
        return self.env["ir.config_parameter"].sudo().get_param(URL_PARAMETER) or super()._get_api_url()

    def send_invoice(self, xml_content_bytes, offline_mode=False):
        """EXTENDS l10n_pl_edi: ``offline_mode`` declares the invoice issued offline."""
        self._offline_mode = offline_mode
        try:
            return super().send_invoice(xml_content_bytes)
        finally:
            self._offline_mode = False

    def _make_request(self, method, endpoint, is_auth_retry=False, **kwargs):
        if self._offline_mode and method == "POST" and endpoint.endswith("/invoices") and "json" in kwargs:
            kwargs["json"] = {**kwargs["json"], "offlineMode": True}
        return super()._make_request(method, endpoint, is_auth_retry=is_auth_retry, **kwargs)

    def authenticate_with_ksef_token(self, ksef_token):
        """Authenticate the company with a KSeF token (generated in KSeF for its NIP) and return the access
        and refresh tokens: challenge, the token encrypted with KSeF's public key, status, redeem."""
        challenge = self.get_challenge()
        public_key = serialization.load_pem_public_key(self._get_public_keys()["token"].encode())
        clear = f"{ksef_token}|{challenge['timestampMs']}".encode()
        encrypted = base64.b64encode(public_key.encrypt(clear, OAEP)).decode()
        started = self.authenticate_token(compact(self.company.vat), challenge["challenge"], encrypted)
        temporary = started["authenticationToken"]["token"]
        self.check_auth_status(started["referenceNumber"], temporary)
        tokens = self.redeem_token(temporary)
        return tokens["accessToken"]["token"], tokens["refreshToken"]["token"]


def unavailable(error):
    """Whether ``error`` (a ``UserError`` of the client) means that KSeF could not be reached or failed on
    its side (no answer, a time-out, a 5xx), rather than that it refused or throttled the request."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, requests.HTTPError) and error.response is not None:
            return error.response.status_code >= 500
        if isinstance(error, (requests.ConnectionError, requests.Timeout)):
            return True
        error = error.__cause__ or error.__context__
    return False
