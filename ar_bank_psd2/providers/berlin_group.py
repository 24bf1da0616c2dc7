"""Berlin Group NextGenPSD2 (XS2A framework 1.3.x) account information: consents with SCA by redirect,
accounts, booked and pending transactions with ``_links.next`` paging."""

import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin

from ..engine.statement import Transaction, normalize_account
from .base import Account, Consent, Provider, ProviderError, parse_date

CONSENT_ERRORS = {"CONSENT_EXPIRED", "CONSENT_INVALID", "CONSENT_UNKNOWN", "CONSENT_REVOKED"}


class BerlinGroupProvider(Provider):
    code = "berlin_group"

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

    def _call(self, method, path, **kwargs):
        import requests  # noqa: PLC0415

        url = (
            path
            if path.startswith("http")
            else urljoin(self.settings["base_url"].rstrip("/") + "/", path.lstrip("/"))
        )
        cert = self.settings.get("cert")
        try:
            response = self.session.request(method, url, timeout=self.timeout, cert=cert, **kwargs)
        except requests.Timeout as error:
            raise ProviderError("server", f"the bank did not answer within {self.timeout} s") from error
        except requests.RequestException as error:
            raise ProviderError(
                "server", f"the bank cannot be reached: {error.__class__.__name__}"
            ) from error
        if response.status_code == 429:
            retry = response.headers.get("Retry-After")
            raise ProviderError(
                "rate_limit",
                "the bank's limit of unattended reads is used up"
                + (f"; retry after {retry} s" if retry else ""),
                429,
            )
        if response.status_code >= 500:
            raise ProviderError("server", f"the bank answered {response.status_code}", response.status_code)
        try:
            body = response.json() if response.content else {}
        except ValueError as error:
            raise ProviderError("server", f"the bank answered {response.status_code} with no JSON") from error
        if response.status_code >= 400:
            codes = {
                message.get("code") for message in body.get("tppMessages", []) if isinstance(message, dict)
            }
            text = "; ".join(
                f"{m.get('code')}: {m.get('text', '')}".strip(": ") for m in body.get("tppMessages", [])
            ) or str(response.status_code)
            kind = "consent" if codes & CONSENT_ERRORS or response.status_code in (401, 403) else "server"
            raise ProviderError(kind, text, response.status_code)
        return body

    def create_consent(self, redirect_url, valid_until, psu_ip=None):
        body = self._call(
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
        link = body.get("_links", {}).get("scaRedirect", {}).get("href", "")
        return Consent(body.get("consentId", ""), body.get("consentStatus", "received"), link, valid_until)

    def consent_status(self, consent_id):
        body = self._call("GET", f"/v1/consents/{consent_id}/status", headers=self._headers())
        details = self._call("GET", f"/v1/consents/{consent_id}", headers=self._headers())
        return Consent(consent_id, body.get("consentStatus", ""), "", parse_date(details.get("validUntil")))

    def accounts(self, consent_id, psu_ip=None):
        body = self._call("GET", "/v1/accounts", headers=self._headers(consent_id, psu_ip))
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
            body = self._call("GET", path, headers=self._headers(consent_id, psu_ip))
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
            pending=pending,
        )
