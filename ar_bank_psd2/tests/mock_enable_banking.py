"""A local Enable Banking API for tests: it checks the RS256 JWT of every call against the application's
public key (kid, iss, aud, expiry), and serves /auth, /sessions and account transactions with
``continuation_key`` paging, as the public API documentation describes."""

import base64
import json
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def new_key_pair():
    """A fresh RSA key pair as (private PEM text, public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key.public_key()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class MockEnableBanking:
    def __init__(self, application_id, public_key, page_size=50, today=None):
        self.application_id = application_id
        self.public_key = public_key
        self.page_size = page_size
        self.today = today or date.today()
        self.accounts = []
        self.transactions = {}
        self.pending_auth = {}
        self.sessions = {}
        self.failures = []
        self.requests = []
        self._server = None

    def add_account(self, iban, currency="PLN"):
        uid = str(uuid.uuid4())
        self.accounts.append(
            {
                "uid": uid,
                "account_id": {"iban": iban},
                "currency": currency,
                "identification_hash": uuid.uuid4().hex,
            }
        )
        self.transactions[uid] = []
        return uid

    def add_transaction(self, uid, amount, booking_date, name="", iban="", remittance="", status="BOOK"):
        number = sum(len(t) for t in self.transactions.values()) + 1
        incoming = amount > 0
        tx = {
            "entry_reference": f"ER{number:08d}",
            "transaction_id": uuid.uuid4().hex,  # not stable: changes on every read in real life
            "transaction_amount": {"currency": "PLN", "amount": f"{abs(amount):.2f}"},
            "credit_debit_indicator": "CRDT" if incoming else "DBIT",
            "status": status,
            "booking_date": booking_date.isoformat(),
            "value_date": booking_date.isoformat(),
            ("debtor" if incoming else "creditor"): {"name": name},
            ("debtor_account" if incoming else "creditor_account"): {"iban": iban},
            "remittance_information": [remittance] if remittance else [],
            "bank_transaction_code": {"code": "RCDT" if incoming else "ICDT", "sub_code": "DMCT"},
        }
        self.transactions[uid].append(tx)
        return tx

    def authorize(self, state):
        """The user authorises at the bank: the code the redirect would carry."""
        code = uuid.uuid4().hex
        self.pending_auth[code] = state
        return code

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
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _check_jwt(self, handler):
        token = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header, claims = json.loads(_unb64(header_b64)), json.loads(_unb64(claims_b64))
            self.public_key.verify(
                _unb64(signature_b64),
                f"{header_b64}.{claims_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, InvalidSignature):
            return "the JWT is malformed or its signature does not verify"
        if header.get("alg") != "RS256" or header.get("kid") != self.application_id:
            return "wrong alg or kid"
        if claims.get("iss") != "enablebanking.com" or claims.get("aud") != "api.enablebanking.com":
            return "wrong iss or aud"
        if not claims.get("iat", 0) <= time.time() + 60 <= claims.get("exp", 0) + 60:
            return "the JWT is expired"
        return ""

    def _handle(self, handler, method):
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.requests.append((method, handler.path, dict(handler.headers.items())))
        if self.failures:
            return self._reply(handler, self.failures.pop(0), {"error": "ASPSP_RATE_LIMIT_EXCEEDED"})
        problem = self._check_jwt(handler)
        if problem:
            return self._reply(handler, 401, {"error": "UNAUTHORIZED", "message": problem})
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length)) if length else {}
        parts = [p for p in url.path.split("/") if p]
        if method == "POST" and parts == ["auth"]:
            if not body.get("redirect_url") or not body.get("state") or "aspsp" not in body:
                return self._reply(handler, 422, {"error": "WRONG_REQUEST_PARAMETERS"})
            return self._reply(
                handler,
                200,
                {
                    "url": f"https://tilisy.example/auth?state={body['state']}",
                    "authorization_id": uuid.uuid4().hex,
                },
            )
        if method == "POST" and parts == ["sessions"]:
            if body.get("code") not in self.pending_auth:
                return self._reply(handler, 422, {"error": "WRONG_AUTHORIZATION_CODE"})
            del self.pending_auth[body["code"]]
            session_id = str(uuid.uuid4())
            valid_until = (self.today + timedelta(days=180)).isoformat() + "T00:00:00+00:00"
            self.sessions[session_id] = {"status": "AUTHORIZED", "valid_until": valid_until}
            return self._reply(
                handler,
                200,
                {"session_id": session_id, "accounts": self.accounts, "access": {"valid_until": valid_until}},
            )
        if method == "GET" and len(parts) == 3 and parts[0] == "accounts" and parts[2] == "transactions":
            return self._transactions(handler, parts[1], query)
        if method == "GET" and len(parts) == 2 and parts[0] == "sessions":
            session = self.sessions.get(parts[1])
            if not session:
                return self._reply(handler, 404, {"error": "SESSION_DOES_NOT_EXIST"})
            return self._reply(handler, 200, {**session, "accounts": [a["uid"] for a in self.accounts]})
        return self._reply(handler, 404, {"error": "NOT_FOUND"})

    def _transactions(self, handler, uid, query):
        if not any(s["status"] == "AUTHORIZED" for s in self.sessions.values()):
            return self._reply(handler, 401, {"error": "EXPIRED_SESSION"})
        if uid not in self.transactions:
            return self._reply(handler, 404, {"error": "ACCOUNT_DOES_NOT_EXIST"})
        since = date.fromisoformat(query.get("date_from", "1970-01-01"))
        txs = [t for t in self.transactions[uid] if date.fromisoformat(t["booking_date"]) >= since]
        start = int(query.get("continuation_key") or 0)
        page = txs[start : start + self.page_size]
        body = {"transactions": page}
        if start + self.page_size < len(txs):
            body["continuation_key"] = str(start + self.page_size)
        return self._reply(handler, 200, body)

    def expire_sessions(self):
        for session in self.sessions.values():
            session["status"] = "EXPIRED"

    def _reply(self, handler, status, body):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
