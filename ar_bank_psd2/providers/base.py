"""The interface every open-banking provider implements, without Odoo, and its one HTTP path."""

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

_logger = logging.getLogger(__name__)


class ProviderError(Exception):
    """A provider call failed. ``kind``: ``consent`` (expired, revoked or invalid consent: re-authorise),
    ``rate_limit`` (unattended quota used up: retry later), ``server`` (5xx, timeout, bad answer)."""

    def __init__(self, kind, message, status=None):
        super().__init__(message)
        self.kind = kind
        self.status = status


@dataclass
class Consent:
    consent_id: str
    status: str  # received, valid, rejected, expired, revokedByPsu, terminatedByTpp
    sca_redirect: str = ""
    valid_until: date | None = None
    # OAuth2 SCA approach: what the callback needs to get the token (token endpoint, PKCE verifier,
    # redirect URI); None with the plain redirect approach.
    oauth: dict | None = None


@dataclass
class Tokens:
    """OAuth2 tokens a bank issued; ``expires_in`` in seconds."""

    access_token: str
    refresh_token: str = ""
    expires_in: int = 0
    # What the token grants where the answer says it (PolishAPI: the ``scope_details``).
    details: dict | None = None


@dataclass
class Account:
    resource_id: str
    iban: str
    currency: str = ""
    name: str = ""


class Provider:
    """One bank (or aggregator) API. ``settings``: base URL, client credentials, certificates…

    Every call goes through :meth:`_request` (as Odoo's ``payment.provider._send_api_request``): the
    time-out, the log line (method, URL without its query, status, time; never headers or bodies, which
    carry tokens and personal data) and the mapping of failures to :class:`ProviderError` kinds are
    written once; a provider overrides the hooks ``_request_url``, ``_request_headers``,
    ``_request_auth``, ``_parse_response``, ``_error_codes`` and ``_error_text``."""

    code = ""
    label = "the bank"  # who answers, in error messages
    consent_errors = frozenset()  # error codes of the API meaning: the consent must be given again

    def __init__(self, settings, session=None, timeout=30):
        import requests  # noqa: PLC0415 - only the provider needs it

        self.settings = settings
        self.session = session or requests.Session()
        self.timeout = timeout

    # ------------------------------------------------------------------
    # The HTTP path
    # ------------------------------------------------------------------

    def _request(self, method, path, headers=None, psu_ip=None, **kwargs):
        """``method`` on ``path`` (relative to the provider's base URL, or a full URL): the JSON body of
        the answer (``{}`` when empty). Raises :class:`ProviderError` of kind ``server`` (time-out,
        unreachable, 5xx, not JSON, other refusals), ``rate_limit`` (429) or ``consent`` (401, 403 or a
        consent error code of the API)."""
        import requests  # noqa: PLC0415 - only the provider needs it

        url = self._request_url(path)
        headers = {**self._request_headers(psu_ip=psu_ip), **(headers or {})}
        start = time.monotonic()
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=self.timeout, **self._request_auth(), **kwargs
            )
        except requests.Timeout as error:
            _logger.info("%s %s %s: no answer in %s s", self.code, method, _loggable(url), self.timeout)
            raise ProviderError("server", f"{self.label} did not answer within {self.timeout} s") from error
        except requests.RequestException as error:
            _logger.info("%s %s %s: %s", self.code, method, _loggable(url), error.__class__.__name__)
            raise ProviderError(
                "server", f"{self.label} cannot be reached: {error.__class__.__name__}"
            ) from error
        status = response.status_code
        _logger.info(
            "%s %s %s: %s in %.2f s", self.code, method, _loggable(url), status, time.monotonic() - start
        )
        body = self._parse_response(response)
        if status == 429:
            retry = response.headers.get("Retry-After")
            text = self._error_text(response, body or {})
            raise ProviderError(
                "rate_limit",
                f"{self.label}'s limit of unattended reads is used up"
                + (f"; retry after {retry} s" if retry else "")
                + (f" ({text})" if text != str(status) else ""),
                429,
            )
        if status >= 500:
            text = self._error_text(response, body or {})
            raise ProviderError(
                "server",
                f"{self.label} answered {status}" + (f": {text}" if text != str(status) else ""),
                status,
            )
        if body is None:
            raise ProviderError("server", f"{self.label} answered {status} with no JSON")
        if status >= 400:
            consent = self._error_codes(body) & self.consent_errors or status in (401, 403)
            raise ProviderError("consent" if consent else "server", self._error_text(response, body), status)
        return body

    def _request_url(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return self.settings["base_url"].rstrip("/") + "/" + path.lstrip("/")

    def _request_headers(self, psu_ip=None):
        """The headers of every call (``psu_ip``: the user's address when present)."""
        return {"Accept": "application/json"}

    def _request_auth(self):
        """Extra arguments of ``requests`` that authenticate the call (a client certificate…)."""
        return {}

    def _parse_response(self, response):
        """The answer's JSON body (``{}`` when empty), ``None`` when it is not JSON."""
        try:
            return response.json() if response.content else {}
        except ValueError:
            return None

    def _error_codes(self, body):
        """The API's error codes in a refusal's body, compared with :attr:`consent_errors`."""
        return set()

    def _error_text(self, response, body):
        """What a refusal says, for the user."""
        return str(response.status_code)

    # ------------------------------------------------------------------
    # The interface
    # ------------------------------------------------------------------

    def create_consent(self, redirect_url, valid_until: date, psu_ip=None) -> Consent:
        raise NotImplementedError

    def consent_status(self, consent_id) -> Consent:
        raise NotImplementedError

    def complete_consent(self, consent_id, params, tokens=None) -> Consent:
        """After the bank's redirect (``params``: the query of the callback; ``tokens``: what its code
        was exchanged for, in the OAuth2 flows): the consent, now valid."""
        return self.consent_status(consent_id)

    def accounts(self, consent_id, psu_ip=None) -> list[Account]:
        raise NotImplementedError

    def transactions(self, consent_id, account: Account, date_from: date, psu_ip=None, pending=False):
        """The booked (and with ``pending`` the pending) transactions since ``date_from``, every page
        read, as ``Transaction`` objects of the statement engine."""
        raise NotImplementedError


def _loggable(url):
    """``url`` without its query and fragment (codes, states and tokens travel there)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def parse_date(value):
    if not value:
        return None
    return datetime.strptime(value[:10], "%Y-%m-%d").date()
