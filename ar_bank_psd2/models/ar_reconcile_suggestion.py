from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..engine.matching import reason_codes
from .account_bank_statement_line import DONE_STATES

# How each reason code of the matching engine reads (engine/matching/reasons.py); ``_`` is env._.
REASON_TEXTS = {
    "ref_exact": lambda _, p: _("invoice %(number)s quoted exactly", **p),
    "ref_normalised": lambda _, p: _("invoice %(number)s quoted (normalised)", **p),
    "ref_fuzzy": lambda _, p: _("invoice %(number)s quoted with a typo", **p),
    "ref_short": lambda _, p: _("invoice %(number)s quoted in short form", **p),
    "ref_doubtful": lambda _, p: _("the number as quoted is less likely than a typo of it"),
    "partner_given": lambda _, p: _("payer set on the line"),
    "partner_iban": lambda _, p: _("payer identified by IBAN"),
    "partner_vat": lambda _, p: _("payer identified by VAT number"),
    "partner_pattern": lambda _, p: _("payer identified by a learned pattern"),
    "partner_third_party": lambda _, p: _("paid by a third party"),
    "partner_name": lambda _, p: _("payer name similar (%(similarity)s)", **p),
    "amount_equal": lambda _, p: _("amount equal"),
    "amount_converted": lambda _, p: _("amount equal after currency conversion"),
    "amount_unchecked": lambda _, p: _("amount not compared (other currency)"),
    "amount_declared": lambda _, p: _("amounts as declared per document"),
    "amount_only": lambda _, p: _("only the amount matches"),
    "amount_writeoff": lambda _, p: _(
        "%(amount)s short, written off (a bank fee within the rule's write-off tolerance)", **p
    ),
    "subset_one": lambda _, p: _("one open item of the payer equals the amount"),
    "subset_many": lambda _, p: _("%(count)s open items sum to the amount", **p),
    "rest_subset": lambda _, p: _("the rest pays %(count)s more open item(s) of the customer exactly", **p),
    "rf": lambda _, p: _("RF reference %(reference)s", **p),
    "mpp": lambda _, p: _("split payment names the invoice"),
    "strd": lambda _, p: _("%(count)s document(s) referred to in the structured remittance", **p),
    "overpayment": lambda _, p: _("%(amount)s overpaid, left as credit", **p),
    "partial": lambda _, p: _("partial payment"),
    "partial_open": lambda _, p: _(
        "applied as a partial payment, %(amount)s left open (the only invoice quoted, quoted exactly)", **p
    ),
    "ksef": lambda _, p: _("KSeF number %(number)s quoted", **p),
    "ambiguous": lambda _, p: _("ambiguous: another proposal is about as plausible"),
    "unknown": lambda _, p: p["token"],
}


class ArReconcileSuggestion(models.Model):
    """A match the engine was not sure enough of to apply alone: people accept or reject it."""

    _name = "ar.reconcile.suggestion"
    _description = "Bank Line Match Suggestion"
    _order = "statement_line_id, rank, id"

    statement_line_id = fields.Many2one(
        "account.bank.statement.line", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="statement_line_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_line_id.currency_id")
    rank = fields.Integer(readonly=True)
    rule_id = fields.Many2one("ar.reconcile.rule", readonly=True, ondelete="set null")
    score = fields.Float(readonly=True, aggregator="avg")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_line_ids = fields.Many2many("account.move.line", string="Open Items", readonly=True)
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", compute_sudo=True
    )
    allocation = fields.Json(readonly=True, help="[[receivable item id, amount in the bank's currency]]")
    writeoff = fields.Monetary(string="Written Off", readonly=True)
    overpayment = fields.Monetary(string="Customer Credit", readonly=True)
    ambiguous = fields.Boolean(readonly=True, help="Another match is about as plausible.")
    reasons = fields.Json(readonly=True)
    explanation = fields.Char(string="Why", readonly=True)
    state = fields.Selection(
        [("proposed", "Proposed"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        default="proposed",
        required=True,
        readonly=True,
        index=True,
    )
    decided_uid = fields.Many2one("res.users", string="Decided By", readonly=True)
    decided_date = fields.Datetime(string="Decided On", readonly=True)

    @api.depends("move_line_ids")
    def _compute_move_ids(self):
        for suggestion in self:
            suggestion.move_ids = suggestion.move_line_ids.move_id

    # ------------------------------------------------------------------ from the engine's proposals

    @api.model
    def _explain(self, proposal):
        """One line saying why the engine proposes ``proposal`` (its reasons, then its score), translated."""
        _ = self.env._
        texts = [REASON_TEXTS[code](_, params) for code, params in reason_codes(proposal.reasons)]
        text = "; ".join(texts) or _("no evidence")
        return _(
            "%(reasons)s — score %(score)s",
            reasons=f"{text[0].upper()}{text[1:]}",
            score=f"{proposal.score:g}",
        )

    @api.model
    def _prepare_values(self, line, ranked, rule):
        """The suggestions of bank ``line`` for the engine's ``ranked`` proposals under ``rule``."""
        return [
            {
                "statement_line_id": line.id,
                "rank": rank,
                "rule_id": rule.id,
                "score": proposal.score,
                "partner_id": proposal.partner_id or False,
                "allocation": [[a.item_id, str(a.amount)] for a in proposal.allocations],
                "move_line_ids": [Command.set([a.item_id for a in proposal.allocations])],
                "writeoff": float(proposal.writeoff),
                "overpayment": float(proposal.overpayment),
                "ambiguous": proposal.ambiguous,
                "reasons": proposal.reasons,
                "explanation": self._explain(proposal),
            }
            for rank, proposal in enumerate(ranked, start=1)
        ]

    # ------------------------------------------------------------------ people's decisions

    def action_accept(self):
        """Apply this suggestion to its bank line and learn from it."""
        self.ensure_one()
        line = self.statement_line_id
        if self.state != "proposed" or line.is_reconciled or line.ar_match_state in DONE_STATES:
            raise UserError(self.env._("This bank line is already matched."))
        allocations = [(int(item_id), Decimal(str(amount))) for item_id, amount in self.allocation or ()]
        line._ar_apply(
            allocations,
            writeoff=Decimal(str(self.writeoff or 0)),
            overpayment=Decimal(str(self.overpayment or 0)),
            partner_id=self.partner_id.id,
            rule=self.rule_id,
        )
        now = fields.Datetime.now()
        self.write({"state": "accepted", "decided_uid": self.env.uid, "decided_date": now})
        (line.ar_suggestion_ids - self).filtered(lambda s: s.state == "proposed").write(
            {"state": "rejected", "decided_uid": self.env.uid, "decided_date": now}
        )
        line.write(
            {
                "ar_match_state": "accepted",
                "ar_match_score": self.score,
                "ar_match_reasons": self.reasons,
                "ar_match_explanation": self.env._(
                    "Accepted by %(user)s: %(why)s", user=self.env.user.name, why=self.explanation
                ),
                "ar_matched_date": now,
                "ar_matched_uid": self.env.uid,
            }
        )
        line._ar_learn(self.move_line_ids)
        return True

    def action_reject(self):
        self.filtered(lambda s: s.state == "proposed").write(
            {"state": "rejected", "decided_uid": self.env.uid, "decided_date": fields.Datetime.now()}
        )
        return True
