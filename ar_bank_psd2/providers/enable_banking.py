"""Enable Banking (the aggregator Odoo Enterprise uses): every call signed with a self-made RS256 JWT
(the application's private key, ``kid`` = application id); consent through ``/auth`` and the bank's
redirect with a ``code``, exchanged for a session whose accounts are read with ``continuation_key``
paging. ``entry_reference`` is the stable transaction id (``transaction_id`` is not)."""

import base64
import json
import time
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from ..engine.mpp import parse_mpp
from ..engine.statement import Transaction, normalize_account
from .base import Account, Consent, Provider, ProviderError, parse_date


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(application_id, private_key_pem, now=None, lifetime=3600):
    """The RS256-signed token Enable Banking expects on every call."""
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

    now = int(now or time.time())
    header = {"typ": "JWT", "alg": "RS256", "kid": application_id}
    claims = {"iss": "enablebanking.com", "aud": "api.enablebanking.com", "iat": now, "exp": now + lifetime}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}".encode()
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ProviderError("consent", "the application's private key is not a PEM RSA key") from error
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{_b64(signature)}"


class EnableBankingProvider(Provider):
    code = "enable_banking"
    label = "Enable Banking"
    consent_errors = frozenset(
        {"EXPIRED_SESSION", "CLOSED_SESSION", "REVOKED_SESSION", "SESSION_DOES_NOT_EXIST"}
    )

    def _request_headers(self, psu_ip=None):
        headers = {
            **super()._request_headers(psu_ip),
            "Authorization": "Bearer "
            + make_jwt(self.settings.get("client_id") or "", self.settings.get("private_key") or ""),
        }
        if psu_ip:
            headers["Psu-Ip-Address"] = psu_ip
        return headers

    def _parse_response(self, response):
        body = super()._parse_response(response)
        return {} if body is None else body  # a refusal without JSON is told by its status

    def _error_codes(self, body):
        return {body.get("error") or body.get("code") or ""}

    def _error_text(self, response, body):
        code = body.get("error") or body.get("code") or ""
        return f"{response.status_code} {code} {body.get('message', '')}".strip()

    def create_consent(self, redirect_url, valid_until, psu_ip=None):
        state = redirect_url.rsplit("state=", 1)[-1]
        body = self._request(
            "POST",
            "/auth",
            psu_ip=psu_ip,
            json={
                "access": {"valid_until": f"{valid_until.isoformat()}T00:00:00+00:00"},
                "aspsp": {
                    "name": self.settings.get("bank_name", ""),
                    "country": self.settings.get("country", "PL"),
                },
                "state": state,
                "redirect_url": redirect_url.split("?", 1)[0],
                "psu_type": "business",
            },
        )
        return Consent("", "received", body.get("url", ""), valid_until)

    def complete_consent(self, consent_id, params, tokens=None):
        """Exchange the ``code`` the bank sent back for a session (the consent id from now on)."""
        if not params.get("code"):
            raise ProviderError(
                "consent", params.get("error_description") or params.get("error") or "no code"
            )
        body = self._request("POST", "/sessions", json={"code": params["code"]})
        self._session = body
        return Consent(
            body.get("session_id", ""), "valid", "", parse_date((body.get("access") or {}).get("valid_until"))
        )

    def accounts(self, consent_id, psu_ip=None):
        body = getattr(self, "_session", None)
        if not body or body.get("session_id") != consent_id:
            body = self._request("GET", f"/sessions/{consent_id}", psu_ip=psu_ip)
        result = []
        for item in body.get("accounts", []):
            if isinstance(item, str):  # GET /sessions lists the account uids only
                details = self._request("GET", f"/accounts/{item}/details", psu_ip=psu_ip)
                item = {"uid": item, **details}
            iban = (item.get("account_id") or {}).get("iban", "")
            result.append(
                Account(
                    item.get("uid", ""),
                    normalize_account(iban),
                    item.get("currency", ""),
                    item.get("name", ""),
                )
            )
        return result

    def transactions(self, consent_id, account, date_from, psu_ip=None, pending=False):
        params = {"date_from": date_from.isoformat()}
        while True:
            body = self._request(
                "GET", f"/accounts/{account.resource_id}/transactions?{urlencode(params)}", psu_ip=psu_ip
            )
            for item in body.get("transactions", []):
                if item.get("status", "BOOK") == "BOOK" or pending:
                    yield self._transaction(item, account)
            key = body.get("continuation_key")
            if not key:
                return
            params["continuation_key"] = key

    def _transaction(self, item, account):
        money = item.get("transaction_amount") or {}
        try:
            amount = Decimal(str(money.get("amount")))
        except (InvalidOperation, TypeError) as error:
            raise ProviderError("server", f"transaction {item.get('entry_reference')}: bad amount") from error
        incoming = item.get("credit_debit_indicator") == "CRDT"
        if not incoming:
            amount = -abs(amount)
        party = (item.get("debtor" if incoming else "creditor") or {}).get("name", "")
        party_account = (item.get("debtor_account" if incoming else "creditor_account") or {}).get("iban", "")
        booking = parse_date(item.get("booking_date") or item.get("value_date"))
        if not booking:
            raise ProviderError("server", f"transaction {item.get('entry_reference')}: no booking date")
        code = item.get("bank_transaction_code") or {}
        remittance = " ".join(item.get("remittance_information") or [])
        return Transaction(
            booking_date=booking,
            amount=amount,
            currency=money.get("currency", account.currency),
            value_date=parse_date(item.get("value_date")),
            counterparty_name=party,
            counterparty_iban=normalize_account(party_account) if party_account else "",
            remittance=remittance,
            structured_reference=item.get("reference_number") or "",
            end_to_end_id=item.get("end_to_end_id") or "",
            bank_reference=(item.get("entry_reference") or "")
            if item.get("status", "BOOK") == "BOOK"
            else "",
            transaction_type="-".join(filter(None, (code.get("code"), code.get("sub_code")))),
            raw=item,
            mpp=parse_mpp(remittance),
            pending=item.get("status", "BOOK") != "BOOK",
        )
