"""KSeF numbers: the identifier the national e-invoicing system (KSeF) gives each accepted invoice.

Plain Python, no Odoo. A KSeF number has 35 characters, ``NNNNNNNNNN-YYYYMMDD-XXXXXXXXXXXX-CC``: the seller's
NIP, the date KSeF accepted the invoice, 12 hexadecimal characters and a CRC-8 checksum (polynomial 0x07,
initial value 0x00) of the first 32 characters (dashes included), written as 2 upper-case hexadecimal
characters (the Ministry of Finance's KSeF API v2 documentation, "Numer KSeF – struktura i walidacja").

Payers write it in transfer titles (art. 108g of the VAT act) with or without its dashes, in any case,
several in one title, inside the ``/INV/`` field of a split payment. :func:`find_ksef` finds the valid ones
in a text and gives them back in their canonical (dashed, upper-case) form.
"""

import re
from datetime import date

# Dashes (or spaces) optional between the parts; no letter or digit glued on either side.
_KSEF = re.compile(
    r"(?<![0-9A-Z])(\d{10})[-\s]?(\d{8})[-\s]?([0-9A-F]{12})[-\s]?([0-9A-F]{2})(?![0-9A-Z])", re.IGNORECASE
)


def _crc8_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return tuple(table)


_CRC8 = _crc8_table()


def crc8(data: str) -> str:
    """CRC-8 (polynomial 0x07, initial value 0x00) of ``data`` as 2 upper-case hexadecimal characters."""
    crc = 0
    for byte in data.encode("ascii"):
        crc = _CRC8[crc ^ byte]
    return f"{crc:02X}"


def _valid_date(text: str) -> bool:
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True


def canonical_ksef(nip: str, day: str, technical: str, checksum: str) -> str | None:
    """The dashed, upper-case KSeF number of these parts, or None when its date or checksum is wrong."""
    data = f"{nip}-{day}-{technical.upper()}"
    if not _valid_date(day) or crc8(data) != checksum.upper():
        return None
    return f"{data}-{checksum.upper()}"


def normalize_ksef(text: str | None) -> str | None:
    """``text`` as a canonical KSeF number when it is exactly one valid KSeF number, else None."""
    match = _KSEF.fullmatch((text or "").strip())
    return canonical_ksef(*match.groups()) if match else None


def is_valid_ksef(text: str | None) -> bool:
    return normalize_ksef(text) is not None


def find_ksef(text: str | None) -> list[str]:
    """The valid KSeF numbers written in ``text``, canonical, in the order written, each once."""
    found = []
    for match in _KSEF.finditer(text or ""):
        number = canonical_ksef(*match.groups())
        if number and number not in found:
            found.append(number)
    return found


def remove_ksef(text: str | None) -> str:
    """``text`` with its valid KSeF numbers blanked out, so their digits are not read as other numbers."""

    def blank(match):
        return " " if canonical_ksef(*match.groups()) else match.group()

    return _KSEF.sub(blank, text or "")
