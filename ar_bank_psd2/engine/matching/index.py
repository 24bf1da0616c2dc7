"""The index over open items and customers, built once per :func:`..match_lines` call: who pays, which
exact sums of a payer's open items equal an amount (reading references is in :mod:`.scan`)."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from ..ksef import find_ksef
from ..rf import compact_rf
from ..statement import normalize_account
from .amounts import _age, _cents, _same_currency
from .records import BankLine, Customer, OpenItem, Settings
from .scan import _ReferenceScan
from .scores import MAX_DUPLICATE_OWNERS, MAX_NAME_CANDIDATES, MAX_TEXT, MIN_PATTERN, NAME_MARGIN
from .text import (
    _GROUP,
    _deletions,
    _fold,
    _has_fuzzy_shape,
    _is_distinctive,
    _name_similarity,
    _normalise_name,
    _reference_keys,
    _short_keys,
    _vat_keys,
    _vat_numbers,
)


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


class _Index(_ReferenceScan):
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
