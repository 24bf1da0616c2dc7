from markupsafe import Markup

from odoo import fields, models


class ArBankStatementImport(models.Model):
    """One statement file imported into a bank journal: what it brought, what it skipped and why."""

    _name = "ar.bank.statement.import"
    _inherit = ["mail.thread"]
    _description = "Bank Statement File Import"
    _order = "id desc"
    _rec_name = "filename"

    journal_id = fields.Many2one("account.journal", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="journal_id.company_id", store=True)
    filename = fields.Char(required=True)
    file_hash = fields.Char(
        required=True, index=True, help="SHA-256 of the file: the same file is imported once."
    )
    file_format = fields.Char(string="Format")
    statement_ids = fields.Many2many("account.bank.statement", string="Statements", readonly=True)
    line_count = fields.Integer(string="Transactions Imported", readonly=True)
    duplicate_count = fields.Integer(
        string="Skipped as Already Booked",
        readonly=True,
        help="Transactions of the file that are already booked in the journal (listed with the line they "
        "duplicate and why) and were not imported again.",
    )
    skipped_ids = fields.One2many(
        "ar.bank.skipped.transaction", "import_id", string="Skipped Transactions", readonly=True
    )
    reconciled_count = fields.Integer(string="Reconciled Automatically", readonly=True)
    suggested_count = fields.Integer(string="With Suggestions", readonly=True)
    unmatched_count = fields.Integer(string="Without a Match", readonly=True)
    skipped_accounts = fields.Char(readonly=True, help="Accounts of the file that no bank journal holds.")
    gap_message = fields.Text(string="Gaps", readonly=True)
    balance_message = fields.Text(
        string="Balances Not Adding Up",
        readonly=True,
        help="Statements whose opening balance plus movements differ from their closing balance, imported "
        "anyway.",
    )
    balance_override_reason = fields.Text(string="Why Imported Anyway", readonly=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)

    _journal_hash_unique = models.UniqueIndex("(journal_id, file_hash)")

    def _ar_log_balance_override(self, problems, reason):
        """Record in the chatter that the file was imported although its balances do not add up."""
        self.ensure_one()
        self.message_post(
            body=Markup("<p>%s</p><p>%s</p><p>%s</p>")
            % (
                self.env._("Imported by %s although the balances do not add up:", self.env.user.name),
                problems,
                self.env._("Reason: %s", reason),
            )
        )
