import hashlib
import json
from decimal import Decimal

from odoo import fields, models
from odoo.exceptions import UserError

from ..engine.parse import parse_statement_file
from ..engine.statement import StatementFileError, fingerprint, normalize_account


def occurrence_fingerprints(transactions):
    """The fingerprint of each transaction with its occurrence number among equal ones (two identical
    payments on one day are two payments; the same two read again keep the same keys)."""
    counts, keys = {}, []
    for tx in transactions:
        base = fingerprint(tx)
        counts[base] = counts.get(base, 0) + 1
        keys.append(f"{base}:{counts[base]}")
    return keys


def _json_safe(value):
    return json.loads(json.dumps(value, default=str)) if value is not None else None


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

    def ar_import_statement_file(self, data, filename):
        """Import a camt.053/054 or MT940/942 file into this bank journal (and the statements of the
        company's other bank accounts it holds into their journals). All or nothing: bad input raises
        ``UserError`` naming what is wrong and where, and creates nothing. Returns the created statement
        lines; an empty recordset when this file was already imported."""
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
        lines = self.env["account.bank.statement.line"]
        duplicates = 0
        created_statements = self.env["account.bank.statement"]
        gaps = []
        for journal, statement in targets:
            new_lines, dupes, bank_statement, gap = journal._ar_create_statement(statement, filename)
            lines |= new_lines
            duplicates += dupes
            created_statements |= bank_statement
            if gap:
                gaps.append(gap)
        counts = lines._ar_match_on_arrival()
        self.env["ar.bank.statement.import"].create(
            {
                "reconciled_count": counts["reconciled"],
                "suggested_count": counts["suggested"],
                "unmatched_count": counts["unmatched"],
                "journal_id": self.id,
                "filename": filename,
                "file_hash": file_hash,
                "file_format": "camt" if data.lstrip()[:1] == b"<" else "MT940",
                "statement_ids": [(6, 0, created_statements.ids)],
                "line_count": len(lines),
                "duplicate_count": duplicates,
                "skipped_accounts": ", ".join(skipped) or False,
                "gap_message": "\n".join(gaps) or False,
            }
        )
        return lines

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

    def _ar_known_transactions(self, transactions):
        """The bank ids and fingerprints among ``transactions`` already booked in this journal."""
        ids = [tx.bank_reference for tx in transactions if tx.bank_reference]
        prints = occurrence_fingerprints(transactions)
        known = self.env["account.bank.statement.line"].search_fetch(
            [
                ("journal_id", "=", self.id),
                "|",
                ("ar_import_id", "in", ids),
                ("ar_fingerprint", "in", prints),
            ],
            ["ar_import_id", "ar_fingerprint"],
        )
        return set(known.mapped("ar_import_id")) - {False}, set(known.mapped("ar_fingerprint")) - {False}

    def _ar_new_transactions(self, transactions):
        """``[(transaction, fingerprint)]`` of those not booked yet in this journal, and the count of the
        others (known by the bank's id or by fingerprint)."""
        known_ids, known_prints = self._ar_known_transactions(transactions)
        new, duplicates, seen = [], 0, set()
        for tx, print_ in zip(transactions, occurrence_fingerprints(transactions), strict=True):
            if (
                (tx.bank_reference and tx.bank_reference in known_ids)
                or print_ in known_prints
                or (tx.bank_reference and tx.bank_reference in seen)
            ):
                duplicates += 1
                continue
            seen.add(tx.bank_reference)
            new.append((tx, print_))
        return new, duplicates

    def _ar_statement_line_values(self, tx, source, print_):
        return {
            "journal_id": self.id,
            "date": tx.booking_date,
            "amount": float(tx.amount),
            "payment_ref": tx.remittance or tx.counterparty_name or "/",
            "partner_name": tx.counterparty_name or False,
            "account_number": tx.counterparty_iban or False,
            "transaction_type": tx.transaction_type or False,
            "ar_import_id": tx.bank_reference or False,
            "ar_fingerprint": print_,
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
                }
            ),
        }

    def _ar_create_statement(self, statement, filename):
        """Create the statement and its new lines; returns ``(lines, duplicates, statement, gap message)``."""
        new, duplicates = self._ar_new_transactions(statement.transactions)
        values = [self._ar_statement_line_values(tx, "file", print_) for tx, print_ in new]
        gap = self._ar_gap(statement)
        bank_statement = self.env["account.bank.statement"]
        lines = self.env["account.bank.statement.line"]
        if values:
            lines = self._ar_create_lines(values)
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
                    "line_ids": [(6, 0, lines.ids)],
                }
            )
        return lines, duplicates, bank_statement, gap

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
