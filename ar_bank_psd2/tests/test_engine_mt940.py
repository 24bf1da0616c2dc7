"""The MT940/MT942 parser, split payment titles and the payment fingerprint, without a database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ..engine.camt import parse_camt
from ..engine.mpp import parse_mpp
from ..engine.mt940 import parse_mt940
from ..engine.parse import parse_statement_file
from ..engine.statement import StatementFileError, fingerprint, is_valid_iban

DATA = Path(__file__).parent / "data"
OUR_IBAN = "PL61109010140000071219812874"


def sample(name) -> bytes:
    return (DATA / name).read_bytes()


def mt940(*lines) -> str:
    return "\n".join(lines) + "\n"


HEAD = (":20:T1", f":25:{OUR_IBAN}", ":28C:1", ":60F:C260312PLN100,00")


def test_pko_statement_in_windows_1250_with_tilde_subfields():
    (statement,) = parse_mt940(sample("mt940_pko_cp1250.sta"))
    assert (statement.account_iban, statement.currency, statement.statement_id) == (
        OUR_IBAN,
        "PLN",
        "ST260313/00052/1",
    )
    assert (statement.opening_balance, statement.opening_date) == (Decimal("15000.00"), date(2026, 3, 12))
    assert (statement.closing_balance, statement.closing_date) == (Decimal("15919.45"), date(2026, 3, 13))
    credit, debit = statement.transactions
    assert (credit.amount, credit.currency, credit.booking_date) == (
        Decimal("1230.00"),
        "PLN",
        date(2026, 3, 13),
    )
    assert (credit.transaction_type, credit.bank_reference, credit.line_no) == ("N152", "2603130001234", 6)
    assert credit.counterparty_name == "HURTOWNIA ŻÓŁW SP. Z O.O. UL. DŁUGA 1 00-001 WARSZAWA"
    assert credit.counterparty_iban == "PL27114020040000300201355387"  # ~38
    # ~20..~22 joined: a full 27-character piece was cut mid-word; the lone 0xFF of ~23 is empty.
    assert credit.remittance == "/VAT/230,00/IDC/5260250274/INV/FV 1/2026/TXT/zapłata za towar"
    assert credit.mpp == {
        "vat_amount": Decimal("230.00"),
        "nip": "5260250274",
        "invoice": "FV 1/2026",
        "text": "zapłata za towar",
    }
    assert credit.raw.startswith(":61:2603130313C1230,00N152NONREF//2603130001234\n152 0\n:86:152~00")
    assert debit.amount == Decimal("-310.55")
    assert debit.counterparty_name == "ENERGA OBRÓT S.A."
    assert debit.remittance == "Faktura 12/03/2026 klient 778899"
    # Without ~38 the IBAN is built from the sort code (~30) and the account (~31).
    assert debit.counterparty_iban.endswith("102010260000110200000123") and is_valid_iban(
        debit.counterparty_iban
    )


def test_pekao_statements_with_caret_subfields_in_iso_8859_2():
    first, second = parse_mt940(sample("mt940_pekao_caret.sta"))
    assert first.account_iban == second.account_iban == "PL27124000013000000012345678"  # bare NRB
    assert (first.statement_id, second.statement_id) == ("PEKAO260313/52", "PEKAO260314/53")
    transfer, reversal = first.transactions
    assert transfer.end_to_end_id == "PAY-0316-9" and transfer.bank_reference == "PK2603130042"
    assert transfer.remittance == "Zapłata za fakturę FV 15/2026 dziękujemy"
    assert transfer.counterparty_name == "Spółdzielnia Mleczarska Łąka"  # wrapped across two lines
    assert transfer.counterparty_iban == "PL10105000997603123456789123"
    assert reversal.amount == Decimal("-100.00")  # RC: reversal of a credit
    assert reversal.remittance == "Zwrot błędnie zaksięgowanej wpłaty"
    assert first.opening_balance + sum(tx.amount for tx in first.transactions) == first.closing_balance
    assert [tx.amount for tx in second.transactions] == [Decimal("-60.00")]


def test_mbank_free_text_in_cp852_with_soh_etx_framing():
    (statement,) = parse_mt940(sample("mt940_mbank_cp852.sta"))
    assert statement.account_iban == OUR_IBAN  # written PL61…PLN
    incoming, outgoing = statement.transactions
    # The title is TYT. alone; the account, the name and TNR have their own fields (and raw keeps it all).
    assert incoming.remittance == "/VAT/46,00/IDC/5260250274/INV/FV 2/2026"
    assert "; TNR: 145071234567890.010001" in incoming.raw
    assert incoming.counterparty_iban == "PL27114020040000300201355387"
    assert incoming.counterparty_name == "HURTOWNIA ŻÓŁW SP. Z O.O. UL. DŁUGA 1"
    assert incoming.mpp["invoice"] == "FV 2/2026" and incoming.mpp["vat_amount"] == Decimal("46.00")
    assert incoming.bank_reference == "145071234567890"  # the :61: //reference wins over TNR
    assert (outgoing.amount, outgoing.counterparty_name) == (Decimal("-120.00"), "ENERGA OBRÓT")
    assert outgoing.counterparty_iban == "PL83102010260000110200000123"
    assert outgoing.bank_reference == "145071234567891.020002"  # no //reference: TNR


def test_mt942_interim_report():
    (report,) = parse_mt940(sample("mt942_ing.sta"))
    assert report.opening_balance is None and report.closing_balance is None
    assert (report.currency, report.closing_date) == ("PLN", date(2026, 3, 16))
    assert [tx.amount for tx in report.transactions] == [Decimal("2460.00"), Decimal("-310.55")]
    assert report.transactions[0].counterparty_iban == "PL27114020040000300201355387"
    assert report.transactions[1].remittance == "Faktura 12/03/2026"


@pytest.mark.parametrize(
    "account",
    [
        OUR_IBAN,
        f"/{OUR_IBAN}",
        f"{OUR_IBAN}PLN",
        "61109010140000071219812874",
        "61 1090 1014 0000 0712 1981 2874",
        f"BPKOPLPW/{OUR_IBAN}",
    ],
)
def test_account_spellings_give_the_iban(account):
    text = mt940(":20:T1", f":25:{account}", ":60F:C260312PLN0,00", ":62F:C260312PLN0,00")
    assert parse_mt940(text)[0].account_iban == OUR_IBAN


@pytest.mark.parametrize(
    ("line61", "amount", "booking", "value"),
    [
        ("2603130313C10,00NTRFNONREF", Decimal("10.00"), date(2026, 3, 13), date(2026, 3, 13)),
        ("260313D10,5NTRFNONREF", Decimal("-10.5"), date(2026, 3, 13), date(2026, 3, 13)),
        ("260313RD7,00NTRFNONREF", Decimal("7.00"), date(2026, 3, 13), date(2026, 3, 13)),
        ("251231CR1000,NTRFREF1//B1", Decimal("1000"), date(2025, 12, 31), date(2025, 12, 31)),
        ("2512310102C1,00N152NONREF", Decimal("1.00"), date(2026, 1, 2), date(2025, 12, 31)),
        ("2601020102C1,00N152NONREF", Decimal("1.00"), date(2026, 1, 2), date(2026, 1, 2)),
        ("2601021231C1,00N152NONREF", Decimal("1.00"), date(2025, 12, 31), date(2026, 1, 2)),
    ],
)
def test_line_61_variants(line61, amount, booking, value):
    (tx,) = parse_mt940(mt940(*HEAD, f":61:{line61}", ":62F:C260313PLN100,00"))[0].transactions
    assert (tx.amount, tx.booking_date, tx.value_date) == (amount, booking, value)


def test_less_than_separator_and_a_full_nrb_in_subfield_31():
    details = "020<00PRZELEW<20FV 3/2026<3161109010140000071219812874<32JAN KOWALSKI<33˙"
    (tx,) = parse_mt940(mt940(*HEAD, ":61:260313C5,00NTRFNONREF", f":86:{details}"))[0].transactions
    assert tx.remittance == "FV 3/2026" and tx.counterparty_name == "JAN KOWALSKI"
    assert tx.counterparty_iban == OUR_IBAN


def test_statement_level_86_is_not_a_title():
    text = mt940(*HEAD, ":61:260313C5,00NTRFNONREF", ":62F:C260313PLN105,00", ":86:~00Saldo")
    (tx,) = parse_mt940(text)[0].transactions
    assert tx.remittance == ""


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ((":20:T1", ":61:260313C5,00NTRFNONREF"), r"^line 2: :61: without a preceding :25:"),
        ((*HEAD, ":6l:260313C5,00NTRFNONREF"), r"^line 5: broken tag ':6l:2603'"),
        ((*HEAD, ":61:261313C5,00NTRFNONREF"), r"^line 5: :61: '261313' is not a date YYMMDD"),
        ((*HEAD, ":61:260313C5.00NTRFNONREF"), r"^line 5: :61: cannot be read"),
        ((*HEAD, ":61:2603131332C5,00NTRFNONREF"), r"^line 5: :61: entry date '1332'"),
        ((":20:T1", f":25:{OUR_IBAN}", ":60F:X260312PLN1,00"), r"^line 3: :60F: is not a balance"),
        ((":20:T1", f":25:{OUR_IBAN}", ":62F:C260230PLN1,00"), r"^line 3: :62F: '260230' is not a date"),
        ((":20:T1", ":28C:1", ":60F:C260312PLN1,00"), r"^line 1: statement without an account"),
        (("hello", ":20:T1"), r"^line 1: text outside any tag"),
        (("{1:F01BPKOPLPW", ":20:T1"), r"^line 1: broken SWIFT header block"),
        ((":20:T1", ":25:", ":60F:C260312PLN1,00"), r"^line 2: :25: has no account"),
        ((":20:T1", f":25:{OUR_IBAN}", ":34F:123"), r"^line 3: :34F: has no currency"),
        ((":20:T1", f":25:{OUR_IBAN}", ":90D:1PLN"), r"^line 3: :90D: is not"),
        ((":21:X", ":86:text"), r"^line 1: no MT940 statement"),
    ],
)
def test_errors_name_the_line_and_the_tag(lines, message):
    with pytest.raises(StatementFileError, match=message):
        parse_mt940(mt940(*lines))


def test_crlf_and_lf_give_the_same_statement():
    text = sample("mt940_pekao_caret.sta").decode("iso-8859-2")
    assert parse_mt940(text.replace("\n", "\r\n")) == parse_mt940(text)


def test_parse_statement_file_reads_mt940_of_any_name():
    assert len(parse_statement_file(sample("mt940_pko_cp1250.sta"), "wyciag.txt")) == 1
    assert len(parse_statement_file(sample("mt942_ing.sta"), "")) == 1


# ---------------------------------------------------------------- split payment titles


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "/VAT/123,45/IDC/5260250274/INV/FV 1/2026/TXT/free text",
            (Decimal("123.45"), "5260250274", "FV 1/2026", "free text"),
        ),
        ("/vat/23.00/idc/5231242681/inv/PM1253/2018", (Decimal("23.00"), "5231242681", "PM1253/2018", "")),
        (
            " / VAT / 1 234,56 / IDC / PL 526-025-02-74 / INV / FV  9/2026 / TXT / a  b ",
            (Decimal("1234.56"), "5260250274", "FV 9/2026", "a b"),
        ),
        ("/VAT/0,5/IDC/DE123456789/INV/X", (Decimal("0.5"), "DE123456789", "X", "")),
    ],
)
def test_split_payment_titles(title, expected):
    mpp = parse_mpp(title)
    assert (mpp["vat_amount"], mpp["nip"], mpp["invoice"], mpp["text"]) == expected


@pytest.mark.parametrize(
    "title",
    [
        None,
        "",
        "Zapłata za FV 1/2026",
        "/VAT/abc/IDC/5260250274/INV/FV 1",
        "/VAT/10,00/INV/FV 1",
        "/VAT/10,00/IDC//INV/FV 1",
        "/VAT/10,00/IDC/5260250274/INV/",
    ],
)
def test_titles_that_are_not_split_payments(title):
    assert parse_mpp(title) is None


# ---------------------------------------------------------------- fingerprint


def test_same_payment_through_camt_and_mt940_has_one_fingerprint():
    from_camt = parse_camt(sample("camt053_two_accounts.xml"))[0].transactions
    from_mt940 = parse_mt940(sample("mt940_pko_cp1250.sta"))[0].transactions
    assert fingerprint(from_camt[0]) == fingerprint(from_mt940[0])
    assert fingerprint(from_camt[1]) != fingerprint(from_mt940[1])  # the MT940 debit has another IBAN
    assert len({fingerprint(tx) for tx in from_camt}) == len(from_camt)


def test_fingerprint_ignores_spelling_but_not_the_money():
    (tx,) = parse_mt940(
        mt940(*HEAD, ":61:260313C5,00NTRFNONREF", ":86:020~20Zapłata FV 1/2026~3861 1090 1014")
    )[0].transactions
    same = replace(tx, remittance="ZAPLATA  fv1/2026", amount=Decimal("5"))
    assert fingerprint(tx) == fingerprint(same)
    assert len(fingerprint(tx)) == 40
    assert fingerprint(tx) != fingerprint(replace(tx, amount=Decimal("-5.00")))
    assert fingerprint(tx) != fingerprint(replace(tx, booking_date=date(2026, 3, 14)))


# ---------------------------------------------------------------- framing and :86: layouts of other banks


def test_ing_blocks_on_their_own_lines_and_a_lone_dash_inside_86():
    text = mt940(
        "{1:F01INGBNL2AXXXX0000000000}",
        "{2:O940INGBNL2AXXXXN}",
        "{3:{108:MT940}}",
        "{4:",
        ":20:P140220000000001",
        ":25:NL69INGB0123456789EUR",
        ":28C:00000",
        ":60F:C140219EUR662,23",
        ":61:1402200220C1,56NTRFEREF//00000000001005",
        "/TRCD/00100/",
        ":86:/EREF/EV12341REP1231456T1234//CNTP/NL32INGB0000012345/INGBNL2A/ING BANK N.V. INZAKE WEB/AMS",
        "TERDAM/REMI/USTD//EV10001REP1000000T1000",
        "-",
        "BETALING/",
        ":62F:C140220EUR663,79",
        "-}",
    )
    (statement,) = parse_mt940(text)
    (tx,) = statement.transactions
    assert statement.account_iban == "NL69INGB0123456789"
    assert (tx.counterparty_iban, tx.counterparty_bic) == ("NL32INGB0000012345", "INGBNL2A")
    assert tx.counterparty_name == "ING BANK N.V. INZAKE WEB"
    assert tx.end_to_end_id == "EV12341REP1231456T1234"
    assert tx.remittance == "EV10001REP1000000T1000 - BETALING"  # the "-" line is text, not the end
    assert statement.closing_balance == Decimal("663.79")


def test_header_lines_before_20_and_a_dash_that_ends_the_message():
    text = mt940(
        "ABNANL2A",
        "940",
        "ABNANL2A",
        *HEAD,
        ":61:260313C5,00N196NONREF",
        ":86:PAYMENT",
        "-",
        "ABNANL2A",
        "940",
        ":20:T2",
        f":25:{OUR_IBAN}",
        ":60F:C260313PLN105,00",
        ":62F:C260313PLN105,00",
        "-",
    )
    first, second = parse_mt940(text)
    assert [tx.remittance for tx in first.transactions] == ["PAYMENT"]
    assert (second.statement_id, second.transactions) == ("T2", [])


def test_german_subfields_give_bic_iban_name_and_the_sepa_title():
    details = (
        "166?00SEPA-GUTSCHRIFT?109251?20EREF+RE 2026-0042?21SVWZ+Rechnung 2026-0042 vom 0"
        "?222.03.2026?30COBADEFFXXX?31DE89370400440532013000?32Muster GmbH?34166"
    )
    (tx,) = parse_mt940(mt940(*HEAD, ":61:260313C5,00NTRFNONREF", f":86:{details}"))[0].transactions
    assert tx.counterparty_iban == "DE89370400440532013000"  # ?31 is the IBAN, not a Polish account number
    assert tx.counterparty_bic == "COBADEFFXXX"  # ?30
    assert (tx.counterparty_name, tx.end_to_end_id) == ("Muster GmbH", "RE 2026-0042")
    assert tx.remittance == "Rechnung 2026-0042 vom 02.03.2026"


def test_mbank_title_without_keys_and_an_account_of_zeros():
    details = "911 TRANSAKCJA; Z RACH.: 00000000000000000000000000; OD: JAN; TYT.: ZWROT   ZA FV 7"
    (tx,) = parse_mt940(mt940(*HEAD, ":61:260313C5,00NTRFNONREF", f":86:{details}"))[0].transactions
    assert (tx.remittance, tx.counterparty_name, tx.counterparty_iban) == ("ZWROT ZA FV 7", "JAN", "")


def test_bank_ids_of_an_mt940_line():
    (statement,) = parse_mt940(sample("mt940_mbank_cp852.sta"))
    incoming, outgoing = statement.transactions
    assert incoming.bank_ids == (("bank reference", "145071234567890"), ("TNR", "145071234567890.010001"))
    assert outgoing.bank_ids == (("TNR", "145071234567891.020002"),)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "iso-8859-2", "cp852"])
def test_each_encoding_with_or_without_bom_gives_the_same_statement(encoding):
    text = sample("mt940_pko_cp1250.sta").decode("cp1250")
    expected = parse_mt940(text)
    data = text.encode(encoding, errors="replace") if encoding == "cp852" else text.encode(encoding)
    statements = parse_statement_file(data, "wyciag.sta")
    assert [tx.counterparty_name for tx in statements[0].transactions] == [
        tx.counterparty_name for tx in expected[0].transactions
    ]
    assert (
        statements[0].transactions[0].counterparty_name
        == "HURTOWNIA ŻÓŁW SP. Z O.O. UL. DŁUGA 1 00-001 WARSZAWA"
    )


def test_mbank_fee_without_a_title_keeps_its_text_and_gives_tnr():
    details = "808 OPŁATA ZA PROWADZENIE RACHUNKU 02/2026; TNR: 145071234567892.000001"
    (tx,) = parse_mt940(mt940(*HEAD, ":61:260313D5,00NMSCNONREF", f":86:{details}"))[0].transactions
    assert (tx.remittance, tx.bank_reference) == (
        "808 OPŁATA ZA PROWADZENIE RACHUNKU 02/2026",
        "145071234567892.000001",
    )


def test_free_text_lines_padded_with_spaces_join_with_one_space():
    padded = ["Betaling sieraden".ljust(65), "winkel Utrecht".ljust(65)]
    text = mt940(*HEAD, ":61:260313C5,00NTRFNONREF", f":86:{padded[0]}", padded[1])
    (tx,) = parse_mt940(text)[0].transactions
    assert tx.remittance == "Betaling sieraden winkel Utrecht"


def test_polish_subfields_without_the_leading_transaction_code():
    details = "~00PRZELEW~20Zapłata FV 9/2026~32JAN KOWALSKI~3861109010140000071219812874"
    (tx,) = parse_mt940(mt940(*HEAD, ":61:260313C5,00NTRFNONREF", f":86:{details}"))[0].transactions
    assert (tx.remittance, tx.counterparty_name, tx.counterparty_iban) == (
        "Zapłata FV 9/2026",
        "JAN KOWALSKI",
        OUR_IBAN,
    )
