"""Finding the references a bank line quotes: exact and normalised runs, short forms, typos (no Odoo).

:class:`_ReferenceScan` is the half of the index (:class:`.index._Index`) that reads titles; it uses the
index's dictionaries (``by_key``, ``by_short``, ``fuzzy_keys``, ``deletion_index``, ``references``).
"""

from dataclasses import dataclass
from decimal import Decimal

from .records import OpenItem
from .scores import MAX_FUZZY_PREFIX, MAX_PREFIX, MAX_REFERENCE_GROUPS, MAX_TEXT, SHORT_MONTH_MAX
from .text import (
    _ABBREVIATION,
    _GROUP,
    _INVOICE_WORD,
    _NEUTRAL_WORDS,
    _REFERENCE_JOIN,
    _deletions,
    _edit_distance,
    _fold,
    _reference_keys,
    _short_key,
    _within_one_edit,
)


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


class _ReferenceScan:
    """Reading references out of titles, for :class:`.index._Index`."""

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
