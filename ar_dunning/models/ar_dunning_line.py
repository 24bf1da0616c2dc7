import io
from decimal import Decimal

import xlsxwriter
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine.fees import compensation_eur, conversion_day, interest
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
    email_subject = fields.Char(compute="_compute_message_preview", string="Subject")
    email_body = fields.Html(
        compute="_compute_message_preview",
        string="E-mail",
        sanitize=False,
        help="The e-mail as sent, or as it would be sent now for a reminder not sent yet.",
    )
    sms_body = fields.Text(compute="_compute_message_preview", string="SMS")

    fee_ids = fields.One2many("ar.dunning.fee", "line_id", string="Late Fees", readonly=True)
    fee_total = fields.Monetary(compute="_compute_fee_total", string="Fees Claimed")

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
            line.credit_line_ids = [Command.set(credit_ids)]
            credits = self.env["account.move.line"].browse(credit_ids)
            line.amount_net = line.amount_overdue + sum(credits.mapped("amount_residual"))

    def _email_template(self):
        self.ensure_one()
        return (
            self.variant_id.template_id
            or self.level_id.template_id
            or self.env.ref("ar_dunning.mail_template_dunning_reminder")
        )

    @api.depends("mail_id", "channel", "level_id", "variant_id", "invoice_ids")
    def _compute_message_preview(self):
        """What the customer receives: the e-mail that went out, else the e-mail and SMS rendered now (in
        the customer's language) for the preview."""
        for line in self:
            line.sms_body = line._sms_body() if line.channel == "sms" or line.level_id.also_sms else False
            if line.mail_id:
                line.email_subject = line.mail_id.subject
                line.email_body = line.mail_id.body_html
            elif line.id and line.channel == "email":
                template = line._email_template()
                line.email_subject = template._render_field("subject", line.ids, compute_lang=True)[line.id]
                line.email_body = template._render_field("body_html", line.ids, compute_lang=True)[line.id]
            else:
                line.email_subject = line.email_body = False

    def _compute_recipients(self):
        """The customer's billing contact (its billing e-mail), else the customer when it has an e-mail
        address, else its invoicing contacts that have one, else any contact that has one."""
        for line in self:
            partner = line.partner_id
            contacts = partner.child_ids.filtered("email")
            recipients = (
                partner._ar_billing_contact()
                or (partner if partner.email else contacts.filtered(lambda c: c.type == "invoice"))
                or contacts
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
        customer. Set-based: one e-mail rendering pass, one insert of tasks, one of notes. SMS wait while
        the company's quiet hours last (the hourly cron sends them after)."""
        problems = {line: line._channel_problem(line.channel) for line in self}
        reachable = self.filtered(lambda line: not problems[line])
        refused = reachable._ar_refuse_without_pdfs()
        reachable -= refused
        emails = reachable.filtered(lambda line: line.channel == "email")
        sms = reachable.filtered(lambda line: line.channel == "sms")
        letters = reachable.filtered(lambda line: line.channel == "letter")
        escalations = reachable.filtered(lambda line: line.channel == "escalation")
        tasks = self - refused - emails - sms - letters - escalations
        postponed = sms.filtered(lambda line: line.company_id._ar_quiet_now())
        if postponed:
            postponed.write({"error": self.env._("Waiting for the end of the quiet hours.")})
        if emails:
            emails._send_emails()
        for line in sms - postponed:
            line._send_sms()
        if letters:
            letters._send_letters()
        second_sms = (emails | letters).filtered(
            lambda line: (
                line.level_id.also_sms and line.partner_id.phone and not line.company_id._ar_quiet_now()
            )
        )
        for line in second_sms:
            line._send_sms()
        if escalations:
            escalations._escalate()
        if tasks:
            tasks._schedule_tasks(problems)
        delivered = self - refused - postponed
        delivered._record_on_invoices()
        delivered._note_on_customers()

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
        mail_by_line = {}
        groups = self.grouped(lambda line: (line.company_id, line._email_template()))
        for (company, template), lines in groups.items():
            reply_to = lines[:1]._notify_get_reply_to(default=company.email_formatted)
            with compiled_once(template) as batch_template:
                mails = batch_template.send_mail_batch(
                    lines.ids,
                    email_layout_xmlid="mail.mail_notification_light",
                    email_values={"reply_to": next(iter(reply_to.values()))},
                )
            mail_by_line.update({mail.res_id: mail.id for mail in mails})
            if company.ar_dunning_attach_invoices:
                lines._attach_invoices(mails)
        for line in self:
            line.write({"state": "sent", "mail_id": mail_by_line.get(line.id)})

    def _ar_refuse_without_pdfs(self):
        """The e-mail reminders that must list their invoices' PDFs (*Attach Invoices to Reminders*) when
        some invoice has no PDF yet and no working PDF engine can print it: they stay unsent, in error with
        the reason, so that the collector sees them in the run instead of a reminder going out without its
        attachments. Returns them."""
        refused = self.browse()
        problems = {}
        for line in self.filtered(
            lambda line: line.channel == "email" and line.company_id.ar_dunning_attach_invoices
        ):
            if all(invoice.invoice_pdf_report_id for invoice in line.invoice_ids):
                continue
            company = line.company_id
            if company not in problems:
                problems[company] = company._ar_pdf_problem()
            if problems[company]:
                line.write(
                    {
                        "state": "error",
                        "error": self.env._(
                            "Not sent: the invoices' PDFs cannot be attached (Attach Invoices to Reminders "
                            "is on). %(problem)s Once the PDF engine works, or the setting is off, the "
                            "next run sends it.",
                            problem=problems[company],
                        ),
                    }
                )
                refused |= line
        return refused

    def _attach_invoices(self, mails):
        """Attach to each reminder's e-mail (``mails``, one per reminder) the PDF of every invoice it
        lists: the invoice's own PDF when it was sent, else one printed now (one rendering per invoice)."""
        report = self.env.ref("account.account_invoices")
        pdfs = {}
        for invoice in self.invoice_ids:
            if invoice.invoice_pdf_report_id:
                pdfs[invoice] = invoice.invoice_pdf_report_id
                continue
            pdf, _type = report._render_qweb_pdf(report, invoice.ids)
            pdfs[invoice] = self.env["ir.attachment"].create(
                {
                    "name": invoice._get_invoice_report_filename(),
                    "raw": pdf,
                    "res_model": invoice._name,
                    "res_id": invoice.id,
                    "mimetype": "application/pdf",
                }
            )
        mail_by_line = {mail.res_id: mail for mail in mails}
        for line in self:
            attachments = self.env["ir.attachment"].union(*(pdfs[invoice] for invoice in line.invoice_ids))
            if line.id in mail_by_line and attachments:
                mail_by_line[line.id].attachment_ids = [Command.link(a.id) for a in attachments]

    def _send_letters(self):
        """A PDF letter per reminder (one rendering per document), kept on the reminder for printing."""
        report = self.env.ref("ar_dunning.action_report_reminder_letter")
        for line in self:
            pdf, _type = report._render_qweb_pdf(report, line.ids)
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"reminder-{line.partner_id.id}-{line.date}.pdf",
                    "raw": pdf,
                    "res_model": line._name,
                    "res_id": line.id,
                    "mimetype": "application/pdf",
                }
            )
            line.message_post(
                body=self.env._("Letter to print and post."),
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )
            line.state = "sent"

    def _escalate(self):
        """Hand the customer over to collections: reminders stop, the file for the agency (invoices,
        reminder history, contacts) is attached and the salesperson gets a task to send it."""
        for line in self:
            partner = line.partner_id
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"collection-file-{partner.id}-{line.date}.xlsx",
                    "raw": line._collection_file(),
                    "res_model": line._name,
                    "res_id": line.id,
                    "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                }
            )
            partner.ar_escalated_date = line.date
            line.message_post(
                body=self.env._("Handed over to collections; the agency's file is attached."),
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=line.date,
                summary=self.env._("Send the collection file to the agency"),
                note=self.env._("%s is handed over to collections: no more reminders.", partner.name),
                user_id=(partner.user_id or self.env.user).id,
            )
            line.state = "done"

    def _collection_file(self):
        """The agency's file: open invoices, reminders sent, contacts (XLSX bytes)."""
        self.ensure_one()
        partner = self.partner_id
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = workbook.add_format({"bold": True})
        sheets = [
            (
                self.env._("Invoices"),
                [
                    self.env._("Invoice"),
                    self.env._("Date"),
                    self.env._("Due"),
                    self.env._("Total"),
                    self.env._("Amount Due"),
                    self.env._("Days Late"),
                ],
                [
                    (
                        inv.name,
                        str(inv.invoice_date),
                        str(inv.invoice_date_due),
                        inv.amount_total,
                        inv.amount_residual,
                        inv.ar_days_overdue,
                    )
                    for inv in (self.invoice_ids | self.paused_invoice_ids).sorted("invoice_date_due")
                ],
            ),
            (
                self.env._("Reminders"),
                [self.env._("Date"), self.env._("Level"), self.env._("Channel"), self.env._("State")],
                [
                    (str(rem.date), rem.level_id.name or "", rem.channel or "", rem.state)
                    for rem in partner.ar_dunning_line_ids.sorted("date")
                ],
            ),
            (
                self.env._("Contacts"),
                [
                    self.env._("Name"),
                    self.env._("E-mail"),
                    self.env._("Phone"),
                    self.env._("Address"),
                    self.env._("VAT"),
                ],
                [
                    (
                        c.name,
                        c.email or "",
                        c.phone or "",
                        c._display_address(without_company=True) or "",
                        c.vat or "",
                    )
                    for c in partner | partner.child_ids
                ],
            ),
        ]
        for title, header, rows in sheets:
            sheet = workbook.add_worksheet(title)
            sheet.write_row(0, 0, header, bold)
            for index, row in enumerate(rows, start=1):
                sheet.write_row(index, 0, row)
            sheet.set_column(0, len(header), 18)
        workbook.close()
        return output.getvalue()

    @api.model
    def _cron_send_postponed(self):
        """Send the SMS reminders that waited for the end of the quiet hours; hand the e-mails that could
        not be delivered to people."""
        waiting = self.search(
            [("state", "=", "draft"), ("channel", "=", "sms"), ("run_id.state", "=", "done")]
        )
        ready = waiting.filtered(lambda line: not line.company_id._ar_quiet_now())
        if ready:
            ready.write({"error": False})
            ready._send_batch()
        self._ar_check_delivery()
        return True

    @api.model
    def _ar_check_delivery(self):
        """Reminders whose e-mail the mail server refused become a task for the salesperson."""
        failed = self.search([("state", "=", "sent"), ("mail_id.state", "=", "exception")])
        for line in failed:
            line._ar_delivery_failed(line._ar_mail_failure_reason())

    def _ar_mail_failure_reason(self, reason=None):
        self.ensure_one()
        mail = self.mail_id
        return self.env._(
            "The e-mail to %(email)s could not be sent: %(reason)s",
            email=mail.email_to
            or ", ".join(mail.recipient_ids.mapped("email"))
            or self.partner_id.email
            or "",
            reason=reason or mail.failure_reason or mail.failure_type or "",
        )

    def _message_receive_bounce(self, email, partner):
        """A reminder e-mail bounced: the customer is reached another way, not forgotten."""
        result = super()._message_receive_bounce(email, partner)
        self.filtered(lambda line: line.state == "sent")._ar_delivery_failed(
            self.env._("The e-mail to %s bounced.", email)
        )
        return result

    def _ar_statement_url(self):
        """Where the reminder sends the customer to see and pay its invoices (the portal's signed
        statement link with ar_portal)."""
        self.ensure_one()
        return self.partner_id.get_base_url() + "/my/invoices"

    def _ar_delivery_failed(self, reason):
        """The reminder did not reach the customer: a phone-call task for the salesperson with the reason,
        and the reminder in error so that it shows in the run."""
        if not self:
            return
        self._schedule_tasks(dict.fromkeys(self, reason))
        self.write({"state": "error", "error": reason})
        for line in self:
            line.message_post(body=reason, subtype_xmlid="mail.mt_note")

    def _sms_body(self):
        """The SMS text; the KSeF numbers of the invoices issued in KSeF come last, as the transfer title
        needs them (art. 108g of the VAT act)."""
        self.ensure_one()
        body = self.env._(
            "%(company)s: %(count)s invoice(s) overdue, %(amount)s %(currency)s. Statement: %(url)s",
            company=self.company_id.name,
            count=len(self.invoice_ids),
            amount=self.amount_overdue,
            currency=self.currency_id.name,
            url=self._ar_statement_url(),
        )
        ksef_numbers = self.invoice_ids.filtered("l10n_pl_edi_number").mapped("l10n_pl_edi_number")
        if ksef_numbers:
            body += " " + self.env._("Transfer title: KSeF %s", ", ".join(ksef_numbers))
        return body

    def _send_sms(self):
        self.partner_id._message_sms(self._sms_body(), number_field="phone", put_in_queue=True)
        if self.state == "draft":
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
        # The run schedules work for the salespeople: a collector who may not edit customers (creating an
        # activity on a partner needs write access to it) still gets the tasks created.
        self.env["mail.activity"].sudo().create(values)
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
        # Posting on a partner needs write access to it, which a collector may not have.
        self.env["mail.message"].sudo().create(
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

    # ------------------------------------------------------------------
    # Late-payment fees (interest and recovery compensation)
    # ------------------------------------------------------------------

    def _compute_fee_total(self):
        for line in self:
            line.fee_total = sum(line.fee_ids.mapped("total"))

    def _compute_fees(self):
        """Interest and compensation for the invoices of the reminders whose level adds fees."""
        values = []
        rates = {}
        charged = set(
            self.env["ar.dunning.fee"]
            .search(
                [
                    ("move_id", "in", self.invoice_ids.ids),
                    ("invoice_id", "!=", False),
                    ("compensation", ">", 0),
                ]
            )
            .move_id.ids
        )
        eur = self.env.ref("base.EUR")
        for line in self.filtered("level_id.adds_fees"):
            company = line.company_id
            country = company.country_id or self.env.ref("base.pl")
            if country not in rates:
                rates[country] = self.env["ar.interest.rate"]._rate_table(country)
            for invoice in line.invoice_ids:
                residual = Decimal(str(invoice.amount_residual_signed))
                if residual <= 0 or invoice.invoice_date_due >= line.date:
                    continue
                try:
                    accrued = interest(residual, invoice.invoice_date_due, line.date, rates[country])
                except ValueError as error:
                    raise UserError(
                        self.env._(
                            "Interest of %(invoice)s: %(error)s (Statutory Interest Rates).",
                            invoice=invoice.name,
                            error=error,
                        )
                    ) from error
                compensation = 0.0
                if invoice.id not in charged:
                    total = Decimal(str(invoice.amount_total_signed))
                    in_pln = eur._convert(
                        1.0, company.currency_id, company, conversion_day(invoice.invoice_date_due)
                    )
                    compensation = company.currency_id.round(float(compensation_eur(total)) * in_pln)
                values.append(
                    {
                        "line_id": line.id,
                        "move_id": invoice.id,
                        "days_late": (line.date - invoice.invoice_date_due).days,
                        "amount_overdue": float(residual),
                        "interest": float(accrued),
                        "compensation": compensation,
                    }
                )
        return self.env["ar.dunning.fee"].create(values)

    def action_invoice_fees(self):
        """A draft invoice to the customer charging the fees of these reminders not invoiced yet."""
        invoices = self.env["account.move"]
        for partner_lines in self.grouped("partner_id").values():
            fees = partner_lines.fee_ids.filtered(lambda f: not f.invoice_id and f.total > 0)
            if not fees:
                continue
            interest_product = self.env.ref("ar_dunning.product_late_interest")
            compensation_product = self.env.ref("ar_dunning.product_recovery_compensation")
            lines = []
            for fee in fees:
                if fee.interest:
                    lines.append(
                        (
                            0,
                            0,
                            {
                                "product_id": interest_product.id,
                                "name": self.env._(
                                    "Interest on %(invoice)s, %(days)s days late",
                                    invoice=fee.move_id.name,
                                    days=fee.days_late,
                                ),
                                "quantity": 1,
                                "price_unit": fee.interest,
                                "tax_ids": [Command.set([])],
                            },
                        )
                    )
                if fee.compensation:
                    lines.append(
                        (
                            0,
                            0,
                            {
                                "product_id": compensation_product.id,
                                "name": self.env._("Compensation for recovery costs, %s", fee.move_id.name),
                                "quantity": 1,
                                "price_unit": fee.compensation,
                                "tax_ids": [Command.set([])],
                            },
                        )
                    )
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_lines.partner_id.id,
                    "company_id": partner_lines.company_id.id,
                    "invoice_origin": ", ".join(fees.move_id.mapped("name")),
                    "invoice_line_ids": lines,
                }
            )
            fees.invoice_id = invoice
            invoice.message_post(
                body=Markup("<p>%s</p>") % self.env._("Late fees claimed by payment reminders."),
                subtype_xmlid="mail.mt_note",
            )
            invoices |= invoice
        if not invoices:
            raise UserError(self.env._("These reminders claim no fee that is not invoiced yet."))
        return invoices._get_records_action(name=self.env._("Fee Invoices"))


def _group(records, key):
    groups = {}
    for record in records:
        groups.setdefault(key(record), []).append(record.id)
    return {value: records.browse(ids) for value, ids in groups.items()}
