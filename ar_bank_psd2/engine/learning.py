"""What a customer's payment titles have in common, learned when people match its payments (no Odoo).

:func:`learned_pattern` keeps the words of a title that are not invoice numbers, numbers, amounts, common
payment words or the customer's own name: a fragment such as ``nr klienta abc`` recurring in the customer's
payments, which the matching engine then reads as that customer (``Customer.patterns``).
"""

import re

# Words too common in payment titles to tell customers apart.
STOPWORDS = frozenset(
    """faktura faktury fakturze fakture fakturę fv nr numer zaplata zapłata platnosc płatność przelew
    za na do od oraz i w z tytul tytułem tytułem invoice invoices inv payment pay paid for the of and no
    number ref reference transfer przelewem splata spłata rachunek rachunku vat idc txt""".split()
)
MIN_PATTERN_LENGTH = 8
MIN_PATTERN_WORDS = 2


def learned_pattern(title: str | None, invoice_numbers: list[str], partner_name: str | None) -> str:
    """The words of a payment title that are neither invoice numbers, numbers, amounts nor common
    payment words: a fragment that recurs in this customer's payments ('' when too short to tell)."""
    text = (title or "").lower()
    for number in invoice_numbers:
        text = text.replace((number or "").lower(), " ")
    words = [
        word
        for word in re.findall(r"[^\W\d_]{3,}", text)
        if word not in STOPWORDS and word not in (partner_name or "").lower().split()
    ]
    pattern = " ".join(words)
    return pattern if len(pattern) >= MIN_PATTERN_LENGTH and len(words) >= MIN_PATTERN_WORDS else ""
