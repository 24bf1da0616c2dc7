"""The payment a customer confirmed on the pay page, carried to the transaction in a signed token.

The pay page shows the invoices, the amount of each, the total and the reference; the token holds exactly
these (with the customer, the currency and an expiry) and a signature over them, so the transaction
created from the page is the one shown, whatever another tab, another site or the browser's tools send.
The signature itself is computed by the caller (``sign``: text -> hex digest, e.g. Odoo's ``hmac`` with the
database secret); this module only lays the values out and checks them."""

import base64
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# How long a pay page can be left open before paying from it needs a reload.
TOKEN_SECONDS = 3600


class PayTokenError(ValueError):
    """The token is not one this database signed for this customer, or it expired."""


@dataclass(frozen=True)
class PaySelection:
    partner_id: int
    currency_id: int
    allocation: dict  # {invoice id: Decimal amount}
    reference: str
    expires: int

    @property
    def total(self):
        return sum(self.allocation.values(), Decimal(0))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(selection, sign):
    """``payload.signature``: the selection as compact JSON (URL-safe base64) and ``sign(payload)``."""
    payload = _b64(
        json.dumps(
            {
                "p": selection.partner_id,
                "c": selection.currency_id,
                "a": [[invoice_id, str(amount)] for invoice_id, amount in selection.allocation.items()],
                "r": selection.reference,
                "e": selection.expires,
            },
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
    )
    return f"{payload}.{sign(payload)}"


def read_token(token, sign, partner_id, now):
    """The ``PaySelection`` in ``token`` if ``sign`` signed it for ``partner_id`` and it has not expired
    at ``now`` (POSIX time); else ``PayTokenError``."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 8000:
        raise PayTokenError("malformed")
    payload, signature = token.split(".")
    if not hmac.compare_digest(sign(payload).encode(), signature.encode("ascii", "replace")):
        raise PayTokenError("signature")
    try:
        data = json.loads(_unb64(payload))
        selection = PaySelection(
            partner_id=int(data["p"]),
            currency_id=int(data["c"]),
            allocation={int(invoice_id): Decimal(amount) for invoice_id, amount in data["a"]},
            reference=str(data["r"]),
            expires=int(data["e"]),
        )
    except (ValueError, KeyError, TypeError, InvalidOperation) as error:
        raise PayTokenError("malformed") from error
    if selection.partner_id != partner_id:
        raise PayTokenError("partner")
    if selection.expires < now:
        raise PayTokenError("expired")
    return selection
