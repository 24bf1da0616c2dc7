"""The portal's parsers of what a browser sends, without a database."""

from datetime import date
from decimal import Decimal as D

import pytest

from ..engine.inputs import (
    MAX_ID,
    InputError,
    clean_text,
    parse_amount,
    parse_count,
    parse_date,
    parse_email,
    parse_id,
    parse_ids,
)


@pytest.mark.parametrize(
    ("text", "locale", "amount"),
    [
        ("1234.50", "en_US", "1234.50"),
        ("1234,50", "pl_PL", "1234.50"),
        ("1234.50", "pl_PL", "1234.50"),
        ("1.234,50", "pl_PL", "1234.50"),
        ("1.234,50", "en_US", "1234.50"),
        ("1,234.50", "en_US", "1234.50"),
        ("1 234,50", "pl_PL", "1234.50"),
        ("1\u00a0234,50", "pl_PL", "1234.50"),
        ("1.234", "pl_PL", "1234"),
        ("1,234", "en_US", "1234"),
        ("1.234.567", "pl_PL", "1234567"),
        ("12,5", "pl_PL", "12.5"),
        ("12,5", "en_US", "12.5"),
        ("0.01", "en_US", "0.01"),
        (" 500 ", "xx_YY", "500"),
    ],
)
def test_amounts_as_people_type_them(text, locale, amount):
    assert parse_amount(text, locale) == D(amount)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "-5",
        "+5",
        "0",
        "0,00",
        "1e30",
        "1E3",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "²",
        "١٢٣",
        "1.234",  # English: 1.234 has three decimals
        "1.2.3",
        "12,34.5",
        "1,2345.00",
        "1.005",
        "5.",
        ".5",
        "1\x00",
        "10000000000000",
        "9" * 40,
        "1;DROP TABLE account_move",
        "<b>1</b>",
    ],
)
def test_anything_else_is_not_an_amount(text):
    with pytest.raises(InputError) as error:
        parse_amount(text, "en_US")
    assert error.value.code == "amount_invalid"


def test_amounts_in_a_currency_without_decimals():
    assert parse_amount("1.234", "pl_PL", places=0) == D("1234")
    with pytest.raises(InputError):
        parse_amount("12,5", "pl_PL", places=0)


@pytest.mark.parametrize(
    "text", ["²", "-1", "0", "1.0", "1e3", " ", "", "abc", str(MAX_ID + 1), "9" * 30, "٣"]
)
def test_ids_are_plain_positive_integers(text):
    with pytest.raises(InputError):
        parse_id(text)


def test_ids():
    assert parse_id(" 42 ") == 42
    assert parse_ids(["3", "1", "3"]) == [3, 1]
    with pytest.raises(InputError):
        parse_ids(["1", "²"])
    with pytest.raises(InputError):
        parse_ids([str(i) for i in range(1, 2000)])


@pytest.mark.parametrize(
    ("text", "count"),
    [("3", 3), ("0", 1), ("99", 24), ("²", 3), ("-2", 3), ("", 3), (None, 3), ("1" * 50, 3)],
)
def test_counts_are_clamped_or_default(text, count):
    assert parse_count(text, 1, 24, 3) == count


def test_dates_are_iso_only():
    assert parse_date("2026-11-27") == date(2026, 11, 27)
    assert parse_date("9999-12-31") == date(9999, 12, 31)
    for text in (
        "27.11.2026",
        "2026-02-30",
        "²026-01-01",
        "2026-1-1",
        "",
        None,
        "2026-11-27\x00",
        "99999-01-01",
    ):
        with pytest.raises(InputError):
            parse_date(text)


def test_text_loses_control_characters():
    assert clean_text("ZAM/\x002026\x1b[31m/17\u202e", 64) == "ZAM/2026[31m/17"
    assert clean_text("  a \t b\nc  ", 64) == "a b c"
    assert clean_text("line 1\r\nline 2\x07\n\n\n\nend", 500, multiline=True) == "line 1\nline 2\n\nend"
    assert clean_text("x" * 100, 10) == "x" * 10
    assert clean_text(None, 10) == ""
    assert clean_text("Zażółć gęślą jaźń 👍", 64) == "Zażółć gęślą jaźń 👍"


def test_one_email_address_and_nothing_else():
    assert parse_email(" Faktury@Kowalski.Example.com ") == "Faktury@kowalski.example.com"
    assert parse_email("") == ""
    assert parse_email("biuro@łódź.example.pl") == "biuro@łódź.example.pl"
    for text in (
        "not an e-mail",
        "a@b.example.com, c@d.example.com",
        "a@b.example.com;c@d.example.com",
        "a@b.example.com\nBcc: victim@example.com",
        "a@b.example.com\r\nBcc: victim@example.com",
        "Jan <a@b.example.com>",
        "a@b@example.com",
        "a@localhost",
        "a@b.example.com\x00",
        "a..b@example.com",
        ".a@example.com",
        "a b@example.com",
        "a@-b.example.com",
        "a@example.123",
        "<script>@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        None,
    ):
        with pytest.raises(InputError):
            parse_email(text)
