"""Text of a bank file whose encoding nobody declared.

Polish banks write statement files in UTF-8 (with or without a BOM), Windows-1250, ISO-8859-2, CP852
or, in old systems, Mazovia (CP437 with the Polish letters on 18 of its places). Valid UTF-8 wins;
otherwise each single-byte candidate is scored by the Polish letters it yields (other Central European
letters count less) against the characters no statement contains (C1 controls, box drawing, letters of
other alphabets).
"""

import codecs
import re
from collections import Counter

POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Letters of the other languages these code pages serve (Czech, Slovak, Hungarian, German…): plausible,
# worth less than a Polish letter, so that a Hungarian CP852 file is not read as Windows-1250.
LATIN2_LETTERS = frozenset("áâäçéëíîôöúüýčďěňřšťůžőűÁÂÄÇÉËÍÎÔÖÚÜÝČĎĚŇŘŠŤŮŽŐŰ")
# Non-ASCII characters a Polish statement plausibly holds besides its letters (0xFF as PKO's empty marker).
PLAUSIBLE = frozenset("˙ÿ\u00a0§°€«»–—„”“’´·×äöüÄÖÜéÉ")
# Tried in this order; on a tie the first wins (the two ISO/Windows tables agree on most letters).
CANDIDATES = ("cp1250", "iso-8859-2", "cp852", "mazovia")
# Mazovia: the bytes where it puts Polish letters instead of CP437's characters.
_MAZOVIA = dict(
    zip(
        b"\x86\x8d\x91\x92\xa4\xa2\x9e\xa6\xa7\x8f\x95\x90\x9c\xa5\xa3\x98\xa0\xa1",
        "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ",
        strict=True,
    )
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A capital letter inside a lower-case word ("utŹnvét"): a byte read with the wrong table.
_CAPITAL_INSIDE_WORD = re.compile(r"(?<=[a-z])[^\x00-\x7f](?=[a-z])")


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
        text = decode_mazovia(data) if encoding == "mazovia" else data.decode(encoding, errors="replace")
        score = _score(text)
        if best_score is None or score > best_score:
            best_text, best_score = text, score
    return best_text


def decode_mazovia(data: bytes) -> str:
    """``data`` read as Mazovia: CP437 with the Polish letters in place of 18 of its characters."""
    return "".join(_MAZOVIA.get(byte) or bytes((byte,)).decode("cp437") for byte in data)


def _score(text: str) -> int:
    score = -4 * sum(char.isupper() for char in _CAPITAL_INSIDE_WORD.findall(text))
    for char, count in Counter(_NON_ASCII.findall(text)).items():
        if char in POLISH_LETTERS:
            score += 2 * count
        elif char in LATIN2_LETTERS:
            score += count
        elif char == "\ufffd" or "\x80" <= char <= "\x9f":
            score -= 5 * count
        elif char not in PLAUSIBLE:
            score -= 3 * count
    return score
