"""Turning a bank line's payer and quoted references into scored, ranked proposals."""

from collections import defaultdict

from ..ksef import find_ksef, remove_ksef
from ..mpp import parse_mpp
from ..rf import compact_rf, find_rf, is_valid_rf
from .amounts import _allocate, _cents, _in_line_currency, _money, _within_writeoff
from .index import _Index, _Payer
from .proposals import _Proposals
from .records import BankLine, OpenItem, Proposal, Settings
from .scan import _Hit
from .scores import (
    CONFIDENT,
    EXCESS_PAYS_MORE_PENALTY,
    FUZZY_UNCONFIRMED_CAP,
    LITERAL_DOUBT,
    MAX_TEXT,
    OUTCOME_PENALTY,
    PAYER_CONFIRMS,
    PAYER_CONFIRMS_FUZZY,
    PAYER_CONFIRMS_WEAKLY,
    SAME_NAME,
    SCORE_FUZZY,
    SCORE_REFERENCE,
    SCORE_SHORT,
    SHORT_UNCONFIRMED_CAP,
    THIRD_PARTY_PENALTY,
    THIRD_PARTY_PENALTY_WEAK,
)


class _Matcher(_Proposals):
    """Proposals for one bank line at a time, over an :class:`.index._Index`."""

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
