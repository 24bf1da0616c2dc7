"""Cash application: which open receivable items a bank credit pays, and how sure that is.

Plain Python, no Odoo. :func:`match_lines` indexes the open items and the customers once, then for each
bank line

1. identifies the payer: the partner already set on the line, else a known IBAN, else a VAT number in
   the title, else a learned text pattern, else (only when needed) a similar name;
2. finds the references the payment quotes: RF creditor references, camt referred documents, the
   ``/INV/`` field of a split payment and invoice numbers anywhere in the title or the structured
   reference, exactly, normalised or with one typo;
3. turns them into proposals allocating the amount (amount equal, bank fee written off, partial payment,
   overpayment left as credit); without a convincing reference, into exact sums of the payer's open items;
   with no payer and no reference, at most a low suggestion for an open item of exactly that amount;
4. scores each proposal and marks near-equal proposals ambiguous.

Money is ``Decimal``. ``Allocation.amount``, ``Proposal.writeoff`` and ``Proposal.overpayment`` are in the
bank line's currency, signed like the item's residual, also for an item in another currency: the caller
converts. Such an item is matched by its reference only, unless ``rates`` is given: then the converted
residual counts as equal within 2 % and the allocations share the line amount in proportion.

Scores (0-100; a caller reconciles automatically from about 90, never an ambiguous proposal). A payer
identified by IBAN, VAT number, pattern or on the line and owning the invoices adds 2 (3 to a typo'd
reference), one known by a similar name 1; a third party paying takes 5 off (3 if known by name only):

=========================================================================  ============
exact, normalised or RF reference (or /INV/, camt document), amount equal  97
converted amount within 2 % / amounts declared per camt document           95 / 93
bank fee written off / overpayment left as credit                          92 / 91
the rest of an overpayment pays other open items exactly                   92
partial payment / other currency without a rate                            85 / 86
reference with one typo, amount equal (within the write-off)               87 (82)
typo'd reference whose amount does not fit                                 <= 45
no reference, payer on the line / by IBAN or VAT / pattern, one item       92 / 91 / 90
  an exact sum of 2 to 4 of its oldest items / of more                     -1 / -4
  one item within the write-off tolerance                                  -8
no reference, payer by similar name only, amount equal                     72-76
amount equal to an open item of an unknown payer                           30-40
the same items proposed from two kinds of evidence                         +2
within ``ambiguity_margin`` of the best: ambiguous, capped at              60
=========================================================================  ============
"""

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from itertools import combinations

from .ksef import find_ksef, remove_ksef
from .mpp import parse_mpp
from .rf import compact_rf, find_rf, is_valid_rf
from .statement import normalize_account

ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
FX_TOLERANCE_PERCENT = Decimal(2)

SCORE_REFERENCE = 97
SCORE_FUZZY = 87
OUTCOME_PENALTY = {
    "equal": 0,
    "converted": 2,
    "declared": 4,
    "writeoff": 5,
    "overpayment": 6,
    "unchecked": 11,
    "partial": 12,
    # A partial payment quoting one invoice exactly and uniquely, under the partial-payment policy.
    "partial_exact": 5,
}
# A short or reordered invoice number (``FV 42/2026``, ``42/2026``, ``2026/42``).
SCORE_SHORT = 95
# ...written without a word saying it is an invoice number, the amount not confirming it.
SHORT_UNCONFIRMED_CAP = 85
# A bare short number up to this could be a month (``za 3/2026``): only read after an invoice word.
SHORT_MONTH_MAX = 12
# A word this short before a number is a numbering prefix (FV, INV, KOR), not an ordinary word.
MAX_PREFIX = 4
# Customers sharing one IBAN are treated as one (duplicate records) up to this many.
MAX_DUPLICATE_OWNERS = 3
# A typo'd reference is believed only when the amount confirms it.
FUZZY_UNCONFIRMED_CAP = 45
PAYER_CONFIRMS = 2
PAYER_CONFIRMS_FUZZY = 3
PAYER_CONFIRMS_WEAKLY = 1
# A payer's name this similar to a customer's is its name (legal form, case and accents aside).
SAME_NAME = 0.97
# The literal reading of a quoted number loses this much when a typo reading is clearly the payment.
LITERAL_DOUBT = 15
THIRD_PARTY_PENALTY = 5
THIRD_PARTY_PENALTY_WEAK = 3  # the payer is only known by a similar name
# The rest of an overpayment equals other open items of the customer: those were probably paid too.
EXCESS_PAYS_MORE_PENALTY = 11
SUBSET_SCORE = {"given": 92, "iban": 91, "vat": 91, "pattern": 90, "name": 76}
SUBSET_SIZE_PENALTY = {1: 0, 2: 1, 3: 1, 4: 1}
SUBSET_LARGE_PENALTY = 4
SUBSET_WRITEOFF_PENALTY = 8
SCORE_AMOUNT_ONLY = 40
SCORE_AMOUNT_ONLY_SHARED = 30
MAX_AMOUNT_ONLY = 3
AMBIGUOUS_CAP = 60.0
MERGE_BONUS = 2
MAX_SCORE = 99
# A proposal from this score on settles the payer's payment: its exact sums need not be searched.
CONFIDENT = 90

MAX_TEXT = 2000
MAX_REFERENCE_GROUPS = 6
MAX_FUZZY_PREFIX = 6
MAX_NAME_CANDIDATES = 8
NAME_MARGIN = 0.05
MIN_PATTERN = 4
MIN_CONTAINED_NAME = 8

_GROUP = re.compile(r"[A-Z]+|[0-9]+")
# What may separate the groups of one reference: "FV/2026/00123", "FV 2026 00123", "FV-2026.00123".
_REFERENCE_JOIN = re.compile(r"[\s/\\._\-]{0,3}")
# A number in a list after a reference: ", 00124", "; 125", " i 00126", " and 127", " 00128".
_ABBREVIATION = re.compile(
    r"(?P<separator>\s*(?:[,;+&]|\b(?:I|ORAZ|AND)\b)\s*|\s+)(?P<number>\d{2,})(?![0-9A-Z]|[-/.,]\d)"
)
# A word naming an invoice just before a short number: "FV 42/2026", "fakt. nr 42/26", "f-ra 42/2026".
_INVOICE_WORD = re.compile(
    r"\b(?:FV|FA|FS|FAKT|FAKTURA|FAKTURY|FAKTURE|FAKTUR|F-RA|FRA|FV-KA|INV|INVOICE|RACH|RACHUNEK|NR|NUMER)"
    r"\b\.?(?:\s*(?:NR|NUMER)\b\.?)?[\s:.]*$"
)
# Words that may stand right before a bare short number without being an invoice's prefix.
_NEUTRAL_WORDS = frozenset(
    "NR NUMER FAKT FAKTURA FAKTURY FAKTURE FAKTUR RA FRA RACH RACHUNEK RACHUNKU ZA DO I ORAZ NO".split()
)
_YEAR = re.compile(r"20\d\d")
_VAT_PL = re.compile(
    r"(?<![0-9A-Z])(?:PL\s?)?"
    r"(\d{3}[- ]?\d{3}[- ]?\d{2}[- ]?\d{2}|\d{3}[- ]?\d{2}[- ]?\d{2}[- ]?\d{3})(?![0-9])"
)
_VAT_FOREIGN = re.compile(r"(?<![0-9A-Z])[A-Z]{2}\d[0-9A-Z]{7,11}(?![0-9A-Z])")
_LEGAL_FORMS = re.compile(
    r"\b(?:spolka z ograniczona odpowiedzialnoscia|spolka komandytowo akcyjna|spolka komandytowa"
    r"|spolka jawna|spolka akcyjna|spolka cywilna|sp z o o|sp z oo|spzoo|sp k|sp j|sp p|s k a|s a|s c"
    r"|phu|pphu|fhu|ppuh|puh|zphu|gmbh|ltd|limited|llc|inc|plc|ag|bv|b v|nv|sarl|sas|srl|spa|s r o|sro"
    r"|kg|co)\b"
)


@dataclass(slots=True)
class OpenItem:
    """One open receivable: an invoice's (or credit note's) receivable journal item."""

    id: int
    move_id: int
    partner_id: int
    number: str
    payment_reference: str = ""
    rf_reference: str = ""
    residual: Decimal = Decimal(0)
    currency: str = ""
    due_date: date | None = None
    invoice_date: date | None = None
    ksef_number: str = ""


@dataclass(slots=True)
class Customer:
    id: int
    name: str
    vat: str = ""
    ibans: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


@dataclass(slots=True)
class BankLine:
    id: int
    amount: Decimal
    currency: str
    date: date
    remittance: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    structured_reference: str = ""
    partner_id: int | None = None
    referred_documents: tuple[tuple[str, Decimal | None], ...] = ()


@dataclass(slots=True)
class Settings:
    """The defaults are those of a fresh install's rule for customer payments."""

    writeoff_tolerance: Decimal = Decimal("15.00")
    writeoff_tolerance_percent: Decimal = Decimal("2")
    # Partial-payment policy: a payment short of the one invoice it quotes exactly and uniquely (not a
    # typo, not a short form without an invoice word) is applied, the rest left open; off: suggested.
    partial_when_exact: bool = True
    # One edit per 6 characters of a compact reference, at most this many (0 turns typo matching off).
    fuzzy_max_distance: int = 1
    name_similarity_min: float = 0.85
    max_subset_items: int = 12
    ambiguity_margin: float = 5.0


@dataclass(slots=True)
class Allocation:
    """``amount`` of the bank line for ``item_id``, in the bank line's currency, signed like the residual."""

    item_id: int
    amount: Decimal


@dataclass(slots=True)
class Proposal:
    """One way to apply a bank line. ``writeoff`` (a shortfall to book as bank fee) and ``overpayment``
    (left on the customer's account) are in the bank line's currency, like the allocations; ``reasons``
    are tokens such as ``ref:exact:FV/2026/00123``, ``amount:writeoff:2.50`` or ``partner:iban``."""

    line_id: int
    partner_id: int | None
    allocations: list[Allocation]
    score: float
    reasons: list[str]
    writeoff: Decimal = Decimal(0)
    overpayment: Decimal = Decimal(0)
    ambiguous: bool = False


def match_lines(
    lines: list[BankLine],
    items: list[OpenItem],
    customers: list[Customer],
    settings: Settings | None = None,
    limit: int = 3,
    rates: dict[tuple[str, str], Decimal] | None = None,
) -> dict[int, list[Proposal]]:
    """For each bank line id, up to ``limit`` proposals best first (empty list = nothing plausible).

    ``rates[(item currency, line currency)]`` converts an item's residual into the line's currency (the
    inverse pair is used too); without a rate, an item in another currency is matched by reference only.
    """
    settings = settings or Settings()
    matcher = _Matcher(_Index(items, customers, settings), settings, rates or {})
    return {line.id: matcher.match(line)[: max(limit, 0)] for line in lines}


# --------------------------------------------------------------------------------------------- text


def _fold(text: str | None) -> str:
    """Upper-case ASCII: accents (and ``ł``) dropped, so ``Zapłata`` and ``ZAPLATA`` compare equal."""
    text = (text or "").replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def _reference_keys(groups: list[str]) -> tuple[str, str]:
    """The normalised key (groups, leading zeros of numbers dropped) and the compact key of a reference.

    ``FV/2026/00123``, ``fv 2026 123`` and ``FV2026/0123`` share the key ``FV|2026|123``; ``FV202600123``
    (no separator between the numbers) shares the compact key ``FV202600123``.
    """
    normalised = "|".join((group.lstrip("0") or "0") if group.isdigit() else group for group in groups)
    return normalised, "".join(groups)


def _looks_like_date(groups: list[str]) -> bool:
    numbers = [int(group) for group in groups]
    if len(numbers) == 3:
        year_first, year_last = numbers[0] > 1900, numbers[2] > 1900
        day_month = numbers[1:] if year_first else numbers[:2] if year_last else []
        return bool(day_month) and all(1 <= number <= 31 for number in day_month)
    if len(numbers) == 2:
        return any(number > 1900 for number in numbers) and any(1 <= number <= 12 for number in numbers)
    return False


def _is_distinctive(groups: list[str]) -> bool:
    """Whether a reference can be looked for in free text without matching years, dates or amounts.

    It needs a number and at least 5 characters; a bare number at least 6 digits; a reference made of
    numbers only at least 7 digits and not the shape of a date.
    """
    compact = "".join(groups)
    if len(compact) < 5 or not any(group.isdigit() for group in groups):
        return False
    if len(groups) == 1:
        return len(compact) >= 6
    if all(group.isdigit() for group in groups):
        return len(compact) >= 7 and not _looks_like_date(groups)
    return True


def _short_key(*groups: str) -> str:
    return "|".join((group.lstrip("0") or "0") for group in groups)


def _short_keys(groups: list[str]) -> list[str]:
    """How customers shorten an invoice number ``[PREFIX…, YEAR, NUMBER]`` (``FV/2026/00042``): ``42/2026``,
    ``42/26``, ``2026/42``, zeros dropped (with the prefix, ``FV 42/2026``, the items found are filtered
    by it). Other shapes (monthly numbering, no year) have none."""
    if len(groups) < 2 or not groups[-1].isdigit() or not _YEAR.fullmatch(groups[-2]):
        return []
    prefix, year = groups[:-2], groups[-2]
    number = groups[-1].lstrip("0")
    if not number or not all(group.isalpha() for group in prefix):
        return []
    return [f"{number}|{year}", f"{number}|{year[2:].lstrip('0') or '0'}", f"{year}|{number}"]


def _has_fuzzy_shape(groups: list[str]) -> bool:
    """Typo matching is limited to references shaped like invoice numbers: a short letter prefix, a
    number at the end, 6 characters or more. Typos in bare numbers (account numbers, amounts, phone
    numbers) would match too easily."""
    return (
        len(groups) >= 2
        and groups[0].isalpha()
        and len(groups[0]) <= MAX_FUZZY_PREFIX
        and groups[-1].isdigit()
        and len("".join(groups)) >= 6
    )


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` with 1 to ``depth`` characters deleted."""
    result, frontier = set(), {word}
    for _ in range(depth):
        frontier = {variant[:i] + variant[i + 1 :] for variant in frontier for i in range(len(variant))}
        result |= frontier
    return result


def _within_one_edit(first: str, second: str) -> bool:
    """Whether one substitution, insertion, deletion or swap of neighbours turns ``first`` into ``second``."""
    if len(first) == len(second):
        differ = [k for k, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(differ) == 2:
            k, other = differ
            return other == k + 1 and first[k] == second[other] and first[other] == second[k]
        return len(differ) <= 1
    if abs(len(first) - len(second)) != 1:
        return False
    shorter, longer = sorted((first, second), key=len)
    k = next((k for k, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter))
    return shorter[k:] == longer[k + 1 :]


def _edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), ``limit + 1`` once above it."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    before = None
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, other in enumerate(second, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def _normalise_name(name: str | None) -> str:
    """Lower case, no accents or punctuation, legal forms (``sp. z o.o.``, ``S.A.``, ``GmbH``…) dropped."""
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", _fold(name).lower()).split())
    return " ".join(_LEGAL_FORMS.sub(" ", text).split()) or text


def _name_similarity(first: str, second: str) -> float:
    """The better of the plain ratio and a token-set ratio of two normalised names.

    Word order does not count (``kowalski jan`` = ``jan kowalski``); a name contained word for word in the
    other (an address appended by the bank) counts as equal when the shared part has two words and at
    least 8 characters.
    """
    if first == second:
        return 1.0
    best = SequenceMatcher(None, first, second).ratio()
    words_first, words_second = set(first.split()), set(second.split())
    shared = sorted(words_first & words_second)
    if shared:
        common = " ".join(shared)
        left = " ".join([common, *sorted(words_first - words_second)])
        right = " ".join([common, *sorted(words_second - words_first)])
        best = max(best, SequenceMatcher(None, left, right).ratio())
        if len(shared) >= 2 and len(common) >= MIN_CONTAINED_NAME and common in (left, right):
            best = 1.0
    return best


def _vat_numbers(text: str) -> set[str]:
    """VAT numbers written in ``text`` (folded): Polish NIPs in any dash/space layout, and compact EU ones."""
    numbers = {re.sub(r"\D", "", match) for match in _VAT_PL.findall(text)}
    return numbers | set(_VAT_FOREIGN.findall(text))


def _vat_keys(vat: str) -> set[str]:
    compact = re.sub(r"[^0-9A-Z]", "", _fold(vat))
    if not compact:
        return set()
    if compact.startswith("PL") and compact[2:].isdigit():
        return {compact, compact[2:]}
    if compact.isdigit() and len(compact) == 10:
        return {compact, "PL" + compact}
    return {compact}


def _money(amount: Decimal) -> str:
    """An amount as written in a reason: to the cent (``2.50``)."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def _age(item: OpenItem):
    return (item.due_date or item.invoice_date or date.max, item.id)


# -------------------------------------------------------------------------------------------- index


@dataclass(slots=True)
class _Hit:
    """The open items a quoted reference points at."""

    items: list[OpenItem]
    kind: str  # "text" (exact or normalised, told per item), "short", "fuzzy", "rf" or "ksef"
    quoted: str = ""  # the quoted text, folded; the RF or KSeF number itself for "rf" and "ksef"
    compact: str = ""  # the compact key of the quoted text, to look for its neighbours
    mpp: bool = False
    document: bool = False
    document_amount: Decimal | None = None
    # A short form after a word naming an invoice (``FV``, ``fakt.``, ``f-ra``, ``nr``) or its prefix.
    confirmed: bool = True


@dataclass(slots=True)
class _Payer:
    partner_id: int
    method: str  # given, iban, vat, pattern, name
    reason: str
    # The records of one customer (duplicates sharing a VAT number or an IBAN), ``partner_id`` among them.
    group: frozenset = frozenset()

    @property
    def weak(self) -> bool:
        return self.method == "name"

    @property
    def members(self) -> frozenset:
        return self.group or frozenset((self.partner_id,))

    def owns(self, partner_id) -> bool:
        return partner_id in self.members


class _Index:
    """Dictionaries over the open items and the customers, built once per :func:`match_lines` call.

    References are found by exact dictionary look-ups of every run of up to 6 letter/number groups of a
    title, under two keys (normalised and compact), so the cost per line depends on its title only. Typos
    use a deletion neighbourhood (symmetric delete): each compact invoice-shaped reference is also filed
    under its variants with one character deleted (``fuzzy_max_distance`` characters for long ones);
    a quoted reference finds its candidates within one edit by looking up itself and its own deletions,
    about 2 × its length look-ups, then each candidate is checked with a true edit distance. For 20,000
    items of 11 characters that is some 220,000 keys; no line is ever compared with every item.
    Names are compared only with the few customers sharing their rarest words.
    """

    def __init__(self, items: list[OpenItem], customers: list[Customer], settings: Settings):
        self.settings = settings
        self.by_key: dict[str, list[OpenItem]] = defaultdict(list)
        self.fuzzy_keys: dict[str, list[OpenItem]] = defaultdict(list)
        self.deletion_index: dict[str, set[str]] = defaultdict(set)
        self.by_rf: dict[str, list[OpenItem]] = defaultdict(list)
        self.by_short: dict[str, list[OpenItem]] = defaultdict(list)
        self.by_ksef: dict[str, list[OpenItem]] = defaultdict(list)
        self.by_partner: dict[int, list[OpenItem]] = defaultdict(list)
        self.by_partner_amount: dict[tuple[int, int], list[OpenItem]] = defaultdict(list)
        self.by_amount: dict[int, list[OpenItem]] = defaultdict(list)
        self.cents: dict[int, int] = {}
        self.references: dict[int, set[str]] = {}
        for item in items:
            self._add_item(item)
        for partner_items in self.by_partner.values():
            partner_items.sort(key=_age)
        self.by_iban: dict[str, set[int]] = defaultdict(set)
        self.by_vat: dict[str, set[int]] = defaultdict(set)
        self.patterns: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.name_words: dict[str, set[int]] = defaultdict(set)
        self.vats: dict[int, str] = {}
        for customer in customers:
            self._add_customer(customer)
        self.entities = self._entities()

    def _add_item(self, item: OpenItem):
        self.cents[item.id] = cents = _cents(item.residual)
        self.by_partner[item.partner_id].append(item)
        self.by_partner_amount[(item.partner_id, cents)].append(item)
        self.by_amount[cents].append(item)
        if item.rf_reference:
            self.by_rf[compact_rf(item.rf_reference)].append(item)
        if item.ksef_number:
            for number in find_ksef(item.ksef_number):
                self.by_ksef[number].append(item)
        references = {_fold(text).strip() for text in (item.number, item.payment_reference) if text}
        self.references[item.id] = references
        keys, fuzzy = set(), set()
        for reference in references:
            groups = _GROUP.findall(reference)
            if not _is_distinctive(groups):
                continue
            keys.update(_reference_keys(groups))
            for key in _short_keys(groups):
                self.by_short[key].append(item)
            if _has_fuzzy_shape(groups):
                fuzzy.add("".join(groups))
        for key in keys:
            self.by_key[key].append(item)
        for key in fuzzy:
            if key not in self.fuzzy_keys:
                for variant in _deletions(key, self.allowed_distance(len(key))):
                    self.deletion_index[variant].add(key)
            self.fuzzy_keys[key].append(item)

    def _add_customer(self, customer: Customer):
        for iban in customer.ibans:
            if iban:
                self.by_iban[normalize_account(iban)].add(customer.id)
        for key in _vat_keys(customer.vat):
            self.by_vat[key].add(customer.id)
        if customer.vat:
            self.vats[customer.id] = max(_vat_keys(customer.vat), key=len, default="")
        for pattern in customer.patterns:
            pattern = " ".join(_fold(pattern).lower().split())
            words = re.findall(r"[a-z0-9]+", pattern)
            if len(pattern) >= MIN_PATTERN and words:
                self.patterns[words[0]].append((pattern, customer.id))
        name = _normalise_name(customer.name)
        if name:
            self.names[customer.id] = name
            self.by_name[name].add(customer.id)
            for word in set(name.split()):
                if len(word) >= 2:
                    self.name_words[word].add(customer.id)

    def _entities(self) -> dict[int, frozenset]:
        """Customers recorded twice or more: the records sharing a VAT number, or an IBAN (at most
        ``MAX_DUPLICATE_OWNERS`` records, not of different VAT numbers), each mapped to the set of all."""
        parent: dict[int, int] = {}

        def root(node):
            while parent.get(node, node) != node:
                node = parent[node]
            return node

        def join(owners):
            first, *others = sorted(owners)
            for other in others:
                a, b = root(first), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)

        for owners in self.by_vat.values():
            if len(owners) > 1:
                join(owners)
        for owners in self.by_iban.values():
            vats = {self.vats[owner] for owner in owners if self.vats.get(owner)}
            if 1 < len(owners) <= MAX_DUPLICATE_OWNERS and len(vats) <= 1:
                join(owners)
        groups = defaultdict(set)
        for node in list(parent):
            groups[root(node)].update((node, root(node)))
        return {node: frozenset(group) for group in groups.values() for node in group}

    def payer(self, owners, method, reason) -> _Payer | None:
        """The payer that ``owners`` (customer ids) are, when they are one customer (or its duplicates)."""
        owners = set(owners or ())
        if not owners:
            return None
        first = min(owners)
        group = self.entities.get(first, frozenset())
        if len(owners) > 1 and not owners <= group:
            return None
        return _Payer(first, method, reason, group)

    def allowed_distance(self, length: int) -> int:
        return min(self.settings.fuzzy_max_distance, length // 6)

    # ---- references

    def scan(self, text: str) -> list[_Hit]:
        """The references to open items in ``text``: the longest exact run at each place, then typos."""
        folded = _fold(text)[:MAX_TEXT]
        groups = list(_GROUP.finditer(folded))
        joinable = [
            bool(_REFERENCE_JOIN.fullmatch(folded, before.end(), after.start()))
            for before, after in zip(groups, groups[1:], strict=False)
        ]
        covered = [False] * len(groups)
        hits = []
        start = 0
        while start < len(groups):
            found = self._longest_key(groups, joinable, start)
            if not found:
                start += 1
                continue
            end, items, parts = found
            hits.append(
                _Hit(items, "text", folded[groups[start].start() : groups[end].end()], "".join(parts))
            )
            hits += self._abbreviations(folded, parts, groups[end].end(), {item.partner_id for item in items})
            covered[start : end + 1] = [True] * (end + 1 - start)
            start = end + 1
        hits += self._short_scan(folded, groups, covered)
        if self.settings.fuzzy_max_distance > 0:
            hits += self._fuzzy_scan(folded, groups, joinable, covered)
        return hits

    def prefix(self, item: OpenItem) -> str:
        """The letters an item's number starts with (``FV`` of ``FV/2026/00042``), folded."""
        found = _GROUP.match(_fold(item.number or item.payment_reference))
        return found.group() if found else ""

    def _short_scan(self, folded, groups, covered) -> list[_Hit]:
        """Invoice numbers written short or reordered: ``FV 42/2026``, ``fakt. nr 42/26``, ``2026/42``.

        ``PREFIX number/year`` is read anywhere; a bare ``number/year`` (``/`` between them) only after a
        word naming an invoice, or after such a short form earlier in the title (``FV 42/2026, 43/2026``),
        else it is kept unconfirmed (the amount must then agree); a bare number up to 12 is read only
        after such a word (``za 3/2026`` is a month)."""
        hits, confirmed = [], False
        for start in range(len(groups) - 1):
            if covered[start] or covered[start + 1]:
                continue
            first, second = groups[start], groups[start + 1]
            between = folded[first.end() : second.start()]
            if first.group().isalpha() and start + 2 < len(groups) and not covered[start + 2]:
                third = groups[start + 2]
                gap = folded[second.end() : third.start()]
                if second.group().isdigit() and third.group().isdigit() and "/" in gap and len(gap) <= 2:
                    items = [
                        item
                        for item in self.by_short.get(_short_key(second.group(), third.group()), ())
                        if self.prefix(item) == first.group()
                    ]
                    if items and _REFERENCE_JOIN.fullmatch(between):
                        quoted = folded[first.start() : third.end()]
                        hits.append(_Hit(list(items), "short", quoted, quoted, confirmed=True))
                        covered[start : start + 3] = [True] * 3
                        confirmed = True
                        continue
            if not (first.group().isdigit() and second.group().isdigit()) or between.strip() != "/":
                continue
            if start and _REFERENCE_JOIN.fullmatch(folded, groups[start - 1].end(), first.start()):
                before = groups[start - 1].group()
                if before.isdigit() or (len(before) <= MAX_PREFIX and before not in _NEUTRAL_WORDS):
                    continue  # part of a longer number, or after a prefix that is not this invoice's
            after = folded[second.end() : second.end() + 2]
            if after[:1] in "/-." and after[1:2].isdigit():
                continue
            items = self.by_short.get(_short_key(first.group(), second.group()))
            if not items:
                continue
            named = confirmed or bool(_INVOICE_WORD.search(folded, max(0, first.start() - 16), first.start()))
            small = min(int(first.group()), int(second.group())) <= SHORT_MONTH_MAX
            if small and not named:
                continue
            quoted = folded[first.start() : second.end()]
            hits.append(_Hit(list(items), "short", quoted, quoted, confirmed=named))
            covered[start : start + 2] = [True] * 2
            confirmed |= named
        return hits

    def _runs(self, groups, joinable, start):
        """``(end, parts)`` for each run of groups starting at ``start`` that may be one reference."""
        parts = []
        for end in range(start, min(start + MAX_REFERENCE_GROUPS, len(groups))):
            if end > start and not joinable[end - 1]:
                return
            parts.append(groups[end].group())
            yield end, parts

    def _longest_key(self, groups, joinable, start):
        best = None
        for end, parts in self._runs(groups, joinable, start):
            normalised, compact = _reference_keys(parts)
            items = self.by_key.get(normalised) or self.by_key.get(compact)
            if items:
                best = (end, items, list(parts))
        return best

    def _abbreviations(self, folded, parts, position, partners) -> list[_Hit]:
        """Numbers listed after a reference standing for the same reference with that last number:
        ``FV/2026/00123, 00124 i 125`` also quotes FV/2026/00124 and FV/2026/00125, when those are open
        invoices of the same customer. A number ends the list when it is longer than the reference's,
        or is followed by ``-``, ``/``, ``.`` or ``,`` and a digit (a date, an amount)."""
        if not parts[-1].isdigit():
            return []
        hits = []
        prefix, width = parts[:-1], len(parts[-1])
        while match := _ABBREVIATION.match(folded, position):
            number = match["number"]
            if len(number) > width or (not match["separator"].strip() and len(number) != width):
                break
            normalised, compact = _reference_keys([*prefix, number])
            items = [item for item in self.by_key.get(normalised, ()) if item.partner_id in partners]
            if not items:
                break
            hits.append(_Hit(items, "text", number, compact))
            position = match.end()
        return hits

    def _fuzzy_scan(self, folded, groups, joinable, covered):
        hits = []
        for start, group in enumerate(groups):
            if covered[start] or not group.group().isalpha() or len(group.group()) > MAX_FUZZY_PREFIX:
                continue
            best = None
            for end, parts in self._runs(groups, joinable, start):
                if covered[end]:
                    break
                if len(parts) >= 2 and parts[-1].isdigit():
                    items = self.neighbours("".join(parts))
                    if items:
                        best = (end, items, "".join(parts))
            if best:
                end, items, compact = best
                hits.append(_Hit(items, "fuzzy", folded[group.start() : groups[end].end()], compact))
                covered[start : end + 1] = [True] * (end + 1 - start)
        return hits

    def neighbours(self, compact: str) -> list[OpenItem]:
        """Open items whose compact reference is within the allowed edit distance of ``compact`` (not it)."""
        limit = self.allowed_distance(len(compact))
        if limit <= 0:
            return []
        keys = set()
        for variant in {compact} | _deletions(compact, limit):
            if variant in self.fuzzy_keys:
                keys.add(variant)
            keys.update(self.deletion_index.get(variant, ()))
        keys.discard(compact)
        return [
            item for key in sorted(keys) if self._close(compact, key, limit) for item in self.fuzzy_keys[key]
        ]

    def _close(self, compact: str, key: str, limit: int) -> bool:
        limit = min(limit, self.allowed_distance(len(key)))
        if limit == 1:
            return _within_one_edit(compact, key)
        return limit > 1 and _edit_distance(compact, key, limit) <= limit

    def text_kind(self, hit: _Hit, item: OpenItem) -> str:
        return "exact" if hit.quoted.strip() in self.references[item.id] else "normalised"

    # ---- payers

    def identify(self, line: BankLine, mpp: dict | None) -> _Payer | None:
        """The payer from the line's partner, its IBAN, a VAT number in the title or a learned pattern.

        The ``/IDC/`` NIP of a split payment is the payee's (ours), never the payer's.
        """
        if line.partner_id:
            given = self.payer({line.partner_id}, "given", "partner:given")
            return _Payer(line.partner_id, "given", "partner:given", given.group)
        owners = (
            self.by_iban.get(normalize_account(line.counterparty_iban)) if line.counterparty_iban else None
        )
        payer = self.payer(owners, "iban", "partner:iban")
        if payer:
            return payer
        text = _fold(f"{line.remittance} {line.structured_reference} {line.counterparty_name}")[:MAX_TEXT]
        ours = _vat_keys(mpp["nip"]) if mpp else set()
        owners = {owner for vat in _vat_numbers(text) - ours for owner in self.by_vat.get(vat, ())}
        payer = self.payer(owners, "vat", "partner:vat")
        if payer:
            return payer
        owner = self._pattern_owner(line.remittance)
        if owner:
            return self.payer({owner}, "pattern", "partner:pattern")
        return None

    def _pattern_owner(self, remittance: str) -> int | None:
        text = " ".join(_fold(remittance).lower().split())[:MAX_TEXT]
        found = [
            (len(pattern), owner)
            for word in set(re.findall(r"[a-z0-9]+", text))
            for pattern, owner in self.patterns.get(word, ())
            if pattern in text
        ]
        if not found:
            return None
        longest = max(length for length, _ in found)
        owners = {owner for length, owner in found if length == longest}
        return owners.pop() if len(owners) == 1 else None

    def identify_by_name(self, name: str) -> _Payer | None:
        """The customer whose name is similar enough to ``name``, and clearly more than any other."""
        normal = _normalise_name(name)
        if len(normal) < 3:
            return None
        exact = self.by_name.get(normal)
        if exact:
            return self.payer(exact, "name", "partner:name:1.00")
        weights = Counter()
        for word in set(normal.split()):
            owners = self.name_words.get(word, ())
            for owner in owners:
                weights[owner] += 1 / len(owners)
        scored = sorted(
            (
                (_name_similarity(normal, self.names[owner]), owner)
                for owner, _ in weights.most_common(MAX_NAME_CANDIDATES)
            ),
            reverse=True,
        )
        if not scored or scored[0][0] < self.settings.name_similarity_min:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < NAME_MARGIN:
            return None
        similarity, owner = scored[0]
        return self.payer({owner}, "name", f"partner:name:{similarity:.2f}")

    def name_similarity(self, name: str, partner_id: int) -> float:
        known = self.names.get(partner_id)
        normal = _normalise_name(name)
        return _name_similarity(normal, known) if known and normal else 0.0

    # ---- amounts

    def exact_subsets(self, partner_id: int, line: BankLine, target: int, exclude=frozenset(), limit=3):
        """Up to ``limit`` sets of the partner's open items (same currency as the line) summing to ``target``
        cents: single items among all of them, several among its ``max_subset_items`` oldest (without
        ``exclude``). With ``exclude`` (the rest of an overpayment), single items are looked for among
        those oldest ones only: a customer with hundreds of open items has one of almost any amount."""
        pool = [
            item
            for item in self.by_partner.get(partner_id, ())
            if item.id not in exclude and _same_currency(item, line)
        ][: self.settings.max_subset_items]
        singles = self.by_partner_amount.get((partner_id, target), ()) if not exclude else pool
        solutions = [
            [item] for item in singles if self.cents[item.id] == target and _same_currency(item, line)
        ][:limit]
        if len(solutions) >= 2:
            return solutions
        for subset in self._sums_to(pool, target, limit):
            if len(subset) >= 2 and len(solutions) < limit:
                solutions.append(subset)
        return solutions

    def _sums_to(self, pool: list[OpenItem], target: int, limit: int) -> list[list[OpenItem]]:
        """Subsets of ``pool`` summing exactly to ``target`` cents (meet in the middle: 2 × 2^(n/2) sums)."""
        half = len(pool) // 2
        right_sums = defaultdict(list)
        for subset in self._subsets(pool[half:]):
            right_sums[sum(self.cents[item.id] for item in subset)].append(subset)
        found = []
        for subset in self._subsets(pool[:half]):
            rest = target - sum(self.cents[item.id] for item in subset)
            for other in right_sums.get(rest, ()):
                found.append(list(subset) + list(other))
                if len(found) > limit:
                    return found
        return found

    @staticmethod
    def _subsets(items):
        for size in range(len(items) + 1):
            yield from combinations(items, size)


def _same_currency(item: OpenItem, line: BankLine) -> bool:
    return not item.currency or not line.currency or item.currency == line.currency


# ------------------------------------------------------------------------------------------ amounts


@dataclass(slots=True)
class _Outcome:
    kind: str  # a key of OUTCOME_PENALTY
    allocations: list[Allocation]
    reasons: list[str] = field(default_factory=list)
    writeoff: Decimal = ZERO
    overpayment: Decimal = ZERO


def _in_line_currency(item: OpenItem, line: BankLine, rates: dict) -> Decimal | None:
    if _same_currency(item, line):
        return item.residual
    rate = rates.get((item.currency, line.currency))
    if rate:
        return (item.residual * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    inverse = rates.get((line.currency, item.currency))
    if inverse:
        return (item.residual / inverse).quantize(CENT, rounding=ROUND_HALF_UP)
    return None


def _within_writeoff(shortfall: Decimal, total: Decimal, settings: Settings) -> bool:
    return (
        ZERO < shortfall <= settings.writeoff_tolerance
        and shortfall * HUNDRED <= total * settings.writeoff_tolerance_percent
    )


def _shares(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split in proportion to ``weights`` to the cent, the last share taking the rounding."""
    total = sum(weights)
    shares = [(amount * weight / total).quantize(CENT, rounding=ROUND_HALF_UP) for weight in weights[:-1]]
    return [*shares, amount - sum(shares)]


def _allocate(
    line: BankLine, items: list[OpenItem], declared: list | None, settings: Settings, rates: dict
) -> _Outcome | None:
    """How the line's amount goes to ``items`` (quoted order), or None when they cannot take it.

    ``declared`` are the amounts of camt referred documents, one per item (used when they add up to the
    line's amount). Amounts are handled positive here and given back signed like the residuals.
    """
    sign = 1 if line.amount > 0 else -1
    amount = abs(line.amount)
    converted = [_in_line_currency(item, line, rates) for item in items]
    if any(value is None for value in converted):
        weights = [abs(item.residual) for item in items]
        allocations = [
            Allocation(item.id, sign * share)
            for item, share in zip(items, _shares(amount, weights), strict=True)
        ]
        return _Outcome("unchecked", allocations, ["amount:unchecked"])
    values = [sign * value for value in converted]
    total = sum(values)
    if total <= 0:
        return None

    def allocations_of(parts):
        return [Allocation(item.id, sign * part) for item, part in zip(items, parts, strict=True) if part]

    foreign = any(not _same_currency(item, line) for item in items)
    if declared and None not in declared and not foreign and sum(abs(d) for d in declared) == amount:
        parts = [min(abs(d), value) for d, value in zip(declared, values, strict=True)]
        if parts == values:
            return _Outcome("equal", allocations_of(parts), ["amount:equal"])
        excess = sum(abs(d) for d in declared) - sum(parts)
        reasons = ["amount:declared"] + (
            ["partial"] if any(p < v for p, v in zip(parts, values, strict=True)) else []
        )
        if excess:
            reasons.append(f"overpayment:{_money(sign * excess)}")
        return _Outcome("declared", allocations_of(parts), reasons, overpayment=sign * excess)
    shortfall = total - amount
    if shortfall == 0:
        return _Outcome("equal", allocations_of(values), ["amount:equal"])
    if foreign and abs(shortfall) * HUNDRED <= total * FX_TOLERANCE_PERCENT:
        return _Outcome("converted", allocations_of(_shares(amount, values)), ["amount:converted"])
    if _within_writeoff(shortfall, total, settings):
        return _Outcome(
            "writeoff",
            allocations_of(values),
            [f"amount:writeoff:{_money(shortfall)}"],
            writeoff=sign * shortfall,
        )
    if shortfall < 0:
        return _Outcome(
            "overpayment",
            allocations_of(values),
            [f"overpayment:{_money(-shortfall)}"],
            overpayment=sign * -shortfall,
        )
    # Partial: credit notes first, then the invoices by due date (then as quoted) while money is left.
    order = sorted(range(len(items)), key=lambda k: (values[k] > 0, items[k].due_date or date.max, k))
    remaining, parts = amount, [ZERO] * len(items)
    for k in order:
        parts[k] = values[k] if values[k] < 0 else min(values[k], remaining)
        remaining -= parts[k]
    allocations = [Allocation(items[k].id, sign * parts[k]) for k in order if parts[k]]
    return _Outcome("partial", allocations, ["partial"])


# ----------------------------------------------------------------------------------------- matching


class _Matcher:
    def __init__(self, index: _Index, settings: Settings, rates: dict):
        self.index = index
        self.settings = settings
        self.rates = rates

    def match(self, line: BankLine) -> list[Proposal]:
        if not line.amount:
            return []
        mpp = parse_mpp(line.remittance)
        payer = self.index.identify(line, mpp)
        hits = self._hits(line, mpp)
        proposals = self._reference_proposals(line, payer, hits)
        if line.amount < 0:
            return self._rank(proposals)
        if payer is None and (len(proposals) != 1 or proposals[0].score < SCORE_REFERENCE):
            payer = self.index.identify_by_name(line.counterparty_name)
            if payer and proposals:  # scored again, now knowing who (probably) pays
                proposals = self._reference_proposals(line, payer, hits)
        # The payer's exact sums, unless a confident proposal already pays invoices of the payer it quotes
        # without a typo (a typo'd reference gains from the exact sum agreeing, see _rank).
        if payer and not any(self._settles_payer(proposal, payer) for proposal in proposals):
            proposals += self._subset_proposals(line, payer, hits)
        if not proposals and (payer is None or payer.weak):
            proposals += self._amount_only(line)
        return self._rank(proposals)

    @staticmethod
    def _settles_payer(proposal: Proposal, payer: _Payer) -> bool:
        return (
            proposal.score >= CONFIDENT
            and payer.owns(proposal.partner_id)
            and not any(reason.startswith("ref:fuzzy:") for reason in proposal.reasons)
        )

    # ---- references

    def _hits(self, line: BankLine, mpp: dict | None) -> list[_Hit]:
        hits = []
        structured = line.structured_reference.strip()
        rfs = [compact_rf(structured)] if is_valid_rf(structured) else []
        if structured and not rfs:
            hits += self.index.scan(remove_ksef(structured))
        for number, amount in line.referred_documents:
            for hit in self.index.scan(number)[:1]:
                hit.document, hit.document_amount = True, amount
                hits.append(hit)
        for reference in rfs + find_rf(line.remittance[:MAX_TEXT]):
            if reference in self.index.by_rf:
                hits.append(_Hit(list(self.index.by_rf[reference]), "rf", reference))
        ksef_text = " ".join((line.remittance[:MAX_TEXT], structured, mpp["invoice"] if mpp else ""))
        in_mpp = set(find_ksef(mpp["invoice"])) if mpp else set()
        for number in find_ksef(ksef_text):
            if number in self.index.by_ksef:
                hits.append(_Hit(list(self.index.by_ksef[number]), "ksef", number, mpp=number in in_mpp))
        if mpp:
            for hit in self.index.scan(remove_ksef(mpp["invoice"])):
                hit.mpp = True
                hits.append(hit)
        return hits + self.index.scan(remove_ksef(line.remittance[:MAX_TEXT]))

    def _fit(self, line: BankLine, item: OpenItem) -> int:
        """2 when the line pays exactly the item's residual, 1 when within the write-off tolerance, else 0."""
        value = _in_line_currency(item, line, self.rates)
        if value is None:
            return 0
        value, amount = abs(value), abs(line.amount)
        if value == amount:
            return 2
        return int(_within_writeoff(value - amount, value, self.settings))

    def _best_fitting(self, line: BankLine, candidates: list[OpenItem]) -> list[OpenItem]:
        """The candidates the amount fits best (exactly, else within the write-off tolerance), or []."""
        levels = [self._fit(line, item) for item in candidates]
        best = max(levels, default=0)
        return [item for item, level in zip(candidates, levels, strict=True) if best and level == best]

    def _resolve(self, line, payer, hits):
        """``(item, hit)`` pairs, each item once, from the hits; several candidates of one reference are
        narrowed to the payer's and, for a lone reference, to those the amount fits; a typo'd reference
        stays only if that leaves exactly one."""
        negative = line.amount < 0
        strong_partners = {item.partner_id for hit in hits if hit.kind != "fuzzy" for item in hit.items}
        context = set(payer.members) if payer and not payer.weak else strong_partners
        lone = len({hit.compact or hit.quoted for hit in hits}) == 1
        pairs, seen = [], {}
        for hit in hits:
            candidates = [item for item in hit.items if not negative or item.residual < 0]
            if not hit.confirmed:  # a bare short number read without an invoice word: the amount decides
                candidates = [item for item in candidates if self._fit(line, item)]
            if len(candidates) > 1:
                guessed = hit.kind in ("fuzzy", "short")
                candidates = self._narrow(line, candidates, context, lone or guessed)
                if guessed and len(candidates) != 1:
                    continue
            for item in candidates:
                if item.id in seen:
                    earlier = seen[item.id]
                    earlier.mpp |= hit.mpp
                    continue
                seen[item.id] = hit
                pairs.append((item, hit))
        return pairs

    def _narrow(self, line, candidates, context, use_amount):
        if context:
            theirs = [item for item in candidates if item.partner_id in context]
            if theirs:
                candidates = theirs
        if len(candidates) > 1 and use_amount:
            candidates = self._best_fitting(line, candidates) or candidates
        return candidates

    def _typo_alternative(self, line, payer, pairs):
        """For a lone quoted number the amount does not fit: an open item one typo away that it fits."""
        if len(pairs) != 1:
            return None
        item, hit = pairs[0]
        if hit.kind != "text" or not hit.compact or self._fit(line, item):
            return None
        candidates = self.index.neighbours(hit.compact)
        if payer and not payer.weak and len(candidates) > 1:
            candidates = [c for c in candidates if payer.owns(c.partner_id)]
        candidates = self._best_fitting(line, candidates)
        if len(candidates) != 1:
            return None
        return candidates[0], _Hit(candidates, "fuzzy", hit.quoted, hit.compact, hit.mpp)

    def _reference_proposals(self, line, payer, hits) -> list[Proposal]:
        pairs = self._resolve(line, payer, hits)
        if not pairs:
            return []
        by_partner = defaultdict(list)
        for item, hit in pairs:
            by_partner[item.partner_id].append((item, hit))
        groups = list(by_partner.values())
        alternative = self._typo_alternative(line, payer, pairs)
        proposals = []
        for group in groups:
            proposals += self._group_proposals(line, payer, group)
        if alternative:
            guessed = self._group_proposals(line, payer, [alternative])
            if self._typo_settles(line, payer, alternative[0], pairs[0][0], guessed):
                for proposal in proposals:
                    proposal.score = max(0.0, proposal.score - LITERAL_DOUBT)
                    proposal.reasons.append("ref:doubtful")
            proposals += guessed
        return proposals

    def _typo_settles(self, line, payer, guessed_item, quoted_item, guessed) -> bool:
        """Whether a typo reading clearly beats the literal one: the guessed invoice's amount is paid
        exactly (or within the write-off) by its own customer (by account, VAT number or a name equal to
        its name), while the invoice literally quoted is neither paid in full nor its customer's."""
        if not guessed or not any(
            reason.startswith(("amount:equal", "amount:writeoff")) for reason in guessed[0].reasons
        ):
            return False
        if payer and not payer.weak:
            return payer.owns(guessed_item.partner_id) and not payer.owns(quoted_item.partner_id)
        similarity = self.index.name_similarity(line.counterparty_name, guessed_item.partner_id)
        other = self.index.name_similarity(line.counterparty_name, quoted_item.partner_id)
        return similarity >= SAME_NAME and other < self.settings.name_similarity_min

    def _group_proposals(self, line, payer, group) -> list[Proposal]:
        items = [item for item, _ in group]
        declared = (
            [hit.document_amount for _, hit in group] if all(hit.document for _, hit in group) else None
        )
        outcome = _allocate(line, items, declared, self.settings, self.rates)
        if outcome is None:
            return []
        strong = all(hit.kind != "fuzzy" for _, hit in group)
        partner_id = items[0].partner_id
        relation, relation_reasons = self._relation(line, payer, partner_id, strong)
        reasons = self._reference_reasons(group) + relation_reasons
        short = any(hit.kind == "short" for _, hit in group)
        kind = outcome.kind
        # A third party paying part of someone else's invoice is left for people.
        if kind == "partial" and relation >= 0 and self._partial_applies(group):
            kind = "partial_exact"
            rest = _in_line_currency(items[0], line, self.rates) - line.amount
            outcome.reasons.append(f"partial_open:{_money(abs(rest))}")
        base = (SCORE_REFERENCE if not short else SCORE_SHORT) if strong else SCORE_FUZZY
        base -= OUTCOME_PENALTY[kind]
        if not strong and outcome.kind not in ("equal", "writeoff", "converted"):
            base = min(base, FUZZY_UNCONFIRMED_CAP)
        unconfirmed = any(not hit.confirmed for _, hit in group)
        if unconfirmed and outcome.kind not in ("equal", "writeoff", "converted"):
            base = min(base, SHORT_UNCONFIRMED_CAP)
        proposals = []
        if outcome.kind == "overpayment" and strong and line.amount > 0:
            extra = self.index.exact_subsets(
                partner_id, line, _cents(outcome.overpayment), exclude={item.id for item in items}
            )
            if len(extra) == 1:
                combined = _allocate(line, items + extra[0], None, self.settings, self.rates)
                score = SCORE_REFERENCE - OUTCOME_PENALTY["writeoff"] + relation
                rest = f"rest:subset:{len(extra[0])}"
                proposals.append(self._proposal(line, partner_id, combined, score, [*reasons, rest]))
            if extra:
                base -= EXCESS_PAYS_MORE_PENALTY
        proposals.append(self._proposal(line, partner_id, outcome, base + relation, reasons))
        return proposals

    def _partial_applies(self, group) -> bool:
        """The partial-payment policy: one invoice quoted exactly and uniquely (its reference, RF or KSeF
        number pointing at it alone; not a typo, not an unconfirmed short form), in the line's currency."""
        if not self.settings.partial_when_exact or len(group) != 1:
            return False
        item, hit = group[0]
        return (
            hit.kind in ("text", "rf", "ksef", "short")
            and hit.confirmed
            and len(hit.items) == 1
            and item.residual > 0
            and not hit.document
        )

    def _reference_reasons(self, group) -> list[str]:
        reasons = []
        for item, hit in group:
            if hit.kind == "rf":
                reasons.append(f"rf:{hit.quoted}")
            elif hit.kind == "ksef":
                reasons.append(f"ksef:{hit.quoted}")
            else:
                kind = hit.kind if hit.kind in ("fuzzy", "short") else self.index.text_kind(hit, item)
                reasons.append(f"ref:{kind}:{item.number or item.payment_reference}")
        if any(hit.mpp for _, hit in group):
            reasons.append("mpp:inv")
        documents = sum(hit.document for _, hit in group)
        if documents:
            reasons.append(f"strd:{documents}")
        return reasons

    def _relation(self, line, payer, partner_id, strong) -> tuple[int, list[str]]:
        """Score change and reason from who pays: the invoices' customer confirmed, or a third party."""
        if payer and payer.owns(partner_id):
            if payer.weak:
                similarity = self.index.name_similarity(line.counterparty_name, partner_id)
                if not strong and similarity >= SAME_NAME:
                    return PAYER_CONFIRMS_FUZZY, [payer.reason]
                return PAYER_CONFIRMS_WEAKLY, [payer.reason]
            return (PAYER_CONFIRMS if strong else PAYER_CONFIRMS_FUZZY), [payer.reason]
        if payer:
            penalty = THIRD_PARTY_PENALTY_WEAK if payer.weak else THIRD_PARTY_PENALTY
            return -penalty, ["partner:third_party"]
        if line.counterparty_name:
            similarity = self.index.name_similarity(line.counterparty_name, partner_id)
            if similarity >= self.settings.name_similarity_min:
                # A typo'd reference is confirmed by an amount and a payer named exactly as its customer.
                bonus = (
                    PAYER_CONFIRMS_FUZZY if not strong and similarity >= SAME_NAME else PAYER_CONFIRMS_WEAKLY
                )
                return bonus, [f"partner:name:{similarity:.2f}"]
        return 0, []

    # ---- amounts without a reference

    def _subset_proposals(self, line, payer, hits) -> list[Proposal]:
        quoted = {
            item.id
            for hit in hits
            if hit.kind != "fuzzy"
            for item in hit.items
            if payer.owns(item.partner_id)
        }
        if quoted:  # the payer quotes its own invoices: the reference proposals deal with the amount
            return []
        proposals = []
        for member in sorted(payer.members):
            proposals += self._member_subset_proposals(line, payer, member)
        return proposals

    def _member_subset_proposals(self, line, payer, partner_id) -> list[Proposal]:
        base = SUBSET_SCORE[payer.method]
        proposals = []
        for subset in self.index.exact_subsets(partner_id, line, _cents(line.amount)):
            penalty = SUBSET_SIZE_PENALTY.get(len(subset), SUBSET_LARGE_PENALTY)
            outcome = _Outcome(
                "equal", [Allocation(item.id, item.residual) for item in subset], ["amount:equal"]
            )
            reasons = [payer.reason, f"subset:{len(subset)}"]
            proposals.append(self._proposal(line, partner_id, outcome, base - penalty, reasons))
        if proposals:
            return proposals
        near = [
            item
            for item in self.index.by_partner.get(partner_id, ())
            if _same_currency(item, line)
            and _within_writeoff(item.residual - line.amount, item.residual, self.settings)
        ]
        if len(near) == 1:
            item = near[0]
            shortfall = item.residual - line.amount
            outcome = _Outcome(
                "writeoff",
                [Allocation(item.id, item.residual)],
                [f"amount:writeoff:{_money(shortfall)}"],
                shortfall,
            )
            score = base - SUBSET_WRITEOFF_PENALTY
            proposals.append(self._proposal(line, partner_id, outcome, score, [payer.reason, "subset:1"]))
        return proposals

    def _amount_only(self, line) -> list[Proposal]:
        candidates = [
            item
            for item in self.index.by_amount.get(_cents(line.amount), ())
            if item.residual > 0 and _same_currency(item, line)
        ]
        if not candidates or len(candidates) > MAX_AMOUNT_ONLY:
            return []
        score = SCORE_AMOUNT_ONLY if len(candidates) == 1 else SCORE_AMOUNT_ONLY_SHARED
        return [
            Proposal(
                line.id, item.partner_id, [Allocation(item.id, item.residual)], float(score), ["amount:only"]
            )
            for item in candidates
        ]

    # ---- ranking

    @staticmethod
    def _proposal(line, partner_id, outcome: _Outcome, score, reasons) -> Proposal:
        return Proposal(
            line_id=line.id,
            partner_id=partner_id,
            allocations=outcome.allocations,
            score=float(max(0, min(MAX_SCORE, score))),
            reasons=[*reasons, *outcome.reasons],
            writeoff=outcome.writeoff,
            overpayment=outcome.overpayment,
        )

    def _rank(self, proposals: list[Proposal]) -> list[Proposal]:
        """Merge proposals of the same items (two kinds of evidence), order them, mark near-equal ones."""
        merged: dict[frozenset, Proposal] = {}
        for proposal in proposals:
            key = frozenset(allocation.item_id for allocation in proposal.allocations)
            other = merged.get(key)
            if other is None:
                merged[key] = proposal
                continue
            best, second = (other, proposal) if other.score >= proposal.score else (proposal, other)
            best.reasons += [reason for reason in second.reasons if reason not in best.reasons]
            if second.score >= 50:
                best.score = float(min(MAX_SCORE, best.score + MERGE_BONUS))
            merged[key] = best
        ranked = sorted(
            merged.values(),
            key=lambda p: (-p.score, len(p.allocations), sorted(a.item_id for a in p.allocations)),
        )
        margin = self.settings.ambiguity_margin
        if len(ranked) >= 2 and ranked[0].score - ranked[1].score <= margin:
            top = ranked[0].score
            for proposal in ranked:
                if top - proposal.score <= margin:
                    proposal.ambiguous = True
                    proposal.score = min(proposal.score, AMBIGUOUS_CAP)
                    proposal.reasons.append("ambiguous")
        return ranked


# ------------------------------------------------------------------------------------------ explain

_PARTNER_PHRASES = {
    "given": "payer set on the line",
    "iban": "payer identified by IBAN",
    "vat": "payer identified by VAT number",
    "pattern": "payer identified by a learned pattern",
    "third_party": "paid by a third party",
}
_AMOUNT_PHRASES = {
    "equal": "amount equal",
    "converted": "amount equal after currency conversion",
    "unchecked": "amount not compared (other currency)",
    "declared": "amounts as declared per document",
    "only": "only the amount matches",
}
_REFERENCE_PHRASES = {
    "exact": "quoted exactly",
    "normalised": "quoted (normalised)",
    "fuzzy": "quoted with a typo",
    "short": "quoted in short form",
}


def _phrase(reason: str) -> str:
    head, _, rest = reason.partition(":")
    if reason == "ref:doubtful":
        return "the number as quoted is less likely than a typo of it"
    if head == "ref":
        kind, _, number = rest.partition(":")
        return f"invoice {number} {_REFERENCE_PHRASES.get(kind, kind)}"
    if head == "partner":
        method, _, similarity = rest.partition(":")
        if method == "name":
            return f"payer name similar ({similarity})"
        return _PARTNER_PHRASES.get(method, reason)
    if head == "amount":
        kind, _, value = rest.partition(":")
        if kind == "writeoff":
            return f"{value} short, written off (a bank fee within the rule's write-off tolerance)"
        return _AMOUNT_PHRASES.get(kind, reason)
    if head == "subset":
        return (
            "one open item of the payer equals the amount"
            if rest == "1"
            else f"{rest} open items sum to the amount"
        )
    if head == "rest":
        count = rest.rpartition(":")[2]
        return f"the rest pays {count} more open item(s) of the customer exactly"
    phrases = {
        "rf": f"RF reference {rest}",
        "mpp": "split payment names the invoice",
        "strd": f"{rest} document(s) referred to in the structured remittance",
        "overpayment": f"{rest} overpaid, left as credit",
        "partial": "partial payment",
        "partial_open": f"applied as a partial payment, {rest} left open (the only invoice quoted, "
        "quoted exactly)",
        "ksef": f"KSeF number {rest} quoted",
        "ambiguous": "ambiguous: another proposal is about as plausible",
    }
    return phrases.get(head, reason)


def explain(proposal: Proposal) -> str:
    """A one-line English explanation of a proposal built from its reasons, ending with its score."""
    text = "; ".join(_phrase(reason) for reason in proposal.reasons) or "no evidence"
    return f"{text[0].upper()}{text[1:]} — score {proposal.score:g}"
