"""The pre-posting checks engine, without a database."""

from dataclasses import replace
from decimal import Decimal

import pytest

from ..engine.checks import (
    InvoiceFacts,
    OrderLineFacts,
    is_valid_iban,
    is_valid_vat,
    run_checks,
)

GOOD = InvoiceFacts(
    partner="Kowalski Sp. z o.o.",
    is_company=True,
    country_code="PL",
    vat="PL5795955811",
    street="ul. Długa 1",
    city="Racibórz",
    zip="47-400",
    email="ap@kowalski.pl",
    sends_by_email=True,
    has_payment_terms=True,
    journal="Bank",
    bank_accounts=("PL47109024022846836723239796",),
    order_lines=(
        OrderLineFacts(
            "Śruby M8",
            Decimal("10.00"),
            Decimal("10.00"),
            Decimal("0"),
            Decimal("0"),
            Decimal("5"),
            Decimal("0"),
            Decimal("5"),
        ),
    ),
)


def codes(facts, enabled=None):
    return [p.code for p in run_checks(facts, enabled)]


def test_a_complete_invoice_has_no_problem():
    assert run_checks(GOOD) == []


@pytest.mark.parametrize(
    ("vat", "country", "valid"),
    [
        ("PL5795955811", "PL", True),
        ("5795955811", "PL", True),
        ("579-595-58-11", "PL", True),
        ("5795955812", "PL", False),  # NIP checksum
        ("PL579595581", "PL", False),  # too short
        ("DE136695976", "DE", True),
        ("EL094259216", "GR", True),
        ("", "PL", False),
        ("ANYTHING", "US", True),  # no VAT module in python-stdnum for the US
    ],
)
def test_vat_numbers(vat, country, valid):
    assert is_valid_vat(vat, country) is valid


def test_invalid_nip_names_partner_and_number():
    problems = run_checks(replace(GOOD, vat="5795955812"))
    assert [(p.code, p.field) for p in problems] == [("vat", "vat")]
    assert problems[0].values == {"partner": "Kowalski Sp. z o.o.", "vat": "5795955812", "country": "PL"}


def test_missing_vat_only_matters_for_companies():
    assert codes(replace(GOOD, vat=None)) == ["vat"]
    assert codes(replace(GOOD, vat=None, is_company=False)) == []


def test_address_lists_what_is_missing():
    problems = run_checks(replace(GOOD, street=None, zip=""))
    assert problems[0].code == "address"
    assert problems[0].values["missing"] == ["street", "zip"]


def test_email_is_needed_only_for_the_email_channel():
    assert codes(replace(GOOD, email=None)) == ["email"]
    assert codes(replace(GOOD, email=None, sends_by_email=False)) == []


def test_payment_terms_and_bank_account():
    assert codes(replace(GOOD, has_payment_terms=False)) == ["payment_terms"]
    assert codes(replace(GOOD, bank_accounts=())) == ["bank_account"]
    assert codes(replace(GOOD, bank_accounts=("PL47109024022846836723239797",))) == ["bank_account"]


def test_price_or_discount_different_from_the_order():
    line = replace(GOOD.order_lines[0], invoice_price=Decimal("9.50"))
    problems = run_checks(replace(GOOD, order_lines=(line,)))
    assert [p.code for p in problems] == ["order_amounts"]
    assert problems[0].values["line"] == "Śruby M8"
    line = replace(GOOD.order_lines[0], invoice_discount=Decimal("5"))
    assert codes(replace(GOOD, order_lines=(line,))) == ["order_amounts"]


def test_invoicing_more_than_ordered_is_a_duplicate():
    line = replace(GOOD.order_lines[0], invoiced_qty_elsewhere=Decimal("5"))
    assert codes(replace(GOOD, order_lines=(line,))) == ["duplicate"]
    partial = replace(
        GOOD.order_lines[0], invoiced_qty_elsewhere=Decimal("2"), invoiced_qty_here=Decimal("3")
    )
    assert codes(replace(GOOD, order_lines=(partial,))) == []


def test_only_enabled_checks_run_in_a_stable_order():
    bad = replace(GOOD, vat="1", email=None, has_payment_terms=False)
    assert codes(bad) == ["vat", "email", "payment_terms"]
    assert codes(bad, enabled={"payment_terms", "email"}) == ["email", "payment_terms"]
    assert codes(bad, enabled=set()) == []


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("PL47109024022846836723239796", True),
        ("PL47 1090 2402 2846 8367 2323 9796", True),
        ("pl47109024022846836723239796", True),
        ("PL47109024022846836723239797", False),  # checksum
        ("PL4710902402284683672323979", False),  # length for PL
        ("DE89370400440532013000", True),
        ("GB82WEST12345698765432", True),
        ("", False),
        ("PL47-ABC", False),
    ],
)
def test_iban(number, valid):
    assert is_valid_iban(number) is valid
