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

The package: :mod:`.records` (what goes in and out), :mod:`.text` (folding, reference keys, names, VAT
numbers), :mod:`.index` and :mod:`.scan` (the dictionaries, who pays, which references a title quotes),
:mod:`.amounts` (how the amount is allocated), :mod:`.matcher` and :mod:`.proposals` (scoring and ranking),
:mod:`.scores` (the weights above), :mod:`.reasons` (the reason codes the model words).
"""

from decimal import Decimal

from .index import _Index
from .matcher import _Matcher
from .reasons import REASON_CODES, reason_code, reason_codes
from .records import Allocation, BankLine, Customer, OpenItem, Proposal, Settings

__all__ = [
    "REASON_CODES",
    "Allocation",
    "BankLine",
    "Customer",
    "OpenItem",
    "Proposal",
    "Settings",
    "match_lines",
    "reason_code",
    "reason_codes",
]


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
