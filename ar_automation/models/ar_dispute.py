from datetime import timedelta

import lxml.html
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .ar_reply_rule import DISPUTE_REASONS

OPEN_STAGES = ("new", "in_progress")


class ArDispute(models.Model):
    """A customer's complaint about one or more invoices: while it is open no reminder lists them."""

    _name = "ar.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_deadline, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "ar_dispute_invoice_rel",
        "dispute_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id)]",
    )
    reason = fields.Selection(selection=DISPUTE_REASONS, required=True, default="other", tracking=True)
    amount_disputed = fields.Monetary(currency_field="currency_id", tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Owner", index=True, tracking=True, domain="[('share', '=', False)]"
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    stage = fields.Selection(
        selection=[
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("resolved_credit", "Resolved: Credit Note"),
            ("resolved_correction", "Resolved: Correction"),
            ("rejected", "Rejected"),
        ],
        required=True,
        default="new",
        index=True,
        tracking=True,
        group_expand=True,
    )
    is_open = fields.Boolean(compute="_compute_is_open", store=True, index=True)
    origin = fields.Selection(
        selection=[("mail", "Customer e-mail"), ("manual", "Entered by hand"), ("portal", "Customer portal")],
        required=True,
        default="manual",
        readonly=True,
    )
    description = fields.Text(string="Customer's Words")
    resolution = fields.Text(tracking=True)
    date_opened = fields.Datetime(
        string="Opened On", required=True, readonly=True, copy=False, default=fields.Datetime.now
    )
    date_deadline = fields.Date(string="SLA Deadline", tracking=True)
    date_resolved = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    resolution_days = fields.Float(
        string="Days to Resolve",
        compute="_compute_resolution_days",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    sla_overdue = fields.Boolean(compute="_compute_sla_overdue", search="_search_sla_overdue")
    credit_note_ids = fields.One2many("account.move", "ar_dispute_id", string="Credit Notes", readonly=True)
    reply_ids = fields.One2many("ar.customer.reply", "dispute_id", string="Replies", readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")

    @api.depends("stage")
    def _compute_is_open(self):
        for dispute in self:
            dispute.is_open = dispute.stage in OPEN_STAGES

    @api.depends("date_resolved", "date_opened")
    def _compute_resolution_days(self):
        for dispute in self:
            if dispute.date_resolved and dispute.date_opened:
                dispute.resolution_days = (
                    dispute.date_resolved - dispute.date_opened
                ).total_seconds() / 86400
            else:
                dispute.resolution_days = 0.0

    @api.depends("date_deadline", "is_open")
    def _compute_sla_overdue(self):
        for dispute in self:
            today = dispute.company_id._ar_today()
            dispute.sla_overdue = bool(
                dispute.is_open and dispute.date_deadline and dispute.date_deadline < today
            )

    def _search_sla_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = [("is_open", "=", True), ("date_deadline", "<", self.env.company._ar_today())]
        return domain if (operator == "in") == (True in value) else ["!", *domain]

    def _compute_invoice_count(self):
        for dispute in self:
            dispute.invoice_count = len(dispute.invoice_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("ar.dispute") or "/"
            partner = self.env["res.partner"].browse(vals.get("partner_id"))
            if not vals.get("user_id"):
                owner, team = self._default_owner(partner, company)
                vals.setdefault("team_id", team.id)
                vals["user_id"] = owner.id
            if not vals.get("date_deadline"):
                vals["date_deadline"] = company._ar_today() + timedelta(days=company.ar_dispute_sla_days)
        disputes = super().create(vals_list)
        for dispute in disputes:
            if not dispute.amount_disputed:
                dispute.amount_disputed = sum(dispute.invoice_ids.mapped("amount_residual"))
            dispute._notify_owner()
            dispute._note_on_invoices(
                self.env._(
                    "Dispute %(dispute)s opened (%(reason)s): reminders paused.",
                    dispute=dispute.name,
                    reason=dispute._reason_label(),
                )
            )
        return disputes

    @api.model
    def _default_owner(self, partner, company):
        """The customer's salesperson, else the leader of the company's dispute team, else nobody."""
        commercial = partner.commercial_partner_id
        team = company.ar_dispute_team_id
        if commercial.user_id and not commercial.user_id.share:
            return commercial.user_id, team
        return team.user_id, team

    def _reason_label(self):
        return dict(self._fields["reason"]._description_selection(self.env))[self.reason]

    def _notify_owner(self):
        """A to-do for the owner, due on the SLA deadline."""
        if not self.user_id:
            return
        self.activity_schedule(
            "ar_automation.mail_activity_type_dispute",
            date_deadline=self.date_deadline,
            summary=self.env._(
                "Dispute %(dispute)s: %(reason)s", dispute=self.name, reason=self._reason_label()
            ),
            note=Markup("<p>%s</p><p>%s</p>")
            % (", ".join(self.invoice_ids.mapped("name")), self.description or ""),
            user_id=self.user_id.id,
        )

    def _note_on_invoices(self, text):
        note = Markup("<p>%s</p>") % text
        for invoice in self.invoice_ids:
            invoice.message_post(body=note, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Opening from replies, the invoice or the portal
    # ------------------------------------------------------------------

    @api.model
    def _ar_open_for(self, invoices, reason="other", origin="manual", description="", message=None):
        """The open dispute of these invoices, updated with this complaint, else a new one."""
        invoices = invoices.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not invoices:
            raise UserError(self.env._("A dispute needs at least one posted customer invoice."))
        existing = self.search([("invoice_ids", "in", invoices.ids), ("is_open", "=", True)], limit=1)
        if existing:
            new_invoices = invoices - existing.invoice_ids
            if not new_invoices and existing._ar_has_words(description):
                # The same complaint sent again (a double click, a resent e-mail): no new note.
                return existing
            if new_invoices:
                existing.invoice_ids = [Command.link(move.id) for move in new_invoices]
                existing._note_on_invoices(
                    self.env._("Added to dispute %s: reminders paused.", existing.name)
                )
            existing.message_post(
                body=Markup("<p>%s</p><blockquote>%s</blockquote>")
                % (
                    self.env._("The customer wrote again about %s.", ", ".join(invoices.mapped("name"))),
                    description or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
            return existing
        invoice = invoices[0]
        return self.create(
            {
                "company_id": invoice.company_id.id,
                "partner_id": invoice.commercial_partner_id.id,
                "invoice_ids": [Command.set(invoices.ids)],
                "reason": reason,
                "origin": origin,
                "description": description,
            }
        )

    def _ar_has_words(self, description):
        """Whether the customer already wrote ``description`` in this dispute (its first words or a later
        message quoted on it), ignoring case and blanks."""
        self.ensure_one()

        def folded(text):
            return " ".join((text or "").split()).casefold()

        words = folded(description)
        if not words:
            return False
        if words == folded(self.description):
            return True
        for message in self.message_ids.filtered(lambda m: m.body and "<blockquote" in m.body):
            for quote in lxml.html.fromstring(str(message.body)).iter("blockquote"):
                if folded(quote.text_content()) == words:
                    return True
        return False

    # ------------------------------------------------------------------
    # Resolution
    # ------------------------------------------------------------------

    def _check_open(self):
        for dispute in self:
            if not dispute.is_open:
                raise UserError(self.env._("Dispute %s is already closed.", dispute.name))

    def action_start(self):
        self._check_open()
        self.stage = "in_progress"

    def _close(self, stage, message):
        self.write({"stage": stage, "date_resolved": fields.Datetime.now()})
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("ar_automation.mail_activity_type_dispute")
        ).action_feedback(feedback=message)
        for dispute in self:
            dispute.message_post(body=Markup("<p>%s</p>") % message, subtype_xmlid="mail.mt_note")
            dispute._note_on_invoices(message)

    def action_resolve_correction(self):
        """The invoice was corrected (or the customer's problem solved otherwise): reminders resume."""
        self._check_open()
        for dispute in self:
            dispute._close(
                "resolved_correction",
                self.env._("Dispute %s resolved by a correction: reminders resume.", dispute.name),
            )

    def action_reject(self):
        """The complaint is not founded: reminders resume where they stopped, the overdue days still count."""
        self._check_open()
        for dispute in self:
            dispute._close(
                "rejected",
                self.env._("Dispute %s rejected: reminders resume where they stopped.", dispute.name),
            )

    def action_reopen(self):
        for dispute in self.filtered(lambda d: not d.is_open):
            dispute.write({"stage": "in_progress", "date_resolved": False})
            dispute._note_on_invoices(self.env._("Dispute %s reopened: reminders paused.", dispute.name))

    def action_create_credit_note(self):
        """Draft credit notes reversing the disputed invoices, linked to the dispute, opened for editing
        (lower the quantities or prices for a partial credit). Posting one resolves the dispute."""
        self._check_open()
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda m: m.state == "posted")
        credit_notes = invoices._reverse_moves(
            default_values_list=[
                {
                    "ref": self.env._(
                        "Dispute %(dispute)s: %(invoice)s", dispute=self.name, invoice=inv.name
                    ),
                    "ar_dispute_id": self.id,
                    "invoice_date": self.company_id._ar_today(),
                }
                for inv in invoices
            ]
        )
        self.stage = "in_progress"
        self.message_post(
            body=Markup("<p>%s</p>")
            % self.env._("Credit note drafted: %s.", ", ".join(credit_notes.mapped("display_name"))),
            subtype_xmlid="mail.mt_note",
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_refund_type")
        if len(credit_notes) == 1:
            action.update({"views": [(False, "form")], "res_id": credit_notes.id})
        else:
            action["domain"] = [("id", "in", credit_notes.ids)]
        return action

    def _on_credit_note_posted(self, credit_notes):
        for dispute in self.filtered("is_open"):
            dispute._close(
                "resolved_credit",
                self.env._(
                    "Dispute %(dispute)s resolved by credit note %(credit_note)s.",
                    dispute=dispute.name,
                    credit_note=", ".join(
                        move.name for move in credit_notes if move.ar_dispute_id == dispute
                    ),
                ),
            )

    def action_view_invoices(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action
