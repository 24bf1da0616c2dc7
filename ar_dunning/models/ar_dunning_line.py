from markupsafe import Markup

from odoo import fields, models


class ArDunningLine(models.Model):
    """One reminder of a run: a customer, the level it reached, the channel, the invoices it lists."""

    _name = "ar.dunning.line"
    _description = "Dunning Reminder"
    _order = "run_id desc, partner_id"

    run_id = fields.Many2one("ar.dunning.run", required=True, index=True, ondelete="cascade")
    date = fields.Date(related="run_id.date", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    policy_id = fields.Many2one("ar.dunning.policy", readonly=True)
    level_id = fields.Many2one("ar.dunning.level", readonly=True, ondelete="set null")
    channel = fields.Selection(related="level_id.channel", store=True, readonly=False)
    invoice_ids = fields.Many2many(
        "account.move", "ar_dunning_line_invoice_rel", "line_id", "move_id", string="Invoices", readonly=True
    )
    paused_invoice_ids = fields.Many2many(
        "account.move",
        "ar_dunning_line_paused_rel",
        "line_id",
        "move_id",
        string="Paused Invoices",
        readonly=True,
    )
    pause_reasons = fields.Text(readonly=True)
    raised_levels = fields.Json(
        readonly=True, help="Invoice id -> offset of the level it reached in this run."
    )
    amount_overdue = fields.Monetary(currency_field="currency_id", readonly=True)
    reason = fields.Char(string="Why", readonly=True)
    state = fields.Selection(
        selection=[
            ("draft", "To send"),
            ("sent", "Sent"),
            ("done", "Task created"),
            ("paused", "Paused"),
            ("skipped", "Below minimum"),
            ("error", "Error"),
        ],
        required=True,
        default="draft",
        readonly=True,
    )
    error = fields.Text(readonly=True)
    mail_id = fields.Many2one("mail.mail", readonly=True)
    recipient_ids = fields.Many2many("res.partner", compute="_compute_recipients")
    recipient_ids_str = fields.Char(
        compute="_compute_recipients", help="For the e-mail template's recipients."
    )

    def _compute_recipients(self):
        """The customer when it has an e-mail address, else its invoicing contacts that have one, else any
        contact that has one."""
        for line in self:
            partner = line.partner_id
            contacts = partner.child_ids.filtered("email")
            recipients = (
                partner if partner.email else contacts.filtered(lambda c: c.type == "invoice") or contacts
            )
            line.recipient_ids = recipients
            line.recipient_ids_str = ",".join(str(pid) for pid in recipients.ids)

    def _send(self):
        """Deliver this reminder through its channel, falling back to a phone-call task when the customer
        cannot be reached by e-mail or SMS; then record the level reached on each invoice."""
        self.ensure_one()
        channel = self.channel
        problem = self._channel_problem(channel)
        if problem:
            self._schedule_task(fallback_reason=problem)
        elif channel == "email":
            self._send_email()
        elif channel == "sms":
            self._send_sms()
        else:
            self._schedule_task()
        self._record_on_invoices()
        self.partner_id.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Payment reminder (%(level)s, %(channel)s) listing %(invoices)s.",
                level=self.level_id.name,
                channel=dict(self._fields["channel"]._description_selection(self.env)).get(channel),
                invoices=", ".join(self.invoice_ids.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _channel_problem(self, channel):
        partner = self.partner_id
        if channel == "email" and not self.recipient_ids:
            return self.env._("%s has no e-mail address.", partner.display_name)
        if channel == "email" and all(self.recipient_ids.mapped("is_blacklisted")):
            return self.env._("%s's e-mail address is blacklisted.", partner.display_name)
        if channel == "sms" and not partner.phone:
            return self.env._("%s has no phone number.", partner.display_name)
        return ""

    def _send_email(self):
        template = self.env.ref("ar_dunning.mail_template_dunning_reminder")
        mail_id = template.send_mail(self.id, email_layout_xmlid="mail.mail_notification_light")
        self.write({"state": "sent", "mail_id": mail_id})

    def _send_sms(self):
        body = self.env._(
            "%(company)s: %(count)s invoice(s) overdue, %(amount)s %(currency)s. Statement: %(url)s",
            company=self.company_id.name,
            count=len(self.invoice_ids),
            amount=self.amount_overdue,
            currency=self.currency_id.name,
            url=self.partner_id.get_base_url() + "/my/invoices",
        )
        self.partner_id._message_sms(body, number_field="phone", put_in_queue=True)
        self.state = "sent"

    def _schedule_task(self, fallback_reason=""):
        partner = self.partner_id
        user = partner.user_id or self.env.user
        note = Markup("<p>%s</p><ul>%s</ul>") % (
            fallback_reason or self.env._("Call the customer about the overdue invoices:"),
            Markup().join(
                Markup("<li>%s, %s, %s</li>") % (inv.name, inv.invoice_date_due, inv.amount_residual)
                for inv in self.invoice_ids
            ),
        )
        partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.run_id.date,
            summary=self.env._("Payment reminder: %s", self.level_id.name),
            note=note,
            user_id=user.id,
        )
        self.write({"state": "done", "error": fallback_reason or False})

    def _record_on_invoices(self):
        levels = {level.offset_days: level for level in self.policy_id.level_ids}
        by_level = {}
        for move_id, offset in (self.raised_levels or {}).items():
            by_level.setdefault(levels[offset], []).append(int(move_id))
        for level, move_ids in by_level.items():
            self.env["account.move"].browse(move_ids).write(
                {
                    "ar_dunning_level_id": level.id,
                    "ar_dunning_last_date": self.run_id.date,
                }
            )
