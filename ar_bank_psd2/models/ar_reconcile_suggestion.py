from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from .account_bank_statement_line import DONE_STATES


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
