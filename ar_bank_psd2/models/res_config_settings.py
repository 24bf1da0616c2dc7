from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # The rule for customer payments that the addon installs: what a controller changes first (bank fees
    # deducted from payments, partial payments) is offered here; the rule's form holds the rest.
    ar_cash_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Bank Fees Account",
        compute="_compute_ar_cash_rule",
        readonly=False,
        domain="[('company_ids', 'in', company_id)]",
        help="A payment short of its invoices by a bank fee (within the tolerance) settles them; the "
        "difference is booked to this account. Empty: such payments are only suggested.",
    )
    ar_cash_writeoff_tolerance = fields.Float(
        string="Bank Fee Up To",
        compute="_compute_ar_cash_rule",
        readonly=False,
        help="In the company's currency: the largest difference written off as a bank fee.",
    )
    ar_cash_writeoff_tolerance_percent = fields.Float(
        string="And At Most (%)",
        compute="_compute_ar_cash_rule",
        readonly=False,
        help="...and at most this share of the amount paid.",
    )
    ar_cash_partial_applied = fields.Boolean(
        string="Apply Exact Partial Payments",
        compute="_compute_ar_cash_rule",
        readonly=False,
        help="A payment smaller than the one invoice it quotes exactly is applied and the rest left open "
        "(reminders continue for the remainder). Off: such payments are only suggested.",
    )
    ar_cash_rule_found = fields.Boolean(compute="_compute_ar_cash_rule")

    @api.model
    def _ar_cash_rule_sudo(self, company):
        rule_sudo = self.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments", raise_if_not_found=False)
        return rule_sudo and rule_sudo.sudo().with_company(company)

    @api.depends("company_id")
    def _compute_ar_cash_rule(self):
        for settings in self:
            rule_sudo = self._ar_cash_rule_sudo(settings.company_id)
            settings.ar_cash_rule_found = bool(rule_sudo)
            settings.ar_cash_writeoff_account_id = rule_sudo.writeoff_account_id if rule_sudo else False
            settings.ar_cash_writeoff_tolerance = rule_sudo.writeoff_tolerance if rule_sudo else 0.0
            settings.ar_cash_writeoff_tolerance_percent = (
                rule_sudo.writeoff_tolerance_percent if rule_sudo else 0.0
            )
            settings.ar_cash_partial_applied = rule_sudo.is_partial_applied if rule_sudo else False

    def set_values(self):
        super().set_values()
        for settings in self:
            rule_sudo = self._ar_cash_rule_sudo(settings.company_id)
            if not rule_sudo:
                continue
            values = {
                "writeoff_account_id": settings.ar_cash_writeoff_account_id.id,
                "writeoff_tolerance": settings.ar_cash_writeoff_tolerance,
                "writeoff_tolerance_percent": settings.ar_cash_writeoff_tolerance_percent,
                "is_partial_applied": settings.ar_cash_partial_applied,
            }
            current = rule_sudo.read(list(values))[0]
            current["writeoff_account_id"] = rule_sudo.writeoff_account_id.id
            changed = {name: value for name, value in values.items() if current[name] != value}
            if changed:
                rule_sudo.write(changed)
