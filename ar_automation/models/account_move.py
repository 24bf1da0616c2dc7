"""The customer invoice of the suite: aging, the pre-posting checks, automatic posting and sending,
disputes, promises and the customers' replies, and KSeF (Poland's e-invoicing system).

Sections, in this order: fields; computes; CRUD and posting overrides; open receivables; pre-posting checks;
automatic posting and sending; disputes and customers' replies; KSeF.
"""

import base64
import io
import logging
import re
from datetime import timedelta
from decimal import Decimal
from xml.dom.minidom import parseString

import psycopg2
import qrcode
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from markupsafe import Markup
from stdnum.pl.nip import compact

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, LazyTranslate, email_normalize, format_list, html2plaintext
from odoo.tools.image import image_data_uri

from ..engine.aging import bucket_of, days_overdue
from ..engine.checks import InvoiceFacts, OrderLineFacts, run_checks
from ..engine.ksef import certificate_link, certificate_serial, invoice_link, offline_deadline
from ..engine.replies import classify, sender_belongs
from ..tools.ksef_service import ArKsefApiService, unavailable

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)


# What a customer still owes on a posted document: the "open receivable" rule, see
# AccountMove._ar_open_receivable_domain (the only other place to spell it).
AR_OPEN_PAYMENT_STATES = ("not_paid", "partial")

# Wording of each check's problem; the values come from engine.checks.Problem.values.
PROBLEM_MESSAGES = {
    ("vat", False): _lt("%(partner)s: the VAT number (field VAT) is missing."),
    ("vat", True): _lt("%(partner)s: VAT number %(vat)s (field VAT) is not valid for country %(country)s."),
    "address": _lt("%(partner)s: the billing address is incomplete, missing %(missing)s."),
    "email": _lt("%(partner)s: no e-mail address (field Email) to send the invoice to."),
    "payment_terms": _lt("%(partner)s: the invoice has no payment terms (field Payment Terms) nor due date."),
    "bank_account": _lt(
        "Journal %(journal)s: no valid IBAN (field Recipient Bank or the bank journals' account) "
        "for the customer to pay to; found: %(accounts)s."
    ),
    "order_amounts": _lt(
        "Line %(line)s: unit price %(invoice_price)s / discount %(invoice_discount)s%% differ from the "
        "sale order's %(order_price)s / %(order_discount)s%%."
    ),
    "duplicate": _lt(
        "Line %(line)s: %(here)s invoiced here and %(elsewhere)s on other invoices, "
        "more than the %(ordered)s ordered (duplicate invoicing)."
    ),
}
ADDRESS_FIELDS = {
    "street": _lt("street"),
    "city": _lt("city"),
    "zip": _lt("postcode"),
    "country_code": _lt("country"),
}


# KSeF: automatic invoicing through the national e-invoicing system (see the KSeF section below).
KSEF_BATCH = 20
# Minutes to wait before the n-th retry of a failed sending (then every 4 hours).
KSEF_RETRY_MINUTES = (5, 15, 60, 240)
KSEF_QR_URLS = {"prod": "https://qr.ksef.mf.gov.pl", "test": "https://qr-test.ksef.mf.gov.pl"}
KSEF_WAITING_CODES = (100, 150)
KSEF_DUPLICATE_CODE = 440
KSEF_RETRY_CODES = (550,)


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_ar_aging",
        help="Days past the due date today, in the company's time zone (0 when not due).",
    )
    ar_aging_bucket = fields.Selection(
        selection=[
            ("not_due", "Not due"),
            ("1_30", "1-30 days"),
            ("31_60", "31-60 days"),
            ("61_90", "61-90 days"),
            ("over_90", "Over 90 days"),
        ],
        string="Aging",
        compute="_compute_ar_aging",
    )
    ar_check_state = fields.Selection(
        selection=[("ok", "Ready"), ("warning", "Warnings"), ("blocked", "Blocked")],
        string="Invoice Checks",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Result of the last pre-posting checks of this generated invoice.",
    )
    ar_check_message = fields.Text(string="Problems Found", copy=False, readonly=True)
    ar_check_blocked_once = fields.Boolean(
        string="Blocked by Checks", copy=False, readonly=True, help="The checks blocked it at least once."
    )

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

    ar_ksef_state = fields.Selection(
        selection=[
            ("to_send", "To Send"),
            ("offline", "Issued Offline"),
            ("sent", "Awaiting KSeF"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        string="KSeF Queue",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Where the automatic invoicing stands with KSeF: to send (also after a failed try), issued "
        "offline (e-mailed, to send to KSeF by the deadline), sent and awaiting KSeF's verdict, accepted "
        "(KSeF number given, e-mailed) or rejected (back to Invoices to Fix).",
    )
    ar_ksef_offline = fields.Boolean(
        string="Issued Offline",
        copy=False,
        readonly=True,
        help="Issued outside KSeF (KSeF unavailable or the company in offline mode) and shared with the "
        "customer with the two QR codes of the offline mode; sent to KSeF afterwards.",
    )
    ar_ksef_offline_deadline = fields.Date(
        string="Send to KSeF By",
        copy=False,
        readonly=True,
        help="The legal deadline of an invoice issued offline: the next business day after its issue date.",
    )
    ar_ksef_certificate_url = fields.Char(
        string="KSeF Certificate Link",
        copy=False,
        readonly=True,
        help="KOD II of an invoice issued offline: the link, signed with the company's KSeF Offline "
        "certificate, that proves who issued it.",
    )
    ar_ksef_attempts = fields.Integer(string="KSeF Tries", copy=False, readonly=True)
    ar_ksef_next_try = fields.Datetime(string="Next KSeF Try", copy=False, readonly=True)
    ar_ksef_error = fields.Text(string="Last KSeF Error", copy=False, readonly=True)
    ar_ksef_verification_url = fields.Char(
        string="KSeF Verification Link",
        copy=False,
        readonly=True,
        help="KOD I: the link (and QR code) that lets the customer verify the invoice in KSeF.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("invoice_date_due", "payment_state", "company_id")
    def _compute_ar_aging(self):
        for company, moves in self.grouped("company_id").items():
            today = company._ar_today()
            open_moves = moves._ar_open_receivables(move_types=None)
            for move in moves:
                open_ = move in open_moves
                days = days_overdue(move.invoice_date_due, today) if open_ else 0
                move.ar_days_overdue = days
                move.ar_aging_bucket = bucket_of(days) if open_ else False

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

    # ------------------------------------------------------------------
    # CRUD and posting
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """A new customer invoice without a reference gets its customer's PO number."""
        partners = self.env["res.partner"].browse(
            [vals["partner_id"] for vals in vals_list if vals.get("partner_id") and not vals.get("ref")]
        )
        po_numbers = {partner.id: partner.commercial_partner_id.ar_customer_po for partner in partners}
        for vals in vals_list:
            move_type = vals.get("move_type", self.env.context.get("default_move_type"))
            if move_type == "out_invoice" and not vals.get("ref") and po_numbers.get(vals.get("partner_id")):
                vals["ref"] = po_numbers[vals["partner_id"]]
        return super().create(vals_list)

    def _post(self, soft=True):
        """EXTENDS account: a credit note that resolves a dispute goes to KSeF as a correction (KOR) of the
        invoice, naming its KSeF number, and reaches the customer once KSeF accepted it; then its dispute
        learns it was posted."""
        posted = super()._post(soft=soft)
        corrections = posted.filtered(lambda m: m.ar_dispute_id and not m.ar_ksef_state)._ar_ksef_moves()
        if corrections:
            corrections._ar_queue_sending()
        credit_notes = posted.filtered("ar_dispute_id")
        if credit_notes:
            credit_notes.ar_dispute_id._on_credit_note_posted(credit_notes)
        return posted

    def _message_post_after_hook(self, new_message, message_values):
        """EXTENDS mail: a customer's e-mail on an invoice is read for a complaint or a promise to pay."""
        result = super()._message_post_after_hook(new_message, message_values)
        if new_message.message_type == "email":
            self._ar_read_reply(new_message)
        return result

    # ------------------------------------------------------------------
    # Open receivables: one rule, as a domain, as SQL and on records
    # ------------------------------------------------------------------

    @api.model
    def _ar_open_receivable_domain(self, move_types=("out_invoice",)):
        """Posted documents not (fully) paid yet, of ``move_types`` (any type when ``None``): what the
        customers owe. :meth:`_ar_open_receivable_sql` and :meth:`_ar_open_receivables` say the same."""
        domain = Domain("state", "=", "posted") & Domain("payment_state", "in", AR_OPEN_PAYMENT_STATES)
        if move_types is not None:
            domain &= Domain("move_type", "in", tuple(move_types))
        return domain

    @api.model
    def _ar_open_receivable_sql(self, alias="account_move", move_types=("out_invoice",)):
        """The condition of :meth:`_ar_open_receivable_domain` on the ``account_move`` row ``alias``, as
        ``SQL``: for queries that cannot go through the ORM."""
        condition = SQL(
            "%s = 'posted' AND %s IN %s",
            SQL.identifier(alias, "state"),
            SQL.identifier(alias, "payment_state"),
            AR_OPEN_PAYMENT_STATES,
        )
        if move_types is not None:
            condition = SQL(
                "%s AND %s IN %s", condition, SQL.identifier(alias, "move_type"), tuple(move_types)
            )
        return condition

    def _ar_open_receivables(self, move_types=("out_invoice",)):
        """The records of ``self`` that are open receivables (evaluated in memory, no query)."""
        return self.filtered_domain(self._ar_open_receivable_domain(move_types))

    # ------------------------------------------------------------------
    # Pre-posting checks
    # ------------------------------------------------------------------

    @api.private
    def ar_check(self):
        """The blocking problems of these invoices, as human-readable messages: empty when they may be
        posted. Warnings are left out (see :meth:`_ar_check_results`)."""
        results = self._ar_check_results()
        return [message for problems in results.values() for blocking, message in problems if blocking]

    def _ar_check_results(self):
        """``{move: [(blocking, message), ...]}`` for the enabled checks, for customer invoices."""
        enabled = self.env["ar.invoice.check"]._enabled()
        results = {}
        bank_accounts = self._ar_company_bank_accounts()
        pdf_problems = {company: company._ar_pdf_problem() for company in self.company_id}
        for move in self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund")):
            problems = run_checks(move._ar_check_facts(bank_accounts), enabled)
            results[move] = [(enabled[p.code], self._ar_problem_message(p)) for p in problems]
            if pdf_problems[move.company_id]:
                results[move].append((True, pdf_problems[move.company_id]))
        self._ar_add_ksef_problems(results)
        return results

    def _ar_add_ksef_problems(self, results):
        """KSeF's mandatory fields (l10n_pl_edi's check) block like our own checks, for the invoices of
        KSeF companies among ``results``' keys."""
        ksef_moves = self.filtered(lambda m: m in results)._ar_ksef_moves()
        for company, moves in ksef_moves.grouped("company_id").items():
            errors = moves[:1]._l10n_pl_edi_check_mandatory_fields()
            messages = [
                self.env._(
                    "KSeF (company %(company)s): %(error)s", company=company.name, error=e["message"].strip()
                )
                for e in errors.values()
            ]
            for move in moves:
                results[move] += [(True, message) for message in messages]

    def _ar_company_bank_accounts(self):
        """``{company: (acc_number, ...)}`` of the bank journals of these moves' companies (one query)."""
        journals = (
            self.env["account.journal"]
            .sudo()
            .search_fetch(
                [
                    ("type", "=", "bank"),
                    ("company_id", "in", self.company_id.ids),
                    ("bank_account_id", "!=", False),
                ],
                ["company_id", "bank_account_id"],
            )
        )
        accounts = {}
        for journal in journals:
            accounts.setdefault(journal.company_id, []).append(journal.bank_account_id.acc_number)
        return {company: tuple(numbers) for company, numbers in accounts.items()}

    def _ar_check_facts(self, company_bank_accounts):
        self.ensure_one()
        partner = self.partner_id
        commercial = partner.commercial_partner_id
        channel = partner.with_company(self.company_id).invoice_sending_method or "email"
        if self.partner_bank_id:
            bank_accounts = (self.partner_bank_id.acc_number,)
        else:
            bank_accounts = company_bank_accounts.get(self.company_id, ())
        return InvoiceFacts(
            partner=commercial.display_name,
            is_company=commercial.is_company,
            country_code=partner.country_id.code,
            vat=commercial.vat,
            street=partner.street,
            city=partner.city,
            zip=partner.zip,
            email=partner.email,
            sends_by_email=channel == "email",
            has_payment_terms=bool(
                self.invoice_payment_term_id
                or (self.invoice_date and self.invoice_date_due and self.invoice_date_due > self.invoice_date)
            ),
            journal=self.journal_id.display_name,
            bank_accounts=bank_accounts,
            order_lines=self._ar_order_line_facts(),
        )

    def _ar_order_line_facts(self):
        """Each invoice line linked to a sale order line, with what other invoices already bill of it:
        posted ones and drafts created before this one (the earlier invoice is the legitimate one)."""
        facts = []
        for line in self.invoice_line_ids.filtered("sale_line_ids"):
            for sale_line in line.sale_line_ids.filtered(lambda sl: not sl.is_downpayment):
                elsewhere = sum(
                    _signed_qty(other, sale_line)
                    for other in sale_line.invoice_lines
                    if other.move_id != self
                    and other.move_id.state != "cancel"
                    and (other.move_id.state == "posted" or other.move_id.id < self.id)
                )
                facts.append(
                    OrderLineFacts(
                        label=f"{sale_line.order_id.name}: {line.name or sale_line.name}",
                        invoice_price=_decimal(line.price_unit),
                        order_price=_decimal(sale_line.price_unit),
                        invoice_discount=_decimal(line.discount),
                        order_discount=_decimal(sale_line.discount),
                        ordered_qty=_decimal(sale_line.product_uom_qty),
                        invoiced_qty_elsewhere=_decimal(elsewhere),
                        invoiced_qty_here=_decimal(_signed_qty(line, sale_line)),
                    )
                )
        return tuple(facts)

    def _ar_problem_message(self, problem):
        values = dict(problem.values)
        if problem.code == "vat":
            template = PROBLEM_MESSAGES[("vat", "vat" in values)]
        else:
            template = PROBLEM_MESSAGES[problem.code]
        if problem.code == "address":
            values["missing"] = format_list(
                self.env, [self.env._(ADDRESS_FIELDS[f]) for f in values["missing"]]
            )
        if problem.code == "bank_account":
            values["accounts"] = ", ".join(values["accounts"]) or self.env._("none")
        # The template is a lazy module constant (PROBLEM_MESSAGES), translated here, then filled in.
        translated = self.env._(template)
        return translated % {key: _plain(value) for key, value in values.items()}

    # ------------------------------------------------------------------
    # Automatic posting and sending
    # ------------------------------------------------------------------

    def _ar_note_origin(self, orders, what=None):
        """Log on the invoice the orders (and the milestone or period) it was generated from."""
        links = Markup(", ").join(
            Markup("<a href='#' data-oe-model='sale.order' data-oe-id='%s'>%s</a>") % (o.id, o.name)
            for o in orders
        )
        if what:
            body = Markup(self.env._("Generated from %(orders)s, %(what)s.")) % {
                "orders": links,
                "what": what,
            }
        else:
            body = Markup(self.env._("Generated from %s.")) % links
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _ar_autopost(self):
        """Check these draft generated invoices; post and queue for delivery those that pass, keep the others
        in draft in the "Invoices to fix" queue with an activity for the salesperson.

        Returns ``(posted, blocked)`` recordsets. Everything happens in the caller's transaction.
        """
        results = self._ar_check_results()
        blocked = self.browse([move.id for move, problems in results.items() if any(b for b, _m in problems)])
        passed = self - blocked
        self._ar_record_check_results(results)
        if blocked:
            blocked._ar_notify_blocked(results)
        if passed:
            passed.action_post()
            passed._ar_queue_sending()
        return passed, blocked

    def _ar_record_check_results(self, results):
        for state in ("ok", "warning", "blocked"):
            moves = self.browse([m.id for m, problems in results.items() if _state_of(problems) == state])
            if not moves:
                continue
            if state == "ok":
                moves.write({"ar_check_state": "ok", "ar_check_message": False})
            else:
                for move in moves:
                    move.write(
                        {
                            "ar_check_state": state,
                            "ar_check_message": "\n".join(m for _b, m in results[move]),
                            "ar_check_blocked_once": move.ar_check_blocked_once or state == "blocked",
                        }
                    )

    def _ar_notify_blocked(self, results):
        activity_type = self.env.ref("ar_automation.mail_activity_type_fix_invoice")
        for move in self:
            problems = [message for blocking, message in results[move] if blocking]
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Blocked by the invoice checks, kept in draft:"),
                Markup().join(Markup("<li>%s</li>") % p for p in problems),
            )
            move.message_post(body=body, subtype_xmlid="mail.mt_note")
            user = move.invoice_user_id or move.partner_id.commercial_partner_id.user_id or self.env.user
            move.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("Fix the invoice data, then click Check and Send"),
                note=body,
                user_id=user.id,
            )

    def _ar_queue_sending(self):
        """Queue the posted invoices for delivery: those of a KSeF company go to KSeF first (e-mailed once
        accepted, when :meth:`_ar_ksef_accepted` calls this again with ``ar_ksef_cleared``); the others
        through their customer's channel (:meth:`_ar_queue_delivery`)."""
        others = self
        if not self.env.context.get("ar_ksef_cleared"):
            ksef_moves = self._ar_ksef_moves()
            if ksef_moves:
                ksef_moves._ar_ksef_queue()
            others = self - ksef_moves
        if others:
            others._ar_queue_delivery()

    def _ar_queue_delivery(self):
        """Queue the posted invoices for delivery through each customer's channel: e-mail with the PDF and
        the portal link (Odoo's asynchronous sending), or nothing more for customers on manual delivery."""
        by_email = self.filtered(
            lambda m: (m.partner_id.with_company(m.company_id).invoice_sending_method or "email") == "email"
        )
        by_email.write(
            {
                "sending_data": {
                    "author_user_id": self.env.user.id,
                    "author_partner_id": self.env.user.partner_id.id,
                    "sending_methods": ["email"],
                }
            }
        )
        bodies = {
            move.id: Markup("<p>%s</p>")
            % (
                self.env._(
                    "Posted after passing the invoice checks; queued for e-mail to %s.", move.partner_id.email
                )
                if move in by_email
                else self.env._(
                    "Posted after passing the invoice checks; this customer's invoices are delivered by hand."
                )
            )
            for move in self
        }
        self._message_log_batch(bodies)
        if by_email:
            self.env.ref("account.ir_cron_account_move_send")._trigger()

    def action_ar_check_and_send(self):
        """Re-run the checks on fixed draft invoices: those that pass are posted and sent."""
        drafts = self.filtered(lambda m: m.state == "draft" and m.move_type in ("out_invoice", "out_refund"))
        posted, blocked = drafts._ar_autopost()
        fix_type = self.env.ref("ar_automation.mail_activity_type_fix_invoice")
        posted.activity_ids.filtered(lambda a: a.activity_type_id == fix_type).action_feedback(
            feedback=self.env._("Checks passed: posted.")
        )
        message = self.env._(
            "%(posted)s posted and sent, %(blocked)s still blocked.", posted=len(posted), blocked=len(blocked)
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if blocked else "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Disputes and customers' replies
    # ------------------------------------------------------------------

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
                    "invoice_ids": [Command.set(invoices.ids)],
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
                "default_invoice_ids": [Command.set(invoices.ids)],
                "default_origin": "manual",
            },
        }

    def action_ar_view_disputes(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.ar_dispute_action")
        action["domain"] = [("invoice_ids", "in", self.ids)]
        action["context"] = {"default_invoice_ids": [Command.set(self.ids)]}
        return action

    # ------------------------------------------------------------------
    # KSeF
    # ------------------------------------------------------------------
    # Active for the companies registered for KSeF in Odoo's ``l10n_pl_edi``
    # (``res.company.l10n_pl_edi_register``: a KSeF certificate is set); the KSeF client is l10n_pl_edi's
    # ``KsefApiService``, its FA(3) rendering and mandatory-field check are l10n_pl_edi's.
    #
    # The flow of a generated invoice of such a company: the pre-posting checks include l10n_pl_edi's
    # mandatory fields; once posted the invoice is queued (``ar_ksef_state = to_send``) instead of e-mailed;
    # the cron ``_cron_ar_ksef_process`` sends it (``sent``), follows KSeF's status and, once accepted, keeps
    # the KSeF number and the UPO and only then queues the e-mail. A rejection puts the invoice back in draft,
    # blocked, in *Invoices to Fix* with KSeF's own message. Network failures, time-outs, 429 and 5xx leave it
    # queued with the error and a later try: nothing is lost. Each invoice is locked (``FOR UPDATE SKIP
    # LOCKED``) while it is handled, so two workers never send it together; a send whose answer was lost (the
    # run died before its commit) is sent again and KSeF answers "duplicate" (status 440) with the original
    # KSeF number, which is then kept: the customer still gets one invoice, one e-mail.
    #
    # Offline: when KSeF cannot be reached (no answer, time-out, 5xx) or the company is in KSeF offline
    # mode, and the company has a KSeF Offline certificate, the invoice is issued offline (``offline``): its
    # FA(3) file is kept as it is, it gets the two QR codes of the offline mode (KOD I labelled OFFLINE, KOD
    # II signed with the certificate, labelled CERTYFIKAT) and is e-mailed at once; the cron then sends that
    # same file with ``offlineMode`` by the legal deadline (the next business day) and keeps the KSeF number
    # KSeF gives, without e-mailing the customer again. Without the certificate it waits in the queue.

    def _ar_ksef_queue(self):
        """Queue these posted invoices of KSeF companies for KSeF (the cron sends them)."""
        self.write({"ar_ksef_state": "to_send", "ar_ksef_next_try": False, "ar_ksef_error": False})
        self._message_log_batch(
            dict.fromkeys(
                self.ids,
                Markup("<p>%s</p>")
                % self.env._(
                    "Posted after passing the invoice checks; queued for KSeF, e-mailed once accepted."
                ),
            )
        )
        self.env.ref("ar_automation.ir_cron_ar_ksef_process")._trigger()

    def _l10n_pl_edi_get_xml_values(self):
        """EXTENDS l10n_pl_edi: a correction names the KSeF number of the invoice it corrects (l10n_pl_edi
        puts the sending's reference there, and its template never writes it)."""
        values = super()._l10n_pl_edi_get_xml_values()
        if values.get("correction_info"):
            values["correction_info"]["NrKSeF"] = self.reversed_entry_id.l10n_pl_edi_number or False
        return values

    def _ar_ksef_moves(self):
        """These customer invoices and credit notes that must go through KSeF."""
        registered = self.company_id.sudo().filtered(
            lambda c: c.country_code == "PL" and c.l10n_pl_edi_register
        )
        return self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund") and m.company_id in registered
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_ksef_retry(self):
        """Send (or ask KSeF about) these queued invoices now rather than at their next try."""
        queued = self.filtered(lambda m: m.ar_ksef_state in ("to_send", "offline", "sent"))
        queued.write({"ar_ksef_next_try": False})
        queued._ar_ksef_process()
        return True

    # ------------------------------------------------------------------
    # The KSeF queue
    # ------------------------------------------------------------------

    @api.model
    def _cron_ar_ksef_process(self):
        """Send the queued invoices and follow those sent, in batches, each committed as it is done."""
        done = set()
        while True:
            moves = self.search(
                [
                    ("ar_ksef_state", "in", ("to_send", "offline", "sent")),
                    ("id", "not in", list(done)),
                    "|",
                    ("ar_ksef_next_try", "=", False),
                    ("ar_ksef_next_try", "<=", fields.Datetime.now()),
                ],
                limit=KSEF_BATCH,
                order="id",
            )
            if not moves:
                return True
            done.update(moves.ids)
            moves._ar_ksef_process(commit=True)

    def _ar_ksef_process(self, commit=False):
        """Lock each invoice (skipping those another worker holds), send or follow it; commit each one
        when ``commit`` (the cron), so what KSeF answered is never lost with a later invoice's failure."""
        for move in self:
            locked = move._ar_ksef_lock()
            if not locked:
                continue
            locked.invalidate_recordset()
            if locked.ar_ksef_state == "to_send":
                locked.with_company(locked.company_id)._ar_ksef_send()
            elif locked.ar_ksef_state == "offline" and not locked.company_id.sudo().ar_ksef_offline_mode:
                locked.with_company(locked.company_id)._ar_ksef_send_offline()
            elif locked.ar_ksef_state == "sent":
                locked.with_company(locked.company_id)._ar_ksef_follow()
            if commit:
                self.env["ir.cron"]._commit_progress(1)

    def _ar_ksef_lock(self):
        """Lock this invoice and its company's row (which holds the company's KSeF session and tokens) for
        this transaction; nothing when another worker holds either, or changed either since this
        transaction began (PostgreSQL's serialization failure, kept inside a savepoint): that worker is on
        it. So one worker at a time talks to KSeF for a company, and no serialization error escapes."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                if not (
                    self.try_lock_for_update()
                    and self.company_id.sudo().try_lock_for_update(allow_referencing=True)
                ):
                    raise _KsefBusy  # rolled back to the savepoint: the invoice's lock is released
        except (_KsefBusy, psycopg2.errors.SerializationFailure):
            return self.browse()
        return self

    def _ar_ksef_service(self):
        return ArKsefApiService(self.company_id.sudo())

    def _ar_ksef_send(self):
        self.ensure_one()
        origin = self.reversed_entry_id
        if origin.ar_ksef_state in ("to_send", "offline", "sent"):
            # A correction waits for the KSeF number of the invoice it corrects.
            return self.write({"ar_ksef_error": self.env._("Waiting for KSeF to accept %s.", origin.name)})
        service = self._ar_ksef_service()
        xml = self._l10n_pl_edi_render_xml().encode()
        if self.company_id.sudo().ar_ksef_offline_mode:
            return self._ar_ksef_issue_offline(
                xml, service, self.env._("The company is in KSeF offline mode.")
            )
        try:
            service.open_ksef_session()
            answer = service.send_invoice(xml)
        except UserError as error:
            if unavailable(error):
                return self._ar_ksef_issue_offline(xml, service, str(error))
            return self._ar_ksef_failed(str(error))
        self._ar_ksef_sent(answer, xml, service)
        self.ar_ksef_verification_url = self._ar_ksef_qr_url(xml, service.mode)
        return self._ar_ksef_follow()

    def _ar_ksef_send_offline(self):
        """Send an invoice issued offline to KSeF: the very file its QR codes name, with ``offlineMode``."""
        self.ensure_one()
        service = self._ar_ksef_service()
        xml = base64.b64decode(self.l10n_pl_edi_attachment_file)
        try:
            service.open_ksef_session()
            answer = service.send_invoice(xml, offline_mode=True)
        except UserError as error:
            return self._ar_ksef_failed(str(error))
        self._ar_ksef_sent(answer, xml, service)
        return self._ar_ksef_follow()

    def _ar_ksef_sent(self, answer, xml, service):
        self.write(
            {
                "ar_ksef_state": "sent",
                "ar_ksef_error": False,
                "ar_ksef_next_try": False,
                "l10n_pl_edi_status": "sent",
                "l10n_pl_edi_ref": answer.get("referenceNumber"),
                "l10n_pl_edi_session_id": self.company_id.sudo().l10n_pl_edi_session_id,
                "l10n_pl_edi_header": False,
                "l10n_pl_edi_attachment_file": base64.b64encode(xml),
            }
        )

    def _ar_ksef_issue_offline(self, xml, service, reason):
        """Issue the invoice offline (see the section's comment): kept in the queue as it is when the
        company has no KSeF Offline certificate to sign KOD II with."""
        self.ensure_one()
        certificate = self.company_id.sudo().ar_ksef_offline_certificate_id
        if not certificate.private_key_id:
            return self._ar_ksef_failed(
                self.env._(
                    "%(reason)s Not issued offline: the company has no KSeF Offline certificate with its "
                    "private key (Settings > Receivables Automation > KSeF Offline).",
                    reason=reason,
                )
            )
        self.write(
            {
                "ar_ksef_state": "offline",
                "ar_ksef_offline": True,
                "ar_ksef_offline_deadline": offline_deadline(self.invoice_date),
                "ar_ksef_error": reason,
                "ar_ksef_next_try": fields.Datetime.now() + timedelta(minutes=KSEF_RETRY_MINUTES[0]),
                "ar_ksef_verification_url": self._ar_ksef_qr_url(xml, service.mode),
                "ar_ksef_certificate_url": self._ar_ksef_certificate_url(xml, service.mode, certificate),
                "l10n_pl_edi_attachment_file": base64.b64encode(xml),
            }
        )
        self.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Issued offline (%(reason)s); e-mailed with the offline QR codes, to send to KSeF by "
                "%(deadline)s.",
                reason=reason,
                deadline=self.ar_ksef_offline_deadline,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.with_context(ar_ksef_cleared=True)._ar_queue_sending()

    def _ar_ksef_follow(self):
        """Ask KSeF about the sent invoice and act on its verdict."""
        self.ensure_one()
        service = self._ar_ksef_service()
        try:
            answer = service.get_invoice_status(self.l10n_pl_edi_ref, session_id=self.l10n_pl_edi_session_id)
        except UserError as error:
            return self._ar_ksef_failed(str(error))
        status = answer.get("status") or {}
        code = status.get("code")
        if code in KSEF_WAITING_CODES:
            return self.write({"ar_ksef_next_try": False})
        if code == 200:
            return self._ar_ksef_accepted(answer.get("ksefNumber"), service)
        if code == KSEF_DUPLICATE_CODE and (status.get("extensions") or {}).get("originalKsefNumber"):
            # Sent before, its answer lost with the run that sent it: KSeF already holds it.
            original = status["extensions"]
            self.write({"l10n_pl_edi_session_id": original.get("originalSessionReferenceNumber")})
            return self._ar_ksef_accepted(original["originalKsefNumber"], service, ref=False)
        if code in KSEF_RETRY_CODES:
            return self._ar_ksef_failed(_status_text(status), resend=True)
        return self._ar_ksef_rejected(_status_text(status))

    def _ar_ksef_accepted(self, ksef_number, service, ref=True):
        values = {
            "ar_ksef_state": "accepted",
            "ar_ksef_error": False,
            "ar_ksef_next_try": False,
            "l10n_pl_edi_status": "accepted",
            "l10n_pl_edi_number": ksef_number,
            "l10n_pl_edi_header": False,
        }
        if ref and self.l10n_pl_edi_ref:
            try:
                upo = service.get_invoice_upo(self.l10n_pl_edi_ref, session_id=self.l10n_pl_edi_session_id)
                values["l10n_pl_edi_upo_file"] = base64.b64encode(
                    parseString(upo).toprettyxml(encoding="utf-8")
                )
            except UserError as error:
                # The UPO can be fetched later (button on the invoice); the invoice is issued.
                _logger.info("KSeF UPO of %s not fetched: %s", self.name, error)
        self.write(values)
        self.message_post(
            body=Markup("<p>%s</p>") % self.env._("KSeF accepted the invoice: KSeF number %s.", ksef_number),
            subtype_xmlid="mail.mt_note",
        )
        if not self.ar_ksef_offline:  # an invoice issued offline reached the customer when it was issued
            self.with_context(ar_ksef_cleared=True)._ar_queue_sending()

    def _ar_ksef_rejected(self, message):
        """KSeF refused the invoice, so it was never issued: back to draft, in Invoices to Fix with KSeF's
        own words."""
        text = self.env._("KSeF rejected the invoice: %s", message)
        self.write({"ar_ksef_state": "rejected", "ar_ksef_error": message, "l10n_pl_edi_status": "rejected"})
        self.button_draft()
        self.write({"ar_check_state": "blocked", "ar_check_message": text, "ar_check_blocked_once": True})
        self._ar_notify_blocked({self: [(True, text)]})

    def _ar_ksef_failed(self, error, resend=False):
        """KSeF could not be reached or asked to try again: keep the invoice queued for a later try."""
        tries = self.ar_ksef_attempts + 1
        wait = KSEF_RETRY_MINUTES[min(tries, len(KSEF_RETRY_MINUTES)) - 1]
        values = {
            "ar_ksef_attempts": tries,
            "ar_ksef_error": error,
            "ar_ksef_next_try": fields.Datetime.now() + timedelta(minutes=wait),
        }
        if resend:
            values.update(
                ar_ksef_state="offline" if self.ar_ksef_offline else "to_send",
                l10n_pl_edi_status=False,
                l10n_pl_edi_ref=False,
            )
        self.write(values)
        _logger.info("KSeF: %s kept in the queue (try %s): %s", self.name, tries, error)
        if self.ar_ksef_offline and self.ar_ksef_offline_deadline <= self.company_id._ar_today():
            self._ar_ksef_warn_deadline()

    def _ar_ksef_warn_deadline(self):
        """An invoice issued offline that KSeF still has not received on its deadline: a to-do for its
        salesperson (once), so that someone sends it by hand or records the KSeF failure."""
        summary = self.env._("Send to KSeF by %s", self.ar_ksef_offline_deadline)
        if summary in self.activity_ids.mapped("summary"):
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.ar_ksef_offline_deadline,
            summary=summary,
            note=self.env._(
                "Issued offline and not yet accepted by KSeF, whose last answer was: %s", self.ar_ksef_error
            ),
            user_id=self.invoice_user_id.id or self.env.uid,
        )

    def _ar_ksef_qr_image(self, url=None):
        """A verification QR code (KOD I by default, or ``url``) as a PNG data URI, for the visualisation."""
        self.ensure_one()
        url = url or self.ar_ksef_verification_url
        if not url:
            return False
        png = io.BytesIO()
        qrcode.make(url, box_size=4).save(png, format="PNG")
        return image_data_uri(base64.b64encode(png.getvalue()))

    def _ar_ksef_qr_url(self, xml, mode):
        """KOD I of the Ministry's QR-code rules (see :func:`..engine.ksef.invoice_link`)."""
        base = KSEF_QR_URLS["prod" if mode == "prod" else "test"]
        return invoice_link(base, compact(self.company_id.vat), self.invoice_date, xml)

    def _ar_ksef_certificate_url(self, xml, mode, certificate):
        """KOD II, signed with ``certificate`` (``certificate.certificate`` with its private key)."""
        base = KSEF_QR_URLS["prod" if mode == "prod" else "test"]
        key_sudo = certificate.private_key_id.sudo().with_context(bin_size=False)
        password = key_sudo.password.encode() if key_sudo.password else None
        key = serialization.load_pem_private_key(base64.b64decode(key_sudo.pem_key), password)
        serial = certificate_serial(
            x509.load_pem_x509_certificate(base64.b64decode(certificate.pem_certificate))
        )
        return certificate_link(base, compact(self.company_id.vat), serial, xml, key)


class _KsefBusy(Exception):
    """Another worker holds the invoice or its company's KSeF session."""


def _status_text(status):
    details = "; ".join(status.get("details") or [])
    text = f"{status.get('description') or ''} ({status.get('code')})"
    return f"{text}: {details}" if details else text


def _state_of(problems):
    if any(blocking for blocking, _m in problems):
        return "blocked"
    return "warning" if problems else "ok"


def _decimal(value):
    return Decimal(str(value))


def _signed_qty(invoice_line, sale_line):
    """The quantity an invoice line bills of a sale line, in the sale line's unit (negative on refunds)."""
    qty = invoice_line.product_uom_id._compute_quantity(invoice_line.quantity, sale_line.product_uom_id)
    return -qty if invoice_line.move_id.move_type == "out_refund" else qty


def _plain(value):
    """A Decimal as people write it: 3 rather than 3.0, 2.5 rather than 2.50."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value
