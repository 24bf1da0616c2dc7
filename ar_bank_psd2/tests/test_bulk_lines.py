from datetime import date

from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

# Columns that differ between two lines by nature (ids, names, audit) rather than by how they were made.
PER_RECORD = {
    "id",
    "move_id",
    "statement_line_id",
    "name",
    "move_name",
    "sequence_number",
    "internal_index",
    "create_date",
    "write_date",
    "ar_import_id",
    "ar_fingerprint",
}


@tagged("post_install", "-at_install")
class TestBulkStatementLines(ArTestCommon):
    """Lines created in bulk are, column by column, what Odoo's own create makes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal = cls.company_data["default_journal_bank"]

    def _values(self, count, day=date(2026, 11, 20), start=0):
        return [
            {
                "journal_id": self.journal.id,
                "date": day,
                "amount": (-1) ** index * (100 + index * 1.5),
                "payment_ref": f"Zapłata FV/2026/{index:05d}",
                "partner_name": f"Firma {index}",
                "account_number": "PL61109010140000071219812874" if index % 2 else False,
                "transaction_type": "PMNT-RCDT-ESCT",
                "transaction_details": {"raw": f"<Ntry>{index}</Ntry>", "mpp": None},
                "ar_import_id": f"B{start + index}",
                "ar_fingerprint": f"F{start + index}",
                "ar_source": "file",
            }
            for index in range(count)
        ]

    def _rows(self, table, column, ids):
        self.env.flush_all()
        self.env.cr.execute(f"SELECT * FROM {table} WHERE {column} = ANY(%s) ORDER BY {column}, id", [ids])
        names = [description[0] for description in self.env.cr.description]
        return [dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()]

    def _comparable(self, row):
        return {key: value for key, value in row.items() if key not in PER_RECORD}

    def test_bulk_lines_equal_odoo_lines_column_by_column(self):
        Line = self.env["account.bank.statement.line"]
        values = self._values(30)
        bulk = Line._ar_bulk_create(values)
        orm = Line.create(self._values(30, start=100))
        self.assertEqual(len(bulk), 30)
        for table, column, bulk_ids, orm_ids in (
            ("account_bank_statement_line", "id", bulk.ids, orm.ids),
            ("account_move", "id", bulk.move_id.ids, orm.move_id.ids),
            ("account_move_line", "move_id", bulk.move_id.ids, orm.move_id.ids),
        ):
            bulk_rows = [self._comparable(row) for row in self._rows(table, column, bulk_ids)]
            orm_rows = [self._comparable(row) for row in self._rows(table, column, orm_ids)]
            self.assertEqual(len(bulk_rows), len(orm_rows), table)
            for index, (got, expected) in enumerate(zip(bulk_rows, orm_rows, strict=True)):
                self.assertEqual(got, expected, f"{table} row {index}")

    def test_bulk_lines_of_a_foreign_currency_account_equal_odoo_lines(self):
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 0.25), ("2026-11-20", 0.2)])
        self.journal = self.env["account.journal"].create(
            {"name": "Bank EUR", "type": "bank", "code": "BEUR", "currency_id": eur.id}
        )
        self.test_bulk_lines_equal_odoo_lines_column_by_column()

    def test_lines_without_amount_are_created_by_odoo_with_the_others(self):
        values = self._values(25)
        values[3]["amount"] = 0.0
        lines = self.env["account.bank.statement.line"]._ar_bulk_create(values)
        self.assertEqual(len(lines), 25)
        self.assertEqual(sorted(lines.mapped("amount")), sorted(vals["amount"] for vals in values))
        self.assertEqual(len(set(lines.move_id.mapped("name"))), 25)

    def test_names_follow_the_journal_sequence_without_gaps_across_periods(self):
        Line = self.env["account.bank.statement.line"]
        lines = Line._ar_bulk_create(
            self._values(25, day=date(2026, 12, 30)) + self._values(25, day=date(2027, 1, 2), start=50)
        )
        names = lines.sorted("id").move_id.mapped("name")
        self.assertEqual(len(set(names)), 50)
        self.assertEqual(sorted(n for n in names if "/2026/" in n)[-1][-5:], f"{25:05d}")
        self.assertEqual(sorted(n for n in names if "/2027/" in n)[-1][-5:], f"{25:05d}")
        after = Line.create(self._values(1, day=date(2027, 1, 3), start=200))
        self.assertTrue(after.move_id.name.endswith("00026"), after.move_id.name)
        self.assertTrue(all(line.move_id.state == "posted" for line in lines))
        self.assertEqual(lines.mapped("is_reconciled"), [False] * 50)

    def test_bulk_lines_can_be_reconciled_and_undone(self):
        invoice = self._posted_invoice(100, "2026-11-02", self.partner_a)
        values = self._values(25)
        values[0].update({"amount": 100.0, "payment_ref": invoice.name})
        lines = self.env["account.bank.statement.line"]._ar_bulk_create(values)
        line = lines.filtered(lambda ln: ln.payment_ref == invoice.name)
        self.assertEqual(line.ar_auto_reconcile()["reconciled"], 1)
        self.assertEqual(invoice.payment_state, "paid")
        line.action_ar_undo()
        self.assertEqual(invoice.payment_state, "not_paid")
        statement = self.env["account.bank.statement"].create(
            {"name": "S", "journal_id": self.journal.id, "line_ids": [(6, 0, lines.ids)]}
        )
        self.assertAlmostEqual(statement.balance_end - statement.balance_start, sum(lines.mapped("amount")))
