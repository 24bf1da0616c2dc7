"""Proposals from amounts alone (exact sums of a payer's open items, an amount equal to an open item) and
the ranking of all proposals of a line: for :class:`.matcher._Matcher`."""

from .amounts import _cents, _money, _Outcome, _same_currency, _within_writeoff
from .records import Allocation, Proposal
from .scores import (
    AMBIGUOUS_CAP,
    MAX_AMOUNT_ONLY,
    MAX_SCORE,
    MERGE_BONUS,
    SCORE_AMOUNT_ONLY,
    SCORE_AMOUNT_ONLY_SHARED,
    SUBSET_LARGE_PENALTY,
    SUBSET_SCORE,
    SUBSET_SIZE_PENALTY,
    SUBSET_WRITEOFF_PENALTY,
)


class _Proposals:
    """The half of :class:`.matcher._Matcher` that needs no reference (``self.index``, ``self.settings``)."""

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
