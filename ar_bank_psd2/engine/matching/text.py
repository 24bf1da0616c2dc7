"""Text keys of the matching engine: references, short forms, typo distances, names and VAT numbers.

Every text is folded first (:func:`_fold`: upper-case ASCII, through the repository's one accent folding).
"""

import re
from difflib import SequenceMatcher

from ..shared import fold_upper as _fold
from .scores import MAX_FUZZY_PREFIX, MIN_CONTAINED_NAME

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
