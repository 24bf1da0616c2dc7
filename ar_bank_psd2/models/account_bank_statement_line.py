from odoo import fields, models


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    ar_import_id = fields.Char(
        string="Bank Transaction Id",
        readonly=True,
        copy=False,
        help="The bank's stable id of the transaction (unique per journal).",
    )
    ar_fingerprint = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Date, amount, counterparty and reference: the same payment seen through the API and in a "
        "file has the same fingerprint and is booked once.",
    )
    ar_end_to_end_id = fields.Char(string="End-to-End Id", readonly=True, copy=False)
    ar_structured_ref = fields.Char(string="Structured Reference", readonly=True, copy=False)
    ar_source = fields.Selection(
        selection=[("file", "Statement file"), ("api", "Open banking API")],
        string="Imported From",
        readonly=True,
        copy=False,
    )

    _journal_import_id_unique = models.UniqueIndex(
        "(journal_id, ar_import_id) WHERE ar_import_id IS NOT NULL",
        "This bank transaction was already imported into this journal.",
    )
