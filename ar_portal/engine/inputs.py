"""What a customer types or a browser sends to the portal, parsed and checked: ids, counts, amounts, dates,
free text and e-mail addresses. Each parser returns a clean value or raises ``InputError`` with a code
(``amount_invalid``, ``email_invalid``...) that the portal turns into a translated message; nothing here
trusts the browser, and nothing here imports Odoo."""

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol

# PostgreSQL's integer: a larger id can only be forged, and would make the database refuse the query.
MAX_ID = 2**31 - 1
# Amounts above this are refused before any arithmetic (no invoice of ours is this large).
MAX_AMOUNT = Decimal("1000000000000")
ASCII_DIGITS = re.compile(r"[0-9]+")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Characters that only hide or fake text: bidirectional overrides and isolates.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
EMAIL_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class InputError(ValueError):
    """The value cannot be used; ``code`` names what is wrong (the portal shows its message)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def parse_id(text, code="invalid_selection"):
    """A record id from the browser: ASCII digits only (no ``²``, no sign, no spaces), 1 to ``MAX_ID``."""
    text = text.strip() if isinstance(text, str) else str(text)
    if not ASCII_DIGITS.fullmatch(text) or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise InputError(code)
    return int(text)


def parse_ids(values, code="invalid_selection", limit=1000):
    """Distinct ids in the order given; any malformed one refuses them all."""
    if len(values) > limit:
        raise InputError(code)
    ids = []
    for value in values:
        record_id = parse_id(value, code)
        if record_id not in ids:
            ids.append(record_id)
    return ids


def parse_count(text, minimum, maximum, default):
    """A small count (of instalments...) clamped to ``[minimum, maximum]``; ``default`` when not a number."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not ASCII_DIGITS.fullmatch(text) or len(text) > 4:
        return default
    return min(max(int(text), minimum), maximum)


def decimal_symbol(locale):
    """The decimal separator of a language code (``pl_PL``: ``,``; ``en_US``: ``.``), ``.`` if unknown."""
    try:
        return get_decimal_symbol(Locale.parse(locale or "en_US"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "."


def parse_amount(text, locale="en_US", places=2, maximum=MAX_AMOUNT):
    """A positive amount typed by a person, as ``Decimal``.

    Accepts ``1234.50``, ``1234,50``, ``1.234,50``, ``1,234.50`` and ``1 234,50``: with both ``.`` and
    ``,`` the last one is the decimal separator; with one of them only, it is the decimal separator unless
    it separates groups of three digits the way ``locale`` groups them (``1.234`` is 1234 in Polish,
    1.234 in English, refused for a currency of two decimals). Refuses anything else: other characters,
    other digits than 0-9, signs, exponents, NaN and infinity, zero, more than ``places`` decimals, more
    than ``maximum``."""
    if not isinstance(text, str):
        raise InputError("amount_invalid")
    text = re.sub(r"[\s\u00a0\u202f']", "", text)
    if not text or len(text) > 32 or not re.fullmatch(r"[0-9.,]+", text):
        raise InputError("amount_invalid")
    separators = [char for char in text if char in ".,"]
    if separators:
        decimal = separators[-1]
        if len(set(separators)) == 1 and (
            len(separators) > 1
            or (decimal != decimal_symbol(locale) and len(text.rsplit(decimal, 1)[1]) == 3)
        ):
            decimal = None  # only grouping separators: 1.234.567 or, in Polish, 1.234
        whole, _sep, fraction = text.rpartition(decimal) if decimal else (text, "", "")
        groups = re.split(r"[.,]", whole)
        if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])):
            raise InputError("amount_invalid")
        if not whole or (decimal and not fraction) or (fraction and not fraction.isdigit()):
            raise InputError("amount_invalid")
        text = "".join(groups) + ("." + fraction if fraction else "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InputError("amount_invalid") from None
    if not amount.is_finite() or amount <= 0 or amount > maximum:
        raise InputError("amount_invalid")
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise InputError("amount_invalid")
    return amount.quantize(Decimal(1).scaleb(-places))


def parse_date(text, code="date_invalid"):
    """An ISO date ``yyyy-mm-dd`` (what an ``<input type="date">`` sends), ASCII digits only."""
    match = ISO_DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise InputError(code)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InputError(code) from None


def clean_text(text, max_length, multiline=False):
    """Free text without control characters (NUL, escape, bidirectional overrides...), line breaks only
    where ``multiline``, blanks collapsed on a single line, at most ``max_length`` characters."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    for char in text:
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            if multiline and char in "\n\t":
                kept.append(char)
            elif char in "\n\t":
                kept.append(" ")
            continue
        kept.append(char)
    text = "".join(kept)
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
    else:
        text = " ".join(text.split())
    return text[:max_length]


def parse_email(text):
    """One e-mail address and nothing else: no name, no second address, no line break or header, no
    comment; ASCII local part, the domain may be international (IDNA). Returns it with the domain in lower
    case; empty text gives ``""``."""
    if not isinstance(text, str):
        raise InputError("email_invalid")
    text = text.strip()
    if not text:
        return ""
    if (
        len(text) > 254
        or text.count("@") != 1
        or any(unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp") for char in text)
    ):
        raise InputError("email_invalid")
    local, domain = text.split("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        raise InputError("email_invalid") from None
    labels = ascii_domain.split(".")
    if (
        len(local) > 64
        or not EMAIL_LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(EMAIL_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InputError("email_invalid")
    return f"{local}@{domain.lower()}"
