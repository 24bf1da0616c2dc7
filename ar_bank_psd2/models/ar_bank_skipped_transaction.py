from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang


class ArBankSkippedTransaction(models.Model):
    """A transaction of an imported file that was not booked because it is already booked (or repeated in
    the file): the line it duplicates, why, and what to create if the user imports it anyway."""

    _name = "ar.bank.skipped.transaction"
    _description = "Bank Transaction Skipped as Already Booked"
    _order = "import_id desc, date, id"

    import_id = fields.Many2one(
        "ar.bank.statement.import", string="Imported File", required=True, index=True, ondelete="cascade"
    )
    journal_id = fields.Many2one("account.journal", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="journal_id.company_id", store=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    date = fields.Date(readonly=True)
    amount = fields.Monetary(readonly=True)
    payment_ref = fields.Char(string="Label", readonly=True)
    partner_name = fields.Char(string="Counterparty", readonly=True)
    account_number = fields.Char(string="Counterparty Account", readonly=True)
    bank_id = fields.Char(string="Bank Id", readonly=True, help="The bank's id that identified it, if any.")
    reason = fields.Text(string="Why Skipped", readonly=True)
    duplicate_line_id = fields.Many2one(
        "account.bank.statement.line", string="Duplicate Of", readonly=True, ondelete="set null"
    )
    line_values = fields.Json(readonly=True, help="The statement line to create if imported anyway.")
    state = fields.Selection(
        [("skipped", "Skipped"), ("imported", "Imported Anyway")], default="skipped", required=True
    )
    imported_line_id = fields.Many2one(
        "account.bank.statement.line", string="Imported As", readonly=True, ondelete="set null"
    )
    imported_uid = fields.Many2one("res.users", string="Imported By", readonly=True)
    imported_reason = fields.Text(string="Why Imported", readonly=True)

    def _compute_currency_id(self):
        for skipped in self:
            skipped.currency_id = skipped.journal_id.currency_id or skipped.journal_id.company_id.currency_id

    def action_import_anyway(self):
        """Open the wizard that asks why, then books this transaction."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Anyway"),
            "res_model": "ar.skipped.transaction.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_skipped_id": self.id},
        }

    def _ar_import_anyway(self, reason):
        """Book this skipped transaction as a statement line of its journal; log who and why in the
        import's chatter. Returns the created line."""
        self.ensure_one()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why this transaction is imported although it is already booked."))
        if self.state != "skipped":
            raise UserError(
                self.env._(
                    "This transaction was already imported anyway: %s.", self.imported_line_id.display_name
                )
            )
        values = dict(self.line_values, journal_id=self.journal_id.id, ar_import_id=False)
        line = self.journal_id._ar_create_lines([values])
        line._ar_match_on_arrival()
        self.write(
            {
                "state": "imported",
                "imported_line_id": line.id,
                "imported_uid": self.env.uid,
                "imported_reason": reason,
            }
        )
        self.import_id.message_post(
            body=Markup("<p>%s</p><p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "%(user)s imported a skipped transaction anyway: %(date)s, %(amount)s, %(label)s (line "
                    "%(line)s).",
                    user=self.env.user.name,
                    date=format_date(self.env, self.date),
                    amount=formatLang(self.env, self.amount, currency_obj=self.currency_id),
                    label=self.payment_ref,
                    line=line.display_name,
                ),
                self.env._("It had been skipped: %s", self.reason),
                self.env._("Reason: %s", reason),
            )
        )
        return line
