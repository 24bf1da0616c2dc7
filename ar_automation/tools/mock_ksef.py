"""A local KSeF API v2 on 127.0.0.1, for the tests and the demo (``bin/ksef-mock`` runs it as a process:
``python mock_ksef.py --port 8079 --ksef-token TOKEN``).

It follows the Ministry of Finance's OpenAPI of KSeF API 2.0 (``open-api.json`` of the repository
CIRFMF/ksef-docs, MIT licence, commit d92d285b928896258afdb27f7150f9127ee18ada) for what
``l10n_pl_edi.tools.ksef_api_service.KsefApiService`` calls:

* ``GET /security/public-key-certificates``: the mock's own RSA key, as DER certificates for the usages
  ``KsefTokenEncryption`` and ``SymmetricKeyEncryption``;
* ``POST /auth/challenge``, ``POST /auth/ksef-token`` (the KSeF token and the challenge's ``timestampMs``,
  ``token|timestampMs``, RSA-OAEP SHA-256 encrypted), ``GET /auth/{ref}``, ``POST /auth/token/redeem``,
  ``POST /auth/token/refresh``;
* ``POST /sessions/online`` (the AES-256 key RSA-OAEP encrypted, the IV in clear),
  ``POST /sessions/online/{ref}/invoices`` (the FA(3) XML AES-256-CBC/PKCS#7 encrypted; sizes and SHA-256
  hashes checked; ``offlineMode`` declares an invoice issued offline),
  ``POST /sessions/online/{ref}/close``, ``GET /sessions/{ref}``,
  ``GET /sessions/{ref}/invoices/{invoiceRef}`` and its ``/upo``.

The documented failures: 401 problem details for an unknown or expired access token, 400
``ExceptionResponse`` (21173 no such session, 21180 the session's status does not allow the operation,
21405 validation), 429 ``TooManyRequestsResponse`` with ``Retry-After``, invoice status 440 (duplicate,
with the extensions ``originalSessionReferenceNumber`` and ``originalKsefNumber``) and 450 (semantics).
An invoice's ``invoicingMode`` is ``Offline`` when it was sent with ``offlineMode`` or its issue date
(``P_1``) is before the day KSeF received it (``offline/automatyczne-okreslanie-trybu-offline.md``).

Switches a test sets on :class:`KsefMock`: ``unavailable`` (503 on every call), ``delay`` (seconds before
answering, for time-outs), ``rate_limited`` (429), ``reject`` (``{invoice number: details}``, status 450).
"""

import argparse
import base64
import datetime
import hashlib
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID
from lxml import etree

OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def ksef_checksum(first_32):
    """CRC-8 (polynomial 0x07, initial 0x00) of the first 32 characters of a KSeF number, as 2 hex digits."""
    crc = 0
    for byte in first_32.encode("ascii"):
        crc ^= byte
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return f"{crc:02X}"


def _reference(kind):
    today = datetime.date.today().strftime("%Y%m%d")
    return f"{today}-{kind}-{uuid.uuid4().hex[:10].upper()}-{uuid.uuid4().hex[:2].upper()}"


def _now():
    return datetime.datetime.now(datetime.UTC).isoformat()


class KsefMock:
    """The mock's state and switches; :meth:`start` serves it on 127.0.0.1 (a free port)."""

    def __init__(self, ksef_token="mock-ksef-token", access_ttl=3600):
        self.ksef_token = ksef_token
        self.access_ttl = access_ttl
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = self._self_signed(self.key)
        self.challenges = {}  # challenge -> timestampMs
        self.auth_operations = {}  # reference -> authentication token
        self.access_tokens = {}  # token -> expiry (epoch seconds)
        self.refresh_tokens = set()
        self.sessions = {}  # reference -> {"key", "iv", "open", "status", "invoices": [reference, ...]}
        self.invoices = {}  # reference -> status response
        self.issued = {}  # (seller NIP, invoice number) -> (session reference, KSeF number)
        self.calls = []  # (method, path)
        self.server = None
        self.reset()

    # -- the test's handles ---------------------------------------------------------------------------

    def start(self, port=0):
        handler = type("Handler", (_Handler,), {"mock": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/v2"

    def reset(self):
        """Forget the sessions and invoices (each test starts with an empty KSeF) and the switches."""
        self.sessions.clear()
        self.invoices.clear()
        self.issued.clear()
        self.calls.clear()
        self.unavailable = False
        self.rate_limited = False
        self.delay = 0
        self.reject = {}

    def issue_tokens(self):
        """An access and a refresh token, as ``/auth/token/redeem`` gives them (for a registered company)."""
        access, refresh = uuid.uuid4().hex, uuid.uuid4().hex
        self.access_tokens[access] = time.time() + self.access_ttl
        self.refresh_tokens.add(refresh)
        return access, refresh

    def expire_access_tokens(self):
        self.access_tokens.clear()

    def cancel_sessions(self):
        """Every open session times out (status 440, "Sesja anulowana")."""
        for session in self.sessions.values():
            session["open"] = False
            session["status"] = (440, "Sesja anulowana")

    def sent_numbers(self):
        """The invoice numbers KSeF received, in order (a number twice means a double send)."""
        return [self.invoices[ref]["invoiceNumber"] for s in self.sessions.values() for ref in s["invoices"]]

    # -- behaviour ------------------------------------------------------------------------------------

    @staticmethod
    def _self_signed(key):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "KSeF mock")])
        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )

    def public_key_certificates(self):
        der = base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()
        validity = {"validFrom": "2025-01-01T00:00:00Z", "validTo": "2030-01-01T00:00:00Z"}
        return [
            {"certificate": der, "usage": ["KsefTokenEncryption"], **validity},
            {"certificate": der, "usage": ["SymmetricKeyEncryption"], **validity},
        ]

    def challenge(self):
        challenge = _reference("CR")
        self.challenges[challenge] = int(time.time() * 1000)
        return {
            "challenge": challenge,
            "timestamp": _now(),
            "timestampMs": self.challenges[challenge],
            "clientIp": "127.0.0.1",
        }

    def authenticate_token(self, body):
        body = {k[:1].lower() + k[1:]: v for k, v in body.items()}  # KSeF's JSON binding ignores case
        challenge = body.get("challenge")
        if challenge not in self.challenges:
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", ["challenge"])
        try:
            clear = self.key.decrypt(base64.b64decode(body.get("encryptedToken") or ""), OAEP).decode()
        except ValueError:
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", ["encryptedToken"])
        if clear != f"{self.ksef_token}|{self.challenges.pop(challenge)}":
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", ["encryptedToken"])
        reference, token = _reference("AU"), uuid.uuid4().hex
        self.auth_operations[reference] = token
        return 202, {
            "referenceNumber": reference,
            "authenticationToken": {"token": token, "validUntil": _now()},
        }

    def auth_status(self, reference, bearer):
        if self.auth_operations.get(reference) != bearer:
            return _unauthorized()
        return 200, {
            "startDate": _now(),
            "authenticationMethod": "Token",
            "status": {"code": 200, "description": "Uwierzytelnianie zakończone sukcesem"},
        }

    def redeem(self, bearer):
        if bearer not in self.auth_operations.values():
            return _unauthorized()
        access, refresh = self.issue_tokens()
        return 200, {
            "accessToken": {"token": access, "validUntil": _now()},
            "refreshToken": {"token": refresh, "validUntil": _now()},
        }

    def refresh(self, bearer):
        if bearer not in self.refresh_tokens:
            return _unauthorized()
        access = uuid.uuid4().hex
        self.access_tokens[access] = time.time() + self.access_ttl
        return 200, {"accessToken": {"token": access, "validUntil": _now()}}

    def authorized(self, bearer):
        return self.access_tokens.get(bearer, 0) > time.time()

    def open_session(self, body):
        encryption = body.get("encryption") or {}
        try:
            key = self.key.decrypt(base64.b64decode(encryption.get("encryptedSymmetricKey") or ""), OAEP)
            iv = base64.b64decode(encryption.get("initializationVector") or "")
        except ValueError:
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", ["encryption"])
        if len(key) != 32 or len(iv) != 16:
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", ["encryption"])
        reference = _reference("SO")
        self.sessions[reference] = {
            "key": key,
            "iv": iv,
            "open": True,
            "status": (100, "Sesja interaktywna otwarta"),
            "invoices": [],
        }
        return 201, {"referenceNumber": reference, "validUntil": _now()}

    def session_status(self, reference):
        session = self.sessions.get(reference)
        if not session:
            return 400, _exception(21173, "Brak sesji o wskazanym numerze referencyjnym.", [reference])
        code, description = session["status"]
        return 200, {
            "status": {"code": code, "description": description},
            "dateCreated": _now(),
            "dateUpdated": _now(),
            "invoiceCount": len(session["invoices"]),
        }

    def close_session(self, reference):
        session = self.sessions.get(reference)
        if not session:
            return 400, _exception(21173, "Brak sesji o wskazanym numerze referencyjnym.", [reference])
        session["open"] = False
        session["status"] = (170, "Sesja interaktywna zamknięta")
        return 204, None

    def send_invoice(self, reference, body):
        session = self.sessions.get(reference)
        if not session:
            return 400, _exception(21173, "Brak sesji o wskazanym numerze referencyjnym.", [reference])
        if not session["open"]:
            return 400, _exception(
                21180,
                "Status sesji nie pozwala na wykonanie operacji.",
                [f"Sesja {reference} nie jest otwarta."],
            )
        encrypted = base64.b64decode(body.get("encryptedInvoiceContent") or "")
        if _sha256(encrypted) != body.get("encryptedInvoiceHash") or len(encrypted) != body.get(
            "encryptedInvoiceSize"
        ):
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", ["encryptedInvoiceHash"])
        invoice_reference = _reference("EE")
        status = {
            "ordinalNumber": len(session["invoices"]) + 1,
            "referenceNumber": invoice_reference,
            "invoicingDate": _now(),
            "invoiceHash": body.get("invoiceHash"),
        }
        session["invoices"].append(invoice_reference)
        self.invoices[invoice_reference] = status
        try:
            decryptor = Cipher(algorithms.AES(session["key"]), modes.CBC(session["iv"])).decryptor()
            unpadder = sym_padding.PKCS7(128).unpadder()
            xml = unpadder.update(decryptor.update(encrypted) + decryptor.finalize()) + unpadder.finalize()
        except ValueError:
            status.update(invoiceNumber=None, status={"code": 435, "description": "Błąd odszyfrowania pliku"})
            return 202, {"referenceNumber": invoice_reference}
        if _sha256(xml) != body.get("invoiceHash") or len(xml) != body.get("invoiceSize"):
            status.update(
                invoiceNumber=None,
                status={
                    "code": 430,
                    "description": "Błąd weryfikacji pliku faktury",
                    "details": ["invoiceHash"],
                },
            )
            return 202, {"referenceNumber": invoice_reference}
        status.update(self._process(reference, xml))
        issued = _text(etree.fromstring(xml), "Fa/P_1") if status.get("ksefNumber") else None
        late = issued is not None and issued < datetime.date.today().isoformat()
        status["invoicingMode"] = "Offline" if body.get("offlineMode") or late else "Online"
        return 202, {"referenceNumber": invoice_reference}

    def _process(self, session_reference, xml):
        try:
            root = etree.fromstring(xml)
        except etree.XMLSyntaxError as error:
            return {
                "invoiceNumber": None,
                "status": {
                    "code": 430,
                    "description": "Błąd weryfikacji pliku faktury",
                    "details": [str(error)],
                },
            }
        number = _text(root, "Fa/P_2")
        nip = _text(root, "Podmiot1/DaneIdentyfikacyjne/NIP")
        corrected = _text(root, "Fa/DaneFaKorygowanej/NrKSeFFaKorygowanej")
        if corrected and corrected not in {n for _s, n in self.issued.values()}:
            self.reject[number] = [f"Faktura korygowana {corrected} nie istnieje w KSeF."]
        if number in self.reject:
            return {
                "invoiceNumber": number,
                "status": {
                    "code": 450,
                    "description": "Błąd weryfikacji semantyki dokumentu faktury",
                    "details": list(self.reject[number]),
                },
            }
        if (nip, number) in self.issued:
            original_session, original_number = self.issued[(nip, number)]
            return {
                "invoiceNumber": number,
                "status": {
                    "code": 440,
                    "description": "Duplikat faktury",
                    "extensions": {
                        "originalSessionReferenceNumber": original_session,
                        "originalKsefNumber": original_number,
                    },
                },
            }
        first = f"{nip}-{datetime.date.today():%Y%m%d}-{uuid.uuid4().hex[:12].upper()}"
        ksef_number = f"{first}-{ksef_checksum(first)}"
        self.issued[(nip, number)] = (session_reference, ksef_number)
        return {
            "invoiceNumber": number,
            "ksefNumber": ksef_number,
            "acquisitionDate": _now(),
            "permanentStorageDate": _now(),
            "status": {"code": 200, "description": "Sukces"},
        }

    def invoice_status(self, session_reference, invoice_reference):
        session = self.sessions.get(session_reference)
        if not session or invoice_reference not in session["invoices"]:
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", [invoice_reference])
        return 200, self.invoices[invoice_reference]

    def upo(self, session_reference, invoice_reference):
        code, status = self.invoice_status(session_reference, invoice_reference)
        if code != 200 or status["status"]["code"] != 200:
            return 400, _exception(21405, "Błąd walidacji danych wejściowych.", [invoice_reference])
        upo = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-2">'
            f"<NumerReferencyjnySesji>{session_reference}</NumerReferencyjnySesji>"
            f"<Dokument><NumerKSeFDokumentu>{status['ksefNumber']}</NumerKSeFDokumentu>"
            f"<NumerFaktury>{status['invoiceNumber']}</NumerFaktury>"
            f"<SkrotDokumentu>{status['invoiceHash']}</SkrotDokumentu></Dokument></Potwierdzenie>"
        )
        return 200, upo.encode()


def _sha256(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _text(root, path):
    """The text of the first element along ``path`` (local names, any namespace)."""
    xpath = "/*/" + "/".join(f"*[local-name()='{part}']" for part in path.split("/"))
    found = root.xpath(xpath)
    return found[0].text if found else None


def _exception(code, description, details):
    return {
        "exception": {
            "exceptionDetailList": [
                {"exceptionCode": code, "exceptionDescription": description, "details": details}
            ],
            "referenceNumber": str(uuid.uuid4()),
            "serviceName": "KSeF mock",
            "timestamp": _now(),
        }
    }


def _unauthorized():
    return 401, {
        "title": "Unauthorized",
        "status": 401,
        "detail": "Wymagane jest uwierzytelnienie.",
        "timestamp": _now(),
    }


class _Handler(BaseHTTPRequestHandler):
    mock = None
    routes = (
        ("GET", r"/v2/security/public-key-certificates", "certificates"),
        ("POST", r"/v2/auth/challenge", "challenge"),
        ("POST", r"/v2/auth/ksef-token", "ksef_token"),
        ("POST", r"/v2/auth/token/redeem", "redeem"),
        ("POST", r"/v2/auth/token/refresh", "refresh"),
        ("GET", r"/v2/auth/(?P<ref>[^/]+)", "auth_status"),
        ("POST", r"/v2/sessions/online", "open_session"),
        ("POST", r"/v2/sessions/online/(?P<ref>[^/]+)/invoices", "send_invoice"),
        ("POST", r"/v2/sessions/online/(?P<ref>[^/]+)/close", "close_session"),
        ("GET", r"/v2/sessions/(?P<ref>[^/]+)", "session_status"),
        ("GET", r"/v2/sessions/(?P<ref>[^/]+)/invoices/(?P<inv>[^/]+)", "invoice_status"),
        ("GET", r"/v2/sessions/(?P<ref>[^/]+)/invoices/(?P<inv>[^/]+)/upo", "upo"),
    )
    public = {"certificates", "challenge", "ksef_token", "redeem", "refresh", "auth_status"}

    def log_message(self, format, *args):  # noqa: A002 - the mock stays silent
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method):
        mock = self.mock
        path = self.path.split("?")[0]
        mock.calls.append((method, path))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if mock.delay:
            time.sleep(mock.delay)
        if mock.unavailable:
            return self._reply(
                503, {"title": "Service Unavailable", "status": 503, "detail": "KSeF niedostępny."}
            )
        if mock.rate_limited:
            return self._reply(
                429,
                {
                    "status": {
                        "code": 429,
                        "description": "Too Many Requests",
                        "details": ["Spróbuj ponownie za 30 sekund."],
                    }
                },
                headers={"Retry-After": "30"},
            )
        found = next(
            (
                (name, m)
                for verb, pattern, name in self.routes
                if verb == method and (m := re.fullmatch(pattern, path))
            ),
            None,
        )
        if not found:
            return self._reply(404, {"title": "Not Found", "status": 404, "detail": path})
        name, match = found
        bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if name not in self.public and not mock.authorized(bearer):
            return self._reply(*_unauthorized())
        body = json.loads(raw) if raw else {}
        ref, inv = match.groupdict().get("ref"), match.groupdict().get("inv")
        answer = {
            "certificates": lambda: (200, mock.public_key_certificates()),
            "challenge": lambda: (200, mock.challenge()),
            "ksef_token": lambda: mock.authenticate_token(body),
            "redeem": lambda: mock.redeem(bearer),
            "refresh": lambda: mock.refresh(bearer),
            "auth_status": lambda: mock.auth_status(ref, bearer),
            "open_session": lambda: mock.open_session(body),
            "send_invoice": lambda: mock.send_invoice(ref, body),
            "close_session": lambda: mock.close_session(ref),
            "session_status": lambda: mock.session_status(ref),
            "invoice_status": lambda: mock.invoice_status(ref, inv),
            "upo": lambda: mock.upo(ref, inv),
        }[name]
        return self._reply(*answer())

    def _reply(self, code, payload, headers=None):
        if isinstance(payload, bytes):
            data, content_type = payload, "application/xml"
        else:
            data = b"" if payload is None else json.dumps(payload).encode()
            content_type = "application/problem+json" if code in (401, 403, 404, 503) else "application/json"
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (time-out test)


def main(argv=None):
    """Serve the mock until interrupted (the demo's KSeF)."""
    parser = argparse.ArgumentParser(description="A local KSeF API v2 (mock) on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--ksef-token", default="demo-ksef-token", help="the KSeF token it accepts")
    args = parser.parse_args(argv)
    mock = KsefMock(ksef_token=args.ksef_token).start(port=args.port)
    sys.stdout.write(f"KSeF mock on {mock.url}\n")  # the runner's only output: bin/demo waits for it
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        mock.stop()


if __name__ == "__main__":
    main()
