"""What every statement parser returns: plain dataclasses, money as ``Decimal``.

A :class:`Transaction` is one booked movement on our account, signed from our side (credit positive).
:func:`fingerprint` gives the same id for the same payment whether it came through a PSD2 API or a
statement file, so the second sighting can be reported instead of reconciled twice.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# stdnum.iban reads its bank registry at import, which fails under pytest-odoo; the checksum is enough here.
from stdnum.iso7064 import mod_97_10

from .shared import compact_upper


class StatementFileError(ValueError):
    """The file cannot be read as a statement; the message names the line and the tag or element."""


@dataclass(slots=True)
class Transaction:
    booking_date: date
    amount: Decimal
    currency: str = ""
    value_date: date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance: str = ""
    structured_reference: str = ""
    end_to_end_id: str = ""
    bank_reference: str = ""
    transaction_type: str = ""
    raw: dict | str | None = None
    mpp: dict | None = None
    line_no: int | None = None
    # camt Strd/RfrdDocInf: the documents a payment settles, with the amount remitted for each if given.
    referred_documents: tuple[tuple[str, Decimal | None], ...] = ()
    # Not booked yet (an open-banking read with pending transactions): shown, never booked.
    pending: bool = False
    # The bank's own ids of this transaction, most specific first, as ``(kind, value)``: camt
    # ``("AcctSvcrRef", …)``, ``("TxId", …)``, ``("NtryRef", "<ref>/<detail index>")``, ``("EndToEndId", …)``;
    # MT940 ``("bank reference", …)``, ``("TNR", …)``. Placeholders may be left in: engine/identity.py
    # decides which id, if any, identifies the transaction. Empty: it reads ``bank_reference`` and
    # ``end_to_end_id`` instead.
    bank_ids: tuple[tuple[str, str], ...] = ()
    # The BIC of the counterparty's bank, where the file gives it.
    counterparty_bic: str = ""


@dataclass(slots=True)
class Statement:
    account_iban: str
    currency: str = ""
    statement_id: str = ""
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    opening_date: date | None = None
    closing_date: date | None = None
    transactions: list[Transaction] = field(default_factory=list)


def normalize_account(value: str | None) -> str:
    """An account number as written by a bank, as an IBAN where it can be one.

    Drops spaces, dashes and a leading ``/``; a Polish NRB (26 digits) gets its ``PL`` prefix; a
    trailing currency code (``PL61…PLN``) is dropped when what remains is a valid IBAN. Anything else
    (a domestic account of another country) is returned cleaned but unchanged.
    """
    text = re.sub(r"[\s\-]", "", value or "").upper().lstrip("/")
    if "/" in text:  # "BIC/IBAN" or "/IBAN/" as some banks write it
        text = next((part for part in reversed(text.split("/")) if part), "")
    if re.fullmatch(r"\d{26}", text):
        return "PL" + text
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+[A-Z]{3}", text) and not is_valid_iban(text):
        if is_valid_iban(text[:-3]):
            return text[:-3]
    return text


def is_valid_iban(value: str) -> bool:
    """Whether ``value`` (compact, upper case) has the shape and the ISO 7064 check digits of an IBAN."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", value):
        return False
    return mod_97_10.is_valid(value[4:] + value[:4])


def pl_iban_from_bban(sort_code: str, account: str) -> str:
    """The Polish IBAN of an 8-digit bank sort code and a 16-digit account number ('' if not digits)."""
    bban = re.sub(r"\D", "", sort_code or "") + re.sub(r"\D", "", account or "")
    if len(bban) != 24:
        return ""
    return "PL" + mod_97_10.calc_check_digits(bban + "PL") + bban


def fingerprint(tx: Transaction) -> str:
    """A channel-independent id of a payment: sha1 hex of its booking date, amount, counterparty and title.

    The counterparty is its IBAN (normalized) or else its name; the title is the structured reference
    or else the unstructured remittance. Case, spacing, punctuation, line wrapping and Polish
    diacritics do not change the fingerprint, so the same payment read from an API and from a file
    matches. Two genuinely equal payments on one day also match: callers add an occurrence counter.
    """
    party = normalize_account(tx.counterparty_iban) if tx.counterparty_iban else ""
    party = compact_upper(party) or "N:" + compact_upper(tx.counterparty_name)
    reference = compact_upper(tx.structured_reference or tx.remittance)
    amount = Decimal(tx.amount).quantize(Decimal("0.01"))
    key = "|".join((tx.booking_date.isoformat(), f"{amount:f}", party, reference))
    return hashlib.sha1(key.encode()).hexdigest()
