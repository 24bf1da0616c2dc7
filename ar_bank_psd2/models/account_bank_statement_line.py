import logging
from collections import defaultdict
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_round

from ..engine.matching import BankLine, Settings, match_lines
from ..engine.statement import normalize_account

_logger = logging.getLogger(__name__)

MATCH_STATES = [
    ("new", "Not processed"),
    ("reconciled", "Reconciled automatically"),
    ("accepted", "Suggestion accepted"),
    ("manual", "Matched by hand"),
    ("booked", "Booked by a rule"),
    ("suggested", "Suggestions to review"),
    ("unmatched", "No match found"),
    ("outgoing", "Money paid out"),
]
DONE_STATES = ("reconciled", "accepted", "manual", "booked")


class StaleMatchError(UserError):
    """An invoice of the match changed (paid by someone else meanwhile): the match is not applied."""


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    ar_import_id = fields.Char(
        string="Bank Transaction Id",
        readonly=True,
        copy=False,
        help="The bank's stable id of the transaction (unique per journal).",
    )
    ar_fingerprint = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Date, amount, counterparty and reference: the same payment seen through the API and in a "
        "file has the same fingerprint and is booked once.",
    )
    ar_end_to_end_id = fields.Char(string="End-to-End Id", readonly=True, copy=False)
    ar_structured_ref = fields.Char(string="Structured Reference", readonly=True, copy=False)
    ar_source = fields.Selection(
        selection=[("file", "Statement file"), ("api", "Open banking API")],
        string="Imported From",
        readonly=True,
        copy=False,
    )
    ar_match_state = fields.Selection(
        MATCH_STATES, string="Cash Application", default="new", required=True, copy=False, index=True
    )
    ar_match_score = fields.Float(string="Match Score", readonly=True, copy=False, aggregator="avg")
    ar_match_rule_id = fields.Many2one(
        "ar.reconcile.rule", string="Applied Rule", readonly=True, copy=False, index="btree_not_null"
    )
    ar_match_explanation = fields.Text(string="Why", readonly=True, copy=False)
    ar_match_reasons = fields.Json(string="Match Reasons", readonly=True, copy=False)
    ar_writeoff_amount = fields.Monetary(
        string="Written Off",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="The shortfall (a bank fee) written off when this payment was applied, in the bank's currency.",
    )
    ar_matched_date = fields.Datetime(string="Matched On", readonly=True, copy=False)
    ar_matched_uid = fields.Many2one("res.users", string="Matched By", readonly=True, copy=False)
    ar_suggestion_ids = fields.One2many(
        "ar.reconcile.suggestion", "statement_line_id", string="Suggestions", readonly=True
    )
    ar_best_suggestion = fields.Char(
        string="Best Suggestion", compute="_compute_ar_best_suggestion", compute_sudo=True
    )
    ar_age_days = fields.Integer(string="Age (days)", compute="_compute_ar_age_days")

    _journal_import_id_unique = models.UniqueIndex(
        "(journal_id, ar_import_id) WHERE ar_import_id IS NOT NULL",
        "This bank transaction was already imported into this journal.",
    )

    @api.depends("ar_suggestion_ids.state", "ar_suggestion_ids.explanation")
    def _compute_ar_best_suggestion(self):
        for line in self:
            proposed = line.ar_suggestion_ids.filtered(lambda s: s.state == "proposed")
            line.ar_best_suggestion = proposed[:1].explanation or False

    @api.depends("date")
    def _compute_ar_age_days(self):
        today = fields.Date.context_today(self)
        for line in self:
            line.ar_age_days = (today - line.date).days if line.date else 0

    # ------------------------------------------------------------------
    # People's actions
    # ------------------------------------------------------------------

    def action_ar_rematch(self):
        """Run the rules again on these lines (after new invoices or new rules)."""
        self.filtered(lambda line: line.ar_match_state not in DONE_STATES).write({"ar_match_state": "new"})
        counts = self.ar_auto_reconcile()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(reconciled)s reconciled, %(suggested)s with suggestions, "
                    "%(unmatched)s without a match.",
                    **counts,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_ar_manual_match(self):
        self.ensure_one()
        if self.is_reconciled or self.ar_match_state in DONE_STATES:
            raise UserError(self.env._("This bank line is already matched: undo it first."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Match Payment"),
            "res_model": "ar.manual.match.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_statement_line_id": self.id,
                "default_move_line_ids": self.ar_suggestion_ids.filtered(lambda s: s.state == "proposed")[
                    :1
                ].move_line_ids.ids,
            },
        }

    def action_ar_undo(self):
        """Undo the match: the invoices are open again, the line waits for people."""
        for line in self:
            if (
                not line.is_reconciled
                and line.ar_match_state not in DONE_STATES
                and not line._seek_for_lines()[2]
            ):
                continue
            line.action_undo_reconciliation()
            line.write(
                {
                    "ar_match_state": "unmatched",
                    "ar_matched_date": False,
                    "ar_matched_uid": False,
                    "ar_writeoff_amount": 0.0,
                    "ar_match_explanation": self.env._("Match undone by %s.", self.env.user.name),
                }
            )
            line.move_id.message_post(body=self.env._("Cash application undone by %s.", self.env.user.name))
        return True

    def _ar_learn(self, items):
        """Let the line's customer be recognised by this payment next time (res.partner._ar_learn_payment)."""
        self.ensure_one()
        self.partner_id.commercial_partner_id._ar_learn_payment(
            self.account_number, self.payment_ref, items.move_id.mapped("name")
        )

    # ------------------------------------------------------------------
    # Entry points: the rules applied on arrival, by the cron, by scripts
    # ------------------------------------------------------------------

    @api.model
    def _cron_ar_auto_reconcile(self):
        """Apply the rules to the bank lines not processed yet, in batches committed one by one."""
        while True:
            lines = self.search([("ar_match_state", "=", "new"), ("is_reconciled", "=", False)], limit=200)
            if not lines:
                return True
            lines.ar_auto_reconcile()
            # Lines another worker holds keep their state: do not loop on them.
            lines.filtered(lambda line: line.ar_match_state == "new").write({"ar_match_state": "unmatched"})
            if not self.env.context.get("cron_id"):
                return True
            self.env["ir.cron"]._commit_progress(len(lines))

    @api.private
    def ar_auto_reconcile(self):
        """Apply the reconciliation rules to these lines. Lines above their rule's threshold are reconciled
        with the invoices (standard partial reconciliations), the others get ranked suggestions.

        Lines already reconciled, or being processed by another worker, are left alone; a line whose
        match fails is kept for people without undoing the others. Returns
        ``{'reconciled': n, 'suggested': n, 'unmatched': n}``."""
        counts = {"reconciled": 0, "suggested": 0, "unmatched": 0}
        lines = self._ar_lock_open_lines()
        if not lines:
            return counts
        outgoing = lines.filtered(lambda line: line.amount < 0)
        for company in lines.company_id:
            company_lines = lines.filtered(lambda line, company=company: line.company_id == company)
            rules = self.env["ar.reconcile.rule"].search(
                [("company_id", "in", (False, company.id))], order="sequence, id"
            )
            groups = defaultdict(lambda: self.browse())
            for line in company_lines:
                groups[rules._rule_for(line, line._ar_match_text())] |= line
            for rule, rule_lines in groups.items():
                if not rule:
                    rest = rule_lines - outgoing
                    (rule_lines & outgoing).write({"ar_match_state": "outgoing"})
                    rest.write(
                        {
                            "ar_match_state": "unmatched",
                            "ar_match_explanation": self.env._("No reconciliation rule applies."),
                        }
                    )
                    counts["unmatched"] += len(rest)
                elif rule.action == "skip":
                    rule_lines.write(
                        {
                            "ar_match_state": "unmatched",
                            "ar_match_rule_id": rule.id,
                            "ar_match_explanation": self.env._("Left for people by rule %s.", rule.name),
                        }
                    )
                    counts["unmatched"] += len(rule_lines)
                elif rule.action == "writeoff":
                    for key, value in rule_lines._ar_book_by_rule(rule).items():
                        counts[key] += value
                else:
                    for key, value in rule_lines._ar_match_by_rule(company, rule).items():
                        counts[key] += value
        return counts

    def _ar_match_on_arrival(self):
        """Match the lines of the journals that match payments on arrival (the rest waits for the cron)."""
        return self.filtered("journal_id.ar_auto_reconcile").ar_auto_reconcile()

    # ------------------------------------------------------------------
    # Matching: the engine over the open items, confident matches applied, the rest suggested
    # ------------------------------------------------------------------

    def _ar_lock_open_lines(self):
        """These lines not reconciled yet nor applied, locked for this transaction; the ones another
        worker holds are skipped (it is applying them)."""
        if not self.ids:
            return self.browse()
        self.flush_model(["is_reconciled", "ar_match_state"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT id FROM account_bank_statement_line
             WHERE id = ANY(%s) AND NOT COALESCE(is_reconciled, FALSE) AND ar_match_state NOT IN %s
             ORDER BY id
               FOR UPDATE SKIP LOCKED
            """,
                self.ids,
                DONE_STATES,
            )
        )
        lines = self.browse([row[0] for row in rows])
        lines.invalidate_recordset(["is_reconciled", "ar_match_state"])
        return lines

    def _ar_match_text(self):
        return " ".join(filter(None, (self.payment_ref, self.partner_name, self.account_number)))

    def _ar_currency(self):
        return self.journal_id.currency_id or self.company_id.currency_id

    def _ar_match_by_rule(self, company, rule):
        counts = {"reconciled": 0, "suggested": 0, "unmatched": 0}
        incoming = self.filtered(lambda line: line.amount > 0)
        (self - incoming).write({"ar_match_state": "outgoing", "ar_match_rule_id": rule.id})
        if not incoming:
            return counts
        items, customers, rates = self._ar_engine_data(company)
        proposals = match_lines(
            [line._ar_bank_line() for line in incoming],
            items,
            customers,
            rule._engine_settings(Settings),
            limit=3,
            rates=rates,
        )
        confident = {
            line.id: proposals[line.id][0]
            for line in incoming
            if rule.auto_validate
            and proposals.get(line.id)
            and not proposals[line.id][0].ambiguous
            and proposals[line.id][0].score >= rule.threshold
        }
        applied, refused = self._ar_apply_confident(
            incoming.filtered(lambda ln: ln.id in confident), confident, rule
        )
        incoming.ar_suggestion_ids.filtered(lambda s: s.state == "proposed").unlink()
        Suggestion = self.env["ar.reconcile.suggestion"]
        suggestions = []
        for line in incoming:
            ranked = proposals.get(line.id) or []
            best = ranked[0] if ranked else None
            if line.id in applied:
                line._ar_set_matched("reconciled", rule, best)
                counts["reconciled"] += 1
                continue
            suggestions += Suggestion._prepare_values(line, ranked, rule)
            state = "suggested" if ranked else "unmatched"
            if line.id in refused:
                explanation = self.env._("The match could not be applied: %s", refused[line.id])
            else:
                explanation = (
                    Suggestion._explain(best) if best else self.env._("No open invoice fits this payment.")
                )
            line.write(
                {
                    "ar_match_state": state,
                    "ar_match_rule_id": rule.id,
                    "ar_match_score": best.score if best else 0.0,
                    "ar_match_reasons": best.reasons if best else False,
                    "ar_match_explanation": explanation,
                }
            )
            counts[state] += 1
        Suggestion.create(suggestions)
        return counts

    def _ar_apply_confident(self, lines, proposals, rule):
        """Apply the best proposal of each of ``lines`` (``proposals[line id]``), all in one batch; when
        the batch is refused, line by line so that one bad line does not hold back the others. Returns
        ``(ids of the lines applied, {line id: why not})``."""
        plans = [
            {
                "line": line,
                "allocations": [(a.item_id, a.amount) for a in proposals[line.id].allocations],
                "writeoff": proposals[line.id].writeoff,
                "overpayment": proposals[line.id].overpayment,
                "partner_id": proposals[line.id].partner_id,
                "rule": rule,
            }
            for line in lines
        ]
        self._ar_lock_items(plans)
        # Read what the plans need for all lines at once rather than line by line.
        items = self.env["account.move.line"].browse(
            [item_id for plan in plans for item_id, _amount in plan["allocations"]]
        )
        items.fetch(
            [
                "reconciled",
                "parent_state",
                "company_id",
                "currency_id",
                "amount_residual_currency",
                "account_id",
                "partner_id",
                "move_id",
            ]
        )
        items.move_id.fetch(["name"])
        lines.move_id.line_ids.fetch(["account_id", "balance", "amount_currency", "currency_id"])
        prefetch = {"items": items._prefetch_ids}
        planned, refused, taken = [], {}, set()
        for plan in plans:
            line = plan["line"]
            item_ids = {item_id for item_id, _amount in plan["allocations"]}
            if item_ids & taken:
                refused[line.id] = self.env._(
                    "another payment of the same statement settles the same invoice"
                )
                continue
            try:
                planned.append(line._ar_plan_values(plan, prefetch))
                taken |= item_ids
            except UserError as error:
                refused[line.id] = error.args[0]
        if not planned:
            return set(), refused
        try:
            with self.env.cr.savepoint():
                self._ar_write_plans(planned)
            return {entry["line"].id for entry in planned}, refused
        except (UserError, ValidationError) as error:
            _logger.info("Batch of %s bank lines refused (%s): applying them one by one", len(planned), error)
            self.env.invalidate_all()
        applied = set()
        for entry in planned:
            try:
                with self.env.cr.savepoint():
                    self._ar_write_plans([entry])
                applied.add(entry["line"].id)
            except (UserError, ValidationError) as error:
                self.env.invalidate_all()
                refused[entry["line"].id] = error.args[0]
        return applied, refused

    def _ar_bank_line(self):
        details = self.transaction_details if isinstance(self.transaction_details, dict) else {}
        referred = tuple(
            (str(number), Decimal(str(amount)) if amount not in (None, "") else None)
            for number, amount in details.get("referred") or ()
        )
        return BankLine(
            id=self.id,
            amount=Decimal(str(self.amount)),
            currency=self._ar_currency().name,
            date=self.date,
            remittance=self.payment_ref or "",
            counterparty_name=self.partner_name or self.partner_id.name or "",
            counterparty_iban=normalize_account(self.account_number or ""),
            structured_reference=self.ar_structured_ref or "",
            partner_id=self.partner_id.commercial_partner_id.id or None,
            referred_documents=referred,
        )

    @api.model
    def _ar_engine_data(self, company):
        """Open receivable items, their customers (with their known accounts and learned patterns) and
        today's rates between their currencies and the bank's, read with three queries."""
        items = self.env["account.move.line"]._ar_matching_items(company)
        # The payers of these lines known by their account, also without open items: a customer paying
        # someone else's invoice is then seen as a third party, not as an unknown payer.
        Partner = self.env["res.partner"]
        payers = Partner._ar_holders_of_accounts(self.filtered("account_number").mapped("account_number"))
        customers = Partner._ar_matching_customers(list({item.partner_id for item in items} | set(payers)))
        rates = {}
        currencies = {item.currency for item in items}
        bank_currencies = {line._ar_currency() for line in self}
        if currencies - {currency.name for currency in bank_currencies}:
            records = self.env["res.currency"].search([("name", "in", list(currencies))])
            today = company._ar_today()
            for bank_currency in bank_currencies:
                for currency in records - bank_currency:
                    rates[(currency.name, bank_currency.name)] = Decimal(
                        str(currency._get_conversion_rate(currency, bank_currency, company, today))
                    )
        return items, customers, rates

    def _ar_set_matched(self, state, rule, proposal=None, explanation=None):
        self.ensure_one()
        self.write(
            {
                "ar_match_state": state,
                "ar_match_rule_id": rule.id if rule else False,
                "ar_match_score": proposal.score if proposal else 100.0,
                "ar_match_reasons": proposal.reasons if proposal else False,
                "ar_match_explanation": explanation
                or (self.env["ar.reconcile.suggestion"]._explain(proposal) if proposal else False),
                "ar_writeoff_amount": float(abs(proposal.writeoff)) if proposal else 0.0,
                "ar_matched_date": fields.Datetime.now(),
                "ar_matched_uid": self.env.uid,
            }
        )

    # ------------------------------------------------------------------
    # Applying a match: the suspense item replaced by receivable, write-off and credit items, reconciled
    # ------------------------------------------------------------------

    def _ar_apply(self, allocations, writeoff=Decimal(0), overpayment=Decimal(0), partner_id=None, rule=None):
        """Rewrite this line's journal entry: its suspense line becomes one receivable line per
        allocation (``[(receivable move line id, amount in the bank's currency)]``), a write-off line for
        ``writeoff`` (a shortfall) and a customer credit for ``overpayment``; each receivable line is then
        reconciled with its invoice's item. The invoices' items are locked first and checked still open,
        so two workers cannot pay the same invoice twice."""
        self.ensure_one()
        plan = {
            "line": self,
            "allocations": allocations,
            "writeoff": writeoff,
            "overpayment": overpayment,
            "partner_id": partner_id,
            "rule": rule,
        }
        self._ar_lock_items([plan])
        self._ar_write_plans([self._ar_plan_values(plan)])
        return True

    @api.model
    def _ar_lock_items(self, plans):
        """Lock the invoice items of these plans (another worker paying them waits, then sees them paid)."""
        item_ids = [item_id for plan in plans for item_id, _amount in plan["allocations"]]
        if item_ids:
            self.env.execute_query(
                SQL("SELECT id FROM account_move_line WHERE id = ANY(%s) ORDER BY id FOR UPDATE", item_ids)
            )
            self.env["account.move.line"].browse(item_ids).invalidate_recordset(
                ["amount_residual", "amount_residual_currency", "reconciled"]
            )

    def _ar_plan_values(self, plan, prefetch=None):
        """The journal items replacing this line's suspense item under ``plan``; raises when the plan
        no longer fits (line already matched, an invoice paid meanwhile, nothing to apply)."""
        self.ensure_one()
        allocations = plan["allocations"]
        items = self.env["account.move.line"].browse([item_id for item_id, _amount in allocations])
        if prefetch:
            items = items.with_prefetch(prefetch["items"])
        liquidity, suspense, other = self._seek_for_lines()
        if other or len(suspense) != 1:
            raise UserError(self.env._("Bank line %s is already matched.", self.payment_ref or self.id))
        currency = self._ar_currency()
        company_currency = self.company_id.currency_id
        self._ar_check_still_open(items, allocations, currency)
        partner_id = plan["partner_id"]
        partner = self.env["res.partner"].browse(partner_id) if partner_id else items.partner_id[:1]
        partner = partner.commercial_partner_id
        # What the bank's amount is worth in the company currency, per unit.
        ratio = (
            Decimal(str(liquidity.balance)) / Decimal(str(self.amount))
            if currency != company_currency
            else Decimal(1)
        )
        vals = []
        for item, (_item_id, amount) in zip(items, allocations, strict=True):
            if item.currency_id == currency:
                amount_currency = -amount
            elif amount >= self._ar_in_currency(
                abs(item.amount_residual_currency), item.currency_id
            ) * Decimal("0.98"):
                amount_currency = Decimal(str(-item.amount_residual_currency))
            else:
                amount_currency = -self._ar_convert(amount, currency, item.currency_id)
            vals.append(
                {
                    "account_id": item.account_id.id,
                    "partner_id": item.partner_id.id,
                    "name": item.move_id.name,
                    "currency_id": item.currency_id.id,
                    "amount_currency": float(amount_currency),
                    "balance": float(-amount * ratio),
                }
            )
        if plan["writeoff"]:
            vals += self._ar_writeoff_values(plan["rule"], plan["writeoff"], ratio)
        if plan["overpayment"]:
            if not partner:
                raise UserError(
                    self.env._("An overpayment is kept as a customer's credit: set the customer.")
                )
            vals.append(
                {
                    "account_id": partner.with_company(self.company_id).property_account_receivable_id.id,
                    "partner_id": partner.id,
                    "name": self.env._("Overpayment: customer credit (%s)", self.payment_ref or ""),
                    "currency_id": currency.id,
                    "amount_currency": float(-plan["overpayment"]),
                    "balance": float(-plan["overpayment"] * ratio),
                }
            )
        if not vals:
            raise UserError(self.env._("Nothing to apply to bank line %s.", self.payment_ref or self.id))
        self._ar_balance(vals, liquidity, currency)
        for value in vals:
            value["move_id"] = self.move_id.id
        return {
            "line": self,
            "partner": partner,
            "liquidity": liquidity,
            "suspense": suspense,
            "vals": vals,
            "items": items,
        }

    @api.model
    def _ar_write_plans(self, planned):
        """Write the journal items of many planned matches at once and reconcile them: one create, one
        unlink and one reconciliation plan for all, the balance of every entry checked at the end."""
        Aml = self.env["account.move.line"]
        to_partner = [
            entry for entry in planned if entry["partner"] and entry["line"].partner_id != entry["partner"]
        ]
        if to_partner:
            self.env.flush_all()
            moves = [entry["line"].move_id.id for entry in to_partner]
            partners = [entry["partner"].id for entry in to_partner]
            liquidity = [entry["liquidity"].id for entry in to_partner]
            # What the statement line's synchronisation would write, for all lines at once.
            for query in (
                "UPDATE account_move SET partner_id = data.partner, commercial_partner_id = data.partner "
                "FROM (SELECT unnest(%s::int[]) AS move, unnest(%s::int[]) AS partner) data "
                "WHERE account_move.id = data.move",
                "UPDATE account_bank_statement_line SET partner_id = data.partner "
                "FROM (SELECT unnest(%s::int[]) AS move, unnest(%s::int[]) AS partner) data "
                "WHERE account_bank_statement_line.move_id = data.move",
            ):
                self.env.execute_query(SQL(query, moves, partners))
            self.env.execute_query(
                SQL(
                    "UPDATE account_move_line SET partner_id = data.partner "
                    "FROM (SELECT unnest(%s::int[]) AS line, unnest(%s::int[]) AS partner) data "
                    "WHERE account_move_line.id = data.line",
                    liquidity,
                    partners,
                )
            )
            self.env["account.move"].invalidate_model(["partner_id", "commercial_partner_id"])
            self.env["account.bank.statement.line"].invalidate_model(["partner_id"])
            Aml.invalidate_model(["partner_id"])
        quiet = Aml.with_context(
            check_move_validity=False,
            skip_account_move_synchronization=True,
            skip_readonly_check=True,
            force_delete=True,
            tracking_disable=True,
        )
        moves = self.env["account.move"].browse([entry["line"].move_id.id for entry in planned])
        suspense = quiet.browse([entry["suspense"].id for entry in planned])
        if suspense.matched_debit_ids or suspense.matched_credit_ids or suspense.analytic_line_ids:
            raise UserError(
                self.env._("A suspense item is reconciled already: the lines are matched one by one.")
            )
        with moves._check_balanced({"records": moves}):
            # The suspense items carry nothing else (no reconciliation, no analytics): one DELETE for all;
            # the items created next make Odoo recompute the entries' totals and the lines' state.
            self.env.flush_all()
            self.env.execute_query(SQL("DELETE FROM account_move_line WHERE id = ANY(%s)", suspense.ids))
            self.env.invalidate_all()
            created = quiet.create([value for entry in planned for value in entry["vals"]])
        pairs = []
        position = 0
        for entry in planned:
            for offset, item in enumerate(entry["items"]):
                pairs.append(created[position + offset] + item)
            position += len(entry["vals"])
        Aml._reconcile_plan(pairs)

    def _ar_check_still_open(self, items, allocations, currency):
        """Refuse a match whose invoice items were paid, cancelled or reduced meanwhile."""
        for item, (_item_id, amount) in zip(items, allocations, strict=True):
            if item.reconciled or item.parent_state != "posted" or item.company_id != self.company_id:
                raise StaleMatchError(
                    self.env._("%s is no longer open: the match was not applied.", item.move_id.name)
                )
            if item.currency_id == currency and amount > Decimal(str(abs(item.amount_residual_currency))):
                raise StaleMatchError(
                    self.env._(
                        "%(invoice)s has %(open)s open, less than the %(amount)s matched to it.",
                        invoice=item.move_id.name,
                        open=item.amount_residual_currency,
                        amount=amount,
                    )
                )

    def _ar_balance(self, vals, liquidity, currency):
        """Round the new lines and put a rounding difference on the last one so the entry balances."""
        company_currency = self.company_id.currency_id
        for value in vals:
            value["balance"] = float_round(value["balance"], precision_rounding=company_currency.rounding)
            value["amount_currency"] = float_round(
                value["amount_currency"],
                precision_rounding=self.env["res.currency"].browse(value["currency_id"]).rounding,
            )
        applied = -sum(Decimal(str(value["balance"])) for value in vals)
        difference = Decimal(str(liquidity.balance)) - applied
        if not company_currency.is_zero(float(difference)):
            if currency == company_currency and abs(difference) > Decimal("0.01") * len(vals):
                raise UserError(
                    self.env._(
                        "Bank line %(line)s: the match applies %(applied)s of %(amount)s.",
                        line=self.payment_ref or self.id,
                        applied=applied,
                        amount=liquidity.balance,
                    )
                )
            vals[-1]["balance"] = float(Decimal(str(vals[-1]["balance"])) - difference)
            if vals[-1]["currency_id"] == company_currency.id:
                vals[-1]["amount_currency"] = vals[-1]["balance"]

    def _ar_writeoff_values(self, rule, writeoff, ratio):
        """Lines booking a shortfall of ``writeoff`` (tax included) to the rule's write-off account."""
        if not rule or not rule.writeoff_account_id:
            raise UserError(
                self.env._(
                    "A difference of %s would be written off, but no write-off account is set.", writeoff
                )
            )
        return rule._writeoff_line_values(writeoff, ratio, self._ar_currency())

    def _ar_convert(self, amount, from_currency, to_currency):
        rate = from_currency._get_conversion_rate(from_currency, to_currency, self.company_id, self.date)
        return Decimal(str(to_currency.round(float(amount) * rate)))

    def _ar_in_currency(self, amount, item_currency):
        """``amount`` of ``item_currency`` in the bank's currency at the line's date."""
        return self._ar_convert(Decimal(str(amount)), item_currency, self._ar_currency())

    def _ar_book_by_rule(self, rule):
        """Book each line whole to the rule's account (bank interest, charges)."""
        counts = {"reconciled": 0, "suggested": 0, "unmatched": 0}
        for line in self:
            if not rule.auto_validate:
                line.write(
                    {
                        "ar_match_state": "suggested",
                        "ar_match_rule_id": rule.id,
                        "ar_match_explanation": self.env._(
                            "Rule %(rule)s would book it to %(account)s.",
                            rule=rule.name,
                            account=rule.writeoff_account_id.display_name,
                        ),
                    }
                )
                counts["suggested"] += 1
                continue
            liquidity, suspense, other = line._seek_for_lines()
            if other or len(suspense) != 1:
                continue
            with self.env.cr.savepoint():
                line.move_id.with_context(skip_readonly_check=True, force_delete=True).write(
                    {
                        "line_ids": [Command.unlink(suspense.id)]
                        + [
                            Command.create(value)
                            for value in line._ar_writeoff_values(
                                rule,
                                -Decimal(str(line.amount)),
                                Decimal(str(liquidity.balance)) / Decimal(str(line.amount)),
                            )
                        ]
                    }
                )
                line._ar_set_matched(
                    "booked",
                    rule,
                    explanation=self.env._(
                        "Booked to %(account)s by rule %(rule)s.",
                        account=rule.writeoff_account_id.display_name,
                        rule=rule.name,
                    ),
                )
            counts["reconciled"] += 1
        return counts
