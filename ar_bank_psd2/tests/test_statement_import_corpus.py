"""Every statement file of the corpus (tests/corpus, see its SOURCES) imported into bank journals: each of its
transactions booked exactly once, the sums and the balances as the file states them, nothing added again.

The expected figures come from ``corpus/expected.json`` (read from the files without our parsers).
"""

import json
from decimal import Decimal
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

from ..engine.parse import parse_statement_file
from ..engine.statement import normalize_account

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
REASON = "A published sample whose balances do not add up (edited by its publisher)."
# Files the import refuses, with a part of the message it must give: Goldman Sachs' sample books two
# entries of its USD account in EUR (Ntry/Amt Ccy="EUR"), which no USD journal can hold.
REFUSED = {"camt053_goldman_us.xml": "the statement of DD01100056869 is in EUR but journal"}


class _RolledBack(Exception):
    """Ends a file's savepoint so that the next file starts from a clean company."""


@tagged("post_install", "-at_install")
class TestStatementImportCorpus(ArTestCommon):
    def test_every_corpus_file_imports_each_transaction_once(self):
        for name in sorted(EXPECTED):
            with self.subTest(file=name):
                try:
                    with self.env.cr.savepoint():
                        self._check_file(name, EXPECTED[name])
                        raise _RolledBack
                except _RolledBack:
                    pass

    def _check_file(self, name, expected):
        data = (CORPUS / name).read_bytes()
        journals = self._journals(parse_statement_file(data, name))
        first = next(iter(journals.values()))
        reason = None if expected["balanced"] else REASON
        if name in REFUSED:
            with self.assertRaisesRegex(UserError, REFUSED[name]):
                first.ar_import_statement_file(data, name, balance_reason=reason)
            return
        lines = first.ar_import_statement_file(data, name, balance_reason=reason)

        booked = self.env["account.bank.statement.line"].search(
            [("journal_id", "in", [journal.id for journal in journals.values()])]
        )
        self.assertEqual(booked, lines)
        self.assertEqual(len(booked), expected["transactions"])
        amounts = [Decimal(str(amount)) for amount in booked.mapped("amount")]
        self.assertEqual(sum(amount for amount in amounts if amount > 0), Decimal(expected["credits"]))
        self.assertEqual(-sum(amount for amount in amounts if amount < 0), Decimal(expected["debits"]))

        record = self.env["ar.bank.statement.import"].search([("journal_id", "=", first.id)])
        self.assertEqual((record.line_count, record.duplicate_count), (expected["transactions"], 0))
        self.assertEqual(bool(record.balance_message), not expected["balanced"])
        balances = {
            (Decimal(opening), Decimal(closing))
            for opening, closing in zip(expected["opening"], expected["closing"], strict=True)
            if opening is not None and closing is not None
        }
        for statement in booked.statement_id if balances else ():
            pair = (Decimal(str(statement.balance_start)), Decimal(str(statement.balance_end_real)))
            self.assertIn(pair, balances, f"statement {statement.name}")

        self.assertFalse(
            first.ar_import_statement_file(data, f"again {name}"), "a second import adds nothing"
        )

    def _journals(self, statements):
        """A bank journal in the statement's currency for each account of the file, in the file's order."""
        journals, currencies = {}, {}
        for statement in statements:
            account = normalize_account(statement.account_iban)
            if account in journals:
                continue
            currency = statement.currency or self.company.currency_id.name
            values = {
                "name": f"Corpus {len(journals)} {account}",
                "type": "bank",
                "code": f"K{len(journals):03d}",
                "company_id": self.company.id,
                "bank_account_id": self.env["res.partner.bank"]
                .create({"acc_number": account, "partner_id": self.company.partner_id.id})
                .id,
            }
            if currency != self.company.currency_id.name:
                if currency not in currencies:
                    currencies[currency] = self.setup_other_currency(currency)
                values["currency_id"] = currencies[currency].id
            journals[account] = self.env["account.journal"].create(values)
        return journals
