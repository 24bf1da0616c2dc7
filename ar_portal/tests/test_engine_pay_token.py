"""The signed token binding a payment to what the customer confirmed, without a database."""

import hashlib
import hmac
from decimal import Decimal as D

import pytest

from ..engine.pay_token import PaySelection, PayTokenError, make_token, read_token


def sign(payload):
    return hmac.new(b"secret", payload.encode(), hashlib.sha256).hexdigest()


def other_sign(payload):
    return hmac.new(b"another database", payload.encode(), hashlib.sha256).hexdigest()


SELECTION = PaySelection(
    partner_id=7,
    currency_id=3,
    allocation={11: D("100.00"), 12: D("120.50")},
    reference="INV/1-INV/2",
    expires=2000,
)


def test_a_token_gives_back_exactly_what_was_signed():
    token = make_token(SELECTION, sign)
    assert read_token(token, sign, 7, now=1000) == SELECTION
    assert read_token(token, sign, 7, now=1000).total == D("220.50")


def test_altered_foreign_expired_or_malformed_tokens_are_refused():
    token = make_token(SELECTION, sign)
    payload, signature = token.split(".")
    cheaper = make_token(PaySelection(7, 3, {11: D("1.00")}, "INV/1", 2000), sign).split(".")[0]
    attempts = {
        "amount changed": f"{cheaper}.{signature}",
        "signature changed": f"{payload}.{signature[:-1]}{'1' if signature[-1] == '0' else '0'}",
        "other database": make_token(SELECTION, other_sign),
        "no signature": payload,
        "empty": "",
        "not text": None,
        "two dots": token + ".x",
        "non-ascii": token + "ł",
    }
    for label, attempt in attempts.items():
        with pytest.raises(PayTokenError):
            read_token(attempt, sign, 7, now=1000)
        assert label
    with pytest.raises(PayTokenError, match="partner"):
        read_token(token, sign, 8, now=1000)
    with pytest.raises(PayTokenError, match="expired"):
        read_token(token, sign, 7, now=2001)
