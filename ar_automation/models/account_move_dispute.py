import logging
import re

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import email_normalize, html2plaintext

from ..engine.replies import classify, sender_belongs

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_dispute_ids = fields.Many2many(
        "ar.dispute", "ar_dispute_invoice_rel", "move_id", "dispute_id", string="Disputes", readonly=True
    )
    ar_dispute_id = fields.Many2one(
        "ar.dispute",
        string="Credit For Dispute",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The dispute this credit note resolves.",
    )
    ar_dispute_count = fields.Integer(compute="_compute_ar_dispute_count", string="Dispute Count")
    ar_dunning_paused = fields.Boolean(
        string="Reminders Paused",
        compute="_compute_ar_dunning_paused",
        store=True,
        help="A dispute about this invoice is open: no reminder of any channel lists it.",
    )
    ar_promise_ids = fields.One2many("ar.payment.promise", "invoice_id", string="Payment Promises")
    ar_promise_date = fields.Date(
        string="Payment Promised For",
        compute="_compute_ar_promise_date",
        store=True,
        help="The date of the customer's pending promise to pay this invoice.",
    )

    @api.depends("ar_dispute_ids.is_open")
    def _compute_ar_dunning_paused(self):
        for move in self:
            move.ar_dunning_paused = any(move.ar_dispute_ids.mapped("is_open"))

    @api.depends("ar_promise_ids.state", "ar_promise_ids.date_promised")
    def _compute_ar_promise_date(self):
        for move in self:
            pending = move.ar_promise_ids.filtered(lambda p: p.state == "pending")
            move.ar_promise_date = max(pending.mapped("date_promised")) if pending else False

    def _compute_ar_dispute_count(self):
        for move in self:
            move.ar_dispute_count = len(move.ar_dispute_ids)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        credit_notes = posted.filtered("ar_dispute_id")
        if credit_notes:
            credit_notes.ar_dispute_id._on_credit_note_posted(credit_notes)
        return posted

    # ------------------------------------------------------------------
    # Customers' replies
    # ------------------------------------------------------------------

    def _message_post_after_hook(self, new_message, message_values):
        result = super()._message_post_after_hook(new_message, message_values)
        if new_message.message_type == "email":
            self._ar_read_reply(new_message)
        return result

    def _ar_read_reply(self, message):
        """Read a customer's e-mail about these invoices: a complaint opens (or updates) a dispute, a
        promise to pay is recorded; from an address that is not the customer's, both wait for review."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not invoices or (message.author_id.user_ids and not message.author_id.partner_share):
            return self.env["ar.customer.reply"]
        company = invoices.company_id[:1]
        rules = self.env["ar.reply.rule"].sudo()._engine_rules(company)
        finding = classify(message.body, rules, company._ar_today())
        if not finding.kind:
            return self.env["ar.customer.reply"]
        customer = invoices.commercial_partner_id[:1]
        sender = email_normalize(message.email_from or "") or ""
        known = (
            self.env["res.partner"]
            .sudo()
            .search_fetch(
                [("commercial_partner_id", "=", customer.id), ("email", "!=", False)], ["email_normalized"]
            )
        )
        trusted = sender_belongs(sender, known.mapped("email_normalized"))
        rule = self.env["ar.reply.rule"].browse(finding.rule.key)
        reply = (
            self.env["ar.customer.reply"]
            .sudo()
            .create(
                {
                    "message_id": message.id,
                    "subject": message.subject or message.record_name,
                    "email_from": message.email_from,
                    "author_id": message.author_id.id,
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "invoice_ids": [(6, 0, invoices.ids)],
                    "kind": finding.kind,
                    "rule_id": rule.id,
                    "category": finding.rule.category if finding.kind == "dispute" else False,
                    "excerpt": finding.excerpt[:200],
                    "promised_date": finding.promised_date,
                    "state": "applied" if trusted else "review",
                    "review_reason": False
                    if trusted
                    else self.env._("%s is not an address of the customer.", sender or message.email_from),
                }
            )
        )
        if trusted:
            reply._apply()
            what = (
                self.env._(
                    "Complaint recognised by rule %(rule)s (\u201c%(words)s\u201d): dispute %(dispute)s.",
                    rule=rule.name,
                    words=finding.excerpt,
                    dispute=reply.dispute_id.name,
                )
                if finding.kind == "dispute"
                else self.env._(
                    "Promise to pay recognised by rule %(rule)s (\u201c%(words)s\u201d) for %(date)s.",
                    rule=rule.name,
                    words=finding.excerpt,
                    date=finding.promised_date,
                )
            )
        else:
            what = self.env._(
                "Rule %(rule)s recognised a %(kind)s (\u201c%(words)s\u201d) but %(sender)s is not an "
                "address of the customer: the reply waits in Customer Replies for review.",
                rule=rule.name,
                kind=dict(reply._fields["kind"]._description_selection(self.env))[finding.kind].lower(),
                words=finding.excerpt,
                sender=sender or message.email_from,
            )
        for invoice in invoices:
            invoice.message_post(body=Markup("<p>%s</p>") % what, subtype_xmlid="mail.mt_note")
        _logger.info(
            "Reply %s on %s: %s (%s)", message.id, invoices.mapped("name"), finding.kind, reply.state
        )
        return reply

    def _ar_mentioned_in(self, body):
        """Those of these invoices whose number the text names (compared without spaces and case)."""
        text = re.sub(r"\s+", "", html2plaintext(body or "")).lower()
        return self.filtered(lambda m: m.name and re.sub(r"\s+", "", m.name).lower() in text)

    def action_ar_open_dispute(self):
        """The dispute form, filled in for these invoices (opened by hand)."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        return {
            "type": "ir.actions.act_window",
            "res_model": "ar.dispute",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": invoices.commercial_partner_id[:1].id,
                "default_company_id": invoices.company_id[:1].id,
                "default_invoice_ids": [(6, 0, invoices.ids)],
                "default_origin": "manual",
            },
        }

    def action_ar_view_disputes(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.ar_dispute_action")
        action["domain"] = [("invoice_ids", "in", self.ids)]
        action["context"] = {"default_invoice_ids": [(6, 0, self.ids)]}
        return action
