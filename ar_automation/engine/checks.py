"""Pre-posting checks of customer invoices.

The model gathers each invoice's facts into an :class:`InvoiceFacts`; :func:`run_checks` returns the
:class:`Problem` list for the enabled checks. A problem names its check (``code``), the record and the
field at fault, and the values its message is formatted with; the model owns the (translatable) wording.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_97_10

# IBAN lengths of the SEPA countries and a few more (ISO 13616 registry). python-stdnum's own iban module
# reads its registry file at import, which fails once Odoo has set up its import hooks
# (importlib.resources gives an "orphan path"): its ISO 7064 check is used, with this table.
IBAN_LENGTHS = {
    "AD": 24,
    "AT": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GI": 23,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "UA": 29,
    "VA": 22,
}


@dataclass(frozen=True)
class OrderLineFacts:
    """An invoice line's link to its sale order line."""

    label: str
    invoice_price: Decimal
    order_price: Decimal
    invoice_discount: Decimal
    order_discount: Decimal
    ordered_qty: Decimal
    invoiced_qty_elsewhere: Decimal
    invoiced_qty_here: Decimal


@dataclass(frozen=True)
class InvoiceFacts:
    partner: str
    is_company: bool = True
    country_code: str | None = None
    vat: str | None = None
    street: str | None = None
    city: str | None = None
    zip: str | None = None
    email: str | None = None
    sends_by_email: bool = False
    has_payment_terms: bool = False
    journal: str = ""
    bank_accounts: tuple[str, ...] = ()
    order_lines: tuple[OrderLineFacts, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    values: dict


def check_vat(facts):
    if not facts.is_company:
        return []
    if not facts.vat:
        return [Problem("vat", "vat", {"partner": facts.partner})]
    if not is_valid_vat(facts.vat, facts.country_code):
        return [
            Problem(
                "vat",
                "vat",
                {"partner": facts.partner, "vat": facts.vat, "country": facts.country_code or "?"},
            )
        ]
    return []


def check_address(facts):
    missing = [name for name in ("street", "city", "zip", "country_code") if not getattr(facts, name)]
    if missing:
        return [Problem("address", "address", {"partner": facts.partner, "missing": missing})]
    return []


def check_email(facts):
    if facts.sends_by_email and not facts.email:
        return [Problem("email", "email", {"partner": facts.partner})]
    return []


def check_payment_terms(facts):
    if not facts.has_payment_terms:
        return [Problem("payment_terms", "invoice_payment_term_id", {"partner": facts.partner})]
    return []


def check_bank_account(facts):
    valid = [number for number in facts.bank_accounts if is_valid_iban(number)]
    if valid:
        return []
    return [
        Problem(
            "bank_account",
            "partner_bank_id",
            {"journal": facts.journal, "accounts": list(facts.bank_accounts)},
        )
    ]


def check_order_amounts(facts):
    return [
        Problem(
            "order_amounts",
            "invoice_line_ids",
            {
                "line": line.label,
                "invoice_price": line.invoice_price,
                "order_price": line.order_price,
                "invoice_discount": line.invoice_discount,
                "order_discount": line.order_discount,
            },
        )
        for line in facts.order_lines
        if line.invoice_price != line.order_price or line.invoice_discount != line.order_discount
    ]


def check_duplicate(facts):
    return [
        Problem(
            "duplicate",
            "invoice_line_ids",
            {
                "line": line.label,
                "ordered": line.ordered_qty,
                "elsewhere": line.invoiced_qty_elsewhere,
                "here": line.invoiced_qty_here,
            },
        )
        for line in facts.order_lines
        if line.ordered_qty > 0 and line.invoiced_qty_elsewhere + line.invoiced_qty_here > line.ordered_qty
    ]


CHECKS = {
    "vat": check_vat,
    "address": check_address,
    "email": check_email,
    "payment_terms": check_payment_terms,
    "bank_account": check_bank_account,
    "order_amounts": check_order_amounts,
    "duplicate": check_duplicate,
}


def run_checks(facts, enabled=None):
    """The problems of one invoice for the enabled check codes (all when ``enabled`` is None),
    in the order of :data:`CHECKS`."""
    codes = CHECKS if enabled is None else [code for code in CHECKS if code in set(enabled)]
    problems = []
    for code in codes:
        problems.extend(CHECKS[code](facts))
    return problems


def is_valid_vat(vat, country_code):
    """True when ``vat`` is a valid VAT number for ``country_code`` (ISO 3166 alpha-2), with or without
    its country prefix; numbers of countries python-stdnum has no VAT module for are accepted as
    they are, unless they are empty."""
    number = (vat or "").strip().replace(" ", "").upper()
    if not number:
        return False
    country = (country_code or number[:2]).lower()
    if country == "gr":
        country = "el"
    try:
        module = get_cc_module(country, "vat")
    except (ImportError, StdnumError):
        module = None
    if module is None:
        return True
    candidates = [number]
    if number[:2].lower() in (country, country_code and country_code.lower()):
        candidates.append(number[2:])
    return any(_is_valid(module, candidate) for candidate in candidates)


def _is_valid(module, number):
    try:
        return bool(module.is_valid(number))
    except StdnumError:
        return False


def is_valid_iban(number):
    """ISO 13616 check: country length (for the countries in :data:`IBAN_LENGTHS`) and mod-97 checksum."""
    compact = (number or "").replace(" ", "").replace("-", "").upper()
    if len(compact) < 15 or not compact.isalnum() or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected and len(compact) != expected:
        return False
    return mod_97_10.is_valid(compact[4:] + compact[:4])
