from odoo import fields, models


class ArAgingWizard(models.TransientModel):
    _name = "ar.aging.wizard"
    _description = "Aging Report"

    as_of = fields.Date(string="As Of", required=True, default=lambda self: self.env.company._ar_today())
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    def action_open(self):
        self.ensure_one()
        return self.env["ar.aging.line"]._action_for(self.as_of, self.company_id)
