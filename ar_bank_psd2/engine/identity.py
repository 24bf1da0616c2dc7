"""Which transactions of a statement file (or an open-banking read) are already booked: the duplicate rule.

A transaction is skipped only when it is provably a bank transaction already booked in the journal, or a
repetition, earlier in the same file, of one being imported. Everything else is imported: a payment
dropped by mistake is money on the bank account that the books never see, a payment imported twice is
visible on the statement and reconciled by hand.

1. **The transaction's id.** Each transaction has candidate ids, most specific first (``Transaction.bank_ids``
   when the parser gives them; otherwise its ``bank_reference``, mBank's ``TNR`` and, for camt, its
   ``EndToEndId``). A candidate identifies the transaction only when it is real (not a placeholder such as
   ``NONREF``, ``NOTPROVIDED``, ``NONE``, ``N/A``, empty or all zeros, see :func:`is_placeholder`) and
   unique among the file's transactions of that account: mBank gives a fee and its payment one order
   reference, a camt batch may give its payments one ``AcctSvcrRef``. Without such an id the
   transaction's identity is its *occurrence fingerprint*: date, amount, counterparty, title and the
   ordinal of that payment among equal ones in the file (two equal payments on one day are two payments).
2. **Repeated in the file.** A transaction of a later statement (of the same account, in the same file)
   that is identical in every detail to one of an earlier statement, real bank ids included, is that
   transaction again (overlapping statements in one file). Within one statement every transaction is a
   booking of its own: the statement's balances count each.
3. **Already booked.** A transaction is the booked line that has the same id and the same amount; else
   the booked line with the same occurrence fingerprint, unless both carry ids of the same scheme that
   differ and the transaction's id is new to the journal (then they are two payments that look alike;
   an id that another booked line holds proves nothing, e.g. batch details numbered in another order).
   Each booked line stands for one transaction.

Only plain data goes in and out; the model reads the booked lines and writes the verdicts back.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from .statement import Transaction, fingerprint

# Words banks write where they have no reference (SWIFT's NONREF, ISO 20022's NOTPROVIDED, …).
PLACEHOLDERS = frozenset(
    {
        "NONREF",
        "NOREF",
        "NOREFERENCE",
        "NOTPROVIDED",
        "NOTAVAILABLE",
        "NOTAPPLICABLE",
        "NONE",
        "NA",
        "NULL",
        "NIL",
        "UNKNOWN",
        "BRAK",
        "BRAKDANYCH",
        "BRAKREFERENCJI",
        "X",
    }
)
_TNR = re.compile(r"(?:^|;)\s*TNR\s*:\s*([^;]+)")
_DETAIL_INDEX = re.compile(r"/\d{1,4}$")
FINGERPRINT = "fingerprint"
# The reasons of a verdict.
SAME_ID = "same_id"
SAME_FINGERPRINT = "same_fingerprint"
REPEATED_IN_FILE = "repeated_in_file"


def is_placeholder(value: str | None) -> bool:
    """Whether ``value`` says "no reference" rather than being one: empty, a placeholder word in any case
    and spacing (``NONREF``, ``NOTPROVIDED``, ``N/A``, ``none``…), all zeros or punctuation; also such a
    word with a detail index (``NONREF/2``)."""
    text = _DETAIL_INDEX.sub("", (value or "").strip()) if (value or "").strip() else ""
    folded = re.sub(r"[\s./\\\-_:]", "", text).upper()
    return not folded or folded in PLACEHOLDERS or set(folded) <= {"0"}


@dataclass(frozen=True, slots=True)
class Identity:
    """How a transaction is recognised: by the bank's id (``kind`` names it, ``scheme`` the channel it
    came through) or, with ``kind == FINGERPRINT``, by its occurrence fingerprint alone."""

    scheme: str
    kind: str
    value: str
    fingerprint: str
    repeat_of: int | None = None  # index of the identical transaction of an earlier statement

    @property
    def has_id(self) -> bool:
        return self.kind != FINGERPRINT


@dataclass(frozen=True, slots=True)
class Booked:
    """A statement line already in the journal, as the rule needs it."""

    line_id: int
    amount: Decimal
    import_id: str = ""
    fingerprint: str = ""
    id_scheme: str = ""
    id_kind: str = ""
    id_value: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one transaction: import it (``reason == ''``; ``store_id`` is the id to store on the
    line, '' when it has none or a booked line holds it already) or skip it, with the reason, the booked
    line it duplicates (``line_id``) or the earlier transaction of the file it repeats (``repeat_of``)."""

    identity: Identity
    reason: str = ""
    line_id: int | None = None
    repeat_of: int | None = None
    store_id: str = ""

    @property
    def is_new(self) -> bool:
        return not self.reason


def candidate_ids(tx: Transaction, scheme: str) -> list[tuple[str, str]]:
    """The real ids of ``tx``, most specific first, as ``(kind, value)`` (placeholders left out)."""
    if tx.bank_ids:
        pairs = list(tx.bank_ids)
    else:
        pairs = [("bank reference", tx.bank_reference)]
        tnr = _TNR.search(tx.remittance or "") if scheme == "mt940" else None
        if tnr:
            pairs.append(("TNR", re.sub(r"\s", "", tnr[1])))
        if scheme == "camt":
            pairs.append(("EndToEndId", tx.end_to_end_id))
    real, seen = [], set()
    for kind, value in pairs:
        value = (value or "").strip()
        if not is_placeholder(value) and value not in seen:
            seen.add(value)
            real.append((kind, value))
    return real


def identify(transactions: list[Transaction], scheme: str, statements: list | None = None) -> list[Identity]:
    """The identity of each transaction of one account read from one file (or one API read).

    ``statements`` gives, per transaction, the statement it belongs to (any hashable; all one statement
    when omitted): a transaction identical to one of an earlier statement is marked ``repeat_of`` it.
    """
    statements = statements if statements is not None else [0] * len(transactions)
    candidates = [candidate_ids(tx, scheme) for tx in transactions]
    repeat_of = _repeats(transactions, candidates, statements)
    counts = Counter(
        value
        for index, pairs in enumerate(candidates)
        if repeat_of[index] is None
        for value in {value for _kind, value in pairs}
    )
    occurrences = Counter()
    identities = []
    for index, tx in enumerate(transactions):
        if repeat_of[index] is not None:
            identities.append(_replace_repeat(identities[repeat_of[index]], repeat_of[index]))
            continue
        base = fingerprint(tx)
        occurrences[base] += 1
        print_ = f"{base}:{occurrences[base]}"
        kind, value = next(((k, v) for k, v in candidates[index] if counts[v] == 1), (FINGERPRINT, ""))
        identities.append(Identity(scheme, kind, value, print_))
    return identities


def classify(
    transactions: list[Transaction], identities: list[Identity], booked: list[Booked]
) -> list[Verdict]:
    """A verdict per transaction against the lines ``booked`` in the journal (those sharing an id or an
    occurrence fingerprint with the transactions are enough)."""
    by_id = {line.import_id: line for line in booked if line.import_id}
    by_print = {}
    for line in booked:
        if line.fingerprint:
            by_print.setdefault(line.fingerprint, []).append(line)
    verdicts: list[Verdict | None] = [None] * len(transactions)
    used = set()
    for index, identity in enumerate(identities):
        if identity.repeat_of is not None:
            verdicts[index] = Verdict(identity, REPEATED_IN_FILE, repeat_of=identity.repeat_of)
    # The bank's ids first: a line with the same id and amount is this transaction.
    for index, (tx, identity) in enumerate(zip(transactions, identities, strict=True)):
        line = by_id.get(identity.value) if identity.has_id and verdicts[index] is None else None
        if line and line.line_id not in used and line.amount == tx.amount:
            used.add(line.line_id)
            verdicts[index] = Verdict(identity, SAME_ID, line_id=line.line_id)
    for index, identity in enumerate(identities):
        if verdicts[index] is not None:
            continue
        for line in by_print.get(identity.fingerprint, ()):
            if line.line_id in used or (_different_ids(identity, line) and identity.value not in by_id):
                continue
            used.add(line.line_id)
            same = identity.has_id and (line.id_scheme, line.id_kind, line.id_value) == (
                identity.scheme,
                identity.kind,
                identity.value,
            )
            verdicts[index] = Verdict(identity, SAME_ID if same else SAME_FINGERPRINT, line_id=line.line_id)
            break
    taken = set(by_id)
    for index, identity in enumerate(identities):
        if verdicts[index] is None:
            store = identity.value if identity.has_id and identity.value not in taken else ""
            taken.add(store)
            verdicts[index] = Verdict(identity, store_id=store)
    return verdicts


def _different_ids(identity: Identity, line: Booked) -> bool:
    """Both carry an id of the same scheme and kind and the ids differ: two payments that look alike."""
    return (
        identity.has_id
        and bool(line.id_value)
        and (line.id_scheme, line.id_kind) == (identity.scheme, identity.kind)
        and line.id_value != identity.value
    )


def _repeats(transactions, candidates, statements) -> list[int | None]:
    """For each transaction, the index of the identical one (same real ids, same everything) in an earlier
    statement, by occurrence: the n-th equal transaction of a statement repeats the n-th of the first."""
    repeat_of: list[int | None] = [None] * len(transactions)
    if len(set(statements)) < 2:
        return repeat_of
    first: dict[tuple, tuple[int, object]] = {}
    occurrences = Counter()
    for index, tx in enumerate(transactions):
        if not candidates[index]:
            continue  # without a real id nothing proves that two equal lines are one transaction
        key = _content_key(tx)
        occurrences[(statements[index], key)] += 1
        slot = (key, occurrences[(statements[index], key)])
        if slot not in first:
            first[slot] = (index, statements[index])
        elif first[slot][1] != statements[index]:
            repeat_of[index] = first[slot][0]
    return repeat_of


def _content_key(tx: Transaction) -> tuple:
    raw = tx.raw if isinstance(tx.raw, str) else json.dumps(tx.raw, sort_keys=True, default=str)
    return (
        tx.booking_date,
        tx.value_date,
        tx.amount,
        tx.currency,
        tx.counterparty_name,
        tx.counterparty_iban,
        tx.remittance,
        tx.structured_reference,
        tx.end_to_end_id,
        tx.bank_reference,
        tx.transaction_type,
        tuple(tx.bank_ids),
        tuple(tx.referred_documents),
        raw,
    )


def _replace_repeat(identity: Identity, index: int) -> Identity:
    return Identity(identity.scheme, identity.kind, identity.value, identity.fingerprint, repeat_of=index)
