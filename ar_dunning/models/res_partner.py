from odoo import fields, models


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
