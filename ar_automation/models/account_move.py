from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, LazyTranslate, format_list

from ..engine.aging import bucket_of, days_overdue
from ..engine.checks import InvoiceFacts, OrderLineFacts, run_checks

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
        return results

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
