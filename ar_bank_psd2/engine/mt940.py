"""SWIFT MT940 statements and MT942 interim reports, with the Polish banks' variants.

* The SWIFT envelope is optional and read in every shape banks write it: ``{1:…}{2:…}{4:`` on one line
  or each block on its own line, ``-}``, ``-}{5:…}`` or a lone ``-`` closing the message, mBank's SOH/ETX,
  Alior's lone ``{``, Rabobank's ``:940:`` and header lines such as ``ABNANL2A``/``940`` before ``:20:``.
  A lone ``-`` ends a message only where a message (or the file) ends: inside ``:86:`` it is text.
* ``:25:`` may be ``PL61…``, ``/PL61…``, ``PL61…PLN``, ``BIC/PL61…`` or a bare 26-digit NRB: all give
  the IBAN.
* ``:86:`` after a ``:61:`` (several ``:86:`` in a row are one) is read by its layout, see
  :mod:`.mt940_details`: Polish ``~``/``^``/``<``/``+`` subfields, German/Dutch ``?NN``, ``/EREF/``
  tags, mBank's keys, SNS/ASN's account-and-name line, else free text.
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
from .mt940_details import read_details
from .statement import Statement, StatementFileError, Transaction, normalize_account

_TAG = re.compile(r":(\d{2}[A-Z]?|NS):")
_BLOCK = r"\{[1-5]:(?:[^{}]|\{[^{}]*\})*\}"
_HEADER = re.compile(rf"(?:{_BLOCK})*\{{4:")
_BLOCKS_ONLY = re.compile(rf"(?:{_BLOCK})+")
# A bank's header line before :20: (ABN AMRO "ABNANL2A", "940"; ING "0000 01INGBNL2AXXXX00001", "940 00").
_BANK_HEADER = re.compile(r"[A-Z0-9]{1,30}(?: [A-Z0-9]{1,30})?")
_MESSAGE_START = re.compile(r"\{|:20:|:940:|:942:")
_TERMINATOR = re.compile(r"-(?:XXX)?|-\}.*")
_BROKEN_TAG = re.compile(r":\d")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d{1,15}(?:,\d*)?)")
_LINE61 = re.compile(
    r"(?P<value_date>\d{6})(?P<entry_date>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d{1,15}(?:,\d*)?)(?:(?P<type>[NSF][A-Z0-9 ]{3})(?P<reference>.*?))?(?://(?P<bank_reference>.*))?"
)
_SIGNS = {"C": 1, "D": -1, "RC": -1, "RD": 1}


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
    """The tagged fields of the file in order, with their continuation lines; ``""`` tags end a message."""
    # Lines keep their trailing spaces: a 65-character line ending in a space was not cut mid-word.
    lines = re.split(r"\r\n|\r|\n", text.replace("\x01", "").replace("\x03", ""))
    current = None
    for index, raw_line in enumerate(lines):
        line_no, line = index + 1, raw_line.rstrip()
        if line.startswith("{"):
            opens, line = _swift_blocks(line, line_no)
            if opens and (current is None or current.tag):
                if current:
                    yield current
                current = _Field(line_no, "")
            if line is None:
                continue
        if line[:1] == "-" and _TERMINATOR.fullmatch(line.strip()) and _ends_message(lines, index):
            if current:
                yield current
            current = _Field(line_no, "")
            continue
        if not line.strip():
            continue
        if line[:3] == ":94" and line.strip() in (":940:", ":942:"):
            continue  # Rabobank names the message type before :20:
        tag = _TAG.match(line)
        if tag:
            if current:
                yield current
            current = _Field(line_no, tag[1], [raw_line[tag.end() :]])
        elif _BROKEN_TAG.match(line):
            raise StatementFileError(f"line {line_no}: broken tag {line[:8]!r}")
        elif current and current.tag:
            current.lines.append(raw_line)
        elif _BANK_HEADER.fullmatch(line.strip()) and _header_before_message(lines, index):
            continue
        else:
            raise StatementFileError(f"line {line_no}: text outside any tag: {line[:30]!r}")
    if current:
        yield current


def _swift_blocks(line, line_no) -> tuple[bool, str | None]:
    """Whether a line of SWIFT blocks opens a message, and the text after ``{4:`` (None: nothing after).

    ``{1:…}{2:…}{4:`` on one line, each block on its own line, Alior's lone ``{`` and trailer blocks
    (``{5:…}``) are read; a block left open is an error.
    """
    header = _HEADER.match(line)
    if header:
        return True, line[header.end() :]
    if line == "{" or _BLOCKS_ONLY.fullmatch(line):
        return line == "{" or line.startswith("{1:"), None
    if line.startswith(("{1:", "{2:", "{3:", "{4:")):
        raise StatementFileError(f"line {line_no}: broken SWIFT header block {line[:20]!r}")
    return False, None  # a trailer block after the end of a message


def _next_lines(lines, index):
    """The non-blank lines after ``lines[index]``, stripped (read lazily: no copy of the rest of the file)."""
    return (lines[at].strip() for at in range(index + 1, len(lines)) if lines[at].strip())


def _ends_message(lines, index) -> bool:
    """Whether the ``-`` at ``lines[index]`` ends a message: the file, or a next message, follows."""
    following = next(_next_lines(lines, index), None)
    if following is None or _MESSAGE_START.match(following):
        return True
    return _BANK_HEADER.fullmatch(following) is not None and _header_before_message(lines, index + 1)


def _header_before_message(lines, index) -> bool:
    """Whether only bank header lines lie between ``lines[index]`` and the next message's ``:20:``."""
    for following in _next_lines(lines, index):
        if _MESSAGE_START.match(following):
            return True
        if not _BANK_HEADER.fullmatch(following):
            return False
    return False


class _Builder:
    """Folds the fields into statements."""

    def __init__(self):
        self.statements = []
        self.statement = None
        self.reference = ""  # :20: of the open statement
        self.last_tag = ""
        self.transaction = None
        self.statement_line = 0
        self.details = []  # the :86: lines of the open transaction, read when it is complete
        self.line61 = ("", "")  # its :61: customer reference and supplementary details
        self.handlers = {
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
        }

    def add(self, item: _Field):
        if item.tag != "86":
            self.read_details()
        handler = self.handlers.get(item.tag)
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
        self.read_details()
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
        # "BIC/account/HUF", "NL10BUNQ2290325473 EUR": the currency is no part of the account
        statement.account_iban = normalize_account(re.sub(r"(?<=\w)[/ ][A-Z]{3}$", "", item.first))
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
        self.transaction, reference = _transaction(item, self.statement.currency)
        self.line61 = (reference, item.lines[1].strip() if len(item.lines) > 1 else "")
        self.statement.transactions.append(self.transaction)

    def tag_86(self, item):
        if self.last_tag not in ("61", "86") or self.transaction is None:
            return  # information about the whole statement
        if self.last_tag == "86" and not self.details:
            return  # a statement-level :86: after the line's own ones were read
        self.details.extend(item.lines)  # Rabobank's old files give one line a :86: per line
        self.transaction.raw += "\n:86:" + "\n".join(item.lines)

    def read_details(self):
        if not self.details or self.transaction is None:
            self.details = []
            return
        lines, self.details = self.details, []
        _apply_details(self.transaction, lines, *self.line61)


def _balance(item) -> tuple[Decimal, date, str]:
    match = _BALANCE.fullmatch(item.first)
    if not match:
        raise StatementFileError(
            f"line {item.line_no}: :{item.tag}: is not a balance 'C|D YYMMDD CCY amount': {item.first!r}"
        )
    amount = _amount(match["amount"]) * (1 if match["mark"] == "C" else -1)
    return amount, _yymmdd(match["date"], item), match["currency"]


def _transaction(item, currency) -> tuple[Transaction, str]:
    """The transaction of a ``:61:`` line, and the customer reference written on it."""
    match = _LINE61.fullmatch(item.first)
    if not match:
        raise StatementFileError(f"line {item.line_no}: :61: cannot be read: {item.first!r}")
    value_date = _yymmdd(match["value_date"], item)
    booking_date = value_date
    if match["entry_date"]:
        booking_date = _entry_date(match["entry_date"], value_date, item)
    reference = (match["reference"] or "").strip()
    bank_reference = (match["bank_reference"] or "").strip()
    tx = Transaction(
        booking_date=booking_date,
        value_date=value_date,
        amount=_SIGNS[match["mark"]] * _amount(match["amount"]),
        currency=currency,
        end_to_end_id="" if reference.upper() in ("NONREF", "EREF") else reference,
        bank_reference=bank_reference,
        bank_ids=(("bank reference", bank_reference),) if bank_reference else (),
        transaction_type=(match["type"] or "").strip(),
        raw=":61:" + "\n".join(item.lines),
        line_no=item.line_no,
    )
    return tx, reference


def _apply_details(tx: Transaction, lines: list[str], reference: str, supplementary: str):
    """Fills the counterparty, the title and the bank's ids of ``tx`` from its ``:86:`` lines."""
    details = read_details(lines, reference, supplementary)
    tx.remittance = details.remittance
    tx.counterparty_name = details.counterparty_name
    tx.counterparty_iban = details.counterparty_iban
    tx.counterparty_bic = details.counterparty_bic
    tx.end_to_end_id = details.end_to_end_id or tx.end_to_end_id
    tx.bank_reference = tx.bank_reference or details.bank_reference
    if details.bank_reference:
        tx.bank_ids += (("TNR", details.bank_reference),)
    tx.mpp = parse_mpp(details.title_for_mpp or details.remittance)


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
