"""The duplicate rule (engine/identity.py) and the balance proof (engine/balances.py), without a database."""

from datetime import date
from decimal import Decimal

import pytest

from ..engine.balances import balance_problem
from ..engine.identity import (
    FINGERPRINT,
    REPEATED_IN_FILE,
    SAME_FINGERPRINT,
    SAME_ID,
    Booked,
    candidate_ids,
    classify,
    identify,
    is_placeholder,
)
from ..engine.statement import Statement, Transaction

DAY = date(2026, 3, 13)


def tx(amount, ref="", e2e="", text="Zapłata za FV 1/2026", name="Klient", iban="", **extra):
    return Transaction(
        booking_date=extra.pop("day", DAY),
        amount=Decimal(amount),
        currency="PLN",
        counterparty_name=name,
        counterparty_iban=iban,
        remittance=text,
        end_to_end_id=e2e,
        bank_reference=ref,
        **extra,
    )


def booked_from(transactions, identities, verdicts, first_id=1):
    """The lines an import of these verdicts would have created, as the rule reads them back."""
    lines = []
    for number, (item, verdict) in enumerate(zip(transactions, verdicts, strict=True), start=first_id):
        if verdict.is_new:
            identity = verdict.identity
            lines.append(
                Booked(
                    line_id=number,
                    amount=item.amount,
                    import_id=verdict.store_id,
                    fingerprint=identity.fingerprint,
                    id_scheme=identity.scheme if identity.has_id else "",
                    id_kind=identity.kind if identity.has_id else "",
                    id_value=identity.value,
                )
            )
    return lines


def run(transactions, scheme="mt940", booked=(), statements=None):
    identities = identify(transactions, scheme, statements)
    return identities, classify(transactions, identities, list(booked))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        "NONREF",
        "nonref",
        "NOTPROVIDED",
        "NotProvided",
        "NONE",
        "N/A",
        "n.a.",
        "0000000",
        "0",
        "-",
        "NONREF/2",
        "brak",
        "NULL",
        "not provided",
    ],
)
def test_placeholders_are_never_ids(value):
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value", ["BR2603130001", "145071234567890", "260313PL0000003/2", "E2E-FV-1", "00012"]
)
def test_real_references_are_ids(value):
    assert not is_placeholder(value)


def test_three_nonref_lines_are_three_transactions_and_a_second_read_finds_them_all():
    lines = [tx("100.00", ref="NONREF"), tx("100.00", ref="NONREF"), tx("250.00", ref="NONREF", text="FV 2")]
    identities, verdicts = run(lines)
    assert all(verdict.is_new for verdict in verdicts)
    assert {identity.kind for identity in identities} == {FINGERPRINT}
    assert len({identity.fingerprint for identity in identities}) == 3, "two equal payments: two occurrences"
    assert all(verdict.store_id == "" for verdict in verdicts), "a placeholder is never stored as an id"
    _identities, again = run(lines, booked=booked_from(lines, identities, verdicts))
    assert [verdict.reason for verdict in again] == [SAME_FINGERPRINT] * 3
    assert sorted(verdict.line_id for verdict in again) == [1, 2, 3]


def test_a_fee_and_its_payment_sharing_one_order_reference_are_both_imported():
    lines = [
        tx("-500.00", ref="BR2603130001", text="Przelew do dostawcy"),
        tx("-1.50", ref="BR2603130001", text="Opłata za przelew"),
        tx("500.00", ref="TT2603130009", text="Wpłata gotówkowa"),
        tx("-2.00", ref="TT2603130009", text="Opłata za wpłatę"),
    ]
    identities, verdicts = run(lines)
    assert all(verdict.is_new for verdict in verdicts)
    assert all(not identity.has_id for identity in identities), "a shared reference identifies nothing"
    _identities, again = run(lines, booked=booked_from(lines, identities, verdicts))
    assert not any(verdict.is_new for verdict in again)


def test_mbank_tnr_identifies_when_the_order_reference_is_shared():
    lines = [
        tx("-500.00", ref="BR1", text="PRZELEW; TNR: 145071234567890.010001"),
        tx("-1.50", ref="BR1", text="OPŁATA; TNR: 145071234567891.020002"),
    ]
    identities, _verdicts = run(lines)
    assert [(identity.kind, identity.value) for identity in identities] == [
        ("TNR", "145071234567890.010001"),
        ("TNR", "145071234567891.020002"),
    ]


def test_a_camt_batch_whose_details_share_an_acctsvcrref_falls_back_to_end_to_end_ids():
    lines = [tx("704.00", ref="ASR-1", e2e="E2E-A"), tx("1296.00", ref="ASR-1", e2e="E2E-B")]
    identities, verdicts = run(lines, scheme="camt")
    assert all(verdict.is_new for verdict in verdicts)
    assert [(identity.kind, identity.value) for identity in identities] == [
        ("EndToEndId", "E2E-A"),
        ("EndToEndId", "E2E-B"),
    ]
    # MT940's customer reference is not the bank's id: no EndToEndId there.
    assert candidate_ids(tx("1", ref="NONREF", e2e="CUST-1"), "mt940") == []


def test_parser_ids_are_taken_most_specific_first_and_only_when_unique():
    first = tx("10", bank_ids=(("AcctSvcrRef", "A"), ("TxId", "T1"), ("NtryRef", "N/1")))
    second = tx("20", bank_ids=(("AcctSvcrRef", "A"), ("TxId", "NOTPROVIDED"), ("NtryRef", "N/2")))
    identities, _verdicts = run([first, second], scheme="camt")
    assert [(identity.kind, identity.value) for identity in identities] == [
        ("TxId", "T1"),
        ("NtryRef", "N/2"),
    ]


def test_same_id_and_amount_is_already_booked_same_id_other_amount_is_not():
    booked = [Booked(line_id=7, amount=Decimal("246.00"), import_id="145071234567890")]
    lines = [tx("246.00", ref="145071234567890"), tx("-3.00", ref="145071234567891")]
    _identities, verdicts = run(lines, booked=booked)
    assert (verdicts[0].reason, verdicts[0].line_id) == (SAME_ID, 7)
    assert verdicts[1].is_new and verdicts[1].store_id == "145071234567891"
    _identities, verdicts = run([tx("99.00", ref="145071234567890")], booked=booked)
    assert verdicts[0].is_new, "an id reused for another amount is not proof"
    assert verdicts[0].store_id == "", "the id is held by the booked line: not stored twice"


def test_equal_payments_with_different_ids_of_one_scheme_are_two_payments():
    # Two equal payments on one day, read from two files in turn: the second file's first line looks
    # like the booked one (same fingerprint) but the bank gave it another id.
    day_one = [tx("100.00", ref="ASR-2")]
    identities, verdicts = run(day_one, scheme="camt")
    booked = booked_from(day_one, identities, verdicts)
    later = [tx("100.00", ref="ASR-1"), tx("100.00", ref="ASR-2")]
    _identities, verdicts = run(later, scheme="camt", booked=booked)
    assert [verdict.reason for verdict in verdicts] == ["", SAME_ID]


def test_batch_details_numbered_in_another_order_are_still_the_booked_ones():
    first = [tx("704.00", ref="ASR/1", text="FV 21"), tx("1296.00", ref="ASR/2", text="FV 22")]
    identities, verdicts = run(first, scheme="camt")
    booked = booked_from(first, identities, verdicts)
    reordered = [tx("1296.00", ref="ASR/1", text="FV 22"), tx("704.00", ref="ASR/2", text="FV 21")]
    _identities, verdicts = run(reordered, scheme="camt", booked=booked)
    assert [verdict.reason for verdict in verdicts] == [SAME_FINGERPRINT, SAME_FINGERPRINT]


def test_the_same_payment_from_another_channel_is_found_by_fingerprint():
    api = [tx("1230.00", ref="E00000001", iban="PL27114020040000300201355387")]
    identities, verdicts = run(api, scheme="api")
    file = [tx("1230.00", ref="260313PL0000001", iban="PL27 1140 2004 0000 3002 0135 5387")]
    _identities, verdicts = run(file, scheme="camt", booked=booked_from(api, identities, verdicts))
    assert verdicts[0].reason == SAME_FINGERPRINT


def test_a_booked_line_stands_for_one_transaction():
    # A payment with an id and an equal one without: the booked line is the first, the second is new.
    lines = [tx("50.00", ref="X-1"), tx("50.00", ref="NONREF")]
    identities, _verdicts = run(lines)
    booked = [
        Booked(
            line_id=3,
            amount=Decimal("50.00"),
            import_id="X-1",
            fingerprint=identities[1].fingerprint,
            id_scheme="mt940",
            id_kind="bank reference",
            id_value="X-1",
        )
    ]
    _identities, verdicts = run(lines, booked=booked)
    assert (verdicts[0].reason, verdicts[1].reason) == (SAME_ID, "")


def test_overlapping_statements_of_one_file_repeat_a_transaction_once():
    shared = tx("75.00", ref="REF-9", text="FV 9")
    lines = [tx("10.00", ref="REF-8"), shared, shared, tx("75.00", ref="NONREF", text="FV 9")]
    identities, verdicts = run(lines, statements=[1, 1, 2, 2])
    assert [verdict.reason for verdict in verdicts] == ["", "", REPEATED_IN_FILE, ""]
    assert verdicts[2].repeat_of == 1
    # Within one statement the same lines are two bookings: the statement's balance counts both.
    _identities, verdicts = run([shared, shared], statements=[1, 1])
    assert all(verdict.is_new for verdict in verdicts)


def test_balances_add_up_exactly_or_name_the_difference():
    statement = Statement(
        account_iban="PL61109010140000071219812874",
        statement_id="52",
        currency="PLN",
        opening_balance=Decimal("1000.00"),
        closing_balance=Decimal("1100.10"),
        transactions=[tx("0.10"), tx("0.20"), tx("99.80")],
    )
    assert balance_problem(statement) is None
    statement.transactions.pop()
    problem = balance_problem(statement)
    assert (problem.opening, problem.movements, problem.closing) == (
        Decimal("1000.00"),
        Decimal("0.30"),
        Decimal("1100.10"),
    )
    assert problem.difference == Decimal("99.80")
    statement.closing_balance = None
    assert balance_problem(statement) is None, "no closing balance (MT942, camt.054): nothing to prove"
