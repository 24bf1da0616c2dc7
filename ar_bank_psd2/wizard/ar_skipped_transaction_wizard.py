from odoo import fields, models


class ArSkippedTransactionWizard(models.TransientModel):
    _name = "ar.skipped.transaction.wizard"
    _description = "Import a Skipped Bank Transaction Anyway"

    skipped_id = fields.Many2one("ar.bank.skipped.transaction", required=True, ondelete="cascade")
    date = fields.Date(related="skipped_id.date")
    amount = fields.Monetary(related="skipped_id.amount")
    currency_id = fields.Many2one(related="skipped_id.currency_id")
    payment_ref = fields.Char(related="skipped_id.payment_ref")
    skip_reason = fields.Text(related="skipped_id.reason", string="Why It Was Skipped")
    duplicate_line_id = fields.Many2one(related="skipped_id.duplicate_line_id")
    reason = fields.Text(string="Why Import It Anyway", required=True)

    def action_confirm(self):
        """Book the transaction and show the import record, where the chatter says who and why."""
        self.ensure_one()
        self.skipped_id._ar_import_anyway(self.reason)
        return {
            "type": "ir.actions.act_window",
            "res_model": "ar.bank.statement.import",
            "res_id": self.skipped_id.import_id.id,
            "views": [(False, "form")],
            "target": "current",
        }
