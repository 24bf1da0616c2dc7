from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_segment_id = fields.Many2one(
        "ar.customer.segment",
        string="Customer Segment",
        company_dependent=True,
        help="Set by the weekly automatic segmentation from payment history, unless set by hand.",
    )
    ar_segment_manual = fields.Boolean(
        string="Segment Set by Hand",
        company_dependent=True,
        help="The automatic segmentation leaves this customer's segment alone.",
    )
    ar_dunning_policy_id = fields.Many2one(
        "ar.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        help="The reminder sequence for this customer; empty: its segment's, else the company's default.",
    )
    ar_dunning_line_ids = fields.One2many("ar.dunning.line", "partner_id", string="Reminders", readonly=True)
    ar_dunning_opt_out = fields.Boolean(
        string="No Payment Reminders",
        tracking=True,
        help="The customer receives no reminder of any channel; its overdue invoices are shown as paused.",
    )
    ar_dunning_channel = fields.Selection(
        selection=[("email", "E-mail"), ("sms", "SMS"), ("letter", "Printed letter")],
        string="Preferred Reminder Channel",
        help="Used instead of the level's e-mail, SMS or letter; calls and hand-overs are kept.",
    )
    ar_payment_plan_ids = fields.One2many("ar.payment.plan", "partner_id", string="Payment Plans")
    ar_payment_plan_count = fields.Integer(
        compute="_compute_ar_payment_plan_count", string="Payment Plan Count"
    )
    ar_escalated_date = fields.Date(
        string="Handed Over to Collections",
        readonly=True,
        copy=False,
        help="Since this day the collection agency handles the customer: no more reminders.",
    )

    # Receivables summary of the customer form (see ar_automation's res_partner), accounting and collectors.
    ar_current_level_id = fields.Many2one(
        "ar.dunning.level",
        string="Reminder Level",
        compute="_compute_ar_dunning_summary",
        groups="account.group_account_invoice",
        help="The highest reminder level one of the customer's open invoices has reached.",
    )
    ar_last_reminder_date = fields.Date(
        string="Last Reminder", compute="_compute_ar_dunning_summary", groups="account.group_account_invoice"
    )
    ar_next_reminder_date = fields.Date(
        string="Next Reminder Due",
        compute="_compute_ar_dunning_summary",
        groups="account.group_account_invoice",
        help="The day an open invoice reaches the next level of the customer's dunning policy (today when "
        "already reached); a dispute, promise or payment plan can still pause it. Empty: no further level, "
        "no reminders for this customer, or handed over to collections.",
    )
    ar_active_plan_id = fields.Many2one(
        "ar.payment.plan",
        string="Active Payment Plan",
        compute="_compute_ar_dunning_summary",
        groups="account.group_account_invoice",
    )
    ar_reminder_count = fields.Integer(
        string="Reminder Count", compute="_compute_ar_dunning_summary", groups="account.group_account_invoice"
    )

    @api.depends_context("company")
    def _compute_ar_dunning_summary(self):
        """All the customers at once: one read of their open invoices, one of their reminders and plans."""
        company = self.env.company
        today = company._ar_today()
        customers = self.commercial_partner_id
        invoices = self.env["account.move"].search_fetch(
            Domain("commercial_partner_id", "in", customers.ids)
            & Domain("company_id", "=", company.id)
            & self.env["account.move"]._ar_open_receivable_domain(),
            ["commercial_partner_id", "invoice_date_due", "ar_dunning_level_id", "ar_dunning_hold_until"],
        )
        policies = customers._ar_dunning_policies(company)
        reminders = {}
        for partner, state, count, last in self.env["ar.dunning.line"]._read_group(
            [("partner_id", "in", customers.ids), ("company_id", "=", company.id)],
            ["partner_id", "state"],
            ["__count", "date:max"],
        ):
            total, last_sent = reminders.get(partner.id, (0, False))
            if state in ("sent", "done") and (not last_sent or last > last_sent):
                last_sent = last
            reminders[partner.id] = (total + count, last_sent)
        plans = {}
        for plan in self.env["ar.payment.plan"].search(
            [
                ("partner_id", "in", customers.ids),
                ("company_id", "=", company.id),
                ("state", "=", "approved"),
            ],
            order="id",
        ):
            plans.setdefault(plan.partner_id.id, plan)
        levels, next_dates = {}, {}
        for invoice in invoices:
            key = invoice.commercial_partner_id.id
            level = invoice.ar_dunning_level_id
            current = levels.get(key)
            if key not in levels or level and (not current or level.offset_days > current.offset_days):
                levels[key] = level
            customer = invoice.commercial_partner_id
            policy = policies.get(key)
            if not policy or not invoice.invoice_date_due or customer.ar_dunning_opt_out:
                continue
            if customer.ar_escalated_date:
                continue
            following = policy.level_ids.filtered(
                lambda lvl, current=level: not current or lvl.offset_days > current.offset_days
            )[:1]
            if not following:
                continue
            due = max(invoice.invoice_date_due + timedelta(days=following.offset_days), today)
            if invoice.ar_dunning_hold_until and invoice.ar_dunning_hold_until >= due:
                due = invoice.ar_dunning_hold_until + timedelta(days=1)
            next_dates[key] = min(due, next_dates.get(key, due))
        for partner in self:
            key = partner.commercial_partner_id.id
            count, last = reminders.get(key, (0, False))
            partner.ar_current_level_id = levels.get(key, False)
            partner.ar_last_reminder_date = last
            partner.ar_next_reminder_date = next_dates.get(key, False)
            partner.ar_active_plan_id = plans.get(key, False)
            partner.ar_reminder_count = count

    def action_ar_reminders(self):
        """The customer's reminders (sent, paused, failed) in the current company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_dunning.ar_dunning_line_action")
        action["domain"] = [
            ("partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
        ]
        action["context"] = {}
        return action

    def action_ar_payment_plans(self):
        """The customer's payment plans."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_dunning.ar_payment_plan_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _compute_ar_payment_plan_count(self):
        counts = dict(
            self.env["ar.payment.plan"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.ar_payment_plan_count = counts.get(partner, 0)

    def _ar_dunning_policies(self, company):
        """``{partner id: policy}`` in ``company``, the one rule of which reminder sequence applies: the
        commercial partner's own policy, else its segment's, else the company's default (a few reads for
        all the partners)."""
        default = company._ar_default_dunning_policy()
        customers = self.with_company(company).commercial_partner_id
        customers.fetch(["ar_dunning_policy_id", "ar_segment_id"])
        customers.ar_segment_id.fetch(["policy_id"])
        policies = {}
        for partner in self.with_company(company):
            customer = partner.commercial_partner_id
            policies[partner.id] = (
                customer.ar_dunning_policy_id or customer.ar_segment_id.policy_id or default
            )
        return policies
