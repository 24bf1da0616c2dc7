"""SWIFT MT940 statements and MT942 interim reports, with the Polish banks' variants.

* The SWIFT envelope (``{1:…}{2:…}{4:`` … ``-}``) and mBank's SOH/ETX framing are optional.
* ``:25:`` may be ``PL61…``, ``/PL61…``, ``PL61…PLN``, ``BIC/PL61…`` or a bare 26-digit NRB: all give
  the IBAN.
* ``:86:`` after a ``:61:`` is either Polish structured (``NNN~00…~20…``: the separator is the
  character after the 3-digit code, ``~`` at PKO BP/ING/Santander, ``^`` at Pekao, ``<`` in CP852
  files), or free text kept whole as the remittance (mBank's ``Z RACH.:``/``OD:``/``TYT.:``/``TNR:``
  keys also give the counterparty and the bank reference).
* MT942 has no ``:60F:``/``:62F:`` balances; its currency comes from ``:34F:`` or ``:90D:``/``:90C:`` and
  its date from ``:13D:``.

Bytes are decoded with :func:`decode_bank_file`. Every problem raises :class:`StatementFileError`
naming the line and the tag.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .encoding import decode_bank_file
from .mpp import parse_mpp
from .statement import Statement, StatementFileError, Transaction, normalize_account, pl_iban_from_bban

_TAG = re.compile(r":(\d{2}[A-Z]?|NS):")
_HEADER = re.compile(r"(?:\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})*\{4:")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d{1,15}(?:,\d*)?)")
_LINE61 = re.compile(
    r"(?P<value_date>\d{6})(?P<entry_date>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d{1,15}(?:,\d*)?)(?P<type>[NSF][A-Z0-9]{3})(?P<reference>.*?)(?://(?P<bank_reference>.*))?"
)
_SIGNS = {"C": 1, "D": -1, "RC": -1, "RD": 1}
_STRUCTURED = re.compile(r"(?P<code>\d{3})(?P<separator>[~^<>+?])\d\d")
_EMPTY_MARKS = "˙ÿ"  # PKO BP writes a lone 0xFF (CP1250) in empty sub-fields
_FREE_TEXT_KEYS = re.compile(r"(?:^|;)\s*(Z RACH\.|NA RACH\.|OD|DLA|TYT\.|TNR|ID IPH)\s*:\s*([^;]*)")
# Pieces of a wrapped text that are this long were cut mid-text and are joined without a space.
_SUBFIELD_WIDTH = 27
_LINE_WIDTH = 65


@dataclass
class _Field:
    line_no: int
    tag: str  # "" marks the end of a SWIFT message
    lines: list[str] = field(default_factory=list)

    @property
    def first(self) -> str:
        return self.lines[0].strip() if self.lines else ""


def parse_mt940(data) -> list[Statement]:
    """The statements of an MT940/MT942 file given as bytes (any Polish encoding) or text."""
    text = decode_bank_file(data) if isinstance(data, bytes | bytearray | memoryview) else str(data)
    builder = _Builder()
    for item in _fields(text):
        builder.add(item)
    builder.finish_statement()
    if not builder.statements:
        raise StatementFileError("line 1: no MT940 statement (no :20:/:25: tag) in the file")
    return builder.statements


def _fields(text):
    """The tagged fields of the file in order, with their continuation lines."""
    current = None
    for line_no, line in enumerate(re.split(r"\r\n|\r|\n", text.replace("\x01", "").replace("\x03", "")), 1):
        line = line.rstrip()
        if line.startswith("{"):
            header = _HEADER.match(line)
            if not header:
                if line.startswith(("{1:", "{2:", "{3:", "{4:")):
                    raise StatementFileError(f"line {line_no}: broken SWIFT header block {line[:20]!r}")
                continue  # a trailer block ({5:…}) after the end of a message
            if current:
                yield current
            current = _Field(line_no, "")
            line = line[header.end() :]
        if line.startswith("-}") or line.strip() == "-":
            if current:
                yield current
            current = _Field(line_no, "")
            continue
        if not line.strip():
            continue
        tag = _TAG.match(line)
        if tag:
            if current:
                yield current
            current = _Field(line_no, tag[1], [line[tag.end() :]])
        elif re.match(r":\d", line):
            raise StatementFileError(f"line {line_no}: broken tag {line[:8]!r}")
        elif current and current.tag:
            current.lines.append(line)
        else:
            raise StatementFileError(f"line {line_no}: text outside any tag: {line[:30]!r}")
    if current:
        yield current


class _Builder:
    """Folds the fields into statements."""

    def __init__(self):
        self.statements = []
        self.statement = None
        self.reference = ""  # :20: of the open statement
        self.last_tag = ""
        self.transaction = None
        self.statement_line = 0

    def add(self, item: _Field):
        handler = {
            "": self.finish_statement,
            "20": self.tag_20,
            "25": self.tag_25,
            "28C": self.tag_28,
            "28": self.tag_28,
            "60F": self.tag_60,
            "60M": self.tag_60,
            "61": self.tag_61,
            "86": self.tag_86,
            "62F": self.tag_62,
            "62M": self.tag_62,
            "34F": self.tag_34,
            "13D": self.tag_13,
            "13": self.tag_13,
            "90D": self.tag_90,
            "90C": self.tag_90,
        }.get(item.tag)
        if handler == self.finish_statement:
            handler()
        elif handler:
            handler(item)
        self.last_tag = item.tag

    # ------------------------------------------------------------ statement level

    def open_statement(self, item):
        if self.statement is None:
            self.statement = Statement(account_iban="")
            self.statement_line = item.line_no
        return self.statement

    def finish_statement(self):
        statement, self.statement, self.reference, self.transaction = self.statement, None, "", None
        if statement is None:
            return
        if not statement.account_iban:
            raise StatementFileError(f"line {self.statement_line}: statement without an account (:25:)")
        for tx in statement.transactions:
            tx.currency = tx.currency or statement.currency
        self.statements.append(statement)

    def tag_20(self, item):
        self.finish_statement()
        self.open_statement(item).statement_id = self.reference = item.first

    def tag_25(self, item):
        statement = self.open_statement(item)
        statement.account_iban = normalize_account(item.first)
        if not statement.account_iban:
            raise StatementFileError(f"line {item.line_no}: :25: has no account number")

    def tag_28(self, item):
        statement = self.open_statement(item)
        statement.statement_id = f"{self.reference}/{item.first}" if self.reference else item.first

    def tag_60(self, item):
        statement = self.open_statement(item)
        statement.opening_balance, statement.opening_date, currency = _balance(item)
        statement.currency = statement.currency or currency

    def tag_62(self, item):
        statement = self.open_statement(item)
        statement.closing_balance, statement.closing_date, currency = _balance(item)
        statement.currency = statement.currency or currency

    def tag_34(self, item):
        if not re.match(r"[A-Z]{3}", item.first):
            raise StatementFileError(f"line {item.line_no}: :{item.tag}: has no currency: {item.first!r}")
        statement = self.open_statement(item)
        statement.currency = statement.currency or item.first[:3]

    def tag_13(self, item):
        statement = self.open_statement(item)
        statement.closing_date = _yymmdd(item.first[:6], item)

    def tag_90(self, item):
        match = re.fullmatch(r"\d+([A-Z]{3})\d+(?:,\d*)?", item.first)
        if not match:
            raise StatementFileError(f"line {item.line_no}: :{item.tag}: is not 'count, currency, amount'")
        statement = self.open_statement(item)
        statement.currency = statement.currency or match[1]

    # ------------------------------------------------------------ transactions

    def tag_61(self, item):
        if self.statement is None or not self.statement.account_iban:
            raise StatementFileError(f"line {item.line_no}: :61: without a preceding :25: account")
        self.transaction = _transaction(item, self.statement.currency)
        self.statement.transactions.append(self.transaction)

    def tag_86(self, item):
        if self.last_tag != "61" or self.transaction is None:
            return  # information about the whole statement
        _apply_details(self.transaction, item)
        self.transaction.raw += "\n:86:" + "\n".join(item.lines)


def _balance(item) -> tuple[Decimal, date, str]:
    match = _BALANCE.fullmatch(item.first)
    if not match:
        raise StatementFileError(
            f"line {item.line_no}: :{item.tag}: is not a balance 'C|D YYMMDD CCY amount': {item.first!r}"
        )
    amount = _amount(match["amount"]) * (1 if match["mark"] == "C" else -1)
    return amount, _yymmdd(match["date"], item), match["currency"]


def _transaction(item, currency) -> Transaction:
    match = _LINE61.fullmatch(item.first)
    if not match:
        raise StatementFileError(f"line {item.line_no}: :61: cannot be read: {item.first!r}")
    value_date = _yymmdd(match["value_date"], item)
    booking_date = value_date
    if match["entry_date"]:
        booking_date = _entry_date(match["entry_date"], value_date, item)
    reference = match["reference"].strip()
    return Transaction(
        booking_date=booking_date,
        value_date=value_date,
        amount=_SIGNS[match["mark"]] * _amount(match["amount"]),
        currency=currency,
        end_to_end_id="" if reference.upper() == "NONREF" else reference,
        bank_reference=(match["bank_reference"] or "").strip(),
        transaction_type=match["type"],
        raw=":61:" + "\n".join(item.lines),
        line_no=item.line_no,
    )


def _apply_details(tx: Transaction, item):
    """Fills the counterparty and the title of ``tx`` from its ``:86:`` field."""
    joined = "".join(item.lines)
    structured = _STRUCTURED.match(joined)
    if structured:
        parts = _subfields(joined[3:], structured["separator"])
        tx.remittance = _join(parts.get(code, "") for code in range(20, 30))
        tx.counterparty_name = _join(parts.get(code, "") for code in (32, 33))
        iban = parts.get(38, "")
        account = re.sub(r"\D", "", parts.get(31, ""))
        if iban:
            tx.counterparty_iban = normalize_account(iban)
        elif len(account) == 26:
            tx.counterparty_iban = normalize_account(account)
        elif account:
            tx.counterparty_iban = pl_iban_from_bban(parts.get(30, ""), account)
        tx.mpp = parse_mpp(tx.remittance)
        return
    text = _join((line.strip() for line in item.lines), width=_LINE_WIDTH)
    tx.remittance = text
    keys = {key: value.strip() for key, value in _FREE_TEXT_KEYS.findall(text)}
    tx.counterparty_iban = normalize_account(keys.get("Z RACH.") or keys.get("NA RACH.") or "")
    tx.counterparty_name = keys.get("OD") or keys.get("DLA") or ""
    tx.bank_reference = tx.bank_reference or keys.get("TNR", "")
    tx.mpp = parse_mpp(keys.get("TYT.") or text)


def _subfields(body: str, separator: str) -> dict[int, str]:
    """``{20: 'title…', 32: 'name'}`` from ``~20title…~32name``; a repeated code is appended to."""
    parts = {}
    for piece in re.split(re.escape(separator) + r"(?=\d\d)", body):
        if len(piece) < 2 or not piece[:2].isdigit():
            continue
        value = piece[2:]
        if value.strip(_EMPTY_MARKS + " ") == "":
            value = ""
        code = int(piece[:2])
        parts[code] = _join((parts[code], value)) if code in parts else value
    return parts


def _join(pieces, width=_SUBFIELD_WIDTH) -> str:
    """Wrapped pieces as one text: no space after a piece that fills its width (it was cut mid-word)."""
    text, previous = "", ""
    for piece in pieces:
        if not piece:
            continue
        if text and len(previous) < width and not text.endswith(" ") and not piece.startswith(" "):
            text += " "
        text += piece
        previous = piece
    return text.strip()


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _yymmdd(text: str, item) -> date:
    try:
        if not re.fullmatch(r"\d{6}", text):
            raise ValueError(text)
        year = int(text[:2])
        return date(2000 + year if year < 80 else 1900 + year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise StatementFileError(f"line {item.line_no}: :{item.tag}: {text!r} is not a date YYMMDD") from None


def _entry_date(mmdd: str, value_date: date, item) -> date:
    """The entry (booking) date ``MMDD`` in the year that puts it closest to the value date."""
    candidates = []
    for year in (value_date.year - 1, value_date.year, value_date.year + 1):
        try:
            candidates.append(date(year, int(mmdd[:2]), int(mmdd[2:])))
        except ValueError:
            continue
    if not candidates:
        raise StatementFileError(f"line {item.line_no}: :61: entry date {mmdd!r} is not a date MMDD")
    return min(candidates, key=lambda day: abs(day - value_date) // timedelta(days=1))
