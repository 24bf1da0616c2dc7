import re
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

# Accounts of the charts of accounts (xml id suffixes of their templates) for what the default rules book:
# bank fees deducted from customers' payments, interest the bank pays.
BANK_FEE_ACCOUNTS = {"pl": "chart40030500", "generic_coa": "expense_finance"}
BANK_FEE_NAMES = ("Opłaty i prowizje bankowe", "Bank Fees", "Bank Charges")
FINANCIAL_INCOME_ACCOUNTS = {"pl": "chart75000900"}
FINANCIAL_INCOME_NAMES = ("Pozostałe przychody finansowe", "Other financial income", "Interest Income")


class ArReconcileRule(models.Model):
    """How incoming bank lines are applied: the first active rule (by sequence) whose conditions a line
    meets decides what happens to it."""

    _name = "ar.reconcile.rule"
    _description = "Bank Reconciliation Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", string="Company", help="Empty: the rule applies in every company."
    )
    journal_ids = fields.Many2many(
        "account.journal",
        string="Bank Journals",
        domain="[('type', '=', 'bank')]",
        help="Empty: every bank journal.",
    )
    amount_min = fields.Monetary(string="Amount From", currency_field="currency_id")
    amount_max = fields.Monetary(string="Amount To", currency_field="currency_id", help="0: no upper limit.")
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="The currency of the rule's amounts: its company's, or for a rule of every company, the "
        "currency of the company the line belongs to.",
    )
    direction = fields.Selection(
        [("in", "Money received"), ("out", "Money paid out"), ("both", "Both")], default="in", required=True
    )
    text_pattern = fields.Char(
        string="Text Matches",
        help="A regular expression searched (ignoring case) in the payment title, the payer's name and "
        "account number, e.g. KAPITALIZACJA|ODSETKI.",
    )
    partner_ids = fields.Many2many("res.partner", string="Customers", help="Empty: any customer.")
    action = fields.Selection(
        [
            ("match", "Match open invoices"),
            ("writeoff", "Book to an account"),
            ("skip", "Leave for people"),
        ],
        default="match",
        required=True,
        help="Match open invoices: the matching engine finds the invoices a payment settles.\n"
        "Book to an account: the whole line goes to the account below (bank interest, fees).\n"
        "Leave for people: the line waits in the exceptions queue without suggestions.",
    )
    auto_validate = fields.Boolean(
        string="Reconcile Automatically",
        default=True,
        help="Reconcile the lines whose best match scores at least the threshold; otherwise only suggest.",
    )
    threshold = fields.Float(
        string="Confidence Threshold",
        default=90.0,
        help="Lowest score (0-100) of a match reconciled without a person.",
    )
    writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        company_dependent=True,  # a rule of every company books to each company's own account
        help="Small differences (bank fees) or, for 'Book to an account', the whole line.",
    )
    writeoff_tax_id = fields.Many2one("account.tax", string="Write-off Tax", check_company=True)
    writeoff_label = fields.Char(string="Write-off Label", translate=True)
    writeoff_tolerance = fields.Monetary(
        string="Write-off Up To",
        currency_field="currency_id",
        default=5.0,
        help="A payment short of the invoices by at most this amount settles them, the difference "
        "being written off to the write-off account.",
    )
    writeoff_tolerance_percent = fields.Float(
        string="And At Most (%)", default=1.0, help="...and at most this share of the amount paid."
    )
    is_partial_applied = fields.Boolean(
        string="Apply Exact Partial Payments",
        default=True,
        help="A payment smaller than the one invoice it quotes exactly (its number, RF or KSeF number "
        "pointing at that invoice alone, paid by its customer or an unknown payer) is applied and the "
        "rest left open: reminders continue for the remainder. Off: such payments are only suggested.",
    )
    line_count = fields.Integer(compute="_compute_line_count", string="Lines Applied")

    @api.constrains("text_pattern")
    def _check_text_pattern(self):
        for rule in self.filtered("text_pattern"):
            try:
                re.compile(rule.text_pattern)
            except re.error as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: %(pattern)r is not a valid regular expression (%(error)s).",
                        rule=rule.name,
                        pattern=rule.text_pattern,
                        error=error,
                    )
                ) from error

    @api.constrains("action", "writeoff_account_id")
    def _check_writeoff_account(self):
        for rule in self:
            if rule.action == "writeoff" and not rule.writeoff_account_id:
                raise ValidationError(
                    self.env._("Rule %s books lines to an account: choose the account.", rule.name)
                )

    @api.constrains("threshold")
    def _check_threshold(self):
        for rule in self:
            if not 0 <= rule.threshold <= 100:
                raise ValidationError(
                    self.env._("Rule %s: the confidence threshold is a score from 0 to 100.", rule.name)
                )

    @api.constrains("amount_min", "amount_max")
    def _check_amounts(self):
        for rule in self:
            if rule.amount_max and rule.amount_max < rule.amount_min:
                raise ValidationError(
                    self.env._("Rule %s: the amount range ends before it starts.", rule.name)
                )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = rule.company_id.currency_id or self.env.company.currency_id

    def _compute_line_count(self):
        counts = dict(
            self.env["account.bank.statement.line"]._read_group(
                [("ar_match_rule_id", "in", self.ids)], ["ar_match_rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.line_count = counts.get(rule, 0)

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_bank_psd2.ar_statement_line_all_action")
        action["domain"] = [("ar_match_rule_id", "=", self.id)]
        return action

    def _applies_to(self, line, text):
        """Whether ``line`` (an account.bank.statement.line) meets this rule's conditions; ``text`` is its
        title, payer name and account joined."""
        self.ensure_one()
        amount = line.amount
        if self.company_id and self.company_id != line.company_id:
            return False
        if self.journal_ids and line.journal_id not in self.journal_ids:
            return False
        if (self.direction == "in" and amount <= 0) or (self.direction == "out" and amount >= 0):
            return False
        if self.amount_min and abs(amount) < self.amount_min:
            return False
        if self.amount_max and abs(amount) > self.amount_max:
            return False
        if self.partner_ids and line.partner_id.commercial_partner_id not in self.partner_ids:
            return False
        return not self.text_pattern or bool(re.search(self.text_pattern, text or "", re.IGNORECASE))

    def _rule_for(self, line, text):
        """The first rule of ``self`` (ordered) that applies to ``line``, else an empty recordset."""
        for rule in self:
            if rule._applies_to(line, text):
                return rule
        return self.browse()

    def _engine_settings(self, settings_class):
        self.ensure_one()
        return settings_class(
            writeoff_tolerance=Decimal(str(self.writeoff_tolerance or 0))
            if self.writeoff_account_id
            else Decimal(0),
            writeoff_tolerance_percent=Decimal(str(self.writeoff_tolerance_percent or 0)),
            partial_when_exact=self.is_partial_applied,
        )

    def _writeoff_line_values(self, writeoff, ratio, currency):
        """Journal items booking ``writeoff`` (tax included, in ``currency``; ``ratio`` converts it to the
        company's currency) to this rule's write-off account, with its tax split off when it has one."""
        self.ensure_one()
        label = self.writeoff_label or self.name
        tax = self.writeoff_tax_id
        base = writeoff
        vals = []
        if tax:
            if tax.amount_type != "percent":
                raise UserError(
                    self.env._("Rule %s: only percentage taxes are supported on write-offs.", self.name)
                )
            base = (writeoff / (1 + Decimal(str(tax.amount)) / 100)).quantize(Decimal("0.01"))
            repartition = tax.invoice_repartition_line_ids.filtered(lambda r: r.repartition_type == "tax")[:1]
            vals.append(
                {
                    "account_id": (repartition.account_id or self.writeoff_account_id).id,
                    "name": f"{label} - {tax.name}",
                    "currency_id": currency.id,
                    "amount_currency": float(writeoff - base),
                    "balance": float((writeoff - base) * ratio),
                    "tax_repartition_line_id": repartition.id,
                }
            )
        vals.insert(
            0,
            {
                "account_id": self.writeoff_account_id.id,
                "name": label,
                "currency_id": currency.id,
                "amount_currency": float(base),
                "balance": float(base * ratio),
                "tax_ids": [Command.set(tax.ids)],
            },
        )
        return vals

    # ------------------------------------------------------------------
    # Defaults of a company
    # ------------------------------------------------------------------

    @api.model
    def _ar_chart_account(self, company, xmlids_by_chart, names):
        """The account of ``company``'s chart for a purpose: the chart's own account when we know it, else
        one named so; never just any account of the type."""
        suffix = xmlids_by_chart.get(company.chart_template)
        account = suffix and self.env.ref(f"account.{company.id}_{suffix}", raise_if_not_found=False)
        if account:
            return account
        Account = self.env["account.account"].with_company(company)
        for name in names:
            account = Account.search([("company_ids", "in", company.id), ("name", "=ilike", name)], limit=1)
            if account:
                return account
        return Account

    @api.model
    def _ar_set_company_defaults(self, company):
        """Once ``company``'s chart of accounts is installed, the rule for customer payments of every company
        writes bank fees deducted from payments (up to its tolerance) off to that chart's bank fees account,
        when the chart has one and nobody chose another."""
        rule = self.env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments", raise_if_not_found=False)
        rule = rule and rule.sudo().with_company(company)
        if not rule or rule.writeoff_account_id:
            return
        fees = self._ar_chart_account(company, BANK_FEE_ACCOUNTS, BANK_FEE_NAMES)
        if fees:
            rule.writeoff_account_id = fees
