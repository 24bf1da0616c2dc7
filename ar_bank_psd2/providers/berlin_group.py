"""Berlin Group NextGenPSD2 (XS2A framework 1.3.x) account information: consents with SCA by redirect or
by OAuth2 (authorisation code with PKCE, Bearer token on every call), accounts, booked and pending
transactions with ``_links.next`` paging."""

import base64
import hashlib
import secrets
import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from ..engine.mpp import parse_mpp
from ..engine.statement import Transaction, normalize_account
from .base import Account, Consent, Provider, ProviderError, Tokens, parse_date


class BerlinGroupProvider(Provider):
    code = "berlin_group"
    consent_errors = frozenset(
        {"CONSENT_EXPIRED", "CONSENT_INVALID", "CONSENT_UNKNOWN", "CONSENT_REVOKED"}
        | {"invalid_grant", "invalid_token", "unauthorized_client"}  # the OAuth2 token refused
    )

    def _headers(self, consent_id=None, psu_ip=None, redirect=None):
        headers = {"X-Request-ID": str(uuid.uuid4()), "Accept": "application/json"}
        if consent_id:
            headers["Consent-ID"] = consent_id
        if psu_ip:
            headers["PSU-IP-Address"] = psu_ip  # the user is present: not an unattended read
        if redirect:
            headers["TPP-Redirect-URI"] = redirect
        token = self.settings.get("access_token")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _request_auth(self):
        return {"cert": self.settings.get("cert")}

    def _error_codes(self, body):
        codes = {message.get("code") for message in body.get("tppMessages", []) if isinstance(message, dict)}
        return codes | {body.get("error")}  # an OAuth2 error (RFC 6749 5.2)

    def _error_text(self, response, body):
        return (
            "; ".join(
                f"{m.get('code')}: {m.get('text', '')}".strip(": ")
                for m in body.get("tppMessages", [])
                if isinstance(m, dict)
            )
            or body.get("error_description")
            or body.get("error")
            or str(response.status_code)
        )

    def create_consent(self, redirect_url, valid_until, psu_ip=None):
        body = self._request(
            "POST",
            "/v1/consents",
            headers=self._headers(psu_ip=psu_ip, redirect=redirect_url),
            json={
                "access": {"availableAccounts": "allAccounts"},
                "recurringIndicator": True,
                "validUntil": valid_until.isoformat(),
                "frequencyPerDay": 4,
                "combinedServiceIndicator": False,
            },
        )
        links = body.get("_links", {})
        consent_id = body.get("consentId", "")
        link = links.get("scaRedirect", {}).get("href", "")
        oauth = None
        if not link and links.get("scaOAuth", {}).get("href"):
            link, oauth = self._oauth_authorisation(links["scaOAuth"]["href"], consent_id, redirect_url)
        return Consent(consent_id, body.get("consentStatus", "received"), link, valid_until, oauth)

    def _oauth_authorisation(self, metadata_url, consent_id, redirect_url):
        """The SCA OAuth2 approach: the bank's authorisation server (RFC 8414 metadata at ``metadata_url``)
        authenticates the customer; an authorisation code with PKCE (S256) for scope ``AIS:<consent>``.
        Returns the URL to send the user to and what the callback needs to get the token."""
        metadata = self._request("GET", metadata_url, headers={"Accept": "application/json"})
        endpoint, token_endpoint = metadata.get("authorization_endpoint"), metadata.get("token_endpoint")
        if not endpoint or not token_endpoint:
            raise ProviderError("server", "the bank's OAuth metadata has no authorization or token endpoint")
        parts = urlsplit(redirect_url)
        state = parse_qs(parts.query).get("state", [""])[0]
        redirect_uri = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.get("client_id") or "",
                "scope": f"AIS:{consent_id}",
                "state": state,
                "redirect_uri": redirect_uri,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        url = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
        return url, {
            "token_endpoint": token_endpoint,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
        }

    def exchange_code(self, oauth, code) -> Tokens:
        """The authorisation code of the callback exchanged for the tokens (RFC 6749 4.1.3, PKCE)."""
        return self._token(
            oauth["token_endpoint"],
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": oauth["redirect_uri"],
                "code_verifier": oauth["code_verifier"],
            },
        )

    def refresh_tokens(self, oauth, refresh_token) -> Tokens:
        return self._token(
            oauth["token_endpoint"], {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    def _token(self, endpoint, form):
        form = {**form, "client_id": self.settings.get("client_id") or ""}
        if self.settings.get("client_secret"):
            form["client_secret"] = self.settings["client_secret"]
        body = self._request("POST", endpoint, data=form, headers={"Accept": "application/json"})
        if not body.get("access_token"):
            raise ProviderError("consent", "the bank's authorisation server issued no access token")
        return Tokens(body["access_token"], body.get("refresh_token", ""), int(body.get("expires_in") or 0))

    def consent_status(self, consent_id):
        body = self._request("GET", f"/v1/consents/{consent_id}/status", headers=self._headers())
        details = self._request("GET", f"/v1/consents/{consent_id}", headers=self._headers())
        return Consent(consent_id, body.get("consentStatus", ""), "", parse_date(details.get("validUntil")))

    def accounts(self, consent_id, psu_ip=None):
        body = self._request("GET", "/v1/accounts", headers=self._headers(consent_id, psu_ip))
        return [
            Account(
                item.get("resourceId", ""),
                normalize_account(item.get("iban", "")),
                item.get("currency", ""),
                item.get("name", ""),
            )
            for item in body.get("accounts", [])
        ]

    def transactions(self, consent_id, account, date_from, psu_ip=None, pending=False):
        status = "both" if pending else "booked"
        path = (
            f"/v1/accounts/{account.resource_id}/transactions"
            f"?bookingStatus={status}&dateFrom={date_from.isoformat()}"
        )
        while path:
            body = self._request("GET", path, headers=self._headers(consent_id, psu_ip))
            report = body.get("transactions", {})
            for item in report.get("booked", []):
                yield self._transaction(item, account)
            if pending:
                for item in report.get("pending", []):
                    yield self._transaction(item, account, pending=True)
            path = report.get("_links", {}).get("next", {}).get("href")

    def _transaction(self, item, account, pending=False):
        money = item.get("transactionAmount") or {}
        try:
            amount = Decimal(str(money.get("amount")))
        except (InvalidOperation, TypeError) as error:
            raise ProviderError("server", f"transaction {item.get('transactionId')}: bad amount") from error
        incoming = amount > 0
        party = item.get("debtorName" if incoming else "creditorName") or ""
        party_account = (item.get("debtorAccount" if incoming else "creditorAccount") or {}).get("iban", "")
        structured = item.get("remittanceInformationStructured")
        if isinstance(structured, dict):
            structured = structured.get("reference", "")
        booking = parse_date(item.get("bookingDate") or item.get("valueDate"))
        if not booking:
            raise ProviderError("server", f"transaction {item.get('transactionId')}: no booking date")
        unstructured = item.get("remittanceInformationUnstructured") or " ".join(
            item.get("remittanceInformationUnstructuredArray") or []
        )
        return Transaction(
            booking_date=booking,
            amount=amount,
            currency=money.get("currency", account.currency),
            value_date=parse_date(item.get("valueDate")),
            counterparty_name=party,
            counterparty_iban=normalize_account(party_account) if party_account else "",
            remittance=unstructured,
            structured_reference=structured or "",
            end_to_end_id=item.get("endToEndId", ""),
            bank_reference="" if pending else (item.get("entryReference") or item.get("transactionId") or ""),
            transaction_type=item.get("bankTransactionCode", ""),
            raw=item,
            mpp=parse_mpp(unstructured),
            pending=pending,
        )
