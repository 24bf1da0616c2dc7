"""The camt.053/camt.054 parser and the file-type sniffing, without a database."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ..engine.camt import parse_camt
from ..engine.parse import parse_statement_file
from ..engine.statement import StatementFileError

DATA = Path(__file__).parent / "data"
NS053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def sample(name) -> bytes:
    return (DATA / name).read_bytes()


def camt053(entries: str, account="<Acct><Id><IBAN>PL61109010140000071219812874</IBAN></Id></Acct>") -> bytes:
    return (
        f'<?xml version="1.0"?>\n<Document xmlns="{NS053}"><BkToCstmrStmt>\n'
        f"<GrpHdr><MsgId>T</MsgId></GrpHdr>\n<Stmt><Id>S1</Id>{account}\n{entries}\n</Stmt>\n"
        "</BkToCstmrStmt></Document>"
    ).encode()


ENTRY = (
    '<Ntry><Amt Ccy="PLN">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-03-13</Dt></BookgDt></Ntry>'
)


def test_statement_of_each_account_with_its_balances():
    pln, eur = parse_camt(sample("camt053_two_accounts.xml"))
    assert (pln.account_iban, pln.currency, pln.statement_id) == (
        "PL61109010140000071219812874",
        "PLN",
        "2026/052/PLN",
    )
    assert (pln.opening_balance, pln.opening_date) == (Decimal("15000.00"), date(2026, 3, 13))
    assert (pln.closing_balance, pln.closing_date) == (Decimal("16719.45"), date(2026, 3, 13))
    assert pln.opening_balance + sum(tx.amount for tx in pln.transactions) == pln.closing_balance
    # PRCD stands for the opening balance; a DBIT balance is negative; the date may be a DtTm.
    assert eur.account_iban == "PL03109010140000071219812875"
    assert (eur.opening_balance, eur.opening_date) == (Decimal("-120.00"), date(2026, 3, 12))
    assert (eur.closing_balance, eur.closing_date) == (Decimal("380.00"), date(2026, 3, 13))
    assert [tx.booking_date for tx in eur.transactions] == [date(2026, 3, 13)]


def test_credit_names_the_debtor_and_carries_its_split_payment():
    tx = parse_camt(sample("camt053_two_accounts.xml"))[0].transactions[0]
    assert tx.amount == Decimal("1230.00") and tx.currency == "PLN"
    assert (tx.counterparty_name, tx.counterparty_iban) == (
        "Hurtownia Żółw Sp. z o.o.",
        "PL27114020040000300201355387",
    )
    assert tx.remittance == "/VAT/230,00/IDC/5260250274/INV/FV 1/2026/TXT/zapłata za towar"
    assert tx.mpp == {
        "vat_amount": Decimal("230.00"),
        "nip": "5260250274",
        "invoice": "FV 1/2026",
        "text": "zapłata za towar",
    }
    assert (tx.end_to_end_id, tx.bank_reference, tx.transaction_type) == (
        "E2E-FV-1-2026",
        "260313PL0000001",
        "PMNT-RCDT-DMCT",
    )
    assert tx.line_no == 34


def test_debit_names_the_creditor_and_joins_the_unstructured_pieces():
    tx = parse_camt(sample("camt053_two_accounts.xml"))[0].transactions[1]
    assert tx.amount == Decimal("-310.55")
    assert (tx.booking_date, tx.value_date) == (date(2026, 3, 13), date(2026, 3, 12))
    assert tx.counterparty_name == "Energa Obrót"
    assert tx.counterparty_iban == "PL83102010260000110200000123"  # Othr/Id NRB with spaces
    assert tx.remittance == "Faktura 12/03/2026 klient 778899"
    assert tx.end_to_end_id == ""  # NOTPROVIDED
    assert tx.transaction_type == "N641" and tx.mpp is None


def test_batch_entry_gives_one_transaction_per_detail_and_pending_entries_are_left_out():
    transactions = parse_camt(sample("camt053_two_accounts.xml"))[0].transactions
    assert len(transactions) == 4
    first, second = transactions[2:]
    assert (first.amount, second.amount) == (Decimal("500.00"), Decimal("300.00"))
    assert (first.counterparty_name, second.counterparty_name) == ("Jan Kowalski", "Anna Nowak")
    assert first.structured_reference == "RF18539007547034"
    assert (first.bank_reference, second.bank_reference) == ("260313PL0000003/1", "260313PL0000003/2")
    assert second.remittance == "FV 7/2026"
    assert "99.99" not in json.dumps([tx.raw for tx in transactions])


def test_raw_is_the_source_entry_ready_for_json():
    tx = parse_camt(sample("camt053_two_accounts.xml"))[0].transactions[0]
    raw = json.loads(json.dumps(tx.raw))
    assert raw.startswith("<Ntry") and raw.endswith("</Ntry>")
    assert '<Amt Ccy="PLN">1230.00</Amt>' in raw and "<EndToEndId>E2E-FV-1-2026</EndToEndId>" in raw


def test_camt054_notification_in_version_08():
    (notification,) = parse_camt(sample("camt054_v08.xml"))
    assert notification.account_iban == "PL61109010140000071219812874"
    assert notification.opening_balance is None and notification.closing_balance is None
    (tx,) = notification.transactions
    assert tx.booking_date == date(2026, 3, 16)
    assert tx.counterparty_name == "Spółdzielnia Mleczarska Łąka"  # Dbtr/Pty/Nm from v08
    assert tx.structured_reference == "RF71FV152026"
    assert (tx.end_to_end_id, tx.bank_reference) == ("PAY-2026-0316-9", "N260316-000123")


@pytest.mark.parametrize("version", range(2, 14))
def test_every_supported_version(version):
    data = sample("camt053_two_accounts.xml").replace(
        b"camt.053.001.02", f"camt.053.001.{version:02}".encode()
    )
    assert len(parse_camt(data)) == 2


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.01", "not supported"),
        ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.14", "not supported"),
        ("urn:iso:std:iso:20022:tech:xsd:camt.052.001.01", "not supported"),
        ("urn:iso:std:iso:20022:tech:xsd:pain.001.001.03", "not a camt.052, camt.053 or camt.054"),
        ("", "not a camt.052, camt.053 or camt.054"),
        ("urn:iso:std:iso:20022:tec}:xsd:camt.053.001.02", "not a camt.052, camt.053 or camt.054"),
    ],
)
def test_other_documents_are_refused(namespace, expected):
    data = sample("camt053_two_accounts.xml").replace(
        f'xmlns="{NS053}"'.encode(), f'xmlns="{namespace}"'.encode()
    )
    with pytest.raises(StatementFileError, match=expected):
        parse_camt(data)


def test_statement_group_must_match_the_message():
    data = sample("camt054_v08.xml").replace(b"BkToCstmrDbtCdtNtfctn", b"BkToCstmrStmt")
    with pytest.raises(StatementFileError, match="line 3: Document/BkToCstmrDbtCdtNtfctn expected"):
        parse_camt(data)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            ENTRY.replace('<Amt Ccy="PLN">10.00</Amt>', ""),
            r"line 5: Document/BkToCstmrStmt/Stmt/Ntry: the amount",
        ),
        (ENTRY.replace("10.00", "10,00"), r"line 5: .*/Ntry/Amt: '10,00' is not an amount"),
        (ENTRY.replace("10.00", "NaN"), "is not an amount"),
        (ENTRY.replace("<BookgDt><Dt>2026-03-13</Dt></BookgDt>", ""), r"line 5: .*/Ntry: the date BookgDt"),
        (
            ENTRY.replace("2026-03-13", "2026-02-30"),
            r"line 5: .*/Ntry/BookgDt/Dt: '2026-02-30' is not a date",
        ),
        (ENTRY.replace("CRDT", "CRED"), "CdtDbtInd must be CRDT or DBIT"),
        (ENTRY.replace("<CdtDbtInd>CRDT</CdtDbtInd>", ""), "CdtDbtInd must be CRDT or DBIT"),
    ],
)
def test_incomplete_entries_are_refused_with_line_and_path(entry, message):
    with pytest.raises(StatementFileError, match=message):
        parse_camt(camt053(entry))


def test_statement_without_account_is_refused():
    with pytest.raises(StatementFileError, match=r"line 4: Document/BkToCstmrStmt/Stmt: the account"):
        parse_camt(camt053(ENTRY, account=""))


def test_truncated_file_is_refused_with_its_line():
    data = sample("camt053_two_accounts.xml")
    with pytest.raises(StatementFileError, match=r"^line \d+: invalid XML"):
        parse_camt(data[: len(data) // 2])


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    entry = ENTRY.replace(
        "</Ntry>", "<NtryDtls><TxDtls><RmtInf><Ustrd>&x;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )
    data = camt053(entry).replace(
        b"<Document", f'<!DOCTYPE Document [<!ENTITY x SYSTEM "file://{secret}">]>\n<Document'.encode(), 1
    )
    try:
        statements = parse_camt(data)
    except StatementFileError:
        return
    assert "TOP-SECRET" not in statements[0].transactions[0].remittance


def test_sniffing_goes_by_content_not_by_name():
    assert len(parse_statement_file(sample("camt053_two_accounts.xml"), "statement.sta")) == 2
    assert len(parse_statement_file(b"\xef\xbb\xbf" + sample("camt054_v08.xml"), "x.txt")) == 1
    assert len(parse_statement_file(sample("mt940_pekao_caret.sta"), "statement.xml")) == 2


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data):
    with pytest.raises(StatementFileError, match="empty"):
        parse_statement_file(data, "empty.xml")


def test_unknown_content_is_refused():
    with pytest.raises(StatementFileError, match="neither"):
        parse_statement_file(b"Date;Amount;Title\n2026-03-13;10,00;x\n", "export.csv")
    with pytest.raises(StatementFileError, match="invalid XML"):
        parse_statement_file(b"not xml at all", "export.xml")


def big_camt053(count: int) -> bytes:
    entry = (
        '<Ntry><Amt Ccy="PLN">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-03-13</Dt></BookgDt><ValDt><Dt>2026-03-13</Dt></ValDt>"
        "<AcctSvcrRef>REF{n:08}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>E2E{n}</EndToEndId></Refs>"
        "<RltdPties><Dbtr><Nm>Klient {n}</Nm></Dbtr><DbtrAcct><Id><IBAN>PL27114020040000300201355387</IBAN>"
        "</Id></DbtrAcct><Cdtr><Nm>Dostawca {n}</Nm></Cdtr></RltdPties>"
        "<RmtInf><Ustrd>FV {n}/2026</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )
    entries = "".join(
        entry.format(n=n, amount=f"{n % 1000}.{n % 100:02}", side="CRDT" if n % 3 else "DBIT")
        for n in range(count)
    )
    return camt053(entries)


def test_fifty_thousand_entries_parse():
    (statement,) = parse_camt(big_camt053(50_000))
    transactions = statement.transactions
    assert len(transactions) == 50_000
    assert len({tx.bank_reference for tx in transactions}) == 50_000
    last = transactions[-1]
    assert (last.amount, last.counterparty_name, last.remittance) == (
        Decimal("999.99"),
        "Klient 49999",
        "FV 49999/2026",
    )
    assert transactions[3].amount == Decimal("-3.03") and transactions[3].counterparty_name == "Dostawca 3"


# ---------------------------------------------------------- batches, versions and titles as banks send them


def _detail(amount_xml, name, title, reference=""):
    refs = f"<Refs><AcctSvcrRef>{reference}</AcctSvcrRef></Refs>" if reference else ""
    return (
        f"<TxDtls>{refs}{amount_xml}<RltdPties><Cdtr><Nm>{name}</Nm></Cdtr></RltdPties>"
        f"<RmtInf><Ustrd>{title}</Ustrd></RmtInf></TxDtls>"
    )


def _batch(amount, side, details, extra=""):
    return (
        f'<Ntry><Amt Ccy="PLN">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-03-13</Dt></BookgDt><AcctSvcrRef>B1</AcctSvcrRef><NtryRef>N7</NtryRef>"
        f"{extra}<NtryDtls><Btch><NbOfTxs>{len(details)}</NbOfTxs></Btch>{''.join(details)}</NtryDtls></Ntry>"
    )


def test_v02_batch_split_by_the_amounts_in_amtdtls():
    details = [
        _detail('<AmtDtls><TxAmt><Amt Ccy="PLN">564.05</Amt></TxAmt></AmtDtls>', "Orlen SA", "FV 1/03"),
        _detail('<AmtDtls><InstdAmt><Amt Ccy="PLN">100.00</Amt></InstdAmt></AmtDtls>', "Tauron", "FV 2/03"),
    ]
    first, second = parse_camt(camt053(_batch("664.05", "DBIT", details)))[0].transactions
    assert (first.amount, second.amount) == (Decimal("-564.05"), Decimal("-100.00"))  # the entry's sign
    assert (first.remittance, second.remittance) == ("FV 1/03", "FV 2/03")  # each its own, not doubled
    assert (first.counterparty_name, second.counterparty_name) == ("Orlen SA", "Tauron")
    assert first.bank_ids == (("AcctSvcrRef", "B1/1"), ("NtryRef", "N7/1"))


def test_batch_whose_details_do_not_add_up_is_one_line_with_every_detail():
    details = [
        _detail('<Amt Ccy="PLN">3.10</Amt><CdtDbtInd>CRDT</CdtDbtInd>', "A", "first"),
        _detail('<Amt Ccy="PLN">3.20</Amt><CdtDbtInd>CRDT</CdtDbtInd>', "B", "second"),
    ]
    (tx,) = parse_camt(camt053(_batch("200000.00", "DBIT", details)))[0].transactions
    assert (tx.amount, tx.counterparty_name, tx.remittance) == (Decimal("-200000.00"), "A", "first second")


def test_batch_details_in_another_currency_are_not_split():
    details = [_detail('<Amt Ccy="EUR">5.00</Amt>', "A", "a"), _detail('<Amt Ccy="EUR">5.00</Amt>', "B", "b")]
    assert len(parse_camt(camt053(_batch("10.00", "CRDT", details)))[0].transactions) == 1


def test_batch_with_charges_keeps_them_as_a_line():
    details = [
        _detail('<Amt Ccy="PLN">700.00</Amt>', "A", "a"),
        _detail('<Amt Ccy="PLN">300.00</Amt>', "B", "b"),
    ]
    charges = '<Chrgs><TtlChrgsAndTaxAmt Ccy="PLN">2.50</TtlChrgsAndTaxAmt></Chrgs>'
    lines = parse_camt(camt053(_batch("997.50", "CRDT", details, charges)))[0].transactions
    assert [tx.amount for tx in lines] == [Decimal("700.00"), Decimal("300.00"), Decimal("-2.50")]
    assert (lines[2].transaction_type, lines[2].remittance) == ("CHRG", "Charges")
    assert sum(tx.amount for tx in lines) == Decimal("997.50")


def test_two_payments_sharing_one_account_servicer_reference_get_distinct_ids():
    details = [
        _detail('<Amt Ccy="PLN">1296.00</Amt>', "A", "a", reference="R-9"),
        _detail('<Amt Ccy="PLN">1296.00</Amt>', "A", "a", reference="R-9"),
    ]
    first, second = parse_camt(camt053(_batch("2592.00", "CRDT", details)))[0].transactions
    assert (first.bank_reference, second.bank_reference) == ("R-9/1", "R-9/2")
    assert first.bank_ids != second.bank_ids


def test_unstructured_pieces_cut_at_35_characters_are_joined_without_a_space():
    title = "/VAT/230,00/IDC/5260250274/INV/FV 1/2026/TXT/zapłata za towar"
    pieces = "".join(f"<Ustrd>{title[i : i + 35]}</Ustrd>" for i in range(0, len(title), 35))
    entry = ENTRY.replace(
        "</BookgDt>", f"</BookgDt><NtryDtls><TxDtls><RmtInf>{pieces}</RmtInf></TxDtls></NtryDtls>"
    )
    (tx,) = parse_camt(camt053(entry))[0].transactions
    assert tx.remittance == title and tx.mpp["invoice"] == "FV 1/2026"
    short = ENTRY.replace(
        "</BookgDt>",
        "</BookgDt><NtryDtls><TxDtls><RmtInf><Ustrd>FV 1</Ustrd><Ustrd>FV 2</Ustrd></RmtInf>"
        "</TxDtls></NtryDtls>",
    )
    assert parse_camt(camt053(short))[0].transactions[0].remittance == "FV 1 FV 2"


def test_camt052_account_report():
    data = sample("camt054_v08.xml").replace(b"camt.054.001.08", b"camt.052.001.08")
    data = data.replace(b"BkToCstmrDbtCdtNtfctn", b"BkToCstmrAcctRpt").replace(b"Ntfctn>", b"Rpt>")
    (report,) = parse_camt(data)
    (tx,) = report.transactions
    assert (tx.amount, tx.counterparty_name) == (Decimal("2460.00"), "Spółdzielnia Mleczarska Łąka")
    assert tx.bank_ids == (("AcctSvcrRef", "N260316-000123"), ("EndToEndId", "PAY-2026-0316-9"))


def test_counterparty_bank_in_v02_and_v08_shapes():
    for tag in ("BIC", "BICFI"):
        agent = f"<RltdAgts><DbtrAgt><FinInstnId><{tag}>BREXPLPWMBK</{tag}></FinInstnId></DbtrAgt></RltdAgts>"
        entry = ENTRY.replace("</BookgDt>", f"</BookgDt><NtryDtls><TxDtls>{agent}</TxDtls></NtryDtls>")
        assert parse_camt(camt053(entry))[0].transactions[0].counterparty_bic == "BREXPLPWMBK"


def test_related_party_in_the_v02_and_the_v08_shapes():
    shapes = (
        "<Dbtr><Nm>Jan Kowalski</Nm></Dbtr>",
        "<Dbtr><Pty><Nm>Jan Kowalski</Nm></Pty></Dbtr>",
        "<Dbtr><Agt><FinInstnId><Nm>Jan Kowalski</Nm></FinInstnId></Agt></Dbtr>",
    )
    for party in shapes:
        details = f"<NtryDtls><TxDtls><RltdPties>{party}</RltdPties></TxDtls></NtryDtls>"
        entry = ENTRY.replace("</BookgDt>", f"</BookgDt>{details}")
        assert parse_camt(camt053(entry))[0].transactions[0].counterparty_name == "Jan Kowalski", party
