import base64

from odoo import fields, models


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

    def action_import(self):
        self.ensure_one()
        lines = self.journal_id.ar_import_statement_file(
            base64.b64decode(self.file), self.filename or "statement"
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_bank_psd2.ar_bank_statement_import_action")
        imports = self.env["ar.bank.statement.import"].search(
            [("journal_id", "=", self.journal_id.id)], limit=1
        )
        if lines:
            action.update({"views": [(False, "form")], "res_id": imports.id})
        else:
            action["domain"] = [("journal_id", "=", self.journal_id.id)]
            action["help"] = self.env._("<p>This file was already imported: nothing new.</p>")
        return action
