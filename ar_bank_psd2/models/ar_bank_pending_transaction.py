from odoo import fields, models


class ArBankPendingTransaction(models.Model):
    """A transaction the bank reports as not booked yet: shown to people (money on its way), never booked
    or matched; replaced by every sync of its account."""

    _name = "ar.bank.pending.transaction"
    _description = "Pending Bank Transaction"
    _order = "date desc, id desc"

    account_id = fields.Many2one(
        "ar.bank.connection.account",
        string="Bank Account",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    connection_id = fields.Many2one(related="account_id.connection_id", store=True)
    journal_id = fields.Many2one(related="account_id.journal_id", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    date = fields.Date(readonly=True)
    amount = fields.Float(readonly=True, digits=(16, 2))
    currency = fields.Char(readonly=True)
    counterparty_name = fields.Char(string="Payer / Payee", readonly=True)
    counterparty_iban = fields.Char(string="Counterparty Account", readonly=True)
    remittance = fields.Char(string="Title", readonly=True)
