"""Score weights and limits of the matching engine (see the table in the package docstring)."""

from decimal import Decimal

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
