from odoo import fields, models
from odoo.exceptions import UserError

from .ar_reply_rule import DISPUTE_REASONS


class ArCustomerReply(models.Model):
    """A customer's e-mail reply about invoices in which a rule recognised a complaint or a promise: what it
    led to, or why it waits for someone to review it."""

    _name = "ar.customer.reply"
    _description = "Customer Reply"
    _order = "id desc"
    _rec_name = "subject"

    message_id = fields.Many2one("mail.message", string="E-mail", ondelete="set null", readonly=True)
    subject = fields.Char(readonly=True)
    email_from = fields.Char(string="From", readonly=True)
    author_id = fields.Many2one("res.partner", string="Author", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "ar_customer_reply_invoice_rel",
        "reply_id",
        "move_id",
        string="Invoices",
        readonly=True,
    )
    kind = fields.Selection(
        selection=[("dispute", "Complaint"), ("promise", "Promise to pay")], required=True, readonly=True
    )
    rule_id = fields.Many2one("ar.reply.rule", string="Rule", readonly=True, ondelete="set null")
    category = fields.Selection(selection=DISPUTE_REASONS, string="Reason", readonly=True)
    excerpt = fields.Char(string="Matched Words", readonly=True)
    promised_date = fields.Date(readonly=True)
    body = fields.Html(related="message_id.body", string="Message")
    state = fields.Selection(
        selection=[
            ("applied", "Applied"),
            ("review", "To Review"),
            ("dismissed", "Dismissed"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    review_reason = fields.Char(readonly=True)
    dispute_id = fields.Many2one("ar.dispute", readonly=True, index="btree_not_null")
    promise_id = fields.Many2one("ar.payment.promise", readonly=True)

    def _apply(self):
        """Open (or update) the dispute, or record the promise, this reply stands for."""
        for reply in self:
            description = reply.message_id.preview or reply.excerpt
            if reply.kind == "dispute":
                dispute = self.env["ar.dispute"]._ar_open_for(
                    reply.invoice_ids,
                    reason=reply.category or "other",
                    origin="mail",
                    description=description,
                )
                reply.write({"state": "applied", "dispute_id": dispute.id})
            else:
                promises = self.env["ar.payment.promise"].create(
                    [
                        {
                            "invoice_id": invoice.id,
                            "date_promised": reply.promised_date,
                            "origin": "mail",
                            "note": description,
                        }
                        for invoice in reply.invoice_ids._ar_open_receivables(move_types=None)
                    ]
                )
                reply.write({"state": "applied", "promise_id": promises[:1].id})

    def action_apply(self):
        """From the review list: the reply is genuine, do what it asks."""
        if self.filtered(lambda r: r.state != "review"):
            raise UserError(self.env._("Only replies waiting for review can be applied."))
        self._apply()

    def action_dismiss(self):
        if self.filtered(lambda r: r.state != "review"):
            raise UserError(self.env._("Only replies waiting for review can be dismissed."))
        self.state = "dismissed"
