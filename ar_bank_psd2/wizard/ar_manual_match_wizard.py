from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError


class ArManualMatchWizard(models.TransientModel):
    """A person matches a bank line to open invoices: the amount goes to them in the order chosen (due
    date first); what is left over stays as the customer's credit, a shortfall either leaves the last
    invoice partly open or is written off."""

    _name = "ar.manual.match.wizard"
    _description = "Match a Bank Payment by Hand"

    statement_line_id = fields.Many2one("account.bank.statement.line", required=True, readonly=True)
    company_id = fields.Many2one(related="statement_line_id.company_id")
    currency_id = fields.Many2one(related="statement_line_id.currency_id")
    amount = fields.Monetary(related="statement_line_id.amount")
    payment_ref = fields.Char(related="statement_line_id.payment_ref")
    partner_name = fields.Char(related="statement_line_id.partner_name")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        domain="[('parent_id', '=', False)]",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Open Invoices",
        domain="[('company_id', '=', company_id), ('account_type', '=', 'asset_receivable'), "
        "('parent_state', '=', 'posted'), ('reconciled', '=', False), "
        "('move_id.commercial_partner_id', '=?', partner_id)]",
    )
    selected_total = fields.Monetary(compute="_compute_difference")
    difference = fields.Monetary(compute="_compute_difference", help="Paid minus the invoices selected.")
    shortfall_handling = fields.Selection(
        [("open", "Leave the last invoice partly open"), ("writeoff", "Write the difference off")],
        default="open",
        required=True,
    )
    rule_id = fields.Many2one(
        "ar.reconcile.rule",
        string="Write-off As In Rule",
        domain="[('writeoff_account_id', '!=', False), ('company_id', 'in', (False, company_id))]",
    )

    @api.depends("statement_line_id")
    def _compute_partner_id(self):
        for wizard in self:
            line = wizard.statement_line_id
            best = line.ar_suggestion_ids.filtered(lambda s: s.state == "proposed")[:1]
            wizard.partner_id = line.partner_id.commercial_partner_id or best.partner_id

    @api.depends("move_line_ids", "amount")
    def _compute_difference(self):
        for wizard in self:
            currency = wizard.statement_line_id._ar_currency()
            total = sum(
                wizard.statement_line_id._ar_in_currency(item.amount_residual_currency, item.currency_id)
                if item.currency_id != currency
                else Decimal(str(item.amount_residual_currency))
                for item in wizard.move_line_ids
            )
            wizard.selected_total = float(total)
            wizard.difference = wizard.amount - float(total)

    def _allocations(self):
        """``(allocations, writeoff, overpayment)`` for the selected items, oldest due date first."""
        line = self.statement_line_id
        currency = line._ar_currency()
        left = Decimal(str(line.amount))
        allocations = []
        items = self.move_line_ids.sorted(lambda item: (item.date_maturity or item.date, item.id))
        for item in items:
            due = (
                Decimal(str(item.amount_residual_currency))
                if item.currency_id == currency
                else line._ar_in_currency(item.amount_residual_currency, item.currency_id)
            )
            if left <= 0 and due > 0:
                break
            share = min(due, left) if due > 0 else due
            allocations.append((item.id, share))
            left -= share
        writeoff = Decimal(0)
        if self.shortfall_handling == "writeoff" and allocations:
            total_due = sum(
                Decimal(str(item.amount_residual_currency))
                if item.currency_id == currency
                else line._ar_in_currency(item.amount_residual_currency, item.currency_id)
                for item in items
            )
            shortfall = total_due - Decimal(str(line.amount))
            if shortfall > 0:
                if not self.rule_id:
                    raise UserError(
                        self.env._("Choose the rule whose write-off account takes the difference.")
                    )
                allocations = [
                    (
                        item.id,
                        Decimal(str(item.amount_residual_currency))
                        if item.currency_id == currency
                        else line._ar_in_currency(item.amount_residual_currency, item.currency_id),
                    )
                    for item in items
                ]
                writeoff, left = shortfall, Decimal(0)
        return allocations, writeoff, max(left, Decimal(0))

    def action_match(self):
        self.ensure_one()
        line = self.statement_line_id
        if not self.move_line_ids:
            raise UserError(self.env._("Select the invoices this payment settles."))
        if line.amount <= 0:
            raise UserError(self.env._("Only money received is matched to invoices."))
        allocations, writeoff, overpayment = self._allocations()
        line._ar_apply(
            allocations,
            writeoff=writeoff,
            overpayment=overpayment,
            partner_id=self.partner_id.id or self.move_line_ids.move_id.commercial_partner_id[:1].id,
            rule=self.rule_id,
        )
        line.ar_suggestion_ids.filtered(lambda s: s.state == "proposed").action_reject()
        line._ar_set_matched(
            "manual",
            self.rule_id,
            explanation=self.env._(
                "Matched by %(user)s to %(invoices)s.",
                user=self.env.user.name,
                invoices=", ".join(self.move_line_ids.move_id.mapped("name")),
            ),
        )
        line._ar_learn(self.move_line_ids)
        return {"type": "ir.actions.act_window_close"}
