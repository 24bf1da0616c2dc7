"""PolishAPI (the Polish Bank Association's PSD2 standard, version 3.0 paths ``v3_0.1``) account
information.

Every call is a ``POST`` of a JSON body that starts with a ``requestHeader`` (``requestId`` a version-1
UUID repeated in the ``X-REQUEST-ID`` header, ``sendDate``, ``tppId``, the access ``token``,
``isDirectPsu`` and the user's ``ipAddress`` when the user is present) and is signed: the
``X-JWS-SIGNATURE`` header holds a detached JWS (RFC 7515 appendix F) of the body, RS256 with the TPP's
private key, the TPP's certificate in its ``x5c`` header.

Authorisation (OAuth2 authorisation code, PolishAPI flavour): ``/auth/v3_0.1/authorize`` with a
``scope_details`` naming each account and the privileges asked for it (``ais:getAccount``,
``ais:getTransactionsDone``, ``ais:getTransactionsPending``), the consent's end (``scopeTimeLimit``) and
the ``psd2Regulatory`` throttling policy; the bank answers with the address the user logs in at
(``aspspRedirectUri``) and sends the user back with a ``code``, exchanged at ``/auth/v3_0.1/token``
for an access token, a refresh token and the ``scope_details`` the user granted. Booked
(``getTransactionsDone``) and pending (``getTransactionsPending``) transactions are read page by page
(``pageId``/``perPage`` asked, ``pageInfo.nextPage`` answered)."""

import base64
import json
import uuid
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ..engine.mpp import parse_mpp
from ..engine.statement import Transaction, normalize_account
from .base import Account, Consent, Provider, ProviderError, Tokens, parse_date

VERSION = "v3_0.1"
PRIVILEGES = ("ais:getAccount", "ais:getTransactionsDone", "ais:getTransactionsPending")
MAX_HISTORY_DAYS = 1460  # the largest maxAllowedHistoryLong the standard allows
PAGE_SIZE = 100


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_signing_material(private_key_pem, certificate_pem):
    """The TPP's RSA private key and certificate (PEM texts) as ``(key, certificate DER)``; a
    :class:`ProviderError` naming which one is unusable (kind ``server``: the connection's set-up, not the
    consent, needs fixing)."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415

    try:
        key = serialization.load_pem_private_key((private_key_pem or "").encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ProviderError("server", "the TPP's private key is not an unencrypted PEM RSA key") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ProviderError("server", "the TPP's private key is not an RSA key (RS256 needs one)")
    try:
        certificate = x509.load_pem_x509_certificate((certificate_pem or "").encode())
    except ValueError as error:
        raise ProviderError("server", "the TPP's certificate is not a PEM X.509 certificate") from error
    ours = key.public_key().public_numbers()
    if certificate.public_key().public_numbers() != ours:
        raise ProviderError("server", "the TPP's certificate does not belong to its private key")
    return key, certificate.public_bytes(serialization.Encoding.DER)


def sign_detached(body: bytes, key, certificate_der: bytes) -> str:
    """The detached compact JWS of ``body`` (``<header>..<signature>``), RS256."""
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

    header = {"alg": "RS256", "typ": "JOSE", "x5c": [base64.b64encode(certificate_der).decode()]}
    protected = b64url(json.dumps(header, separators=(",", ":")).encode())
    signature = key.sign(f"{protected}.{b64url(body)}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{protected}..{b64url(signature)}"


def account_number(iban):
    """How PolishAPI names a Polish account: its 26-digit NRB (the IBAN without ``PL``)."""
    value = normalize_account(iban)
    return value[2:] if value.startswith("PL") and value[2:].isdigit() else value


class PolishApiProvider(Provider):
    code = "polishapi"
    label = "the bank (PolishAPI)"
    # The standard leaves error codes to the bank: a refused token (401) or scope (403) means the
    # consent must be given again, and OAuth2 errors of the token endpoint say the same.
    consent_errors = frozenset({"invalid_grant", "invalid_token", "unauthorized_client"})

    def __init__(self, settings, session=None, timeout=30):
        super().__init__(settings, session=session, timeout=timeout)
        self._signing = None

    # -- the one HTTP path's hooks ------------------------------------------------------------------

    def _request_url(self, path):
        return super()._request_url(path if "://" in path else f"/{VERSION}{path}")

    def _request_headers(self, psu_ip=None):
        return {
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "Accept-Charset": "utf-8",
            "Accept-Language": "pl",
            "Content-Type": "application/json",
        }

    def _request_auth(self):
        return {"cert": self.settings.get("cert")} if self.settings.get("cert") else {}

    def _error_codes(self, body):
        return {str(body.get("code") or ""), str(body.get("error") or "")} - {""}

    def _error_text(self, response, body):
        text = " ".join(
            str(part)
            for part in (
                body.get("code") or body.get("error"),
                body.get("message") or body.get("error_description"),
            )
            if part
        )
        if response.status_code in (400, 401) and "signature" in text.lower():
            return (
                f"the bank refused the request's signature (X-JWS-SIGNATURE): {text}. Check that the TPP "
                "certificate and private key on the connection are the ones registered at the bank."
            )
        return text or str(response.status_code)

    def _call(self, path, payload, psu_ip=None, token=True):
        """``POST`` ``payload`` (with its ``requestHeader``) to ``path``, signed."""
        request_id = str(uuid.uuid1())
        header = {
            "requestId": request_id,
            "sendDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
            "tppId": self.settings.get("client_id") or "",
        }
        if psu_ip:
            header["ipAddress"] = psu_ip
        if token:
            header["token"] = self.settings.get("access_token") or ""
            header["isDirectPsu"] = bool(psu_ip)
        body = json.dumps({"requestHeader": header, **payload}, ensure_ascii=False).encode()
        if self._signing is None:
            self._signing = load_signing_material(
                self.settings.get("private_key"), self.settings.get("tpp_certificate")
            )
        headers = {"X-REQUEST-ID": request_id, "X-JWS-SIGNATURE": sign_detached(body, *self._signing)}
        if token:
            headers["Authorization"] = f"Bearer {self.settings.get('access_token') or ''}"
        return self._request("POST", path, headers=headers, data=body)

    # -- consent --------------------------------------------------------------------------------------

    def create_consent(self, redirect_url, valid_until, psu_ip=None):
        accounts = [account_number(number) for number in self.settings.get("accounts") or [] if number]
        if not accounts:
            raise ProviderError(
                "server",
                "PolishAPI names the accounts in the consent: give the bank journals of this connection "
                "their bank account numbers first",
            )
        parts = urlsplit(redirect_url)
        state = parse_qs(parts.query).get("state", [""])[0]
        redirect_uri = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        consent_id = f"{(self.settings.get('client_id') or 'TPP')[:16]}-{uuid.uuid4().hex[:16]}"
        scope_details = {
            "privilegeList": [
                {
                    "accountNumber": number,
                    "ais:getAccount": {"scopeUsageLimit": "multiple"},
                    "ais:getTransactionsDone": {
                        "scopeUsageLimit": "multiple",
                        "maxAllowedHistoryLong": MAX_HISTORY_DAYS,
                    },
                    "ais:getTransactionsPending": {
                        "scopeUsageLimit": "multiple",
                        "maxAllowedHistoryLong": MAX_HISTORY_DAYS,
                    },
                }
                for number in accounts
            ],
            "scopeGroupType": "ais",
            "consentId": consent_id,
            "scopeTimeLimit": datetime.combine(valid_until, time(23, 59, 59)).isoformat(),
            "throttlingPolicy": "psd2Regulatory",
        }
        body = self._call(
            "/auth/v3_0.1/authorize",
            {
                "response_type": "code",
                "client_id": self.settings.get("client_id") or "",
                "redirect_uri": redirect_uri,
                "scope": "ais",
                "scope_details": scope_details,
                "state": state,
            },
            psu_ip=psu_ip,
            token=False,
        )
        link = body.get("aspspRedirectUri")
        if not link:
            raise ProviderError("server", "the bank's authorize answer has no aspspRedirectUri")
        return Consent(
            consent_id,
            "received",
            link,
            valid_until,
            # The user's address at Connect: the code is exchanged in the same session, with the user.
            {"redirect_uri": redirect_uri, "consent_id": consent_id, "user_ip": psu_ip or ""},
        )

    def exchange_code(self, oauth, code) -> Tokens:
        return self._token(
            {
                "grant_type": "authorization_code",
                "Code": code,
                "redirect_uri": oauth.get("redirect_uri", ""),
                "client_id": self.settings.get("client_id") or "",
                # An extension of OAuth2 in the standard: a session with the user needs their IP and
                # browser (for the bank's fraud detection).
                **(
                    {"is_user_session": True, "user_ip": oauth["user_ip"], "user_agent": "Odoo"}
                    if oauth.get("user_ip")
                    else {"is_user_session": False}
                ),
            }
        )

    def refresh_tokens(self, oauth, refresh_token) -> Tokens:
        return self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.settings.get("client_id") or "",
                "is_user_session": False,
            }
        )

    def _token(self, payload):
        body = self._call("/auth/v3_0.1/token", payload, token=False)
        if not body.get("access_token"):
            raise ProviderError("consent", "the bank's authorisation server issued no access token")
        try:
            expires_in = int(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0
        return Tokens(
            body["access_token"], body.get("refresh_token", ""), expires_in, body.get("scope_details")
        )

    def complete_consent(self, consent_id, params, tokens=None):
        """The consent the token grants: its id and end (``scope_details`` of the token answer)."""
        if not tokens:
            raise ProviderError("consent", "the bank returned no authorisation code")
        details = tokens.details or {}
        granted = self._granted_accounts(details)
        if details.get("privilegeList") is not None and not granted:
            raise ProviderError("consent", "the consent the user gave at the bank covers no account")
        if granted:
            self.settings["granted_accounts"] = granted
        until = parse_date(details.get("scopeTimeLimit"))
        return Consent(details.get("consentId") or consent_id, "valid", "", until)

    @staticmethod
    def _granted_accounts(details):
        return [
            item["accountNumber"]
            for item in details.get("privilegeList") or []
            if isinstance(item, dict) and item.get("accountNumber") and "ais:getAccount" in item
        ]

    # -- accounts and transactions --------------------------------------------------------------------

    def accounts(self, consent_id, psu_ip=None):
        """Each account named in the consent (``getAccount``; ``getAccounts`` belongs to the
        ``ais-accounts`` scope, not asked for: the accounts are named from the journals)."""
        numbers = self.settings.get("granted_accounts") or [
            account_number(number) for number in self.settings.get("accounts") or [] if number
        ]
        result = []
        for number in numbers:
            body = self._call("/accounts/v3_0.1/getAccount", {"accountNumber": number}, psu_ip=psu_ip)
            item = body.get("account") or {}
            name = " ".join((item.get("nameAddress") or {}).get("value") or [])
            result.append(
                Account(
                    item.get("accountNumber") or number,
                    normalize_account(item.get("accountNumber") or number),
                    item.get("currency", ""),
                    item.get("accountNameClient") or item.get("accountTypeName") or name,
                )
            )
        return result

    def transactions(self, consent_id, account, date_from, psu_ip=None, pending=False):
        yield from self._pages(
            "/accounts/v3_0.1/getTransactionsDone",
            {"accountNumber": account.resource_id, "bookingDateFrom": date_from.isoformat()},
            account,
            psu_ip,
            pending=False,
        )
        if pending:
            yield from self._pages(
                "/accounts/v3_0.1/getTransactionsPending",
                {"accountNumber": account.resource_id, "transactionDateFrom": date_from.isoformat()},
                account,
                psu_ip,
                pending=True,
            )

    def _pages(self, path, payload, account, psu_ip, pending):
        page = None
        seen = set()
        while True:
            body = self._call(
                path, {**payload, "perPage": PAGE_SIZE, **({"pageId": page} if page else {})}, psu_ip=psu_ip
            )
            for item in body.get("transactions") or []:
                yield self._transaction(item, account, pending)
            page = (body.get("pageInfo") or {}).get("nextPage")
            if not page:
                return
            if page in seen:
                raise ProviderError("server", f"the bank's pages loop back to page {page}")
            seen.add(page)

    def _transaction(self, item, account, pending=False):
        item_id = item.get("itemId") or ""
        try:
            amount = Decimal(str(item.get("amount")))
        except (InvalidOperation, TypeError) as error:
            raise ProviderError(
                "server", f"transaction {item_id}: bad amount {item.get('amount')!r}"
            ) from error
        category = item.get("transactionCategory")
        if category not in ("CREDIT", "DEBIT"):
            raise ProviderError("server", f"transaction {item_id}: transactionCategory {category!r}")
        amount = abs(amount) if category == "CREDIT" else -abs(amount)
        party = item.get("sender" if category == "CREDIT" else "recipient") or {}
        name_lines = (party.get("nameAddress") or {}).get("value") or []
        party_account = party.get("accountNumber") or party.get("accountMassPayment") or ""
        booking = parse_date(item.get("bookingDate")) or (
            parse_date(item.get("tradeDate")) if pending else None
        )
        if not booking:
            raise ProviderError("server", f"transaction {item_id}: no bookingDate")
        title = item.get("description") or ""
        return Transaction(
            booking_date=booking,
            amount=amount,
            currency=item.get("currency") or account.currency,
            value_date=parse_date(item.get("tradeDate")),
            counterparty_name=(name_lines[0] if name_lines else "").strip(),
            counterparty_iban=normalize_account(party_account) if party_account else "",
            remittance=title,
            bank_reference="" if pending else item_id,
            transaction_type=item.get("transactionType") or "",
            raw=item,
            mpp=parse_mpp(title),
            pending=pending,
        )
