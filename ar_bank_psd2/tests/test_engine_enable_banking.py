"""The Enable Banking client against the local mock, without a database: signed JWTs, consent, paging."""

from datetime import date
from decimal import Decimal

import pytest

from ..providers import EnableBankingProvider, ProviderError
from .mock_enable_banking import MockEnableBanking, new_key_pair

TODAY = date(2026, 11, 23)


@pytest.fixture
def setup():
    pem, public = new_key_pair()
    mock = MockEnableBanking("app-123", public, page_size=3, today=TODAY)
    url = mock.start()
    provider = EnableBankingProvider(
        {"base_url": url, "client_id": "app-123", "private_key": pem, "bank_name": "mBank", "country": "PL"},
        timeout=5,
    )
    yield mock, provider
    mock.stop()


def test_consent_session_accounts_and_paged_transactions(setup):
    mock, provider = setup
    uid = mock.add_account("PL61109010140000071219812874")
    for n in range(7):
        mock.add_transaction(
            uid, 100 + n, TODAY, name=f"Klient {n}", iban="PL27114020040000300201355387", remittance=f"FV {n}"
        )
    mock.add_transaction(uid, -50, TODAY, name="Energa", remittance="prąd")
    mock.add_transaction(uid, 70, TODAY, name="Pending", status="PDNG")
    consent = provider.create_consent("https://erp.example.com/ar_bank_psd2/callback?state=abc", TODAY)
    assert consent.sca_redirect.endswith("state=abc")
    session = provider.complete_consent("", {"code": mock.authorize("abc"), "state": "abc"})
    assert session.status == "valid" and session.valid_until == date(2027, 5, 22)
    accounts = provider.accounts(session.consent_id)
    assert [a.iban for a in accounts] == ["PL61109010140000071219812874"]
    txs = list(provider.transactions(session.consent_id, accounts[0], TODAY))
    assert len(txs) == 8, "booked only, every page"
    assert txs[0].bank_reference == "ER00000001", "entry_reference, not the unstable transaction_id"
    assert txs[-1].amount == Decimal("-50.00") and txs[-1].counterparty_name == "Energa"
    assert len([p for _m, p, _h in mock.requests if "/transactions" in p]) == 3


def test_a_wrong_key_or_an_expired_session_are_consent_errors(setup):
    mock, provider = setup
    other_pem, _public = new_key_pair()
    intruder = EnableBankingProvider({**provider.settings, "private_key": other_pem}, timeout=5)
    with pytest.raises(ProviderError) as error:
        intruder.create_consent("https://erp.example.com/cb?state=x", TODAY)
    assert error.value.kind == "consent" and "signature" in str(error.value)
    uid = mock.add_account("PL61109010140000071219812874")
    session = provider.complete_consent("", {"code": mock.authorize("s")})
    mock.expire_sessions()
    with pytest.raises(ProviderError) as error:
        list(provider.transactions(session.consent_id, provider.accounts(session.consent_id)[0], TODAY))
    assert error.value.kind == "consent" and "EXPIRED_SESSION" in str(error.value)
    assert uid
    mock.failures = [429]
    with pytest.raises(ProviderError) as error:
        provider.create_consent("https://erp.example.com/cb?state=y", TODAY)
    assert error.value.kind == "rate_limit"
    with pytest.raises(ProviderError):
        provider.complete_consent("", {"error": "access_denied"})
