"""The KSeF engine (offline deadline, verification links), without a database."""

import base64
from datetime import date

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ..engine.ksef import (
    PSS,
    certificate_link,
    invoice_digest,
    invoice_link,
    next_business_day,
    offline_deadline,
    polish_public_holidays,
)

XML = b'<?xml version="1.0"?><Faktura><Fa><P_1>2026-02-01</P_1></Fa></Faktura>'


def _unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize(
    ("issued", "deadline"),
    [
        (date(2026, 7, 8), date(2026, 7, 9)),  # Wednesday -> Thursday (the Ministry's example)
        (date(2026, 7, 10), date(2026, 7, 13)),  # Friday -> Monday
        (date(2026, 7, 11), date(2026, 7, 13)),  # Saturday -> Monday
        (date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday -> Tuesday after Easter Monday (6 April)
        (date(2026, 4, 30), date(2026, 5, 4)),  # 1 May a holiday, 2-3 May a weekend (3 May a holiday too)
        (date(2026, 12, 23), date(2026, 12, 28)),  # 24-26 December: Christmas Eve is a holiday from 2025
        (date(2026, 6, 3), date(2026, 6, 5)),  # Corpus Christi, 4 June 2026
        (date(2026, 11, 10), date(2026, 11, 12)),  # Independence Day
    ],
)
def test_offline_deadline_is_the_next_business_day(issued, deadline):
    assert offline_deadline(issued) == deadline


def test_holidays_move_with_easter():
    assert {
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 5, 24),
        date(2026, 6, 4),
    } <= polish_public_holidays(2026)
    assert date(2024, 12, 24) not in polish_public_holidays(2024)
    assert next_business_day(date(2024, 12, 23)) == date(2024, 12, 24)


def test_invoice_link_matches_the_ministry_example_shape():
    link = invoice_link("https://qr-test.ksef.mf.gov.pl", "1111111111", date(2026, 2, 1), XML)
    assert link == f"https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/{invoice_digest(XML)}"
    assert len(invoice_digest(XML)) == 43 and "=" not in invoice_digest(XML)


def test_certificate_link_is_signed_with_rsa_pss():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    link = certificate_link("https://qr-test.ksef.mf.gov.pl", "1111111111", "01F20A5D352AE590", XML, key)
    path, signature = link.removeprefix("https://").rsplit("/", 1)
    assert (
        path
        == "qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/"
        + invoice_digest(XML)
    )
    key.public_key().verify(_unb64url(signature), path.encode(), PSS, hashes.SHA256())
    with pytest.raises(InvalidSignature):
        key.public_key().verify(
            _unb64url(signature), path.replace("1111111111", "2222222222", 1).encode(), PSS, hashes.SHA256()
        )


def test_certificate_link_is_signed_with_ecdsa_p1363():
    key = ec.generate_private_key(ec.SECP256R1())
    link = certificate_link("https://qr.ksef.mf.gov.pl", "5265877635", "0A", XML, key)
    path, signature = link.removeprefix("https://").rsplit("/", 1)
    raw = _unb64url(signature)
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(der, path.encode(), ec.ECDSA(hashes.SHA256()))


def test_certificate_link_refuses_weak_keys():
    with pytest.raises(ValueError, match="2048"):
        certificate_link("https://qr.ksef.mf.gov.pl", "1", "0A", XML, rsa.generate_private_key(65537, 1024))
    with pytest.raises(ValueError, match="P-256"):
        certificate_link("https://qr.ksef.mf.gov.pl", "1", "0A", XML, ec.generate_private_key(ec.SECP384R1()))
