"""Reason codes of a proposal: what the model words (translated) to explain a match.

A :class:`..Proposal` carries its reasons as tokens (``ref:exact:FV/2026/00123``, ``partner:iban``,
``amount:writeoff:2.50``), which are stored with the match (``ar_match_reasons``) and read by the engine
itself. :func:`reason_codes` turns them into ``(code, params)`` pairs, one per token, in order; the codes
are :data:`REASON_CODES`. A token the engine does not know gives ``("unknown", {"token": token})``.
"""

REASON_CODES = (
    "ref_exact",  # number
    "ref_normalised",  # number
    "ref_fuzzy",  # number
    "ref_short",  # number
    "ref_doubtful",
    "partner_given",
    "partner_iban",
    "partner_vat",
    "partner_pattern",
    "partner_third_party",
    "partner_name",  # similarity
    "amount_equal",
    "amount_converted",
    "amount_unchecked",
    "amount_declared",
    "amount_only",
    "amount_writeoff",  # amount
    "subset_one",
    "subset_many",  # count
    "rest_subset",  # count
    "rf",  # reference
    "mpp",
    "strd",  # count
    "overpayment",  # amount
    "partial",
    "partial_open",  # amount
    "ksef",  # number
    "ambiguous",
    "unknown",  # token
)
_PARTNER_METHODS = ("given", "iban", "vat", "pattern", "third_party")
_AMOUNT_KINDS = ("equal", "converted", "unchecked", "declared", "only")
_REFERENCE_KINDS = ("exact", "normalised", "fuzzy", "short")
# Tokens ``head:value``: the code and the name of the value.
_VALUED = {
    "rf": ("rf", "reference"),
    "strd": ("strd", "count"),
    "overpayment": ("overpayment", "amount"),
    "partial_open": ("partial_open", "amount"),
    "ksef": ("ksef", "number"),
}
_PLAIN = {"ref:doubtful": "ref_doubtful", "mpp:inv": "mpp", "partial": "partial", "ambiguous": "ambiguous"}


def reason_code(token: str) -> tuple[str, dict]:
    """``(code, params)`` of one reason token (see the module docstring)."""
    if token in _PLAIN:
        return _PLAIN[token], {}
    head, _, rest = token.partition(":")
    kind, _, value = rest.partition(":")
    if head == "ref" and kind in _REFERENCE_KINDS:
        return f"ref_{kind}", {"number": value}
    if head == "partner" and kind == "name":
        return "partner_name", {"similarity": value}
    if head == "partner" and rest in _PARTNER_METHODS:
        return f"partner_{rest}", {}
    if head == "amount" and kind == "writeoff":
        return "amount_writeoff", {"amount": value}
    if head == "amount" and rest in _AMOUNT_KINDS:
        return f"amount_{rest}", {}
    if head == "subset" and rest:
        return ("subset_one", {}) if rest == "1" else ("subset_many", {"count": rest})
    if head == "rest" and rest:
        return "rest_subset", {"count": rest.rpartition(":")[2]}
    if head in _VALUED and rest:
        code, name = _VALUED[head]
        return code, {name: rest}
    return "unknown", {"token": token}


def reason_codes(reasons: list[str]) -> list[tuple[str, dict]]:
    """``(code, params)`` for each of a proposal's reason tokens, in order."""
    return [reason_code(token) for token in reasons or ()]
