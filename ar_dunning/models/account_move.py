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
    ar_payment_plan_ids = fields.Many2many(
        "ar.payment.plan",
        "ar_payment_plan_invoice_rel",
        "move_id",
        "plan_id",
        string="Payment Plans",
        readonly=True,
        copy=False,
    )
