from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_payment_patterns = fields.Text(
        string="Payment Title Patterns",
        groups="account.group_account_invoice",
        help="Words recurring in this customer's payment titles, learned from matches made by people (one "
        "per line): a payment quoting them is recognised as this customer's.",
    )
