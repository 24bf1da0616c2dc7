"""ISO 20022 camt.053 statements, camt.052 account reports and camt.054 debit/credit notifications.

The file is read with ``lxml.etree.iterparse`` and every entry (``Ntry``) is dropped from the tree once
it has been turned into transactions, so memory does not grow with the number of entries. Versions
``001.02`` to ``001.13`` of camt.052, camt.053 and camt.054 are accepted (matched by namespace);
anything else, and any malformed or incomplete file, raises :class:`StatementFileError` naming the line
and the element path.

Mapping:

* a batch entry gives one transaction per ``TxDtls`` only when every detail has an amount in the entry's
  currency (``Amt`` from v04, else ``AmtDtls/TxAmt/Amt``, else ``AmtDtls/InstdAmt/Amt``) and they add up
  to the entry, or add up to it with the entry's charges (``Chrgs``), which then are a line of their own;
  otherwise the entry is one transaction carrying every detail's title and references;
* sign from the entry's ``CdtDbtInd`` (credit positive); only booked entries (``Sts`` BOOK or absent);
* counterparty: the debtor (``Dbtr``, ``DbtrAcct``, ``DbtrAgt``) of a credit, the creditor of a debit;
  the name at ``Nm`` (v02-v04) or ``Pty/Nm`` (v08+), the bank's ``BIC`` (v02-v04) or ``BICFI`` (v08+);
* ``remittance`` = the ``RmtInf/Ustrd`` pieces joined by a space, except after a full 35- or 140-character
  piece (cut mid-word by the bank), else ``AddtlTxInf``/``AddtlNtryInf``;
  ``structured_reference`` = ``RmtInf/Strd/CdtrRefInf/Ref``;
* ``referred_documents`` = ``(RmtInf/Strd/RfrdDocInf/Nb, RfrdDocAmt/RmtdAmt or DuePyblAmt)`` per ``Strd``;
* ``bank_reference`` = ``AcctSvcrRef`` of the details, else of the entry (with ``/<n>`` for the n-th
  detail of a split batch), else ``NtryRef``;
* ``bank_ids`` = ``AcctSvcrRef``, ``TxId``, ``NtryRef`` (``/<n>`` for the n-th detail of a split batch)
  and ``EndToEndId``, most specific first;
* ``raw`` = the XML text of the whole ``Ntry`` element.
"""

import io
import os
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from lxml import etree

from .mpp import parse_mpp
from .statement import Statement, StatementFileError, Transaction, normalize_account

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[2-4])\.001\.(\d\d)")
# message -> (group element, statement element)
_KINDS = {
    "052": ("BkToCstmrAcctRpt", "Rpt"),
    "053": ("BkToCstmrStmt", "Stmt"),
    "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}
_DETAIL_AMOUNTS = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt")
_CHARGES = ("Chrgs/TtlChrgsAndTaxAmt", "Chrgs/Amt", "Chrgs/Rcrd/Amt")
_USTRD_WIDTHS = (35, 140)  # an unstructured piece this long was cut by the bank, maybe mid-word
_PLACEHOLDERS = ("", "NOTPROVIDED", "NONREF", "NONE")
VERSIONS = range(2, 14)
_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SIGNS = {"CRDT": 1, "DBIT": -1}
_OPENING_CODES = ("OPBD", "PRCD")  # in order of preference
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def parse_camt(data) -> list[Statement]:
    """The statements of a camt.053 (``Stmt``), .052 (``Rpt``) or .054 (``Ntfctn``) file (bytes or path)."""
    statements, pending = [], []
    for item in iter_camt(data):
        if isinstance(item, Transaction):
            pending.append(item)
            continue
        item.transactions, pending = pending, []
        if not item.currency and item.transactions:
            item.currency = item.transactions[0].currency
        statements.append(item)
    return statements


def iter_camt(source) -> Iterator[Transaction | Statement]:
    """Each transaction as its entry closes, then its statement (with no transactions) as that closes.

    ``source`` is the file's bytes or a path. Consumers that store transactions as they come keep the
    memory flat however large the file is.
    """
    kind, namespace = _check_root(source)
    group, container = _KINDS[kind]
    entry_tag, statement_tag, group_tag = (f"{{{namespace}}}{name}" for name in ("Ntry", container, group))
    found = False
    tags = (entry_tag, statement_tag)
    context = etree.iterparse(_open(source), events=("end",), tag=tags, **_PARSER_OPTIONS)
    try:
        for _event, element in context:
            parent = element.getparent()
            if element.tag == entry_tag:
                if parent is None or parent.tag != statement_tag:
                    raise _error(element, f"an entry outside a {container}")
                yield from _entry_transactions(_Node(element, ("NtryDtls/TxDtls",)), parent)
            else:
                if parent is None or parent.tag != group_tag:
                    raise _error(element, f"a {container} outside {group}")
                found = True
                yield _statement(_Node(element, ("Bal", "Ntry")))
            element.clear(keep_tail=True)
            while (previous := element.getprevious()) is not None and previous.tag == element.tag:
                parent.remove(previous)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except etree.LxmlError as exc:
        raise StatementFileError(f"invalid XML: {exc}") from None
    if not found:
        raise StatementFileError(f"no {container} element in this camt.{kind} file")


# ---------------------------------------------------------------- document and statement


def _open(source):
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return io.BytesIO(bytes(source))


def _check_root(source) -> tuple[str, str]:
    """The message kind (``052``/``053``/``054``) and namespace, from the root and its first child."""
    starts = []
    try:
        for _event, element in etree.iterparse(_open(source), events=("start",), **_PARSER_OPTIONS):
            starts.append(element)
            if len(starts) == 2:
                break
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except etree.LxmlError as exc:
        raise StatementFileError(f"invalid XML: {exc}") from None
    if not starts:
        raise StatementFileError("line 1: no XML element in the file")
    root = starts[0]
    # Not etree.QName: it refuses (ValueError) a namespace holding a "}".
    namespace, _brace, localname = (
        root.tag[1:].rpartition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    match = _NAMESPACE.fullmatch(namespace)
    if localname != "Document" or not match:
        raise StatementFileError(
            f"line {root.sourceline}: root element {root.tag} "
            "is not a camt.052, camt.053 or camt.054 Document"
        )
    kind, version = match[1], int(match[2])
    if kind not in _KINDS or version not in VERSIONS:
        raise StatementFileError(
            f"line {root.sourceline}: {namespace} is not supported "
            f"(camt.052, camt.053 and camt.054, versions 001.02 to 001.13)"
        )
    group = _KINDS[kind][0]
    if len(starts) < 2 or starts[1].tag != f"{{{namespace}}}{group}":
        where = starts[1] if len(starts) == 2 else root
        raise StatementFileError(f"line {where.sourceline}: Document/{group} expected in a camt.{kind} file")
    return kind, namespace


def _statement(node) -> Statement:
    account = node.text("Acct/Id/IBAN") or node.text("Acct/Id/Othr/Id")
    if not account:
        raise _error(node.element, "the account (Acct/Id/IBAN or Acct/Id/Othr/Id) is missing")
    statement = Statement(
        account_iban=normalize_account(account),
        currency=node.text("Acct/Ccy"),
        statement_id=node.text("Id"),
    )
    balances = {}
    for element in node.nested.get("Bal", ()):
        balance = _Node(element)
        code = (balance.text("Tp/CdOrPrtry/Cd") or balance.text("Tp/CdOrPrtry/Prtry")).upper()
        amount, currency = _signed_amount(balance)
        balances.setdefault(code, (amount, _date_of(balance, "Dt")))
        statement.currency = statement.currency or currency
    opening = next((balances[code] for code in _OPENING_CODES if code in balances), None)
    if opening:
        statement.opening_balance, statement.opening_date = opening
    if "CLBD" in balances:
        statement.closing_balance, statement.closing_date = balances["CLBD"]
    statement.opening_date = statement.opening_date or _date_of(node, "FrToDt/FrDtTm", alone=True)
    statement.closing_date = statement.closing_date or _date_of(node, "FrToDt/ToDtTm", alone=True)
    return statement


# ---------------------------------------------------------------- entries


def _entry_transactions(entry, statement) -> list[Transaction]:
    status = (entry.text("Sts/Cd") or entry.text("Sts")).upper()
    if status not in ("", "BOOK"):
        return []
    amount, currency = _signed_amount(entry)
    if not currency:
        namespace = statement.tag[: statement.tag.find("}") + 1]
        currency = (statement.findtext(f"{namespace}Acct/{namespace}Ccy") or "").strip()
    common = {
        "booking_date": _date_of(entry, "BookgDt", required=True),
        "value_date": _date_of(entry, "ValDt"),
        "currency": currency,
        "transaction_type": _bank_code(entry),
        "line_no": entry.element.sourceline,
        "raw": etree.tostring(entry.element, encoding="unicode", with_tail=False),
    }
    entry_reference, entry_id = entry.text("AcctSvcrRef"), entry.text("NtryRef")
    details = [_Node(element) for element in entry.nested.get("NtryDtls/TxDtls", ())]
    parts = _split(details, amount, currency, entry)
    if parts is None:
        tx = _transaction(details, amount, entry, common)
        tx.bank_reference = tx.bank_reference or entry_reference or entry_id
        own = details[0].text("Refs/AcctSvcrRef") if len(details) == 1 else ""
        tx.bank_ids = _bank_ids(details[:1], own or entry_reference, entry_id, tx.end_to_end_id)
        return [tx]
    sign = 1 if amount >= 0 else -1
    own_references = [detail.text("Refs/AcctSvcrRef") for detail in details]
    shared = len(set(own_references)) < len(own_references)  # one reference for several payments
    transactions = []
    for index, (detail, detail_amount) in enumerate(zip(details, parts, strict=False), start=1):
        tx = _transaction(
            [detail], sign * detail_amount, entry, {**common, "line_no": detail.element.sourceline}
        )
        suffix = f"/{index}"
        if shared and tx.bank_reference:
            tx.bank_reference += suffix
        tx.bank_reference = tx.bank_reference or (entry_reference + suffix if entry_reference else "")
        tx.bank_ids = _bank_ids([detail], tx.bank_reference, entry_id and entry_id + suffix, tx.end_to_end_id)
        transactions.append(tx)
    charges = amount - sum(tx.amount for tx in transactions)
    if charges:  # the entry's charges, which with the details make up its amount
        tx = Transaction(amount=charges, **{**common, "transaction_type": "CHRG"})
        tx.remittance = " ".join(filter(None, ("Charges", entry.text("AddtlNtryInf"))))
        tx.bank_reference = entry_reference + "/charges" if entry_reference else ""
        tx.bank_ids = _bank_ids([], tx.bank_reference, entry_id and entry_id + "/charges", "")
        transactions.append(tx)
    return transactions


def _split(details, amount, currency, entry) -> list[Decimal] | None:
    """The amounts of a batch's details when they add up to the entry (with its charges), else None."""
    if len(details) < 2:
        return None
    parts = []
    for detail in details:
        found = next((detail.leaf(path) for path in _DETAIL_AMOUNTS if detail.leaf(path) is not None), None)
        text = (found.text or "").strip() if found is not None else ""
        if not _AMOUNT.fullmatch(text) or (found.get("Ccy") or currency).strip().upper() != currency.upper():
            return None
        parts.append(Decimal(text))
    total, wanted = sum(parts), abs(amount)
    if total == wanted:
        return parts
    charges = [charge for charge in (_charges(entry), sum(_charges(detail) for detail in details)) if charge]
    return parts if any(wanted in (total + charge, total - charge) for charge in charges) else None


def _charges(node) -> Decimal:
    """The charges an entry or a detail states (``Chrgs``), 0 when none."""
    for path in _CHARGES:
        texts = [(leaf.text or "").strip() for leaf in node.leaves.get(path, ())]
        if texts and all(_AMOUNT.fullmatch(text) for text in texts):
            return sum(Decimal(text) for text in texts) if path == "Chrgs/Rcrd/Amt" else Decimal(texts[0])
    return Decimal(0)


def _bank_ids(details, account_servicer_reference, entry_reference, end_to_end_id) -> tuple:
    first = details[0] if details else None
    ids = (
        ("AcctSvcrRef", account_servicer_reference),
        ("TxId", first.text("Refs/TxId") if first else ""),
        ("NtryRef", entry_reference),
        ("EndToEndId", end_to_end_id),
    )
    return tuple((kind, value) for kind, value in ids if value)


def _transaction(details, amount, entry, common) -> Transaction:
    """One transaction of ``amount`` described by ``details`` (the first gives parties and references)."""
    side = "Dbtr" if amount >= 0 else "Cdtr"
    tx = Transaction(amount=amount, **common)
    first = details[0] if details else None
    if first:
        tx.counterparty_name = (
            first.text(f"RltdPties/{side}/Nm")
            or first.text(f"RltdPties/{side}/Pty/Nm")
            or first.text(f"RltdPties/{side}/Agt/FinInstnId/Nm")  # v08: a bank as the party
        )
        tx.counterparty_iban = normalize_account(
            first.text(f"RltdPties/{side}Acct/Id/IBAN") or first.text(f"RltdPties/{side}Acct/Id/Othr/Id")
        )
        tx.counterparty_bic = first.text(f"RltdAgts/{side}Agt/FinInstnId/BIC") or first.text(
            f"RltdAgts/{side}Agt/FinInstnId/BICFI"
        )
        tx.end_to_end_id = _provided(first.text("Refs/EndToEndId"))
        tx.bank_reference = first.text("Refs/AcctSvcrRef")
    pieces = [text for detail in details for text in detail.raw_texts("RmtInf/Ustrd")]
    references = [text for detail in details for text in detail.texts("RmtInf/Strd/CdtrRefInf/Ref") if text]
    tx.remittance = (
        _join_unstructured(pieces)
        or (first.text("AddtlTxInf") if first else "")
        or entry.text("AddtlNtryInf")
    )
    tx.structured_reference = references[0] if references else ""
    tx.referred_documents = tuple(document for detail in details for document in _referred_documents(detail))
    tx.mpp = parse_mpp(tx.remittance)
    return tx


def _join_unstructured(pieces) -> str:
    """``Ustrd`` pieces as one title: a space between them, none after a piece the bank cut at its width."""
    text, previous = "", ""
    for piece in pieces:
        piece = piece.replace("\r", "").replace("\n", "")
        if not piece.strip():
            continue
        if (
            text
            and len(previous) not in _USTRD_WIDTHS
            and not text.endswith(" ")
            and not piece.startswith(" ")
        ):
            text += " "
        text += piece
        previous = piece
    return text.strip()


def _referred_documents(detail) -> list[tuple[str, Decimal | None]]:
    """``(number, amount remitted or None)`` of each ``RmtInf/Strd`` block naming a referred document."""
    documents = []
    for number in detail.leaves.get("RmtInf/Strd/RfrdDocInf/Nb", ()):
        text = (number.text or "").strip()
        if not text:
            continue
        block = number.getparent().getparent()
        namespace = block.tag[: block.tag.find("}") + 1]
        amount = None
        for tag in ("RmtdAmt", "DuePyblAmt"):
            found = block.find(f"{namespace}RfrdDocAmt/{namespace}{tag}")
            if found is not None and _AMOUNT.fullmatch((found.text or "").strip()):
                amount = Decimal(found.text.strip())
                break
        documents.append((text, amount))
    return documents


def _bank_code(entry) -> str:
    codes = [
        entry.text(path) for path in ("BkTxCd/Domn/Cd", "BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd")
    ]
    return "-".join(code for code in codes if code) or entry.text("BkTxCd/Prtry/Cd")


def _provided(reference: str) -> str:
    return "" if reference.upper() in _PLACEHOLDERS else reference


# ---------------------------------------------------------------- values


def _signed_amount(node, default_sign=None) -> tuple[Decimal, str]:
    """``Amt`` signed by ``CdtDbtInd`` (``default_sign`` when that is absent), and its currency."""
    amount = node.leaf("Amt")
    if amount is None:
        raise _error(node.element, "the amount (Amt) is missing")
    text = (amount.text or "").strip()
    if not _AMOUNT.fullmatch(text):
        raise _error(amount, f"{text!r} is not an amount")
    indicator = node.text("CdtDbtInd").upper()
    sign = _SIGNS.get(indicator, default_sign if not indicator else None)
    if sign is None:
        raise _error(node.element, f"CdtDbtInd must be CRDT or DBIT, not {indicator or 'missing'!r}")
    return sign * Decimal(text), (amount.get("Ccy") or "").strip().upper()


def _date_of(node, path, required=False, alone=False) -> date | None:
    """The date at ``path/Dt`` or ``path/DtTm`` (at ``path`` itself when ``alone``)."""
    found = node.leaf(path)
    if not alone:
        found = node.leaf(f"{path}/Dt")
        found = node.leaf(f"{path}/DtTm") if found is None else found
    text = (found.text or "").strip() if found is not None else ""
    if not text:
        if required:
            raise _error(node.element, f"the date {path}/Dt is missing")
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _error(found, f"{text!r} is not a date") from None


class _Node:
    """An element read once: its leaf elements by local path (``RltdPties/Dbtr/Nm``).

    The elements at the ``nested`` paths are not descended into but listed, to be read on their own
    (the ``TxDtls`` of an entry, the ``Bal`` of a statement). One walk per element and dictionary
    lookups afterwards are several times faster than an ``ElementPath`` search per field.
    """

    __slots__ = ("element", "leaves", "nested")

    def __init__(self, element, nested=()):
        self.element = element
        self.leaves = {}
        self.nested = {}
        self._walk(element, "", element.tag.find("}") + 1, nested)

    def _walk(self, parent, prefix, cut, nested):
        for child in parent:
            if not isinstance(child.tag, str):
                continue  # an unresolved entity reference
            path = prefix + child.tag[cut:]
            if path in nested:
                self.nested.setdefault(path, []).append(child)
            elif len(child):
                self._walk(child, path + "/", cut, nested)
            else:
                self.leaves.setdefault(path, []).append(child)

    def leaf(self, path):
        found = self.leaves.get(path)
        return found[0] if found else None

    def text(self, path) -> str:
        found = self.leaves.get(path)
        return (found[0].text or "").strip() if found else ""

    def texts(self, path) -> list[str]:
        return [(found.text or "").strip() for found in self.leaves.get(path, ())]

    def raw_texts(self, path) -> list[str]:
        return [found.text or "" for found in self.leaves.get(path, ())]


def _path_of(element) -> str:
    names = []
    while element is not None:
        names.append(element.tag.rpartition("}")[2] if isinstance(element.tag, str) else "?")
        element = element.getparent()
    return "/".join(reversed(names))


def _error(element, problem) -> StatementFileError:
    return StatementFileError(f"line {element.sourceline}: {_path_of(element)}: {problem}")


def _syntax_error(exc) -> StatementFileError:
    line = exc.lineno or (exc.position[0] if exc.position else "?")
    return StatementFileError(f"line {line}: invalid XML: {exc.msg}")
