"""Round trip of random statements (issue 14): written as camt.053 and as MT940, parsed, imported.

Random statements of one account (Decimal amounts, dates, counterparties and titles with Polish letters and
separators, camt batches, repeated identical payments, placeholders and shared references as the bank's
references) are written by the small writers below, in the shapes banks use (camt.053.001.02 with
``TxDtls`` per payment of a batch; MT940 with Polish ``~``-structured ``:86:``). Properties:

* the parsers give back every payment: amount, date, counterparty, account and title;
* the import books every payment once (nothing lost, nothing doubled) and the statements' balances hold;
* importing the same statements again (a new file: other message id) adds nothing, and neither does the
  same statements in the other format.

Examples are few and derandomized (the same ones every run, no example database, no shrinking of the
imports' examples): the suite stays fast and CI never flaky.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..engine.parse import parse_statement_file
from ..engine.statement import normalize_account, pl_iban_from_bban
from .test_statement_import import StatementImportCommon

ACCOUNT = "PL61109010140000071219812874"
PLACEHOLDERS = ("NONREF", "NOTPROVIDED", "NONE", "N/A", "0000000", "")
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZąćęłńóśźżĄĆĘŁŃÓŚŹŻ0123456789"
SEPARATORS = "/-.,;:+()&'"
FIRST_DAY = date(2026, 3, 2)

# ---------------------------------------------------------------- the random statements


@dataclass(frozen=True)
class Payment:
    day: date
    amount: Decimal  # signed from our side
    name: str
    iban: str
    title: str
    reference: str  # "unique", "shared" or a placeholder: the bank's reference is made from it
    end_to_end: str  # "unique" or "NOTPROVIDED"


@dataclass(frozen=True)
class Entry:
    payments: tuple[Payment, ...]  # more than one: a camt batch (one :61: each in MT940)


@dataclass(frozen=True)
class Stmt:
    number: int
    day: date
    opening: Decimal
    entries: tuple[Entry, ...]

    @property
    def payments(self):
        return [payment for entry in self.entries for payment in entry.payments]

    @property
    def closing(self):
        return self.opening + sum((payment.amount for payment in self.payments), Decimal(0))


def _words(max_words):
    word = st.text(alphabet=LETTERS, min_size=1, max_size=9)
    piece = st.tuples(word, st.sampled_from(["", *SEPARATORS])).map("".join)
    return st.lists(piece, min_size=1, max_size=max_words).map(" ".join)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250000"), places=2)
ibans = st.one_of(
    st.just(""),
    st.tuples(
        st.text("0123456789", min_size=8, max_size=8), st.text("0123456789", min_size=16, max_size=16)
    ).map(lambda parts: pl_iban_from_bban(*parts)),
)
references = st.sampled_from(("unique", "unique", "shared", *PLACEHOLDERS))


@st.composite
def payments(draw, day, sign):
    return Payment(
        day=day,
        amount=sign * draw(amounts),
        name=draw(_words(4)).strip()[:50],
        iban=draw(ibans),
        title=draw(_words(12)).strip()[:130],
        reference=draw(references),
        end_to_end=draw(st.sampled_from(("unique", "NOTPROVIDED"))),
    )


@st.composite
def entries(draw, day):
    sign = draw(st.sampled_from((1, -1)))
    size = draw(st.sampled_from((1, 1, 1, 2, 3)))
    return Entry(tuple(draw(payments(day, sign)) for _ in range(size)))


@st.composite
def statements(draw, max_entries=6):
    """One or two consecutive daily statements of the account, balances chained, with repeated
    identical payments (same day, amount, counterparty and title) among the entries."""
    result, opening = [], draw(st.decimals(min_value=-5000, max_value=100000, places=2))
    for number in range(draw(st.integers(1, 2))):
        day = FIRST_DAY + timedelta(days=number)
        found = draw(st.lists(entries(day), min_size=1, max_size=max_entries))
        for index in draw(st.lists(st.integers(0, len(found) - 1), max_size=2)):
            found.append(found[index])  # the same payment(s) once more, references made anew below
        statement = Stmt(number + 1, day, opening, tuple(found))
        result.append(statement)
        opening = statement.closing
    return _with_references(result)


def _with_references(result):
    """Real references made unique per payment; "shared" ones shared by all that drew it."""
    counter = iter(range(1, 10_000))
    done = []
    for statement in result:
        entries_ = []
        for entry in statement.entries:
            made = []
            for payment in entry.payments:
                number = next(counter)
                reference = {"unique": f"BR{statement.number:02}{number:06}", "shared": "TT26030200042"}.get(
                    payment.reference, payment.reference
                )
                e2e = f"E2E-{number}" if payment.end_to_end == "unique" else "NOTPROVIDED"
                made.append(replace(payment, reference=reference, end_to_end=e2e))
            entries_.append(Entry(tuple(made)))
        done.append(replace(statement, entries=tuple(entries_)))
    return done


# ---------------------------------------------------------------- the writers


def write_camt053(statements_, message_id="MSG-1") -> bytes:
    def amount(value):
        return f"{abs(value):.2f}"

    def side(value):
        return "CRDT" if value >= 0 else "DBIT"

    def balance(code, value, day):
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy='PLN'>{amount(value)}</Amt>"
            f"<CdtDbtInd>{side(value)}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
        )

    def details(payment, batch):
        party = "Dbtr" if payment.amount >= 0 else "Cdtr"
        account = f"<{party}Acct><Id><IBAN>{payment.iban}</IBAN></Id></{party}Acct>" if payment.iban else ""
        amounts_ = (
            f"<AmtDtls><TxAmt><Amt Ccy='PLN'>{amount(payment.amount)}</Amt></TxAmt></AmtDtls>"
            f"<Amt Ccy='PLN'>{amount(payment.amount)}</Amt><CdtDbtInd>{side(payment.amount)}</CdtDbtInd>"
            if batch
            else ""
        )
        return (
            f"<TxDtls><Refs><AcctSvcrRef>{escape(payment.reference)}</AcctSvcrRef>"
            f"<EndToEndId>{payment.end_to_end}</EndToEndId></Refs>{amounts_}"
            f"<RltdPties><{party}><Nm>{escape(payment.name)}</Nm></{party}>{account}</RltdPties>"
            f"<RmtInf><Ustrd>{escape(payment.title)}</Ustrd></RmtInf></TxDtls>"
        )

    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>",
        f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-03-10T06:00:00</CreDtTm></GrpHdr>",
    ]
    for statement in statements_:
        parts.append(
            f"<Stmt><Id>2026/{statement.number:03}</Id><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>PLN</Ccy>"
            f"</Acct>{balance('OPBD', statement.opening, statement.day)}"
            f"{balance('CLBD', statement.closing, statement.day)}"
        )
        for entry in statement.entries:
            total = sum((payment.amount for payment in entry.payments), Decimal(0))
            batch = len(entry.payments) > 1
            parts.append(
                f"<Ntry><Amt Ccy='PLN'>{amount(total)}</Amt><CdtDbtInd>{side(total)}</CdtDbtInd>"
                f"<Sts>BOOK</Sts><BookgDt><Dt>{statement.day.isoformat()}</Dt></BookgDt>"
                f"<ValDt><Dt>{statement.day.isoformat()}</Dt></ValDt><NtryDtls>"
                + (f"<Btch><NbOfTxs>{len(entry.payments)}</NbOfTxs></Btch>" if batch else "")
                + "".join(details(payment, batch) for payment in entry.payments)
                + "</NtryDtls></Ntry>"
            )
        parts.append("</Stmt>")
    parts.append("</BkToCstmrStmt></Document>\n")
    return "\n".join(parts).encode()


def _chunks(text, width, count):
    pieces = [text[i : i + width] for i in range(0, len(text), width)][:count]
    return pieces or [""]


def write_mt940(statements_, reference="ST260302") -> bytes:
    def amount(value):
        return f"{abs(value):.2f}".replace(".", ",")

    def mark(value):
        return "C" if value >= 0 else "D"

    lines = []
    for statement in statements_:
        yymmdd = statement.day.strftime("%y%m%d")
        lines += [
            f":20:{reference}",
            f":25:/{ACCOUNT}",
            f":28C:{statement.number:05}/1",
            f":60F:{mark(statement.opening)}{yymmdd}PLN{amount(statement.opening)}",
        ]
        for payment in statement.payments:
            code = "152" if payment.amount >= 0 else "641"
            lines.append(
                f":61:{yymmdd}{payment.day.strftime('%m%d')}{mark(payment.amount)}{amount(payment.amount)}"
                f"N{code}NONREF//{payment.reference}"
            )
            lines.append(f"{code} 0")
            body = [f":86:{code}~00{code}Przelew"]
            body += [f"~{20 + i}{piece}" for i, piece in enumerate(_chunks(payment.title, 27, 6))]
            if payment.iban:
                body += [f"~30{payment.iban[4:12]}", f"~31{payment.iban[12:]}"]
            body += [f"~{32 + i}{piece}" for i, piece in enumerate(_chunks(payment.name, 27, 2))]
            if payment.iban:
                body.append(f"~38{payment.iban}")
            lines += body
        lines.append(f":62F:{mark(statement.closing)}{yymmdd}PLN{amount(statement.closing)}")
        lines.append("-")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


WRITERS = {"camt": write_camt053, "mt940": write_mt940}


def _same_text(value):
    return " ".join((value or "").split())


# ---------------------------------------------------------------- parsers: every payment comes back


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(statements(), st.sampled_from(sorted(WRITERS)))
def test_the_parsers_give_back_every_payment(statements_, file_format):
    parsed = parse_statement_file(WRITERS[file_format](statements_), f"roundtrip.{file_format}")
    assert len(parsed) == len(statements_)
    for written, read in zip(statements_, parsed, strict=True):
        assert read.account_iban == ACCOUNT
        assert (read.opening_balance, read.closing_balance) == (written.opening, written.closing)
        assert len(read.transactions) == len(written.payments)
        for payment, tx in zip(written.payments, read.transactions, strict=True):
            assert (tx.booking_date, tx.amount) == (payment.day, payment.amount)
            assert normalize_account(tx.counterparty_iban) == payment.iban
            assert _same_text(tx.counterparty_name) == _same_text(payment.name)
            assert _same_text(tx.remittance) == _same_text(payment.title)


# ---------------------------------------------------------------- the import: nothing lost, nothing doubled


# No shrinking: each example imports three files; a failure is reported with the example as generated.
IMPORT_PHASES = (Phase.explicit, Phase.reuse, Phase.generate)


class _RolledBack(Exception):
    """Ends an example: what it imported is rolled back."""


@tagged("post_install", "-at_install")
class TestImportRoundTrip(StatementImportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal.ar_auto_reconcile = False  # the import alone: the matching has its own tests

    def _lines(self):
        return self.env["account.bank.statement.line"].search([("journal_id", "=", self.journal.id)])

    def _import(self, data, filename):
        self.journal.ar_import_statement_file(data, filename)
        return self.env["ar.bank.statement.import"].search(
            [("journal_id", "=", self.journal.id), ("filename", "=", filename)]
        )

    def _check(self, statements_, first, second):
        payments_ = [payment for statement in statements_ for payment in statement.payments]
        record = self._import(WRITERS[first](statements_), f"first.{first}")
        lines = self._lines()
        self.assertEqual((record.line_count, record.duplicate_count), (len(payments_), 0))
        self.assertEqual(
            sorted(Decimal(str(amount)) for amount in lines.mapped("amount")),
            sorted(payment.amount for payment in payments_),
            "every payment booked once",
        )
        for statement in record.statement_ids:
            self.assertAlmostEqual(statement.balance_end, statement.balance_end_real, places=2)
        self.assertFalse(record.gap_message)
        # The same statements in a new file, then in the other format: nothing new.
        again = self._import(WRITERS[first](statements_, "AGAIN"), f"again.{first}")
        other = self._import(WRITERS[second](statements_), f"other.{second}")
        for record in (again, other):
            self.assertEqual(
                (record.line_count, record.duplicate_count), (0, len(payments_)), record.filename
            )
            self.assertEqual(len(record.skipped_ids.duplicate_line_id), len(payments_))
        self.assertEqual(self._lines(), lines)

    def _run(self, statements_, first, second):
        try:
            with self.env.cr.savepoint():
                self._check(statements_, first, second)
                raise _RolledBack
        except _RolledBack:
            pass
        finally:
            self.env.invalidate_all()

    @settings(
        max_examples=4,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
        phases=IMPORT_PHASES,
    )
    @given(statements(max_entries=3))
    def test_camt_then_camt_again_then_mt940(self, statements_):
        self._run(statements_, "camt", "mt940")

    @settings(
        max_examples=4,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
        phases=IMPORT_PHASES,
    )
    @given(statements(max_entries=3))
    def test_mt940_then_mt940_again_then_camt(self, statements_):
        self._run(statements_, "mt940", "camt")
