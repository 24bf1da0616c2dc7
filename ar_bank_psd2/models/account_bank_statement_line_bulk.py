"""Statement lines created in bulk.

Odoo creates a statement line as a journal entry written and posted record by record (a few dozen queries
each): a statement of thousands of transactions takes minutes. Here the first line of each sequence
period is created by Odoo itself; every other line of that period is a copy of it made in SQL, its own
values (date, amount, texts, sequence number) replacing the copied ones. Copying Odoo's own rows keeps
every column that Odoo and the installed modules set (the test suite compares a bulk line with one that
Odoo created, column by column).

The copy bypasses the ORM, so it is fenced: the system parameter ``ar_bank_psd2.bulk_statement_lines`` set
to ``0`` makes every line go through Odoo's ``create`` (the cash-application tests run both ways), and
``tests/test_bulk_lines_fence.py`` fails when the copied tables have a column the copy was not reviewed for.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, str2bool

MAXINT = 2147483647
# The values an import gives a line that the copy can take as they are.
BULK_FIELDS = frozenset(
    {
        "journal_id",
        "date",
        "amount",
        "payment_ref",
        "partner_name",
        "account_number",
        "transaction_type",
        "transaction_details",
        "ar_import_id",
        "ar_fingerprint",
        "ar_end_to_end_id",
        "ar_structured_ref",
        "ar_source",
        "statement_id",
    }
)
BULK_MINIMUM = 20
# "0" (or "False"): no SQL copies, every line is created by Odoo's create.
BULK_PARAMETER = "ar_bank_psd2.bulk_statement_lines"
ANALYZE_MINIMUM = 1000


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    @api.model
    def _ar_bulk_create(self, vals_list):
        """Create these statement lines (of one journal) as Odoo would, in a few queries per sequence
        period; falls back to Odoo's ``create`` where the copy would not be exact (few lines, a foreign
        amount, a sequence format of its own, other values) and everywhere when the system parameter
        ``ar_bank_psd2.bulk_statement_lines`` is ``0``."""
        if not self._ar_bulk_enabled():
            return self.create(vals_list)
        journal = self.env["account.journal"].browse({vals["journal_id"] for vals in vals_list})
        statement_ids = {vals.get("statement_id") or False for vals in vals_list}
        if len(journal) != 1 or len(statement_ids) != 1 or any(set(vals) - BULK_FIELDS for vals in vals_list):
            return self.create(vals_list)
        if not all(vals.get("amount") for vals in vals_list):
            # A line of no amount has no item to copy the amounts from: Odoo creates those.
            zero = [vals for vals in vals_list if not vals.get("amount")]
            rest = [vals for vals in vals_list if vals.get("amount")]
            return self._ar_bulk_create(rest) | self.create(zero) if rest else self.create(zero)
        if len(vals_list) < BULK_MINIMUM:
            return self.create(vals_list)
        periods = defaultdict(list)
        first = self.create(vals_list[:1])
        reset = first.move_id._deduce_sequence_number_reset(first.move_id.name)
        if reset not in ("never", "year", "month"):
            return first | self.create(vals_list[1:])
        period = self._ar_period_key(reset)
        periods[period(first.date)].append(first)
        created = [first]
        for vals in vals_list[1:]:
            periods[period(fields.Date.to_date(vals["date"]))].append(vals)
        for members in periods.values():
            template = members[0] if isinstance(members[0], models.BaseModel) else None
            rest = members[1:] if template else members
            if not template:
                template = self.create(rest[:1])
                created.append(template)
                rest = rest[1:]
            if rest:
                created.append(template._ar_copy_line(rest))
        lines = self.browse([line_id for records in created for line_id in records.ids])
        self.env.invalidate_all()
        # The copies' statement (the same for all: the template's, copied to their journal items) has
        # its balances, date and first line to recompute.
        self.env["account.bank.statement"].browse(statement_ids - {False}).modified(["line_ids"])
        if len(lines) >= ANALYZE_MINIMUM:
            # Thousands of new rows the planner does not know of yet (autovacuum sees them only once
            # committed): without fresh statistics it may join them as if the tables were empty.
            # A small sample is enough to tell the planner how big the tables are now.
            self.env.execute_query(SQL("SET LOCAL default_statistics_target = 10"))
            self.env.execute_query(SQL("ANALYZE account_move, account_move_line"))
            self.env.execute_query(SQL("SET LOCAL default_statistics_target TO DEFAULT"))
        return lines

    @api.model
    def _ar_bulk_enabled(self):
        value = self.env["ir.config_parameter"].sudo().get_param(BULK_PARAMETER, "1")
        return str2bool(value.strip() or "1", default=True)

    @staticmethod
    def _ar_period_key(reset):
        if reset == "year":
            return lambda day: day.year
        if reset == "month":
            return lambda day: (day.year, day.month)
        return lambda day: None

    def _ar_copy_line(self, vals_list):
        """Lines like this one (created by Odoo) with these values, their entries numbered after it."""
        self.ensure_one()
        self.env.flush_all()
        move = self.move_id
        sequence_format, format_values = move._get_sequence_format_param(move.name)
        last = self.env.execute_query(
            SQL(
                "SELECT MAX(sequence_number) FROM account_move "
                "WHERE journal_id = %s AND sequence_prefix = %s",
                move.journal_id.id,
                move.sequence_prefix,
            )
        )[0][0]
        numbers = list(range(last + 1, last + 1 + len(vals_list)))
        names = [sequence_format.format(**{**format_values, "seq": number}) for number in numbers]
        move_ids = self._ar_reserve_ids("account_move", len(vals_list))
        line_ids = self._ar_reserve_ids("account_bank_statement_line", len(vals_list))
        dates = [str(vals["date"]) for vals in vals_list]
        amounts = [vals["amount"] for vals in vals_list]
        balances = self._ar_company_amounts(vals_list)
        magnitudes = [abs(balance) for balance in balances]
        currency_magnitudes = [abs(amount) for amount in amounts]
        # One statement inserts the entries and their lines: each refers to the other, and the foreign
        # keys are checked once both are in.
        insert_moves = self._ar_insert_copy_sql(
            "account_move",
            move.id,
            {
                "name": SQL("data.name"),
                "sequence_number": SQL("data.number"),
                "date": SQL("data.day"),
                "statement_line_id": SQL("data.line"),
                "amount_total": SQL("data.currency_magnitude"),
                "amount_total_signed": SQL("data.magnitude"),
                "amount_total_in_currency_signed": SQL("data.currency_magnitude"),
            },
            SQL(
                "unnest(%s::int[], %s::varchar[], %s::int[], %s::date[], %s::int[], %s::numeric[], "
                "%s::numeric[]) AS data(id, name, number, day, line, magnitude, currency_magnitude)",
                move_ids,
                names,
                numbers,
                dates,
                line_ids,
                magnitudes,
                currency_magnitudes,
            ),
        )
        insert_lines = self._ar_line_copies_sql(vals_list, move_ids, line_ids)
        self.env.execute_query(SQL("WITH moves AS (%s) %s", insert_moves, insert_lines))
        self._ar_insert_item_copies(move_ids, line_ids, names, dates, amounts, balances, vals_list)
        return self.browse(line_ids)

    def _ar_line_copies_sql(self, vals_list, move_ids, line_ids):
        fields = sorted({name for vals in vals_list for name in vals} - {"journal_id"})
        overrides = {
            "move_id": SQL("data.move"),
            "amount_residual": SQL("-data.amount"),
            "internal_index": SQL(
                "to_char(data.day, 'YYYYMMDD') || lpad((%s - template.sequence)::text, 10, '0') "
                "|| lpad(data.id::text, 10, '0')",
                MAXINT,
            ),
        }
        columns = [SQL("unnest(%s::int[])", line_ids), SQL("unnest(%s::int[])", move_ids)]
        names = ["id", "move"]
        for name in fields:
            field = self._fields[name]
            values = [vals.get(name) for vals in vals_list]
            if field.type == "json":
                values = [field.convert_to_column(value, self) for value in values]
                columns.append(SQL("unnest(%s::jsonb[])", values))
            elif name == "date":
                columns.append(SQL("unnest(%s::date[])", [str(value) for value in values]))
                names.append("day")
                continue
            elif field.type in ("float", "monetary"):
                columns.append(SQL("unnest(%s::numeric[])", values))
            elif field.type == "many2one":
                columns.append(SQL("unnest(%s::int[])", [value or None for value in values]))
            else:
                columns.append(SQL("unnest(%s::varchar[])", [value or None for value in values]))
            names.append(name)
            if name == "amount":
                overrides[name] = SQL("data.amount")
            else:
                overrides[name] = SQL("data.%s", SQL.identifier(name))
        if "date" not in fields:
            columns.append(SQL("unnest(%s::date[])", [str(self.date)] * len(vals_list)))
            names.append("day")
        source = SQL(
            "(SELECT %s) AS data(%s)",
            SQL(", ").join(columns),
            SQL(", ").join(SQL.identifier(name) for name in names),
        )
        return self._ar_insert_copy_sql("account_bank_statement_line", self.id, overrides, source)

    def _ar_company_amounts(self, vals_list):
        """Each line's amount in the company currency, converted as Odoo converts it (the rate of the
        line's date, rounded in the company currency)."""
        journal = self.journal_id
        company_currency = journal.company_id.currency_id
        journal_currency = journal.currency_id or company_currency
        if journal_currency == company_currency:
            return [vals["amount"] for vals in vals_list]
        rates = {}
        for vals in vals_list:
            day = fields.Date.to_date(vals["date"])
            if day not in rates:
                rates[day] = journal_currency._get_conversion_rate(
                    journal_currency, company_currency, journal.company_id, day
                )
        return [
            company_currency.round(vals["amount"] * rates[fields.Date.to_date(vals["date"])])
            for vals in vals_list
        ]

    def _ar_insert_item_copies(self, move_ids, line_ids, names, dates, amounts, balances, vals_list):
        """The liquidity and suspense items of each new entry, copies of this line's two items."""
        liquidity, suspense, _other = self._seek_for_lines()
        labels = [vals.get("payment_ref") or "" for vals in vals_list]
        for template, sign in ((liquidity, 1), (suspense, -1)):
            ratio = template.amount_residual / template.balance if template.balance else 0.0
            item_ids = self._ar_reserve_ids("account_move_line", len(move_ids))
            self._ar_insert_copy(
                "account_move_line",
                template.id,
                {
                    "move_id": SQL("data.move"),
                    "statement_line_id": SQL("data.line"),
                    "move_name": SQL("data.name"),
                    "name": SQL("data.label"),
                    "date": SQL("data.day"),
                    "balance": SQL("data.balance"),
                    "amount_currency": SQL("data.amount"),
                    "debit": SQL("GREATEST(data.balance, 0)"),
                    "credit": SQL("GREATEST(-data.balance, 0)"),
                    "price_subtotal": SQL("data.amount"),
                    "price_total": SQL("data.amount"),
                    "amount_residual": SQL("data.balance * %s", ratio),
                    "amount_residual_currency": SQL("data.amount * %s", ratio),
                },
                SQL(
                    "unnest(%s::int[], %s::int[], %s::int[], %s::varchar[], %s::varchar[], %s::date[], "
                    "%s::numeric[], %s::numeric[]) "
                    "AS data(id, move, line, name, label, day, amount, balance)",
                    item_ids,
                    move_ids,
                    line_ids,
                    names,
                    labels,
                    dates,
                    [sign * amount for amount in amounts],
                    [sign * balance for balance in balances],
                ),
            )

    def _ar_reserve_ids(self, table, count):
        return [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    table,
                    count,
                )
            )
        ]

    def _ar_insert_copy(self, table, template_id, overrides, source):
        self.env.execute_query(self._ar_insert_copy_sql(table, template_id, overrides, source))

    def _ar_insert_copy_sql(self, table, template_id, overrides, source):
        """``INSERT INTO table`` one copy of row ``template_id`` per row of ``source`` (which has an ``id``
        column: the new rows' ids, reserved beforehand), ``overrides`` giving the expressions of the
        columns that differ."""
        columns = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND table_schema = current_schema() ORDER BY ordinal_position",
                    table,
                )
            )
        ]
        expressions = [
            SQL("data.id")
            if column == "id"
            else overrides.get(column, SQL("template.%s", SQL.identifier(column)))
            for column in columns
        ]
        return SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s, %s AS template WHERE template.id = %s",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL(", ").join(expressions),
            source,
            SQL.identifier(table),
            template_id,
        )
