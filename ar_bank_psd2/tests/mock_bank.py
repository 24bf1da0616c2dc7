"""A local bank speaking the Berlin Group NextGenPSD2 XS2A 1.3.12 account-information API, for tests and
demos: consents with a redirect SCA step, accounts, transactions with ``_links.next`` paging, the
four-a-day limit of unattended reads (429 ``ACCESS_EXCEEDED``), expired consents (401
``CONSENT_EXPIRED``), and injected server errors and time-outs. Runs in a thread on a loopback port.

With ``oauth=True`` it follows the SCA OAuth2 approach instead: the consent answer links
(``scaOAuth``) to RFC 8414 metadata, ``/oauth/authorize`` stands for the customer's login (it approves
the consent and redirects with a code), ``/oauth/token`` exchanges codes (PKCE S256 checked) and refresh
tokens (RFC 6749 errors), and every account call needs a valid Bearer token of that consent."""

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

UNATTENDED_READS_PER_DAY = 4


class MockBank:
    def __init__(self, page_size=100, today=None, oauth=False):
        self.oauth = oauth
        self.codes = {}  # authorisation code -> what was authorised
        self.tokens = {}  # access token -> {"consent": id, "expires": POSIX time}
        self.refresh = {}  # refresh token -> consent id
        self.token_lifetime = 3600
        self.base_url = ""
        self.page_size = page_size
        self.today = today or date.today()
        self.consents = {}
        self.accounts = []
        self.transactions = {}
        self.pending = {}
        self.failures = []  # status codes (int), "timeout" or "drop", consumed one per request
        self.timeout_sleep = 2.0
        self.requests = []  # (method, path, headers) of every request received
        self._server = None

    # -- test set-up -------------------------------------------------------------------------------
    def add_account(self, iban, currency="PLN", name="Rachunek bieżący"):
        resource_id = f"acc-{len(self.accounts) + 1}"
        self.accounts.append({"resourceId": resource_id, "iban": iban, "currency": currency, "name": name})
        self.transactions[resource_id] = []
        self.pending[resource_id] = []
        return resource_id

    def add_transaction(self, resource_id, amount, booking_date, name="", iban="", remittance="", **extra):
        number = sum(len(txs) for txs in self.transactions.values()) + 1
        incoming = float(amount) > 0
        tx = {
            "transactionId": f"T{number:08d}",
            "entryReference": f"E{number:08d}",
            "bookingDate": booking_date.isoformat(),
            "valueDate": booking_date.isoformat(),
            "transactionAmount": {"currency": "PLN", "amount": f"{float(amount):.2f}"},
            ("debtorName" if incoming else "creditorName"): name,
            ("debtorAccount" if incoming else "creditorAccount"): {"iban": iban},
            "remittanceInformationUnstructured": remittance,
            "bankTransactionCode": "PMNT-RCDT-DMCT" if incoming else "PMNT-ICDT-DMCT",
            **extra,
        }
        self.transactions[resource_id].append(tx)
        return tx

    def add_pending(self, resource_id, amount, booking_date, name="", remittance=""):
        """A transaction the bank shows as pending (reported only with bookingStatus=both)."""
        tx = {
            "transactionId": f"P{len(self.pending[resource_id]) + 1:08d}",
            "valueDate": booking_date.isoformat(),
            "transactionAmount": {"currency": "PLN", "amount": f"{float(amount):.2f}"},
            "debtorName": name,
            "remittanceInformationUnstructured": remittance,
        }
        self.pending[resource_id].append(tx)
        return tx

    def approve(self, consent_id):
        """The customer completes the strong authentication at the bank."""
        self.consents[consent_id]["consentStatus"] = "valid"

    def expire(self, consent_id):
        self.consents[consent_id]["consentStatus"] = "expired"

    # -- server ------------------------------------------------------------------------------------
    def start(self):
        bank = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                bank._handle(self, "GET")

            def do_POST(self):
                bank._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # -- requests ----------------------------------------------------------------------------------
    def _handle(self, handler, method):
        url = urlparse(handler.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        headers = {key.lower(): value for key, value in handler.headers.items()}
        self.requests.append((method, handler.path, headers))
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "timeout":
                time.sleep(self.timeout_sleep)
                return self._reply(handler, 504, {})
            if failure == "drop":  # the connection breaks without an answer
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return None
            return self._reply(handler, failure, {"tppMessages": [{"category": "ERROR", "code": "INTERNAL"}]})
        if self.oauth and url.path.startswith(("/.well-known/", "/oauth/")):
            return self._oauth(handler, method, url.path, query, headers)
        if "x-request-id" not in headers:
            return self._error(handler, 400, "FORMAT_ERROR", "X-Request-ID is missing")
        parts = [part for part in url.path.split("/") if part]
        length = int(headers.get("content-length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}") if length else {}
        if method == "POST" and parts == ["v1", "consents"]:
            return self._create_consent(handler, headers, body)
        if method == "GET" and parts[:2] == ["v1", "consents"] and len(parts) in (3, 4):
            consent = self.consents.get(parts[2])
            if not consent:
                return self._error(handler, 403, "CONSENT_UNKNOWN", "unknown consent")
            if len(parts) == 4 and parts[3] == "status":
                return self._reply(handler, 200, {"consentStatus": consent["consentStatus"]})
            return self._reply(handler, 200, consent)
        if method == "GET" and parts[:2] == ["v1", "accounts"]:
            consent = self._check_consent(handler, headers, parts, query)
            if consent is None:
                return None
            if len(parts) == 2:
                return self._reply(handler, 200, {"accounts": self.accounts})
            if len(parts) == 4 and parts[3] == "transactions":
                return self._transactions(handler, parts[2], query, url.path)
        return self._error(handler, 404, "RESOURCE_UNKNOWN", f"{method} {url.path}")

    def _create_consent(self, handler, headers, body):
        if "access" not in body or "validUntil" not in body:
            return self._error(handler, 400, "FORMAT_ERROR", "access and validUntil are mandatory")
        consent_id = uuid.uuid4().hex
        self.consents[consent_id] = {
            "access": body["access"],
            "recurringIndicator": body.get("recurringIndicator", False),
            "validUntil": min(
                date.fromisoformat(body["validUntil"]), self.today + timedelta(days=180)
            ).isoformat(),
            "frequencyPerDay": min(int(body.get("frequencyPerDay", 4)), UNATTENDED_READS_PER_DAY),
            "lastActionDate": self.today.isoformat(),
            "consentStatus": "received",
            "redirect": headers.get("tpp-redirect-uri", ""),
            "reads": {},
        }
        base = f"http://{handler.headers.get('Host')}"
        return self._reply(
            handler,
            201,
            {
                "consentStatus": "received",
                "consentId": consent_id,
                "_links": {
                    ("scaOAuth" if self.oauth else "scaRedirect"): {
                        "href": f"{base}/.well-known/oauth-authorization-server"
                        if self.oauth
                        else f"{base}/sca/{consent_id}"
                    },
                    "status": {"href": f"/v1/consents/{consent_id}/status"},
                },
            },
        )

    def _check_consent(self, handler, headers, parts, query):
        consent = self.consents.get(headers.get("consent-id", ""))
        if not consent:
            self._error(handler, 403, "CONSENT_UNKNOWN", "Consent-ID is missing or unknown")
            return None
        if self.oauth:
            token = self.tokens.get(headers.get("authorization", "").removeprefix("Bearer "))
            if not token or token["consent"] != headers["consent-id"] or token["expires"] < time.time():
                self._error(handler, 401, "TOKEN_INVALID", "a valid Bearer token of this consent is required")
                return None
        if consent["consentStatus"] != "valid" or date.fromisoformat(consent["validUntil"]) < self.today:
            self._error(handler, 401, "CONSENT_EXPIRED", "the consent is not valid")
            return None
        first_page = "page" not in query
        if first_page and "psu-ip-address" not in headers:  # an unattended read
            key = (self.today.isoformat(), "/".join(parts[:3]))
            consent["reads"][key] = consent["reads"].get(key, 0) + 1
            if consent["reads"][key] > consent["frequencyPerDay"]:
                self._error(handler, 429, "ACCESS_EXCEEDED", "unattended access limit reached")
                return None
        return consent

    def _transactions(self, handler, resource_id, query, path):
        if resource_id not in self.transactions:
            return self._error(handler, 404, "RESOURCE_UNKNOWN", "unknown account")
        date_from = date.fromisoformat(query.get("dateFrom", "1970-01-01"))
        booked = [
            tx for tx in self.transactions[resource_id] if date.fromisoformat(tx["bookingDate"]) >= date_from
        ]
        page = int(query.get("page", 0))
        chunk = booked[page * self.page_size : (page + 1) * self.page_size]
        report = {
            "booked": chunk,
            "pending": self.pending[resource_id]
            if query.get("bookingStatus") in ("pending", "both") and page == 0
            else [],
            "_links": {"account": {"href": f"/v1/accounts/{resource_id}"}},
        }
        if (page + 1) * self.page_size < len(booked):
            report["_links"]["next"] = {"href": f"{path}?{urlencode({**query, 'page': page + 1})}"}
        account = next(a for a in self.accounts if a["resourceId"] == resource_id)
        return self._reply(handler, 200, {"account": {"iban": account["iban"]}, "transactions": report})

    # -- OAuth2 SCA approach ------------------------------------------------------------------------
    def _oauth(self, handler, method, path, query, headers):
        if method == "GET" and path == "/.well-known/oauth-authorization-server":
            return self._reply(
                handler,
                200,
                {
                    "issuer": self.base_url,
                    "authorization_endpoint": f"{self.base_url}/oauth/authorize",
                    "token_endpoint": f"{self.base_url}/oauth/token",
                    "response_types_supported": ["code"],
                    "grant_types_supported": ["authorization_code", "refresh_token"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        if method == "GET" and path == "/oauth/authorize":
            return self._authorize(handler, query)
        if method == "POST" and path == "/oauth/token":
            length = int(headers.get("content-length") or 0)
            form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
            return self._token(handler, form)
        return self._reply(handler, 404, {"error": "not_found"})

    def _authorize(self, handler, query):
        """The customer logs in at the bank and approves: back to the TPP with a code."""
        consent_id = query.get("scope", "").removeprefix("AIS:")
        if (
            query.get("response_type") != "code"
            or consent_id not in self.consents
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
            or not query.get("redirect_uri")
        ):
            return self._reply(handler, 400, {"error": "invalid_request"})
        self.consents[consent_id]["consentStatus"] = "valid"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "consent": consent_id,
            "challenge": query["code_challenge"],
            "redirect_uri": query["redirect_uri"],
            "client_id": query.get("client_id", ""),
        }
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return None

    def _token(self, handler, form):
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
            if (
                not grant
                or grant["redirect_uri"] != form.get("redirect_uri")
                or grant["client_id"] != form.get("client_id", "")
                or challenge.decode() != grant["challenge"]
            ):
                return self._reply(handler, 400, {"error": "invalid_grant", "error_description": "bad code"})
            consent_id = grant["consent"]
        elif form.get("grant_type") == "refresh_token":
            consent_id = self.refresh.get(form.get("refresh_token", ""))
            if not consent_id:
                return self._reply(
                    handler, 400, {"error": "invalid_grant", "error_description": "unknown refresh token"}
                )
        else:
            return self._reply(handler, 400, {"error": "unsupported_grant_type"})
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = {"consent": consent_id, "expires": time.time() + self.token_lifetime}
        self.refresh[refresh] = consent_id
        return self._reply(
            handler,
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "refresh_token": refresh,
                "scope": f"AIS:{consent_id}",
            },
        )

    def _error(self, handler, status, code, text):
        return self._reply(
            handler, status, {"tppMessages": [{"category": "ERROR", "code": code, "text": text}]}
        )

    def _reply(self, handler, status, body):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("X-Request-ID", handler.headers.get("X-Request-ID", ""))
        if status == 429:
            handler.send_header("Retry-After", "3600")
        handler.end_headers()
        handler.wfile.write(data)
