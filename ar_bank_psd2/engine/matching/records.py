"""What the matching engine takes in and gives back: plain dataclasses, money as ``Decimal``."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(slots=True)
class OpenItem:
    """One open receivable: an invoice's (or credit note's) receivable journal item."""

    id: int
    move_id: int
    partner_id: int
    number: str
    payment_reference: str = ""
    rf_reference: str = ""
    residual: Decimal = Decimal(0)
    currency: str = ""
    due_date: date | None = None
    invoice_date: date | None = None
    ksef_number: str = ""


@dataclass(slots=True)
class Customer:
    id: int
    name: str
    vat: str = ""
    ibans: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


@dataclass(slots=True)
class BankLine:
    id: int
    amount: Decimal
    currency: str
    date: date
    remittance: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    structured_reference: str = ""
    partner_id: int | None = None
    referred_documents: tuple[tuple[str, Decimal | None], ...] = ()


@dataclass(slots=True)
class Settings:
    """The defaults are those of a fresh install's rule for customer payments."""

    writeoff_tolerance: Decimal = Decimal("15.00")
    writeoff_tolerance_percent: Decimal = Decimal("2")
    # Partial-payment policy: a payment short of the one invoice it quotes exactly and uniquely (not a
    # typo, not a short form without an invoice word) is applied, the rest left open; off: suggested.
    partial_when_exact: bool = True
    # One edit per 6 characters of a compact reference, at most this many (0 turns typo matching off).
    fuzzy_max_distance: int = 1
    name_similarity_min: float = 0.85
    max_subset_items: int = 12
    ambiguity_margin: float = 5.0


@dataclass(slots=True)
class Allocation:
    """``amount`` of the bank line for ``item_id``, in the bank line's currency, signed like the residual."""

    item_id: int
    amount: Decimal


@dataclass(slots=True)
class Proposal:
    """One way to apply a bank line. ``writeoff`` (a shortfall to book as bank fee) and ``overpayment``
    (left on the customer's account) are in the bank line's currency, like the allocations; ``reasons``
    are tokens such as ``ref:exact:FV/2026/00123``, ``amount:writeoff:2.50`` or ``partner:iban``."""

    line_id: int
    partner_id: int | None
    allocations: list[Allocation]
    score: float
    reasons: list[str]
    writeoff: Decimal = Decimal(0)
    overpayment: Decimal = Decimal(0)
    ambiguous: bool = False
