import base64
import hashlib

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..models.account_journal import StatementBalanceError


class ArStatementImportWizard(models.TransientModel):
    _name = "ar.statement.import.wizard"
    _description = "Import Bank Statement File"

    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', '=', 'bank'), ('company_id', 'in', allowed_company_ids)]",
        default=lambda self: self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    file = fields.Binary(string="Statement File", required=True)
    filename = fields.Char()
    balance_problem = fields.Text(
        readonly=True, help="Why the file was refused: statements whose balances do not add up."
    )
    balance_reason = fields.Text(
        string="Reason to Import Anyway",
        help="Why this file is imported although its balances do not add up (kept on the import record).",
    )

    def action_import(self):
        """Import the file; when its balances do not add up, show why and offer to import it anyway."""
        self.ensure_one()
        try:
            return self._import()
        except StatementBalanceError as error:
            self.balance_problem = str(error)
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Import Bank Statement"),
                "res_model": self._name,
                "res_id": self.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
            }

    def action_import_anyway(self):
        """Import the file although its balances do not add up, with the reason the user gave."""
        self.ensure_one()
        if not (self.balance_reason or "").strip():
            raise UserError(self.env._("Say why the file is imported although its balances do not add up."))
        return self._import(balance_reason=self.balance_reason.strip())

    def _import(self, balance_reason=None):
        """Import the file and show its import record (created and skipped transactions)."""
        data = base64.b64decode(self.file)
        domain = [
            ("journal_id", "=", self.journal_id.id),
            ("file_hash", "=", hashlib.sha256(data).hexdigest()),
        ]
        imports = self.env["ar.bank.statement.import"]
        known = imports.search(domain, limit=1)
        self.journal_id.ar_import_statement_file(
            data, self.filename or "statement", balance_reason=balance_reason
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_bank_psd2.ar_bank_statement_import_action")
        action.update({"views": [(False, "form")], "res_id": (known or imports.search(domain, limit=1)).id})
        if not known:
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": False,
                "message": self.env._(
                    "This file was already imported on %(date)s as %(file)s: nothing new.",
                    date=format_date(self.env, known.create_date.date()),
                    file=known.filename,
                ),
                "next": action,
            },
        }
