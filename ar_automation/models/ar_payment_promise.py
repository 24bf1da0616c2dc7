from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models


class ArPaymentPromise(models.Model):
    """A customer's promise to pay an invoice by a date: pending until it is kept (paid by the date and the
    grace days) or broken. While pending, reminders wait (see ar_dunning)."""

    _name = "ar.payment.promise"
    _description = "Promise to Pay"
    _order = "date_promised desc, id desc"
    _check_company_auto = True

    invoice_id = fields.Many2one(
        "account.move",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    company_id = fields.Many2one(related="invoice_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    partner_id = fields.Many2one(related="invoice_id.commercial_partner_id", store=True, string="Customer")
    date_promised = fields.Date(string="Promised For", required=True)
    amount = fields.Monetary(currency_field="currency_id", help="Empty: the whole amount due.")
    origin = fields.Selection(
        selection=[("mail", "Customer e-mail"), ("manual", "Entered by hand"), ("portal", "Customer portal")],
        required=True,
        default="manual",
    )
    state = fields.Selection(
        selection=[("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken"), ("replaced", "Replaced")],
        required=True,
        default="pending",
        index=True,
    )
    note = fields.Text(string="Customer's Words")

    def _grace_end(self):
        return self.date_promised + timedelta(days=self.company_id.ar_promise_grace_days)

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            earlier = promise.invoice_id.ar_promise_ids.filtered(lambda p: p.state == "pending") - promise
            earlier.state = "replaced"
            promise.invoice_id.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Payment promised for %(date)s: reminders wait until %(until)s.",
                    date=promise.date_promised,
                    until=promise._grace_end(),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return promises

    @api.model
    def _ar_customer_promise(self, invoice, day, origin="portal"):
        """Record the customer's promise to pay ``invoice`` on ``day``, within the company's limits: a
        date from today to the horizon (``ar_promise_horizon_days``), and at most
        ``ar_promise_max_renewals`` new dates after the customer's first promise for the invoice (each
        one postpones the reminders). The same pending date promised again records nothing new.

        Returns a code for the customer: ``promise_recorded``, ``promise_invalid`` (the invoice cannot
        be promised, or the date is outside the horizon) or ``promise_limit``."""
        company = invoice.company_id
        today = company._ar_today()
        if (
            not invoice._ar_open_receivables()
            or not day
            or not today <= day <= today + timedelta(days=company.ar_promise_horizon_days)
        ):
            return "promise_invalid"
        promises = invoice.ar_promise_ids
        if promises.filtered(lambda p: p.state == "pending" and p.date_promised == day):
            return "promise_recorded"
        if len(promises.filtered(lambda p: p.origin != "manual")) > company.ar_promise_max_renewals:
            return "promise_limit"
        self.create({"invoice_id": invoice.id, "date_promised": day, "origin": origin})
        return "promise_recorded"

    @api.model
    def _cron_check_promises(self):
        """Pending promises become kept once the invoice is paid, broken once the grace days are over."""
        pending = self.search([("state", "=", "pending")])
        kept = pending.filtered(lambda p: p.invoice_id.payment_state in ("paid", "in_payment", "reversed"))
        kept.state = "kept"
        broken = (pending - kept).filtered(lambda p: p._grace_end() < p.company_id._ar_today())
        broken.state = "broken"
        for promise in broken:
            promise.invoice_id.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "The payment promised for %s did not arrive: reminders resume.", promise.date_promised
                ),
                subtype_xmlid="mail.mt_note",
            )
