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

Entries are read in :mod:`.camt_entries`, values (amounts, dates, paths, errors) in :mod:`.camt_values`.
"""

import io
import os
import re
from collections.abc import Iterator

from lxml import etree

from .camt_entries import _entry_transactions
from .camt_values import _date_of, _error, _Node, _signed_amount, _syntax_error
from .statement import Statement, StatementFileError, Transaction, normalize_account

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[2-4])\.001\.(\d\d)")
# message -> (group element, statement element)
_KINDS = {
    "052": ("BkToCstmrAcctRpt", "Rpt"),
    "053": ("BkToCstmrStmt", "Stmt"),
    "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}
VERSIONS = range(2, 14)
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
