"""Split payment (MPP, mechanizm podzielonej płatności) titles.

A split payment carries ``/VAT/<vat amount>/IDC/<supplier NIP>/INV/<invoice number>[/TXT/<free text>]``
in its title (Elixir 4×35). Banks and payers vary the case, the decimal separator and the spacing, and
the invoice number may itself hold slashes (``FV 1/2026``), so the fields are cut at the next keyword.
"""

import re
from decimal import Decimal, InvalidOperation

# Longer texts are not titles (Elixir allows 4×35); the cap also bounds the regular expression's work.
MAX_TITLE = 1000
_MPP = re.compile(
    r"/\s*VAT\s*/\s*(?P<vat>[0-9][0-9 .,]*?)\s*"
    r"/\s*IDC\s*/\s*(?P<nip>[^/]*?)\s*"
    r"/\s*INV\s*/\s*(?P<invoice>.*?)\s*"
    r"(?:/\s*TXT\s*/\s*(?P<text>.*?))?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def parse_mpp(title: str | None) -> dict | None:
    """``{vat_amount: Decimal, nip: str, invoice: str, text: str}`` of a split payment title, else None.

    ``nip`` keeps only letters and digits (``PL 526-025-02-74`` gives ``5260250274``: the Polish
    prefix is dropped); ``invoice`` and ``text`` are stripped. A title without a parsable VAT amount,
    an IDC or an invoice number is not a split payment.
    """
    match = _MPP.search((title or "")[:MAX_TITLE])
    if not match:
        return None
    vat = _amount(match["vat"])
    nip = re.sub(r"[^0-9A-Z]", "", match["nip"].upper())
    if nip.startswith("PL") and nip[2:].isdigit():
        nip = nip[2:]
    invoice = " ".join(match["invoice"].split())
    if vat is None or not nip or not invoice:
        return None
    text = " ".join((match["text"] or "").split())
    return {"vat_amount": vat, "nip": nip, "invoice": invoice, "text": text}


def _amount(text: str) -> Decimal | None:
    """``123,45``, ``123.45``, ``1 234,56`` or ``1.234,56`` as a Decimal; None when it is not one."""
    text = text.replace(" ", "")
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
        return None
