"""Text of a bank file whose encoding nobody declared.

Polish banks write statement files in UTF-8, Windows-1250, ISO-8859-2 or CP852. Valid UTF-8 wins;
otherwise each single-byte candidate is scored by the Polish letters it yields against the characters
no Polish statement contains (C1 controls, box drawing, letters of other alphabets).
"""

import codecs
import re
from collections import Counter

POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Non-ASCII characters a Polish statement plausibly holds besides its letters (0xFF as PKO's empty marker).
PLAUSIBLE = frozenset("˙ÿ\u00a0§°€«»–—„”“’´·×äöüÄÖÜéÉ")
# Tried in this order; on a tie the first wins (the two ISO/Windows tables agree on most letters).
CANDIDATES = ("cp1250", "iso-8859-2", "cp852")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def decode_bank_file(data: bytes) -> str:
    """``data`` as text; never raises (undecodable bytes become U+FFFD in the Windows-1250 reading)."""
    data = bytes(data)
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best_text, best_score = None, None
    for encoding in CANDIDATES:
        text = data.decode(encoding, errors="replace")
        score = _score(text)
        if best_score is None or score > best_score:
            best_text, best_score = text, score
    return best_text


def _score(text: str) -> int:
    score = 0
    for char, count in Counter(_NON_ASCII.findall(text)).items():
        if char in POLISH_LETTERS:
            score += 2 * count
        elif char == "\ufffd" or "\x80" <= char <= "\x9f":
            score -= 5 * count
        elif char not in PLAUSIBLE:
            score -= 3 * count
    return score
