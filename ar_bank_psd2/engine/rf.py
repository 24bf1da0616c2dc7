"""ISO 11649 structured creditor references: ``RF``, two check digits, then 1 to 21 letters or digits.

The check digits make ``base + "RF" + digits`` (letters as numbers, A=10 … Z=35) equal 1 modulo 97, the
IBAN rule. References are printed in groups of four (``RF18 5390 0754 7034``) and compared compact.
"""

import re

# stdnum.iban reads its bank registry at import, which fails under pytest-odoo; mod 97-10 is all we need.
from stdnum.iso7064 import mod_97_10

MAX_BASE = 21
_COMPACT_RF = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")
# Where a reference may start in free text: "RF" and two digits, not inside a longer word.
_RF_START = re.compile(r"(?<![0-9A-Za-z])RF\d{2}", re.IGNORECASE)
# What may follow: letters and digits, in groups separated by single spaces.
_RF_TAIL = re.compile(r"[0-9A-Za-z]+(?: [0-9A-Za-z]+)*")


def compact_rf(text: str | None) -> str:
    """``text`` without whitespace, upper case (``rf18 5390`` gives ``RF185390``)."""
    return re.sub(r"\s+", "", text or "").upper()


def rf_reference(base: str) -> str:
    """The RF reference of ``base`` (1 to 21 letters or digits; spaces ignored, lower case accepted)."""
    compact = compact_rf(base)
    if not compact:
        raise ValueError("An RF reference needs a base of 1 to 21 letters or digits; the base is empty.")
    if not compact.isascii() or not compact.isalnum():
        raise ValueError(f"The base of an RF reference may hold only letters A-Z and digits, not {base!r}.")
    if len(compact) > MAX_BASE:
        raise ValueError(
            f"The base of an RF reference has at most {MAX_BASE} characters; {base!r} has {len(compact)}."
        )
    return "RF" + mod_97_10.calc_check_digits(compact + "RF") + compact


def is_valid_rf(text: str | None) -> bool:
    """Whether ``text`` (spaces allowed, any case) is an RF reference with correct check digits."""
    compact = compact_rf(text)
    if not _COMPACT_RF.fullmatch(compact):
        return False
    return mod_97_10.is_valid(compact[4:] + compact[:4])


def find_rf(text: str | None) -> list[str]:
    """The valid RF references written in ``text``, compact, in order, each once.

    A reference is written either compact (``RF18539007547034``) or in groups of four separated by single
    spaces (``RF18 5390 0754 7034``, the last group may be shorter). Of the groups that follow ``RF18``
    the longest run giving valid check digits is taken, so a word after the reference is not swallowed
    unless the check digits happen to hold for it as well (1 chance in 97, and only for a word of at
    most four letters or digits).
    """
    found = []
    text = text or ""
    for start in _RF_START.finditer(text):
        pieces = _RF_TAIL.match(text, start.start()).group().split(" ")
        candidates = [pieces[0]]
        if len(pieces[0]) == 4:  # "RF18" then groups of four, the last one possibly shorter
            for count in range(2, len(pieces) + 1):
                if len(pieces[count - 1]) > 4 or len(pieces[count - 2]) != 4:
                    break
                candidates.append("".join(pieces[:count]))
        for candidate in reversed(candidates):
            reference = candidate.upper()
            if is_valid_rf(reference):
                if reference not in found:
                    found.append(reference)
                break
    return found
