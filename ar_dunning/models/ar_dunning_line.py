from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .ar_dunning_level import CHANNELS
from .ir_qweb import compiled_once


class ArDunningLine(models.Model):
    """One reminder of a run: a customer, the level it reached, the channel, the invoices it lists."""

    _name = "ar.dunning.line"
    _inherit = ["mail.thread"]
    _description = "Payment Reminder"
    _order = "run_id desc, partner_id"

    run_id = fields.Many2one("ar.dunning.run", required=True, index=True, ondelete="cascade")
    date = fields.Date(related="run_id.date", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    policy_id = fields.Many2one("ar.dunning.policy", readonly=True)
    level_id = fields.Many2one("ar.dunning.level", readonly=True, ondelete="set null")
    variant_id = fields.Many2one("ar.dunning.variant", readonly=True, index="btree_not_null")
    channel = fields.Selection(
        selection=CHANNELS, help="The level's channel when the run decided; may be changed before sending."
    )
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

    credit_line_ids = fields.Many2many(
        "account.move.line",
        compute="_compute_credits",
        string="Credits",
        help="The customer's open credit notes and payments not applied yet.",
    )
    amount_net = fields.Monetary(compute="_compute_credits", string="Net Amount Due")

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.partner_id.name or ''} ({line.date or ''})"

    def _compute_credits(self):
        lines_by_key = {}
        if self:
            credits = self.env["account.move.line"].search(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", "<", 0),
                ]
            )
            for credit in credits:
                key = (credit.partner_id.commercial_partner_id.id, credit.company_id.id)
                lines_by_key.setdefault(key, []).append(credit.id)
        for line in self:
            credit_ids = lines_by_key.get((line.partner_id.id, line.company_id.id), [])
            line.credit_line_ids = [(6, 0, credit_ids)]
            credits = self.env["account.move.line"].browse(credit_ids)
            line.amount_net = line.amount_overdue + sum(credits.mapped("amount_residual"))

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

    def _message_post_after_hook(self, new_message, message_values):
        """A customer's e-mail reply to a reminder is read as one about the invoices it names (all the
        reminder's invoices when it names none)."""
        result = super()._message_post_after_hook(new_message, message_values)
        if new_message.message_type == "email":
            invoices = self.invoice_ids | self.paused_invoice_ids
            mentioned = invoices._ar_mentioned_in(new_message.body)
            (mentioned or invoices)._ar_read_reply(new_message)
        return result

    def _send_batch(self):
        """Deliver these reminders through their channels, falling back to a phone-call task when a customer
        cannot be reached by e-mail or SMS; record the level each invoice reached and a note on each
        customer. Set-based: one e-mail rendering pass, one insert of tasks, one of notes."""
        problems = {line: line._channel_problem(line.channel) for line in self}
        emails = self.filtered(lambda line: not problems[line] and line.channel == "email")
        sms = self.filtered(lambda line: not problems[line] and line.channel == "sms")
        tasks = self - emails - sms
        if emails:
            emails._send_emails()
        for line in sms:
            line._send_sms()
        if tasks:
            tasks._schedule_tasks(problems)
        self._record_on_invoices()
        self._note_on_customers()

    def _channel_problem(self, channel):
        partner = self.partner_id
        if channel == "email" and not self.recipient_ids:
            return self.env._("%s has no e-mail address.", partner.display_name)
        if channel == "email" and all(self.recipient_ids.mapped("is_blacklisted")):
            return self.env._("%s's e-mail address is blacklisted.", partner.display_name)
        if channel == "sms" and not partner.phone:
            return self.env._("%s has no phone number.", partner.display_name)
        return ""

    def _send_emails(self):
        """One rendering pass per company and template (the level's, its A/B variant's, else the standard
        one): the reply-to address (the catchall, so that replies reach the reminder) is computed once
        instead of once per e-mail, and the template's body compiled once."""
        standard = self.env.ref("ar_dunning.mail_template_dunning_reminder")
        mail_by_line = {}
        groups = self.grouped(
            lambda line: (
                line.company_id,
                line.variant_id.template_id or line.level_id.template_id or standard,
            )
        )
        for (company, template), lines in groups.items():
            reply_to = lines[:1]._notify_get_reply_to(default=company.email_formatted)
            with compiled_once(template) as batch_template:
                mails = batch_template.send_mail_batch(
                    lines.ids,
                    email_layout_xmlid="mail.mail_notification_light",
                    email_values={"reply_to": next(iter(reply_to.values()))},
                )
            mail_by_line.update({mail.res_id: mail.id for mail in mails})
        for line in self:
            line.write({"state": "sent", "mail_id": mail_by_line.get(line.id)})

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

    def _schedule_tasks(self, problems):
        """A phone-call (or letter, or hand-over) task for each customer's salesperson, created at once."""
        activity_type = self.env.ref("mail.mail_activity_data_call")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        values = []
        for line in self:
            reason = problems.get(line, "")
            note = Markup("<p>%s</p><ul>%s</ul>") % (
                reason or self.env._("Contact the customer about the overdue invoices:"),
                Markup().join(
                    Markup("<li>%s, %s, %s</li>") % (inv.name, inv.invoice_date_due, inv.amount_residual)
                    for inv in line.invoice_ids
                ),
            )
            values.append(
                {
                    "res_model_id": partner_model,
                    "res_id": line.partner_id.id,
                    "activity_type_id": activity_type.id,
                    "date_deadline": line.run_id.date,
                    "summary": self.env._("Payment reminder: %s", line.level_id.name),
                    "note": note,
                    "user_id": (line.partner_id.user_id or self.env.user).id,
                }
            )
        self.env["mail.activity"].create(values)
        for reason, lines in _group(self, lambda ln: problems.get(ln, "")).items():
            lines.write({"state": "done", "error": reason or False})

    def _record_on_invoices(self):
        """Each invoice remembers the level it reached: one update per level."""
        moves_by_level = {}
        for line in self:
            levels = {level.offset_days: level for level in line.policy_id.level_ids}
            for move_id, offset in (line.raised_levels or {}).items():
                moves_by_level.setdefault((levels[offset], line.run_id.date), []).append(int(move_id))
        for (level, day), move_ids in moves_by_level.items():
            # Plain columns of our own, no tracking: one UPDATE, not account.move.write and its line sync.
            self.env.cr.execute(
                SQL(
                    """UPDATE account_move SET ar_dunning_level_id = %s, ar_dunning_last_date = %s
                        WHERE id = ANY(%s)""",
                    level.id,
                    day,
                    move_ids,
                )
            )
        self.env["account.move"].invalidate_model(["ar_dunning_level_id", "ar_dunning_last_date"])

    def _note_on_customers(self):
        """A note in each customer's chatter, inserted at once (internal notes notify nobody)."""
        channels = dict(self._fields["channel"]._description_selection(self.env))
        note_subtype = self.env.ref("mail.mt_note")
        self.env["mail.message"].create(
            [
                {
                    "model": "res.partner",
                    "res_id": line.partner_id.id,
                    "message_type": "notification",
                    "subtype_id": note_subtype.id,
                    "author_id": self.env.user.partner_id.id,
                    "body": Markup("<p>%s</p>")
                    % self.env._(
                        "Payment reminder (%(level)s, %(channel)s) listing %(invoices)s.",
                        level=line.level_id.name,
                        channel=channels.get(line.channel),
                        invoices=", ".join(line.invoice_ids.mapped("name")),
                    ),
                }
                for line in self
            ]
        )


def _group(records, key):
    groups = {}
    for record in records:
        groups.setdefault(key(record), []).append(record.id)
    return {value: records.browse(ids) for value, ids in groups.items()}
