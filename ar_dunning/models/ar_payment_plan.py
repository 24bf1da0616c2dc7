from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools.misc import format_amount

from odoo.addons.ar_automation.models.account_move import AR_OPEN_PAYMENT_STATES

from ..engine.instalments import MAX_INSTALMENTS, instalment_states, plan_problems

ACTIVE_STATES = ("proposed", "countered", "approved")


class ArPaymentPlan(models.Model):
    """A customer's overdue balance paid in instalments. The customer (portal) or a collector proposes the
    schedule, the collector approves it, rejects it or sends back a counter-proposal that the customer
    accepts. While approved, reminders wait for the covered invoices; a missed instalment (its date and the
    company's promise grace days passed) breaks the plan and reminders resume. See ``engine.instalments``
    for the rule deciding which instalments are paid."""

    _name = "ar.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    user_id = fields.Many2one(
        "res.users", string="Collector", index=True, tracking=True, domain="[('share', '=', False)]"
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "ar_payment_plan_invoice_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        # The open-receivable rule (account.move._ar_open_receivable_domain), as the web client reads it.
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        f" ('payment_state', 'in', {AR_OPEN_PAYMENT_STATES!r}), ('commercial_partner_id', '=', partner_id)]",
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("proposed", "Proposed"),
            ("countered", "Countered"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("completed", "Completed"),
            ("broken", "Broken"),
        ],
        required=True,
        default="draft",
        index=True,
        tracking=True,
        copy=False,
    )
    origin = fields.Selection(
        selection=[("manual", "Entered by hand"), ("portal", "Customer portal")],
        required=True,
        default="manual",
        readonly=True,
    )
    line_ids = fields.One2many("ar.payment.plan.line", "plan_id", string="Instalments", copy=True)
    amount_total = fields.Monetary(
        string="Instalments Total", compute="_compute_amount_total", store=True, currency_field="currency_id"
    )
    amount_balance = fields.Monetary(
        string="Open Balance",
        compute="_compute_amount_balance",
        currency_field="currency_id",
        help="What the covered invoices still owe today.",
    )
    amount_approved = fields.Monetary(
        string="Balance at Approval", readonly=True, copy=False, currency_field="currency_id"
    )
    amount_paid = fields.Monetary(
        string="Paid Since Approval",
        compute="_compute_amount_balance",
        currency_field="currency_id",
        help="The balance at approval minus the open balance today: payments, credit notes and write-offs.",
    )
    date_approved = fields.Date(string="Approved On", readonly=True, copy=False)
    next_date = fields.Date(string="Next Instalment", compute="_compute_next_date")
    note = fields.Text(string="Customer's Words")

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("invoice_ids.currency_id", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = plan.invoice_ids[:1].currency_id or plan.company_id.currency_id

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for plan in self:
            plan.amount_total = sum(plan.line_ids.mapped("amount"))

    @api.depends("invoice_ids.amount_residual", "amount_approved", "state")
    def _compute_amount_balance(self):
        for plan in self:
            plan.amount_balance = sum(plan.invoice_ids.mapped("amount_residual"))
            if plan.date_approved:
                plan.amount_paid = max(plan.amount_approved - plan.amount_balance, 0.0)
            else:
                plan.amount_paid = 0.0

    @api.depends("line_ids.state", "line_ids.date")
    def _compute_next_date(self):
        for plan in self:
            pending = plan.line_ids.filtered(lambda line: line.state == "pending").sorted("date")
            plan.next_date = pending[:1].date

    @api.constrains("invoice_ids", "partner_id", "state")
    def _check_invoices(self):
        for plan in self:
            wrong = plan.invoice_ids.filtered(
                lambda inv, plan=plan: (
                    inv.move_type != "out_invoice"
                    or inv.state != "posted"
                    or inv.commercial_partner_id != plan.partner_id
                )
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "A payment plan covers posted invoices of its customer %(customer)s only: "
                        "%(invoices)s.",
                        customer=plan.partner_id.display_name,
                        invoices=", ".join(wrong.mapped("name")),
                    )
                )
            if len(plan.invoice_ids.currency_id) > 1:
                raise ValidationError(plan._plan_problem_message("plan_one_currency"))
            if plan.state not in ACTIVE_STATES:
                continue
            others = self.search(
                self._active_domain_for(plan.invoice_ids) & Domain("id", "!=", plan.id), limit=1
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Invoices %(invoices)s are already in payment plan %(plan)s.",
                        invoices=", ".join((others.invoice_ids & plan.invoice_ids).mapped("name")),
                        plan=others.name,
                    )
                )

    @api.constrains("line_ids")
    def _check_line_count(self):
        for plan in self:
            if len(plan.line_ids) > MAX_INSTALMENTS:
                raise ValidationError(plan._plan_problem_message("plan_too_many"))

    def _check_totals(self):
        """The plan's rules (``engine.instalments.plan_problems``, as the portal checks a proposal): at least
        one invoice and one instalment, the instalments adding up to the covered invoices' open balance
        (in the currency's rounding)."""
        for plan in self:
            problems = plan_problems(
                [(line.date, Decimal(str(line.amount))) for line in plan.line_ids],
                Decimal(str(plan.amount_balance)),
                currencies=len(plan.invoice_ids.currency_id),
                step=Decimal(str(plan.currency_id.rounding)),
            )
            if not plan.invoice_ids:
                problems.insert(0, "plan_incomplete")
            if problems:
                raise ValidationError(plan._plan_problem_message(problems[0]))

    def _plan_problem_message(self, code):
        """What a reason code of ``plan_problems`` means for this plan, for the back office."""
        self.ensure_one()
        if code == "plan_total":
            return self.env._(
                "The instalments of payment plan %(plan)s add up to %(total)s, but the covered "
                "invoices' open balance is %(balance)s: they must be equal.",
                plan=self.name,
                total=format_amount(self.env, self.amount_total, self.currency_id),
                balance=format_amount(self.env, self.amount_balance, self.currency_id),
            )
        if code == "plan_one_currency":
            return self.env._("A payment plan covers invoices of one currency.")
        if code == "plan_too_many":
            return self.env._("A payment plan has at most %s instalments.", MAX_INSTALMENTS)
        return self.env._("Payment plan %s needs at least one invoice and one instalment.", self.name)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("ar.payment.plan") or "/"
                )
            partner = self.env["res.partner"].browse(vals.get("partner_id")).commercial_partner_id
            if partner:
                vals["partner_id"] = partner.id
            if not vals.get("user_id") and partner:
                vals["user_id"] = self.env["ar.dispute"]._default_owner(partner, company)[0].id
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_state(self, allowed):
        for plan in self:
            if plan.state not in allowed:
                raise UserError(
                    self.env._(
                        "Payment plan %(plan)s is %(state)s: this cannot be done now.",
                        plan=plan.name,
                        state=plan._state_label(),
                    )
                )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def action_propose(self):
        """Submit the schedule to the collector: a to-do for them."""
        self._check_state(("draft",))
        self._check_totals()
        self.state = "proposed"
        for plan in self:
            plan._notify_collector()

    def action_approve(self):
        """Accept the schedule: reminders wait for the covered invoices while the instalments come in."""
        self._check_state(("draft", "proposed", "countered"))
        self._approve(self.env._("Payment plan %s approved: reminders paused for its invoices."))

    def action_accept_counter(self):
        """The customer accepts the collector's counter-proposal."""
        self._check_state(("countered",))
        self._approve(self.env._("The customer accepted payment plan %s: reminders paused for its invoices."))

    def action_counter(self):
        """Send the edited schedule back to the customer, who accepts it on the portal."""
        self._check_state(("proposed",))
        self._check_totals()
        self.state = "countered"
        self._done_activities(self.env._("Counter-proposal sent to the customer."))
        for plan in self:
            plan.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "We propose another schedule for payment plan %s; please accept it on your portal.",
                    plan.name,
                ),
                partner_ids=plan.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def action_reject(self):
        self._check_state(("draft", "proposed", "countered"))
        self.state = "rejected"
        self._done_activities(self.env._("Payment plan rejected."))
        for plan in self:
            plan.message_post(
                body=Markup("<p>%s</p>") % self.env._("Payment plan %s rejected.", plan.name),
                partner_ids=plan.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def action_view_invoices(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _approve(self, message):
        self._check_totals()
        for plan in self:
            plan.write(
                {
                    "state": "approved",
                    "date_approved": plan.company_id._ar_today(),
                    "amount_approved": plan.amount_balance,
                }
            )
            plan.line_ids.state = "pending"
            plan._done_activities(message % plan.name)
            plan._note(message % plan.name)

    def _notify_collector(self):
        self.ensure_one()
        if not self.user_id:
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.company_id._ar_today(),
            summary=self.env._("Payment plan %s to review", self.name),
            note=Markup("<p>%s</p>")
            % self.env._(
                "%(customer)s proposes %(count)s instalments for %(invoices)s.",
                customer=self.partner_id.display_name,
                count=len(self.line_ids),
                invoices=", ".join(self.invoice_ids.mapped("name")),
            ),
            user_id=self.user_id.id,
        )

    def _done_activities(self, feedback):
        todo = self.env.ref("mail.mail_activity_data_todo")
        self.activity_ids.filtered(lambda a: a.activity_type_id == todo).action_feedback(feedback=feedback)

    def _note(self, text):
        """A note on the plan and on each of its invoices."""
        note = Markup("<p>%s</p>") % text
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        for invoice in self.invoice_ids:
            invoice.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _update_progress(self):
        """Mark the instalments of approved plans paid or missed; a plan whose instalments are all paid is
        completed, one with a missed instalment is broken (its invoices are reminded again)."""
        for plan in self.filtered(lambda p: p.state == "approved"):
            lines = plan.line_ids.sorted(lambda line: (line.date, line.id))
            rounding = Decimal(str(plan.currency_id.rounding))
            states = instalment_states(
                [(line.date, Decimal(str(line.amount))) for line in lines],
                Decimal(str(plan.amount_paid)).quantize(rounding),
                plan.company_id._ar_today(),
                plan.company_id.ar_promise_grace_days,
            )
            changed = {}
            for line, state in zip(lines, states, strict=True):
                if line.state != state:
                    changed.setdefault(state, []).append(line.id)
            for state, line_ids in changed.items():
                lines.browse(line_ids).state = state
            if all(state == "paid" for state in states):
                plan.state = "completed"
                plan._note(self.env._("Payment plan %s completed: every instalment is paid.", plan.name))
            elif "missed" in states:
                missed = lines.filtered(lambda line: line.state == "missed")[:1]
                plan.state = "broken"
                plan._note(
                    self.env._(
                        "The instalment of %(amount)s due on %(date)s was not paid: payment plan %(plan)s "
                        "is broken and reminders resume.",
                        amount=format_amount(self.env, missed.amount, plan.currency_id),
                        date=missed.date,
                        plan=plan.name,
                    )
                )
                if plan.user_id:
                    plan.activity_schedule(
                        "mail.mail_activity_data_todo",
                        date_deadline=plan.company_id._ar_today(),
                        summary=self.env._("Payment plan %s broken", plan.name),
                        user_id=plan.user_id.id,
                    )

    @api.model
    def _cron_check_plans(self):
        """Daily: the progress of every approved plan."""
        self.search([("state", "=", "approved")])._update_progress()
        return True

    @api.model
    def _active_domain_for(self, invoices):
        """The plans in progress (proposed, countered or approved) that cover any of ``invoices``."""
        return Domain("state", "in", ACTIVE_STATES) & Domain("invoice_ids", "in", invoices.ids)
