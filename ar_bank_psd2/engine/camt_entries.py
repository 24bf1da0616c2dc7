"""camt entries (``Ntry``) turned into transactions: batches split per detail, charges, titles, references.

The mapping is described in :mod:`.camt`.
"""

from decimal import Decimal

from lxml import etree

from .camt_values import _AMOUNT, _date_of, _Node, _signed_amount
from .mpp import parse_mpp
from .statement import Transaction, normalize_account

_DETAIL_AMOUNTS = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt")
_CHARGES = ("Chrgs/TtlChrgsAndTaxAmt", "Chrgs/Amt", "Chrgs/Rcrd/Amt")
_USTRD_WIDTHS = (35, 140)  # an unstructured piece this long was cut by the bank, maybe mid-word
_PLACEHOLDERS = ("", "NOTPROVIDED", "NONREF", "NONE")


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
