"""The PolishAPI client against the PolishAPI mock bank, without a database (real HTTP on a loopback
port): signed requests, the authorisation with scope_details, the token and its refresh, paging, the
mapping of transactions and the refusals."""

import base64
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from ..providers import PolishApiProvider, ProviderError
from ..providers.base import Account
from ..providers.polishapi import load_signing_material, sign_detached
from .mock_polishapi import MockPolishApi, new_tpp_credentials

TODAY = date(2026, 11, 23)
IBAN = "PL61109010140000071219812874"
PAYER = "PL27114020040000300201355387"
KEY, CERTIFICATE = new_tpp_credentials()
CALLBACK = "https://erp.example.com/ar_bank_psd2/callback?state=st-1"


@pytest.fixture
def bank():
    mock = MockPolishApi("tpp-42", CERTIFICATE, page_size=2, today=TODAY)
    mock.url = mock.start()
    yield mock
    mock.stop()


def _provider(bank, **settings):
    return PolishApiProvider(
        {
            "base_url": bank.url,
            "client_id": "tpp-42",
            "private_key": KEY,
            "tpp_certificate": CERTIFICATE,
            "accounts": [IBAN],
            **settings,
        },
        timeout=5,
    )


def _authorised(bank):
    """Consent asked, the user logs in at the bank, the code exchanged: (provider, tokens, consent)."""
    provider = _provider(bank)
    consent = provider.create_consent(CALLBACK, date(2027, 5, 22), psu_ip="10.0.0.7")
    back = requests.get(consent.sca_redirect, allow_redirects=False, timeout=5)
    params = dict(parse_qsl(urlsplit(back.headers["Location"]).query))
    assert back.headers["Location"].startswith("https://erp.example.com/ar_bank_psd2/callback?")
    assert params["state"] == "st-1"
    tokens = provider.exchange_code(consent.oauth, params["code"])
    provider.settings["access_token"] = tokens.access_token
    return provider, tokens, provider.complete_consent(consent.consent_id, params, tokens=tokens)


def test_authorize_names_the_accounts_and_privileges_and_every_body_is_signed(bank):
    number = bank.add_account(IBAN)
    provider, tokens, consent = _authorised(bank)
    path, headers, raw = bank.requests[0]
    body = json.loads(raw)
    assert path == "/v3_0.1/auth/v3_0.1/authorize"
    assert body["scope"] == "ais" and body["state"] == "st-1"
    assert body["redirect_uri"] == "https://erp.example.com/ar_bank_psd2/callback"
    details = body["scope_details"]
    assert (details["scopeGroupType"], details["throttlingPolicy"]) == ("ais", "psd2Regulatory")
    assert details["scopeTimeLimit"].startswith("2027-05-22T")
    privileges = details["privilegeList"][0]
    assert privileges["accountNumber"] == number == "61109010140000071219812874"
    assert {"ais:getAccount", "ais:getTransactionsDone", "ais:getTransactionsPending"} <= set(privileges)
    header = body["requestHeader"]
    assert header["tppId"] == "tpp-42" and header["ipAddress"] == "10.0.0.7"
    assert headers["x-request-id"] == header["requestId"]
    # The detached JWS: a protected header, no payload, an RS256 signature of the exact body.
    protected, payload, _signature = headers["x-jws-signature"].split(".")
    assert payload == ""
    assert json.loads(base64.urlsafe_b64decode(protected + "=="))["alg"] == "RS256"
    assert tokens.refresh_token and tokens.expires_in == 3600
    assert consent.status == "valid" and consent.valid_until == date(2027, 5, 22)
    assert provider.settings["granted_accounts"] == [number]
    token = json.loads(next(raw for path, _h, raw in bank.requests if path.endswith("/token")))
    assert (token["grant_type"], token["is_user_session"], token["user_ip"]) == (
        "authorization_code",
        True,
        "10.0.0.7",
    )
    accounts = provider.accounts(consent.consent_id, psu_ip="10.0.0.7")
    assert [(a.resource_id, a.iban, a.currency) for a in accounts] == [(number, IBAN, "PLN")]
    for _path, headers, raw in bank.requests[1:]:
        assert headers["x-jws-signature"] and headers["x-request-id"] in raw.decode()


def test_booked_and_pending_transactions_page_by_page(bank):
    number = bank.add_account(IBAN)
    for n in range(5):
        bank.add_transaction(number, 100 + n, TODAY, name=f"Klient {n}", iban=PAYER, remittance=f"FV/{n}")
    bank.add_transaction(number, -12.5, TODAY, name="Dostawca", iban=PAYER, remittance="Opłata")
    bank.add_pending(number, 250, TODAY, name="W drodze", iban=PAYER, remittance="FV/9")
    provider, _tokens, consent = _authorised(bank)
    account = Account(number, IBAN, "PLN")
    booked = list(provider.transactions(consent.consent_id, account, date(2026, 11, 1)))
    assert [tx.amount for tx in booked] == [Decimal(a) for a in ("100", "101", "102", "103", "104", "-12.50")]
    pages = [json.loads(raw) for path, _h, raw in bank.requests if path.endswith("getTransactionsDone")]
    assert [body.get("pageId") for body in pages] == [None, "p2", "p4"], "perPage 2: three pages"
    first = booked[0]
    assert (first.counterparty_name, first.counterparty_iban, first.remittance) == ("Klient 0", PAYER, "FV/0")
    assert (first.booking_date, first.bank_reference, first.pending) == (TODAY, "PA0000000001", False)
    assert booked[-1].counterparty_name == "Dostawca", "a debit's counterparty is its recipient"
    both = list(provider.transactions(consent.consent_id, account, date(2026, 11, 1), pending=True))
    pending = [tx for tx in both if tx.pending]
    assert [(tx.amount, tx.booking_date, tx.bank_reference) for tx in pending] == [
        (Decimal("250"), TODAY, "")
    ]


def test_split_payment_title_gives_the_mpp_data(bank):
    number = bank.add_account(IBAN)
    bank.add_transaction(
        number,
        1230,
        TODAY,
        name="Hurtownia",
        iban=PAYER,
        remittance="/VAT/230,00/IDC/5260250274/INV/FV 1/2026",
    )
    provider, _tokens, consent = _authorised(bank)
    (tx,) = provider.transactions(consent.consent_id, Account(number, IBAN, "PLN"), TODAY)
    assert tx.mpp == {
        "vat_amount": Decimal("230.00"),
        "nip": "5260250274",
        "invoice": "FV 1/2026",
        "text": "",
    }


def test_an_expired_token_is_refused_and_refreshed(bank):
    number = bank.add_account(IBAN)
    bank.add_transaction(number, 10, TODAY, name="K", remittance="x")
    provider, tokens, consent = _authorised(bank)
    bank.expire_tokens()
    with pytest.raises(ProviderError) as refused:
        list(provider.transactions(consent.consent_id, Account(number, IBAN), TODAY))
    assert (refused.value.kind, refused.value.status) == ("consent", 401)
    assert "TOKEN_EXPIRED" in str(refused.value)
    fresh = provider.refresh_tokens({}, tokens.refresh_token)
    assert fresh.access_token != tokens.access_token
    provider.settings["access_token"] = fresh.access_token
    assert len(list(provider.transactions(consent.consent_id, Account(number, IBAN), TODAY))) == 1
    with pytest.raises(ProviderError) as unknown:
        provider.refresh_tokens({}, "forged")
    assert unknown.value.kind == "consent" and "invalid_grant" in str(unknown.value)


def test_a_wrong_key_or_a_tampered_body_is_refused_with_a_clear_message(bank):
    bank.add_account(IBAN)
    other_key, other_certificate = new_tpp_credentials("Somebody else")
    with pytest.raises(ProviderError) as mismatch:
        _provider(bank, private_key=other_key).create_consent(CALLBACK, TODAY)
    assert "does not belong to its private key" in str(mismatch.value)
    assert not bank.requests, "nothing is sent unsigned"
    # A signature that does not verify (the body changed after signing): the bank refuses it.
    key, der = load_signing_material(KEY, CERTIFICATE)
    signature = sign_detached(b'{"requestHeader": {}}', key, der)
    answer = requests.post(
        f"{bank.url}/v3_0.1/auth/v3_0.1/authorize",
        data=b'{"requestHeader": {}, "x": 1}',
        headers={"X-JWS-SIGNATURE": signature},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "INVALID_SIGNATURE"
    # Signed by another key while naming the registered certificate (a stolen or mixed-up certificate).
    provider = _provider(bank)
    provider._signing = (load_signing_material(other_key, other_certificate)[0], der)
    with pytest.raises(ProviderError) as refused:
        provider.create_consent(CALLBACK, TODAY)
    assert refused.value.status == 400 and refused.value.kind == "server"
    assert "refused the request's signature" in str(refused.value)
    assert "TPP certificate and private key" in str(refused.value)


def test_no_account_named_is_a_clear_error_and_unknown_accounts_are_refused(bank):
    with pytest.raises(ProviderError, match="bank account numbers first"):
        _provider(bank, accounts=[]).create_consent(CALLBACK, TODAY)
    with pytest.raises(ProviderError) as refused:
        _provider(bank).create_consent(CALLBACK, TODAY)  # the bank holds no such account
    assert refused.value.status == 422 and "ACCOUNT_UNKNOWN" in str(refused.value)


def test_privileges_not_granted_and_server_errors(bank):
    number = bank.add_account(IBAN)
    other = bank.add_account("PL10105000997603123456789123")
    provider, _tokens, consent = _authorised(bank)
    with pytest.raises(ProviderError) as refused:
        list(provider.transactions(consent.consent_id, Account(other, ""), TODAY))
    assert refused.value.kind == "consent" and "NO_PRIVILEGE" in str(refused.value)
    bank.failures = [503]
    with pytest.raises(ProviderError) as down:
        list(provider.transactions(consent.consent_id, Account(number, IBAN), TODAY))
    assert (down.value.kind, down.value.status) == ("server", 503)
    bank.failures = [429]
    with pytest.raises(ProviderError) as limited:
        list(provider.transactions(consent.consent_id, Account(number, IBAN), TODAY))
    assert limited.value.kind == "rate_limit"


SPEC = (Path(__file__).resolve().parent / "data" / "polishapi-2_1_1.yaml").read_text()


def _properties(*definitions):
    """The property names of the specification's ``definitions`` (those written with nested content)."""
    names = set()
    for definition in definitions:
        block = re.split(rf"\n  {definition}:[ \t]*\n", SPEC, maxsplit=1)[1]
        block = re.split(r"\n  \S", block, maxsplit=1)[0]
        names |= set(re.findall(r"^ {6,12}([A-Za-z_][\w:-]*):\s*$", block, re.M))
    return names


def test_the_client_and_the_mock_follow_the_specification(bank):
    assert "X-JWS-SIGNATURE" in SPEC and "Detached JWS signature of the body" in SPEC
    number = bank.add_account(IBAN)
    done = bank.add_transaction(number, 5, TODAY, name="X", iban=PAYER, remittance="r")
    assert set(done) <= _properties("ItemInfoBase", "TransactionInfo")
    pending = bank.add_pending(number, 5, TODAY, name="X", iban=PAYER, remittance="r")
    assert set(pending) <= _properties("ItemInfoBase", "TransactionPendingInfo")
    assert set(done["sender"]) <= _properties("SenderRecipient")
    assert set(bank.accounts[number]) <= _properties("AccountInfo")
    provider, _tokens, consent = _authorised(bank)
    list(provider.transactions(consent.consent_id, Account(number, IBAN), TODAY, pending=True))
    provider.accounts(consent.consent_id)
    requests_by_path = {path.rsplit("/", 1)[1]: json.loads(raw) for path, _h, raw in bank.requests}
    header_fields = _properties(
        "RequestHeaderWithoutToken", "RequestHeaderAIS", "RequestHeaderWithoutTokenAS"
    )
    expected = {
        "authorize": _properties("AuthorizeRequest"),
        "token": _properties("TokenRequest"),
        "getAccount": _properties("AccountInfoRequest"),
        "getTransactionsDone": _properties("ItemInfoRequestBase", "TransactionInfoRequest"),
        "getTransactionsPending": _properties("ItemInfoRequestBase", "TransactionInfoRequest"),
    }
    for operation, fields in expected.items():
        body = requests_by_path[operation]
        assert set(body) <= fields, operation
        assert set(body["requestHeader"]) <= header_fields, operation
        assert (
            f"/v2_1_1.1/{'auth' if operation in ('authorize', 'token') else 'accounts'}/v2_1_1.1/{operation}:"
            in SPEC
        )
    details = requests_by_path["authorize"]["scope_details"]
    assert set(details) <= _properties("ScopeDetailsInput")
    assert set(details["privilegeList"][0]) <= _properties("ScopeDetailsInputPrivilegeList")
    # The error body is the specification's Error: responseHeader, code, message.
    answer = requests.post(f"{bank.url}/v3_0.1/accounts/v3_0.1/getAccount", data=b"{}", timeout=5)
    assert (
        set(answer.json())
        == {"responseHeader", "code", "message"}
        <= _properties("Error") | {"responseHeader"}
    )
