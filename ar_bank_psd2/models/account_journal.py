import hashlib
import json
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..engine.balances import balance_problem
from ..engine.identity import REPEATED_IN_FILE, SAME_ID, Booked, classify, identify
from ..engine.parse import parse_statement_file
from ..engine.statement import StatementFileError, normalize_account


def _json_safe(value):
    return json.loads(json.dumps(value, default=str)) if value is not None else None


class StatementBalanceError(UserError):
    """A statement of the file does not add up (opening + movements != closing): nothing was imported."""


class AccountJournal(models.Model):
    _inherit = "account.journal"

    ar_import_ids = fields.One2many("ar.bank.statement.import", "journal_id", string="Imported Files")
    ar_auto_reconcile = fields.Boolean(
        string="Match Payments on Arrival",
        default=True,
        help="Apply the reconciliation rules to the transactions as soon as they are imported or pulled "
        "from the bank (otherwise the hourly job does).",
    )

    def _ar_account_key(self):
        return normalize_account(self.bank_account_id.acc_number or "")

    @api.private
    def ar_import_statement_file(self, data, filename, balance_reason=None):
        """Import a camt.053/054 or MT940/942 file into this bank journal (and the statements of the
        company's other bank accounts it holds into their journals). All or nothing: bad input raises
        ``UserError`` naming what is wrong and where, and creates nothing; a statement whose balances do
        not add up raises :class:`StatementBalanceError` unless ``balance_reason`` says why to import it
        anyway. Returns the created statement lines; an empty recordset when this file was already
        imported. The import record lists the lines created and every transaction skipped as already
        booked, with the line it duplicates and why."""
        self.ensure_one()
        if self.type != "bank":
            raise UserError(
                self.env._("%s is not a bank journal: statements are imported into bank journals.", self.name)
            )
        data = bytes(data or b"")
        file_hash = hashlib.sha256(data).hexdigest()
        if self.env["ar.bank.statement.import"].search_count(
            [("journal_id", "=", self.id), ("file_hash", "=", file_hash)], limit=1
        ):
            return self.env["account.bank.statement.line"]
        try:
            statements = parse_statement_file(data, filename)
        except StatementFileError as error:
            raise UserError(self.env._("%(file)s: %(error)s", file=filename, error=error)) from error
        if not statements:
            raise UserError(self.env._("%s holds no statement.", filename))
        targets, skipped_accounts = self._ar_targets(statements, filename)
        balance_message = self._ar_check_balances(targets, filename, balance_reason)
        scheme = "camt" if data.lstrip()[:1] == b"<" else "mt940"
        lines = self.env["account.bank.statement.line"]
        created_statements = self.env["account.bank.statement"]
        gaps, skipped = [], []
        by_journal = {}
        for journal, statement in targets:
            by_journal.setdefault(journal, []).append(statement)
        for journal, journal_statements in by_journal.items():
            result = journal._ar_import_statements(journal_statements, filename, scheme)
            lines |= result["lines"]
            created_statements |= result["statements"]
            gaps += result["gaps"]
            skipped += result["skipped"]
        counts = lines._ar_match_on_arrival()
        record = (
            self.env["ar.bank.statement.import"]
            .with_context(mail_create_nolog=True)
            .create(
                {
                    "reconciled_count": counts["reconciled"],
                    "suggested_count": counts["suggested"],
                    "unmatched_count": counts["unmatched"],
                    "journal_id": self.id,
                    "filename": filename,
                    "file_hash": file_hash,
                    "file_format": "camt" if scheme == "camt" else "MT940",
                    "statement_ids": [Command.set(created_statements.ids)],
                    "line_count": len(lines),
                    "duplicate_count": len(skipped),
                    "skipped_ids": [Command.create(values) for values in skipped],
                    "skipped_accounts": ", ".join(skipped_accounts) or False,
                    "gap_message": "\n".join(gaps) or False,
                    "balance_message": balance_message or False,
                    "balance_override_reason": balance_reason if balance_message else False,
                }
            )
        )
        if balance_message:
            record._ar_log_balance_override(balance_message, balance_reason)
        return lines

    def _ar_targets(self, statements, filename):
        """``([(journal, statement)], [accounts without a journal])``; raises when none is this journal's or
        a statement's currency is not its journal's."""
        journals = self._ar_journals_by_account()
        targets, skipped = [], []
        for statement in statements:
            journal = journals.get(normalize_account(statement.account_iban))
            if journal:
                targets.append((journal, statement))
            else:
                skipped.append(statement.account_iban or self.env._("(no account)"))
        if not any(journal == self for journal, _statement in targets):
            raise UserError(
                self.env._(
                    "%(file)s holds no statement of %(journal)s's account %(account)s; "
                    "its accounts: %(accounts)s.",
                    file=filename,
                    journal=self.name,
                    account=self.bank_account_id.acc_number or self.env._("(none set on the journal)"),
                    accounts=", ".join(sorted({s.account_iban for s in statements})),
                )
            )
        for journal, statement in targets:
            journal._ar_check_currency(statement, filename)
        return targets, skipped

    def _ar_check_balances(self, targets, filename, balance_reason):
        """The statements that do not add up, as text; raises :class:`StatementBalanceError` naming them
        unless ``balance_reason`` is given."""
        problems = [problem for _journal, statement in targets if (problem := balance_problem(statement))]
        if not problems:
            return ""
        message = "\n".join(
            self.env._(
                "%(file)s, account %(account)s, statement %(statement)s: opening balance %(opening)s + "
                "movements %(movements)s (%(count)s transactions) = %(sum)s, but the closing balance is "
                "%(closing)s %(currency)s: a difference of %(difference)s.",
                file=filename,
                account=problem.account,
                statement=problem.statement_id or self.env._("(no id)"),
                opening=f"{problem.opening:f}",
                movements=f"{problem.movements:f}",
                count=problem.count,
                sum=f"{problem.opening + problem.movements:f}",
                closing=f"{problem.closing:f}",
                currency=problem.currency,
                difference=f"{problem.difference:f}",
            )
            for problem in problems
        )
        if not (balance_reason or "").strip():
            raise StatementBalanceError(
                self.env._(
                    "The balances do not add up, so transactions may be missing; nothing was imported.\n"
                    "%(problems)s\nImport the file anyway only with a reason (for a file known to be "
                    "inconsistent).",
                    problems=message,
                )
            )
        return message

    def _ar_journals_by_account(self):
        journals = self.search([("type", "=", "bank"), ("company_id", "=", self.company_id.id)])
        return {journal._ar_account_key(): journal for journal in journals if journal.bank_account_id}

    def _ar_check_currency(self, statement, filename):
        currency = self.currency_id or self.company_id.currency_id
        codes = {statement.currency} | {tx.currency for tx in statement.transactions}
        wrong = sorted(code for code in codes if code and code != currency.name)
        if wrong:
            raise UserError(
                self.env._(
                    "%(file)s: the statement of %(account)s is in %(wrong)s but journal %(journal)s is in "
                    "%(currency)s.",
                    file=filename,
                    account=statement.account_iban,
                    wrong=", ".join(wrong),
                    journal=self.name,
                    currency=currency.name,
                )
            )

    # ------------------------------------------------------------------ the duplicate rule

    def _ar_known_transactions(self, identities):
        """The lines of this journal that share a bank id or an occurrence fingerprint with ``identities``,
        as the duplicate rule reads them (:class:`~..engine.identity.Booked`)."""
        ids = [identity.value for identity in identities if identity.has_id]
        prints = [identity.fingerprint for identity in identities]
        known = self.env["account.bank.statement.line"].search_fetch(
            [
                ("journal_id", "=", self.id),
                "|",
                ("ar_import_id", "in", ids),
                ("ar_fingerprint", "in", prints),
            ],
            ["amount", "ar_import_id", "ar_fingerprint", "transaction_details"],
            order="id",
        )
        booked = []
        for line in known:
            bank_id = (line.transaction_details or {}).get("bank_id") or {}
            booked.append(
                Booked(
                    line_id=line.id,
                    amount=Decimal(str(line.amount)),
                    import_id=line.ar_import_id or "",
                    fingerprint=line.ar_fingerprint or "",
                    id_scheme=bank_id.get("scheme", ""),
                    id_kind=bank_id.get("kind", ""),
                    id_value=bank_id.get("value", ""),
                )
            )
        return booked

    def _ar_new_transactions(self, transactions, scheme, statements=None):
        """The duplicate rule (engine/identity.py) applied to ``transactions`` of this journal's account:
        ``[(transaction, verdict)]`` in their order. ``statements`` gives each transaction's statement
        (transactions repeated from an earlier statement of the same file are skipped)."""
        identities = identify(transactions, scheme, statements)
        verdicts = classify(transactions, identities, self._ar_known_transactions(identities))
        return list(zip(transactions, verdicts, strict=True))

    def _ar_statement_line_values(self, tx, source, verdict):
        identity = verdict.identity
        bank_id = (
            {"scheme": identity.scheme, "kind": identity.kind, "value": identity.value}
            if identity.has_id
            else None
        )
        return {
            "journal_id": self.id,
            "date": tx.booking_date,
            "amount": float(tx.amount),
            "payment_ref": tx.remittance or tx.counterparty_name or "/",
            "partner_name": tx.counterparty_name or False,
            "account_number": tx.counterparty_iban or False,
            "transaction_type": tx.transaction_type or False,
            "ar_import_id": verdict.store_id or False,
            "ar_fingerprint": identity.fingerprint,
            "ar_end_to_end_id": tx.end_to_end_id or False,
            "ar_structured_ref": tx.structured_reference or False,
            "ar_source": source,
            "transaction_details": _json_safe(
                {
                    "raw": tx.raw,
                    "mpp": tx.mpp,
                    "value_date": tx.value_date,
                    "line": tx.line_no,
                    "referred": [[number, amount] for number, amount in tx.referred_documents] or None,
                    "bank_id": bank_id,
                }
            ),
        }

    def _ar_import_statements(self, statements, filename, scheme):
        """Create this journal's statements of one file with their new lines. Returns a dict: ``lines``,
        ``statements`` (created), ``gaps`` (messages) and ``skipped`` (values of the skipped-transaction
        records, each with the line it duplicates and why)."""
        transactions = [tx for statement in statements for tx in statement.transactions]
        owners = [index for index, statement in enumerate(statements) for _tx in statement.transactions]
        verdicts = self._ar_new_transactions(transactions, scheme, owners)
        lines = self.env["account.bank.statement.line"]
        created = self.env["account.bank.statement"]
        gaps = []
        for index, statement in enumerate(statements):
            new = [
                (tx, verdict)
                for (tx, verdict), owner in zip(verdicts, owners, strict=True)
                if owner == index and verdict.is_new
            ]
            statement_lines, bank_statement, gap = self._ar_create_statement(statement, filename, new)
            lines |= statement_lines
            created |= bank_statement
            gaps += [gap] if gap else []
        repeats = any(verdict.reason == REPEATED_IN_FILE for _tx, verdict in verdicts)
        by_print = {line.ar_fingerprint: line.id for line in lines} if repeats else {}
        skipped = [
            self._ar_skipped_values(tx, verdict, by_print) for tx, verdict in verdicts if not verdict.is_new
        ]
        return {"lines": lines, "statements": created, "gaps": gaps, "skipped": skipped}

    def _ar_skipped_values(self, tx, verdict, created_by_print):
        """Values of an ``ar.bank.skipped.transaction``: the transaction, why it was skipped, the line it
        duplicates and the line values to create if the user imports it anyway."""
        identity = verdict.identity
        if verdict.reason == REPEATED_IN_FILE:
            line_id = created_by_print.get(identity.fingerprint)
            reason = self.env._(
                "Repeated in this file: an earlier statement of the file holds the same transaction (same "
                "bank id %(kind)s %(id)s, same date, amount, counterparty and title).",
                kind=identity.kind,
                id=identity.value,
            )
        elif verdict.reason == SAME_ID:
            line_id = verdict.line_id
            reason = self.env._(
                "Already booked: the line has the same bank id (%(kind)s %(id)s) and the same amount.",
                kind=identity.kind,
                id=identity.value,
            )
        else:
            line_id = verdict.line_id
            reason = self.env._(
                "Already booked: the line has the same date, amount, counterparty and title, and this is "
                "payment no. %(occurrence)s of that kind in the file; %(ids)s.",
                occurrence=identity.fingerprint.rpartition(":")[2],
                ids=self.env._("bank id %(kind)s %(id)s", kind=identity.kind, id=identity.value)
                if identity.has_id
                else self.env._("no usable bank id (none, a placeholder or shared with other transactions)"),
            )
        values = self._ar_statement_line_values(tx, "file", verdict)
        values["date"] = fields.Date.to_string(tx.booking_date)
        return {
            "journal_id": self.id,
            "date": tx.booking_date,
            "amount": float(tx.amount),
            "payment_ref": values["payment_ref"],
            "partner_name": tx.counterparty_name or False,
            "account_number": tx.counterparty_iban or False,
            "bank_id": f"{identity.kind} {identity.value}" if identity.has_id else False,
            "reason": reason,
            "duplicate_line_id": line_id or False,
            "line_values": values,
        }

    def _ar_create_statement(self, statement, filename, new):
        """Create the statement with its new lines (``[(transaction, verdict)]``); returns ``(lines,
        statement, gap message)``: no statement when no line is new."""
        values = [self._ar_statement_line_values(tx, "file", verdict) for tx, verdict in new]
        # A statement that brings nothing new was booked before: it is no gap in the journal's sequence.
        gap = self._ar_gap(statement) if values else ""
        bank_statement = self.env["account.bank.statement"]
        lines = self.env["account.bank.statement.line"]
        if values:
            # The statement first, its lines created in it: attaching lines afterwards rewrites every
            # line and journal item once more.
            bank_statement = bank_statement.create(
                {
                    "name": statement.statement_id or filename,
                    "journal_id": self.id,
                    "balance_start": float(statement.opening_balance)
                    if statement.opening_balance is not None
                    else 0.0,
                    "balance_end_real": float(statement.closing_balance)
                    if statement.closing_balance is not None
                    else 0.0,
                }
            )
            lines = self._ar_create_lines([dict(vals, statement_id=bank_statement.id) for vals in values])
        return lines, bank_statement, gap

    def _ar_create_lines(self, values):
        """Create statement lines in one batch, without the chatter bookkeeping nobody reads on them."""
        return (
            self.env["account.bank.statement.line"]
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_notrack=True, mail_create_nosubscribe=True
            )
            ._ar_bulk_create(values)
            .with_context(self.env.context)
        )

    def _ar_gap(self, statement):
        """A message when the statement's opening balance differs from what the journal holds before it."""
        if statement.opening_balance is None:
            return ""
        previous = self.env["account.bank.statement"].search(
            [("journal_id", "=", self.id)], order="date desc, id desc", limit=1
        )
        if not previous:
            return ""
        expected = Decimal(str(previous.balance_end_real))
        if expected == statement.opening_balance:
            return ""
        return self.env._(
            "%(account)s: the statement opens at %(opening)s but the previous one (%(previous)s) closed at "
            "%(closing)s: transactions may be missing.",
            account=statement.account_iban,
            opening=statement.opening_balance,
            previous=previous.name,
            closing=expected,
        )
