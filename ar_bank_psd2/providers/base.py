"""The interface every open-banking provider implements, without Odoo."""

from dataclasses import dataclass
from datetime import date, datetime


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


@dataclass
class Account:
    resource_id: str
    iban: str
    currency: str = ""
    name: str = ""


class Provider:
    """One bank (or aggregator) API. ``settings``: base URL, client credentials, certificates…"""

    code = ""

    def __init__(self, settings, session=None, timeout=30):
        import requests  # noqa: PLC0415 - only the provider needs it

        self.settings = settings
        self.session = session or requests.Session()
        self.timeout = timeout

    def create_consent(self, redirect_url, valid_until: date, psu_ip=None) -> Consent:
        raise NotImplementedError

    def consent_status(self, consent_id) -> Consent:
        raise NotImplementedError

    def complete_consent(self, consent_id, params) -> Consent:
        """After the bank's redirect (``params``: the query of the callback): the consent, now valid."""
        return self.consent_status(consent_id)

    def accounts(self, consent_id, psu_ip=None) -> list[Account]:
        raise NotImplementedError

    def transactions(self, consent_id, account: Account, date_from: date, psu_ip=None, pending=False):
        """The booked (and with ``pending`` the pending) transactions since ``date_from``, every page
        read, as ``Transaction`` objects of the statement engine."""
        raise NotImplementedError


def parse_date(value):
    if not value:
        return None
    return datetime.strptime(value[:10], "%Y-%m-%d").date()
