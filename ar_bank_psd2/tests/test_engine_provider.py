"""The Berlin Group client against the mock bank, without a database (real HTTP on a loopback port)."""

from datetime import date
from decimal import Decimal

import pytest

from ..providers import BerlinGroupProvider, ProviderError
from ..providers.base import Account
from .mock_bank import MockBank

TODAY = date(2026, 11, 23)


@pytest.fixture
def bank():
    mock = MockBank(page_size=2, today=TODAY)
    mock.url = mock.start()
    yield mock
    mock.stop()


def _connected(bank, timeout=5):
    provider = BerlinGroupProvider({"base_url": bank.url}, timeout=timeout)
    consent = provider.create_consent("https://erp.example.com/callback", TODAY.replace(year=2027))
    bank.approve(consent.consent_id)
    return provider, consent.consent_id


def test_consent_accounts_and_paged_transactions(bank):
    resource = bank.add_account("PL61109010140000071219812874")
    for n in range(5):
        bank.add_transaction(
            resource, 10 + n, TODAY, name=f"K{n}", iban="PL27114020040000300201355387", remittance=f"FV {n}"
        )
    provider, consent_id = _connected(bank)
    status = provider.consent_status(consent_id)
    assert status.status == "valid"
    assert status.valid_until == date(2027, 5, 22), "capped at 180 days by the bank"
    accounts = provider.accounts(consent_id)
    assert [a.iban for a in accounts] == ["PL61109010140000071219812874"]
    txs = list(provider.transactions(consent_id, accounts[0], TODAY))
    assert [tx.amount for tx in txs] == [Decimal(10), Decimal(11), Decimal(12), Decimal(13), Decimal(14)]
    assert txs[0].bank_reference == "E00000001"
    assert txs[0].counterparty_iban == "PL27114020040000300201355387"
    assert len([p for _m, p, _h in bank.requests if "/transactions" in p]) == 3


def test_time_out_rate_limit_and_expired_consent_are_typed_errors(bank):
    resource = bank.add_account("PL61109010140000071219812874")
    provider, consent_id = _connected(bank, timeout=0.3)
    account = Account(resource, "PL61109010140000071219812874", "PLN")
    bank.timeout_sleep = 1.0
    bank.failures = ["timeout"]
    with pytest.raises(ProviderError) as error:
        list(provider.transactions(consent_id, account, TODAY))
    assert error.value.kind == "server" and "did not answer within 0.3 s" in str(error.value)
    bank.failures = [429]
    with pytest.raises(ProviderError) as error:
        provider.accounts(consent_id)
    assert error.value.kind == "rate_limit" and "retry after 3600 s" in str(error.value)
    bank.expire(consent_id)
    with pytest.raises(ProviderError) as error:
        provider.accounts(consent_id)
    assert error.value.kind == "consent" and "CONSENT_EXPIRED" in str(error.value)


def test_the_bank_enforces_four_unattended_reads_a_day(bank):
    bank.add_account("PL61109010140000071219812874")
    provider, consent_id = _connected(bank)
    for _ in range(4):
        provider.accounts(consent_id)
    with pytest.raises(ProviderError) as error:
        provider.accounts(consent_id)
    assert error.value.kind == "rate_limit"
    assert provider.accounts(consent_id, psu_ip="10.0.0.7"), "the user present: not counted"


def test_requests_without_a_request_id_are_refused(bank):
    import requests  # noqa: PLC0415

    response = requests.get(f"{bank.url}/v1/accounts", timeout=5)
    assert response.status_code == 400
    assert response.json()["tppMessages"][0]["code"] == "FORMAT_ERROR"


def test_server_errors_and_broken_connections_are_server_errors_logged_without_secrets(bank):
    import logging  # noqa: PLC0415

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("odoo.addons.ar_bank_psd2.providers.base")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        bank.add_account("PL61109010140000071219812874")
        provider, consent_id = _connected(bank)
        provider.settings["access_token"] = "SECRET-TOKEN"
        bank.failures = [503]
        with pytest.raises(ProviderError) as error:
            provider.accounts(consent_id)
        assert (error.value.kind, error.value.status) == ("server", 503)
        assert "the bank answered 503" in str(error.value)
        bank.failures = ["drop"]
        with pytest.raises(ProviderError) as error:
            provider.accounts(consent_id)
        assert error.value.kind == "server" and "cannot be reached" in str(error.value)
        provider.consent_status(consent_id)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    logged = "\n".join(record.getMessage() for record in records)
    assert "/v1/accounts: 503" in logged and f"/v1/consents/{consent_id}/status: 200" in logged
    assert "SECRET-TOKEN" not in logged and "Bearer" not in logged
