"""How a match's reasons read: the engine gives reason codes, the suggestion model words them (translated)."""

from decimal import Decimal

from odoo.tests import TransactionCase, tagged

from ..engine.matching import REASON_CODES, Allocation, Proposal
from ..models.ar_reconcile_suggestion import REASON_TEXTS

EVERY_REASON = [
    "ref:exact:FV/2026/00123",
    "ref:normalised:FV/2026/00124",
    "ref:fuzzy:FV/2026/00125",
    "ref:short:42/2026",
    "ref:doubtful",
    "partner:given",
    "partner:iban",
    "partner:vat",
    "partner:pattern",
    "partner:third_party",
    "partner:name:0.93",
    "amount:equal",
    "amount:converted",
    "amount:unchecked",
    "amount:declared",
    "amount:only",
    "amount:writeoff:2.50",
    "subset:1",
    "subset:3",
    "rest:subset:2",
    "rf:RF18539007547034",
    "mpp:inv",
    "strd:2",
    "overpayment:70.00",
    "partial",
    "partial_open:230.00",
    "ksef:5260250274-20260301-ABCDEF123456-7A",
    "ambiguous",
    "something:new",
]
# What the engine's English explain() gave for EVERY_REASON before the wording moved to the model.
EVERY_REASON_EXPLAINED = (
    "Invoice FV/2026/00123 quoted exactly; invoice FV/2026/00124 quoted (normalised); invoice FV/2026/00125 "
    "quoted with a typo; invoice 42/2026 quoted in short form; the number as quoted is less likely than a "
    "typo of it; payer set on the line; payer identified by IBAN; payer identified by VAT number; payer "
    "identified by a learned pattern; paid by a third party; payer name similar (0.93); amount equal; amount "
    "equal after currency conversion; amount not compared (other currency); amounts as declared per "
    "document; only the amount matches; 2.50 short, written off (a bank fee within the rule's write-off "
    "tolerance); one open item of the payer equals the amount; 3 open items sum to the amount; the rest "
    "pays 2 more open item(s) of the customer exactly; RF reference RF18539007547034; split payment names "
    "the invoice; 2 document(s) referred to in the structured remittance; 70.00 overpaid, left as credit; "
    "partial payment; applied as a partial payment, 230.00 left open (the only invoice quoted, quoted "
    "exactly); KSeF number 5260250274-20260301-ABCDEF123456-7A quoted; ambiguous: another proposal is about "
    "as plausible; something:new — score 97"
)


@tagged("post_install", "-at_install")
class TestReconcileSuggestionWording(TransactionCase):
    def test_every_reason_code_is_worded(self):
        self.assertEqual(set(REASON_TEXTS), set(REASON_CODES))

    def test_reasons_read_as_one_sentence_with_the_score(self):
        Suggestion = self.env["ar.reconcile.suggestion"].with_context(lang="en_US")
        proposal = Proposal(1, 2, [Allocation(3, Decimal("1230.00"))], 97.0, EVERY_REASON)
        self.assertEqual(Suggestion._explain(proposal), EVERY_REASON_EXPLAINED)
        self.assertEqual(Suggestion._explain(Proposal(1, None, [], 60.5, [])), "No evidence — score 60.5")
