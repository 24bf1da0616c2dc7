"""A local bank speaking PolishAPI (paths of version 3.0, ``v3_0.1``) account information, for tests and
demos, as ``mock_bank.py`` speaks Berlin Group: every request is a signed ``POST``.

It checks what the standard requires of each request (data/README.md names the specification
kept next to the tests): the ``X-JWS-SIGNATURE`` detached JWS of the exact body (RS256, the TPP's registered
certificate in ``x5c``, verified with its public key), ``X-REQUEST-ID`` equal to the body's
``requestHeader.requestId`` (a version-1 UUID), the ``requestHeader`` (``sendDate``, the registered
``tppId``, ``token`` equal to the Bearer one, ``ipAddress`` when ``isDirectPsu``), the access token (unknown
or expired: 401), the privileges the user granted per account (403 otherwise) and the consent's end.
It serves ``/auth/v3_0.1/authorize`` (the answer's ``aspspRedirectUri`` stands for the user's login at
the bank: opening it approves and redirects to the TPP with a ``code`` and the ``state``),
``/auth/v3_0.1/token`` (authorization_code and refresh_token grants), ``getAccount``, ``getAccounts``,
``getTransactionsDone`` and ``getTransactionsPending`` with ``pageId``/``perPage`` paging and
``pageInfo.nextPage``. Errors have the standard's ``Error`` body (``responseHeader``, ``code``,
``message``). Runs in a thread on a loopback port."""

import base64
import json
import secrets
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

PREFIX = "/v3_0.1"


def new_tpp_credentials(name="Demo TPP"):
    """A fresh RSA key and a self-signed certificate for it, as PEM texts ``(key, certificate)``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Refusal(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class MockPolishApi:
    def __init__(self, tpp_id, certificate_pem, page_size=100, today=None, token_lifetime=3600):
        self.tpp_id = tpp_id
        self.certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        self.page_size = page_size
        self.today = today or date.today()
        self.token_lifetime = token_lifetime
        self.accounts = {}  # NRB -> account (AccountInfo)
        self.transactions = {}  # NRB -> [TransactionInfo]
        self.pending = {}  # NRB -> [TransactionPendingInfo]
        self.authorizations = {}  # login id -> the authorize request
        self.codes = {}  # code -> consent
        self.tokens = {}  # access token -> {"consent": scope_details, "expires": POSIX time}
        self.refresh = {}  # refresh token -> scope_details
        self.failures = []  # status codes, consumed one per request
        self.deny = False  # the user refuses at the bank
        self.requests = []  # (path, headers, body) of every request
        self.base_url = ""
        self._server = None

    # -- test set-up -----------------------------------------------------------------------------------
    def add_account(self, iban, currency="PLN", name="Rachunek bieżący"):
        number = iban[2:] if iban.startswith("PL") else iban
        self.accounts[number] = {
            "accountNumber": number,
            "nameAddress": {"value": ["Demo Company Sp. z o.o.", "ul. Prosta 1", "00-001 Warszawa"]},
            "accountType": {"code": "CACC", "description": "Rachunek bieżący"},
            "accountTypeName": name[:32],
            "accountHolderType": "corporation",
            "currency": currency,
            "availableBalance": "0.00",
            "bookingBalance": "0.00",
        }
        self.transactions[number] = []
        self.pending[number] = []
        return number

    def _party(self, name, account):
        party = {"nameAddress": {"value": [name[i : i + 35] for i in range(0, len(name), 35)][:4] or [""]}}
        if account:
            party["accountNumber"] = account[2:] if account.startswith("PL") else account
        return party

    def add_transaction(self, number, amount, booking_date, name="", iban="", remittance="", item_id=None):
        amount = Decimal(str(amount))
        account = self.accounts[number]
        balance = Decimal(account["bookingBalance"]) + amount
        account["bookingBalance"] = f"{balance:.2f}"
        count = sum(len(txs) for txs in self.transactions.values()) + 1
        incoming = amount > 0
        tx = {
            "itemId": item_id or f"PA{count:010d}",
            "amount": f"{abs(amount):.2f}",
            "currency": account["currency"],
            "description": remittance,
            "transactionType": "Przelew przychodzący" if incoming else "Przelew wychodzący",
            "tradeDate": f"{booking_date.isoformat()}T10:00:00",
            "transactionCategory": "CREDIT" if incoming else "DEBIT",
            "transactionStatus": {"code": "DONE", "description": "Zaksięgowana"},
            ("sender" if incoming else "recipient"): self._party(name, iban),
            "bookingDate": f"{booking_date.isoformat()}T00:00:00",
            "postTransactionBalance": f"{balance:.2f}",
        }
        self.transactions[number].append(tx)
        return tx

    def add_pending(self, number, amount, trade_date, name="", iban="", remittance=""):
        amount = Decimal(str(amount))
        tx = {
            "itemId": f"PP{len(self.pending[number]) + 1:010d}",
            "amount": f"{abs(amount):.2f}",
            "currency": self.accounts[number]["currency"],
            "description": remittance,
            "transactionType": "Przelew przychodzący",
            "tradeDate": f"{trade_date.isoformat()}T09:30:00",
            "transactionCategory": "CREDIT" if amount > 0 else "DEBIT",
            ("sender" if amount > 0 else "recipient"): self._party(name, iban),
        }
        self.pending[number].append(tx)
        return tx

    def expire_tokens(self):
        """Every access token issued so far expires (refresh tokens stay valid)."""
        for token in self.tokens.values():
            token["expires"] = 0

    # -- server ----------------------------------------------------------------------------------------
    def start(self):
        bank = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                bank._login(self)

            def do_POST(self):
                bank._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # -- the user's login at the bank ------------------------------------------------------------------
    def _login(self, handler):
        url = urlparse(handler.path)
        login = url.path.removeprefix("/login/")
        request = self.authorizations.pop(login, None)
        if not url.path.startswith("/login/") or not request:
            return self._reply(handler, 404, self._error_body({}, "NOT_FOUND", "unknown login"))
        if self.deny:
            query = {
                "error": "access_denied",
                "error_description": "the user refused",
                "state": request["state"],
            }
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = request
            query = {"code": code, "state": request["state"]}
        handler.send_response(302)
        handler.send_header("Location", f"{request['redirect_uri']}?{urlencode(query)}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return None

    # -- requests --------------------------------------------------------------------------------------
    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in handler.headers.items()}
        path = urlparse(handler.path).path
        self.requests.append((path, headers, raw))
        body = {}
        try:
            if self.failures:
                status = self.failures.pop(0)
                raise _Refusal(status, "SERVICE_UNAVAILABLE", "injected failure")
            try:
                body = json.loads(raw or b"null")
            except ValueError as error:
                raise _Refusal(400, "INVALID_JSON", "the body is not JSON") from error
            if not isinstance(body, dict):
                raise _Refusal(400, "INVALID_JSON", "the body is not a JSON object")
            self._check_signature(headers, raw)
            header = self._check_request_header(headers, body)
            routes = {
                "/auth/v3_0.1/authorize": self._authorize,
                "/auth/v3_0.1/token": self._token,
                "/accounts/v3_0.1/getAccount": self._get_account,
                "/accounts/v3_0.1/getAccounts": self._get_accounts,
                "/accounts/v3_0.1/getTransactionsDone": self._transactions_done,
                "/accounts/v3_0.1/getTransactionsPending": self._transactions_pending,
            }
            route = routes.get(path.removeprefix(PREFIX)) if path.startswith(PREFIX) else None
            if not route:
                raise _Refusal(404, "NOT_FOUND", f"POST {path}")
            if path.removeprefix(PREFIX).startswith("/accounts/"):
                consent = self._check_token(headers, header)
                status, answer = route(body, consent)
            else:
                status, answer = route(body)
        except _Refusal as refusal:
            return self._reply(handler, refusal.status, self._error_body(body, refusal.code, refusal.message))
        answer = {"responseHeader": self._response_header(body), **answer}
        return self._reply(handler, status, answer)

    def _check_signature(self, headers, raw):
        jws = headers.get("x-jws-signature", "")
        parts = jws.split(".")
        if len(parts) != 3 or parts[1]:
            raise _Refusal(400, "INVALID_SIGNATURE", "X-JWS-SIGNATURE is not a detached JWS")
        try:
            protected = json.loads(_unb64(parts[0]))
            signature = _unb64(parts[2])
        except ValueError as error:
            raise _Refusal(400, "INVALID_SIGNATURE", "X-JWS-SIGNATURE cannot be decoded") from error
        if protected.get("alg") != "RS256":
            raise _Refusal(400, "INVALID_SIGNATURE", "the signature's alg must be RS256")
        ours = self.certificate.public_bytes(serialization.Encoding.DER)
        if base64.b64decode((protected.get("x5c") or [""])[0]) != ours:
            raise _Refusal(
                400, "INVALID_SIGNATURE", "the signature's x5c is not the TPP's registered certificate"
            )
        try:
            self.certificate.public_key().verify(
                signature, f"{parts[0]}.{_b64(raw)}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature as error:
            raise _Refusal(
                400, "INVALID_SIGNATURE", "the signature does not verify against the body"
            ) from error

    def _check_request_header(self, headers, body):
        header = body.get("requestHeader")
        if not isinstance(header, dict):
            raise _Refusal(400, "INVALID_REQUEST", "requestHeader is missing")
        try:
            request_id = uuid.UUID(str(header.get("requestId")))
        except ValueError as error:
            raise _Refusal(400, "INVALID_REQUEST", "requestHeader.requestId is not a UUID") from error
        if request_id.version != 1 or headers.get("x-request-id") != str(request_id):
            raise _Refusal(400, "INVALID_REQUEST", "X-REQUEST-ID must be the version-1 UUID requestId")
        try:
            datetime.fromisoformat(str(header.get("sendDate")))
        except ValueError as error:
            raise _Refusal(400, "INVALID_REQUEST", "requestHeader.sendDate is not a date-time") from error
        if header.get("tppId") != self.tpp_id:
            raise _Refusal(401, "INVALID_TPP", "requestHeader.tppId is not a registered TPP")
        if header.get("isDirectPsu") and not header.get("ipAddress"):
            raise _Refusal(400, "INVALID_REQUEST", "requestHeader.ipAddress is required when isDirectPsu")
        return header

    def _check_token(self, headers, header):
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        token = self.tokens.get(bearer)
        if not token or header.get("token") != bearer:
            raise _Refusal(401, "TOKEN_INVALID", "the access token is unknown")
        if token["expires"] < time.time():
            raise _Refusal(401, "TOKEN_EXPIRED", "the access token has expired: refresh it")
        consent = token["consent"]
        if datetime.fromisoformat(consent["scopeTimeLimit"]).date() < self.today:
            raise _Refusal(403, "CONSENT_EXPIRED", "the consent has ended")
        return consent

    @staticmethod
    def _privilege(consent, number, privilege):
        for item in consent["privilegeList"]:
            if item.get("accountNumber") == number and privilege in item:
                return item[privilege]
        raise _Refusal(403, "NO_PRIVILEGE", f"{privilege} was not granted for account {number}")

    # -- authorisation ---------------------------------------------------------------------------------
    def _authorize(self, body):
        details = body.get("scope_details") or {}
        if body.get("response_type") != "code" or body.get("client_id") != self.tpp_id:
            raise _Refusal(400, "INVALID_REQUEST", "response_type must be code, client_id the TPP's id")
        if not body.get("redirect_uri") or not body.get("state") or body.get("scope") != "ais":
            raise _Refusal(400, "INVALID_REQUEST", "redirect_uri, state and scope ais are required")
        for key in ("consentId", "scopeTimeLimit", "throttlingPolicy"):
            if not details.get(key):
                raise _Refusal(400, "INVALID_REQUEST", f"scope_details.{key} is required")
        if details["throttlingPolicy"] != "psd2Regulatory" or details.get("scopeGroupType") != "ais":
            raise _Refusal(400, "INVALID_REQUEST", "throttlingPolicy psd2Regulatory, scopeGroupType ais")
        privileges = details.get("privilegeList") or []
        if not privileges:
            raise _Refusal(400, "INVALID_REQUEST", "scope_details.privilegeList names no account")
        for item in privileges:
            if item.get("accountNumber") not in self.accounts:
                raise _Refusal(422, "ACCOUNT_UNKNOWN", f"no account {item.get('accountNumber')} here")
            for name, privilege in item.items():
                if name.startswith("ais:getTransactions"):
                    if not 1 <= int(privilege.get("maxAllowedHistoryLong") or 0) <= 1460:
                        raise _Refusal(400, "INVALID_REQUEST", f"{name}.maxAllowedHistoryLong 1..1460")
        login = secrets.token_urlsafe(12)
        self.authorizations[login] = {
            "redirect_uri": body["redirect_uri"],
            "state": body["state"],
            "scope_details": {
                "privilegeList": privileges,
                "consentId": details["consentId"],
                "scopeTimeLimit": details["scopeTimeLimit"],
                "throttlingPolicy": details["throttlingPolicy"],
            },
        }
        return 200, {"aspspRedirectUri": f"{self.base_url}/login/{login}"}

    def _token(self, body):
        grant = body.get("grant_type")
        if body.get("is_user_session") and not (body.get("user_ip") and body.get("user_agent")):
            raise _Refusal(400, "INVALID_REQUEST", "user_ip and user_agent are required for a user session")
        if grant == "authorization_code":
            request = self.codes.pop(body.get("Code") or "", None)  # a code is used once
            if not request or request["redirect_uri"] != body.get("redirect_uri"):
                raise _Refusal(400, "invalid_grant", "the authorisation code is unknown or used")
            if body.get("client_id") != self.tpp_id:
                raise _Refusal(400, "invalid_grant", "the code was not issued to this client_id")
            consent = request["scope_details"]
        elif grant == "refresh_token":
            consent = self.refresh.get(body.get("refresh_token") or "")
            if not consent:
                raise _Refusal(400, "invalid_grant", "the refresh token is unknown")
        else:
            raise _Refusal(400, "unsupported_grant_type", f"grant_type {grant!r}")
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = {"consent": consent, "expires": time.time() + self.token_lifetime}
        self.refresh[refresh] = consent
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": str(self.token_lifetime),
            "refresh_token": refresh,
            "scope": "ais",
            "scope_details": consent,
        }

    # -- accounts and transactions ---------------------------------------------------------------------
    def _get_account(self, body, consent):
        number = body.get("accountNumber") or ""
        self._privilege(consent, number, "ais:getAccount")
        return 200, {"account": self.accounts[number]}

    def _get_accounts(self, body, consent):
        raise _Refusal(403, "NO_PRIVILEGE", "ais-accounts:getAccounts was not granted (scope ais)")

    def _page(self, items, body):
        try:
            per_page = min(int(body.get("perPage") or self.page_size), self.page_size)
            start = int((body.get("pageId") or "p0").removeprefix("p"))
        except ValueError as error:
            raise _Refusal(400, "INVALID_REQUEST", "pageId or perPage is not valid") from error
        if per_page < 1 or start < 0:
            raise _Refusal(400, "INVALID_REQUEST", "perPage must be at least 1")
        answer = {"transactions": items[start : start + per_page], "pageInfo": {}}
        if start + per_page < len(items):
            answer["pageInfo"]["nextPage"] = f"p{start + per_page}"
        if start:
            answer["pageInfo"]["previousPage"] = f"p{max(start - per_page, 0)}"
        return 200, answer

    def _history_start(self, privilege, body, key):
        oldest = self.today - timedelta(days=int(privilege.get("maxAllowedHistoryLong") or 0))
        since = date.fromisoformat(body.get(key) or oldest.isoformat())
        if since < oldest:
            raise _Refusal(400, "HISTORY_TOO_LONG", f"{key} is before what the consent allows ({oldest})")
        return since

    def _transactions_done(self, body, consent):
        number = body.get("accountNumber") or ""
        since = self._history_start(
            self._privilege(consent, number, "ais:getTransactionsDone"), body, "bookingDateFrom"
        )
        items = [
            tx for tx in self.transactions[number] if date.fromisoformat(tx["bookingDate"][:10]) >= since
        ]
        return self._page(items, body)

    def _transactions_pending(self, body, consent):
        number = body.get("accountNumber") or ""
        since = self._history_start(
            self._privilege(consent, number, "ais:getTransactionsPending"), body, "transactionDateFrom"
        )
        items = [tx for tx in self.pending[number] if date.fromisoformat(tx["tradeDate"][:10]) >= since]
        return self._page(items, body)

    # -- answers ---------------------------------------------------------------------------------------
    @staticmethod
    def _response_header(body):
        request_id = (
            ((body or {}).get("requestHeader") or {}).get("requestId") if isinstance(body, dict) else None
        )
        return {
            "requestId": request_id or "",
            "sendDate": datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
            "isCallback": False,
        }

    def _error_body(self, body, code, message):
        return {"responseHeader": self._response_header(body), "code": code, "message": message}

    def _reply(self, handler, status, body):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
