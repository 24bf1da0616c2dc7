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
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# A byte between two lower-case letters: read as a capital ("utŹnvét"), the table is wrong.
_HIGH_BYTE_INSIDE_WORD = re.compile(rb"(?<=[a-z])[\x80-\xff](?=[a-z])")


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
    # Only bytes 0x80-0xFF read differently in the candidate tables: count them once, score each table.
    high = Counter(_HIGH_BYTE.findall(data))
    inside_words = Counter(_HIGH_BYTE_INSIDE_WORD.findall(data))
    best, best_score = None, None
    for encoding in CANDIDATES:
        score = _score(encoding, high, inside_words)
        if best_score is None or score > best_score:
            best, best_score = encoding, score
    return _decode(data, best)


def _decode(data: bytes, encoding: str) -> str:
    return decode_mazovia(data) if encoding == "mazovia" else data.decode(encoding, errors="replace")


_MAZOVIA_TABLE = "".join(_MAZOVIA.get(byte) or bytes((byte,)).decode("cp437") for byte in range(256))


def decode_mazovia(data: bytes) -> str:
    """``data`` read as Mazovia: CP437 with the Polish letters in place of 18 of its characters."""
    return codecs.charmap_decode(bytes(data), "strict", _MAZOVIA_TABLE)[0]


def _score(encoding: str, high: Counter, inside_words: Counter) -> int:
    """How Polish the non-ASCII bytes ``high`` read in ``encoding``; a capital inside a word costs."""
    score = -4 * sum(count for byte, count in inside_words.items() if _decode(byte, encoding).isupper())
    for byte, count in high.items():
        char = _decode(byte, encoding)
        if char in POLISH_LETTERS:
            score += 2 * count
        elif char in LATIN2_LETTERS:
            score += count
        elif char == "\ufffd" or "\x80" <= char <= "\x9f":
            score -= 5 * count
        elif char not in PLAUSIBLE:
            score -= 3 * count
    return score
