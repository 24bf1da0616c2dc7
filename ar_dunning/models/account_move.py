from datetime import timedelta

from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_dunning_level_id = fields.Many2one(
        "ar.dunning.level",
        string="Reminder Level",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The last reminder level this invoice reached.",
    )
    ar_dunning_last_date = fields.Date(string="Last Reminder", copy=False, readonly=True)
    ar_dunning_hold_until = fields.Date(
        string="Reminders On Hold Until",
        copy=False,
        tracking=True,
        help="No reminder lists this invoice until this day (included).",
    )
    ar_dunning_line_ids = fields.Many2many(
        "ar.dunning.line",
        "ar_dunning_line_invoice_rel",
        "move_id",
        "line_id",
        string="Reminders",
        readonly=True,
    )

    def _ar_dunning_policy_groups(self):
        """``{policy: invoices}``: each invoice under its customer's policy (invoices whose customer has no
        policy at all are left out). Each customer's and company's policy is looked up once."""
        groups = {}
        defaults = {company: company._ar_default_dunning_policy() for company in self.company_id}
        policies = {}
        for invoice in self:
            key = (invoice.commercial_partner_id.id, invoice.company_id)
            if key not in policies:
                policies[key] = invoice.commercial_partner_id._ar_dunning_policy(key[1], defaults[key[1]])
            if policies[key]:
                groups.setdefault(policies[key], []).append(invoice.id)
        return {policy: self.browse(ids) for policy, ids in groups.items()}

    def _ar_dunning_pause_reasons(self, today):
        """``{invoice id: reason}`` for the invoices no reminder may list today."""
        reasons = {}
        disputed = self.filtered("ar_dunning_paused")
        open_disputes = {}
        if disputed:
            for dispute in self.env["ar.dispute"].search(
                [("invoice_ids", "in", disputed.ids), ("is_open", "=", True)]
            ):
                for move in dispute.invoice_ids:
                    open_disputes.setdefault(move.id, dispute.name)
        promised = self.filtered("ar_promise_date")
        grace = {company: company.ar_promise_grace_days for company in promised.company_id}
        for invoice in self:
            if invoice.ar_dunning_paused:
                reasons[invoice.id] = self.env._("disputed (%s)", open_disputes.get(invoice.id, ""))
            elif invoice.ar_promise_date and (
                invoice.ar_promise_date + timedelta(days=grace[invoice.company_id]) >= today
            ):
                reasons[invoice.id] = self.env._("payment promised for %s", invoice.ar_promise_date)
            elif invoice.ar_dunning_hold_until and invoice.ar_dunning_hold_until >= today:
                reasons[invoice.id] = self.env._("on hold until %s", invoice.ar_dunning_hold_until)
        return reasons
