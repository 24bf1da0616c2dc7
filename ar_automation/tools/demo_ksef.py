"""The demo company registered for KSeF against the local mock (``bin/demo`` runs :func:`connect` in an
Odoo shell each time it starts the mock, whose tokens and sessions live in its memory)."""

import base64

from odoo.tools import file_open

from .ksef_service import URL_PARAMETER, ArKsefApiService

# l10n_pl_edi's test certificate (EC P-256) and its key's password: the demo's KSeF certificate, and its
# KSeF Offline certificate (KOD II of the invoices it issues offline).
CERTIFICATE = "l10n_pl_edi/tests/certificate/l10n_pl_edi_test.pem"
KEY = "l10n_pl_edi/tests/certificate/l10n_pl_edi_test.key"
KEY_PASSWORD = "Qwertyuiop@12345"


def connect(env, url, ksef_token, company_xmlid="ar_automation.demo_company"):
    """Point l10n_pl_edi's client at ``url`` (the mock, as the test environment), give the company a KSeF
    certificate if it has none, forget its KSeF session and authenticate it with ``ksef_token``."""
    company_sudo = env.ref(company_xmlid).sudo()
    params_sudo = env["ir.config_parameter"].sudo()
    params_sudo.set_param(URL_PARAMETER, url)
    params_sudo.set_param("l10n_pl_edi_ksef.mode", "test")
    if not company_sudo.l10n_pl_edi_certificate:
        certificate = _certificate(env, company_sudo)
        company_sudo.write(
            {"l10n_pl_edi_certificate": certificate.id, "ar_ksef_offline_certificate_id": certificate.id}
        )
    company_sudo.write(
        dict.fromkeys(("l10n_pl_edi_session_id", "l10n_pl_edi_session_key", "l10n_pl_edi_session_iv"), False)
    )
    access, refresh = ArKsefApiService(company_sudo).authenticate_with_ksef_token(ksef_token)
    company_sudo.write({"l10n_pl_edi_access_token": access, "l10n_pl_edi_refresh_token": refresh})
    return company_sudo


def _certificate(env, company):
    def read(path):
        with file_open(path, mode="rb") as file:
            return base64.b64encode(file.read())

    key = env["certificate.key"].create(
        {"name": "ksef-demo.key", "content": read(KEY), "password": KEY_PASSWORD, "company_id": company.id}
    )
    return env["certificate.certificate"].create(
        {
            "name": "KSeF (demo)",
            "content": read(CERTIFICATE),
            "private_key_id": key.id,
            "company_id": company.id,
        }
    )
