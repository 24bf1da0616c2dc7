from odoo import api, fields, models


class ArBankConnection(models.Model):
    """A consent to read one bank's accounts through an open-banking provider."""

    _name = "ar.bank.connection"
    _description = "Bank Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    provider = fields.Selection(
        selection=[
            ("berlin_group", "Berlin Group NextGenPSD2"),
            ("enable_banking", "Enable Banking"),
            ("polishapi", "PolishAPI"),
        ],
        required=True,
        default="enable_banking",
        tracking=True,
    )
    institution_name = fields.Char(string="Bank")
    institution_bic = fields.Char(string="BIC")
    journal_ids = fields.Many2many(
        "account.journal",
        string="Bank Journals",
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        check_company=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Not connected"),
            ("active", "Active"),
            ("expiring", "Expiring"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
            ("error", "Error"),
        ],
        required=True,
        default="draft",
        tracking=True,
    )
    consent_expiry = fields.Datetime(string="Consent Expires", tracking=True)
    last_sync = fields.Datetime(string="Last Synchronisation", readonly=True)
    last_error = fields.Text(readonly=True)
    days_to_expiry = fields.Integer(compute="_compute_days_to_expiry")

    @api.depends("consent_expiry")
    def _compute_days_to_expiry(self):
        now = fields.Datetime.now()
        for connection in self:
            expiry = connection.consent_expiry
            connection.days_to_expiry = (expiry - now).days if expiry else 0
