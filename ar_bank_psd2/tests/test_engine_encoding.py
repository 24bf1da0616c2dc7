"""Guessing the encoding of Polish bank files, without a database."""

import random
from pathlib import Path

import pytest

from ..engine.encoding import decode_bank_file, decode_mazovia

DATA = Path(__file__).parent / "data"
POLISH = "Zażółć gęślą jaźń. ZAŻÓŁĆ GĘŚLĄ JAŹŃ. Przelew przychodzący; opłata za wpłatę ŚĆŹĄ"
# Only the letters Windows-1250 and ISO-8859-2 write with the same bytes: either reading is right.
SHARED = "Łukasz Żelazny, ul. Ćmielowska 7; ÓŁĆĘŃ ółćęń"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "iso-8859-2", "cp852"])
def test_polish_text_round_trips(encoding):
    assert decode_bank_file(POLISH.encode(encoding)) == POLISH


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2", "cp852"])
def test_letters_in_a_statement_line_round_trip(encoding):
    line = ":86:020~20Zapłata za fakturę~32SPÓŁDZIELNIA ŁĄKA~33˙"
    if encoding == "cp852":
        line = line.replace("˙", "")
    assert decode_bank_file(line.encode(encoding)) == line


def test_letters_shared_by_the_windows_and_iso_tables():
    assert decode_bank_file(SHARED.encode("iso-8859-2")) == SHARED
    assert decode_bank_file(SHARED.encode("cp1250")) == SHARED


def test_ascii_and_utf16_with_bom():
    assert decode_bank_file(b":20:ABC\r\n") == ":20:ABC\r\n"
    assert decode_bank_file("\ufeffZażółć".encode("utf-16-le")) == "Zażółć"
    assert decode_bank_file(b"") == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mt940_pko_cp1250.sta", "Przelew przychodzący"),
        ("mt940_pekao_caret.sta", "Spółdzielnia Mleczarsk"),
        ("mt940_mbank_cp852.sta", "PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY"),
        ("mt942_ing.sta", "Spółdzielnia Łąka"),
    ],
)
def test_sample_files(name, expected):
    assert expected in decode_bank_file((DATA / name).read_bytes())


def test_never_raises_on_any_bytes():
    rng = random.Random(940)
    samples = [bytes(range(256)), b"\xff" * 10, b"\xc3", b"\xed\xa0\x80", b"\x81\x83\x88\x90\x98"]
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(300)]
    for data in samples:
        assert isinstance(decode_bank_file(data), str)
    assert isinstance(decode_bank_file(bytearray(b"\xb9\xe6")), str)


# The Mazovia code page (as published with it): Polish letters on CP437's places.
MAZOVIA = {"ą": 0x86, "ć": 0x8D, "ę": 0x91, "ł": 0x92, "ń": 0xA4, "ó": 0xA2, "ś": 0x9E, "ź": 0xA6, "ż": 0xA7}
MAZOVIA |= {"Ą": 0x8F, "Ć": 0x95, "Ę": 0x90, "Ł": 0x9C, "Ń": 0xA5, "Ó": 0xA3, "Ś": 0x98, "Ź": 0xA0, "Ż": 0xA1}


def test_mazovia_is_recognised():
    encoded = bytes(MAZOVIA.get(char, ord(char)) for char in POLISH)
    assert decode_mazovia(encoded) == POLISH
    assert decode_bank_file(encoded) == POLISH
    line = ":86:020~20Zapłata za fakturę~32SPÓŁDZIELNIA ŁĄKA"
    assert decode_bank_file(bytes(MAZOVIA.get(char, ord(char)) for char in line)) == line


def test_hungarian_cp852_is_not_read_as_windows_1250():
    text = "Csoportos átutalás jóváírása; napi összevont utánvét"
    assert decode_bank_file(text.encode("cp852")) == text
