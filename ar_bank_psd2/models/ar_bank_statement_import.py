from odoo import fields, models


class ArBankStatementImport(models.Model):
    """One statement file imported into a bank journal: what it brought, what it skipped."""

    _name = "ar.bank.statement.import"
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
    duplicate_count = fields.Integer(string="Already Known", readonly=True)
    reconciled_count = fields.Integer(string="Reconciled Automatically", readonly=True)
    suggested_count = fields.Integer(string="With Suggestions", readonly=True)
    unmatched_count = fields.Integer(string="Without a Match", readonly=True)
    skipped_accounts = fields.Char(readonly=True, help="Accounts of the file that no bank journal holds.")
    gap_message = fields.Text(string="Gaps", readonly=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)

    _journal_hash_unique = models.UniqueIndex("(journal_id, file_hash)")
