"""Benchmark of cash application in Odoo, end to end (issue 8).

    .venv/bin/python bench/bench_cash_application.py [--invoices 20000] [--customers 2000] [--lines 5000]
                                                     [--db bench_cash]

Builds (or updates) a database with ar_bank_psd2, then in one transaction, rolled back at the end:

* generates ``--customers`` customers (half with a known IBAN) and ``--invoices`` open invoices by SQL;
* writes a camt.053 of ``--lines`` incoming payments of known truth: the invoice number quoted as is,
  without its slashes or with a typo, two invoices in one transfer, a bank fee deducted, a partial
  payment, an overpayment, no reference from a known account, and unrelated credits;
* times the matching alone (``_ar_engine_data`` and the engine on every line; target <= 5 s for 5,000
  lines against 20,000 invoices);
* imports the file with ``journal.ar_import_statement_file``, which creates the statement lines and
  applies the rules (``ar_auto_reconcile``): target >= 50 lines/s end to end;
* checks every automatic reconciliation against the truth: precision target >= 99.5 %, and the share of
  matchable payments reconciled automatically.
"""

import argparse
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_bank import ensure_database, open_env  # noqa: E402

IBAN = "PL61109010140000071219812874"
CASES = (
    ("exact", 50),
    ("no_slashes", 10),
    ("typo", 5),
    ("two_invoices", 7),
    ("bank_fee", 5),
    ("partial", 4),
    ("overpayment", 3),
    ("iban_only", 8),
    ("unrelated", 8),
)


def generate_invoices(env, n_invoices, n_customers):
    """Customers (every other one with a bank account) and their posted open invoices, by SQL."""
    from odoo.tools import SQL  # noqa: PLC0415

    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    env.flush_all()
    partner_ids = [
        row[0]
        for row in env.execute_query(
            SQL(
                """
            INSERT INTO res_partner (name, is_company, active, type, autopost_bills, lang, create_date,
                                     write_date)
            SELECT 'Firma ' || g || ' Sp. z o.o.', TRUE, TRUE, 'contact', 'ask', 'pl_PL', now(), now()
              FROM generate_series(1, %s) g
            RETURNING id
            """,
                n_customers,
            )
        )
    ]
    env.cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", partner_ids))
    ibans = {
        partner_id: f"PL{10 + index % 89:02d}1090{index:020d}" for index, partner_id in enumerate(partner_ids)
    }
    env.cr.execute(
        SQL(
            """
        INSERT INTO res_partner_bank (acc_number, sanitized_acc_number, partner_id, active, allow_out_payment,
                                      create_date, write_date)
        SELECT iban, iban, partner_id, TRUE, FALSE, now(), now()
          FROM unnest(%s::int[], %s::varchar[]) AS t(partner_id, iban)
        """,
            list(ibans),
            list(ibans.values()),
        )
    )
    rows = env.execute_query(
        SQL(
            """
        INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type, auto_post,
                                  date, invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                                  payment_state, amount_total, amount_total_signed, amount_residual,
                                  amount_residual_signed, amount_untaxed, amount_untaxed_signed, amount_tax,
                                  amount_tax_signed, payment_reference, create_date, write_date)
        SELECT 'FV/2026/' || lpad(g::text, 5, '0'), %(journal)s, %(company)s, %(currency)s, 'posted',
               'out_invoice', 'no', current_date - 40, current_date - 40, current_date - 10,
               p.id, p.id, 'not_paid', a.amount, a.amount, a.amount, a.amount, a.amount, a.amount, 0, 0,
               'FV/2026/' || lpad(g::text, 5, '0'), now(), now()
          FROM generate_series(1, %(n)s) g
          JOIN LATERAL (SELECT (%(partners)s::int[])[1 + (g - 1) %% %(customers)s] AS id) p ON TRUE
          JOIN LATERAL (SELECT round((100 + (g * 7919) %% 99000 / 7.0)::numeric, 2) AS amount) a ON TRUE
        RETURNING id, name, partner_id, amount_total
        """,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            n=n_invoices,
            partners=partner_ids,
            customers=n_customers,
        )
    )
    env.cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, date, date_maturity,
                                       parent_state, display_type, balance, debit, credit, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled, create_date,
                                       write_date)
        SELECT m.id, m.name, m.journal_id, m.company_id, m.currency_id, m.currency_id, %s, m.partner_id,
               m.date, m.invoice_date_due, 'posted', 'payment_term', m.amount_total, m.amount_total, 0,
               m.amount_total, m.amount_total, m.amount_total, FALSE, now(), now()
          FROM account_move m WHERE m.id = ANY(%s)
        """,
            receivable.id,
            [row[0] for row in rows],
        )
    )
    income = env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1
    )
    env.cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, date, parent_state,
                                       display_type, name, quantity, price_unit, price_subtotal,
                                       price_total, balance, debit, credit, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled,
                                       create_date, write_date)
        SELECT m.id, m.name, m.journal_id, m.company_id, m.currency_id, m.currency_id, %s, m.partner_id,
               m.date, 'posted', 'product', 'Usługi', 1, m.amount_total, m.amount_total, m.amount_total,
               -m.amount_total, 0, m.amount_total, -m.amount_total, 0, 0, FALSE, now(), now()
          FROM account_move m WHERE m.id = ANY(%s)
        """,
            income.id,
            [row[0] for row in rows],
        )
    )
    env.cr.execute("ANALYZE account_move")
    env.cr.execute("ANALYZE account_move_line")
    env.invalidate_all()
    items = dict(
        env.execute_query(
            SQL(
                "SELECT move_id, id FROM account_move_line WHERE move_id = ANY(%s) AND account_id = %s",
                [row[0] for row in rows],
                receivable.id,
            )
        )
    )
    invoices = [
        {
            "move_id": move_id,
            "item_id": items[move_id],
            "name": name,
            "partner_id": partner_id,
            "amount": round(float(amount), 2),
        }
        for move_id, name, partner_id, amount in rows
    ]
    return invoices, ibans


def payments(invoices, known_ibans, n_lines, seed=7):
    """``[(amount, title, payer name, payer iban, truth item ids, case)]``, each invoice paid at most once.
    ``known_ibans`` maps the customers whose account is known to it; the others pay from new accounts."""
    rng = random.Random(seed)
    names, weights = zip(*CASES, strict=True)
    by_partner = {}
    for invoice in invoices:
        by_partner.setdefault(invoice["partner_id"], []).append(invoice)
    partners = list(by_partner)
    used = set()

    def take(partner_id=None, known=False):
        """An unused invoice (of ``partner_id``, or of a customer with a known account)."""
        for _attempt in range(1000):
            partner = partner_id or rng.choice(partners)
            if known and partner not in known_ibans:
                continue
            unused = [inv for inv in by_partner[partner] if inv["move_id"] not in used]
            if unused:
                invoice = rng.choice(unused)
                used.add(invoice["move_id"])
                return invoice
            if partner_id:
                return None
        raise RuntimeError("not enough invoices for the payments asked")

    result = []
    for index in range(n_lines):
        case = rng.choices(names, weights)[0]
        if case == "unrelated":
            title = rng.choice(["KAPITALIZACJA ODSETEK", "Zwrot nadpłaty", "Przelew własny", "FV/2025/99999"])
            result.append((round(rng.uniform(5, 900), 2), title, "Inny Podmiot S.A.", "", set(), case))
            continue
        invoice = take(known=case == "iban_only")
        partner_id = invoice["partner_id"]
        payer = f"FIRMA {partner_id} SP Z O O"
        iban = known_ibans.get(partner_id) or f"PL{10 + index % 89:02d}2490{index:020d}"
        amount, title, others = _paid(case, invoice, take, rng)
        truth = {invoice["item_id"], *(other["item_id"] for other in others)}
        result.append((amount, title, payer, iban, truth, case))
    return result


def _paid(case, invoice, take, rng):
    """``(amount, title, other invoices paid)`` of a payment of ``invoice`` in the way ``case`` says."""
    number, amount = invoice["name"], invoice["amount"]
    if case == "no_slashes":
        return amount, f"Faktura {number.replace('/', '')}", []
    if case == "typo":
        head, _slash, tail = number.rpartition("/")
        return amount, f"zaplata {head}/{tail.replace('0', 'O', 1) if '0' in tail else tail + '-'}", []
    if case == "two_invoices":
        other = take(invoice["partner_id"])
        if other:
            return round(amount + other["amount"], 2), f"Zapłata za {number} i {other['name']}", [other]
    if case == "bank_fee":
        return round(amount - rng.choice((1.0, 2.5, 3.99)), 2), f"Przelew {number}", []
    if case == "partial":
        return round(amount * 0.4, 2), f"Wpłata częściowa {number}", []
    if case == "overpayment":
        return round(amount + 50, 2), number, []
    if case == "iban_only":
        return amount, "Płatność za usługi", []
    return amount, f"Zapłata za fakturę {number}", []


def camt(lines):
    entries = []
    for index, (amount, title, payer, iban, _truth, _case) in enumerate(lines, start=1):
        account = f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>" if iban else ""
        entries.append(
            f"""<Ntry><Amt Ccy="PLN">{amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{date.today() - timedelta(days=1)}</Dt></BookgDt><AcctSvcrRef>CASH{index:06d}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr>{account}</RltdPties>
<RmtInf><Ustrd>{escape(title)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>{date.today()}T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>BENCH-CASH</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>PLN</Ccy></Acct>
{"".join(entries)}
</Stmt></BkToCstmrStmt></Document>""".encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--db", default="bench_cash")
    parser.add_argument("--profile", help="write a cProfile of the import to this file")
    args = parser.parse_args()
    ensure_database(args.db)
    env, cr = open_env(args.db)
    try:
        pln = env.ref("base.PLN")
        pln.active = True
        company = env["res.company"].create({"name": "Bench Cash Sp. z o.o.", "currency_id": pln.id})
        env = env(context={"allowed_company_ids": [company.id]})
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        company.currency_id = pln  # the generic chart sets USD
        journal = env["account.journal"].create(
            {
                "name": "Bench cash application",
                "type": "bank",
                "code": "BCA",
                "bank_account_id": env["res.partner.bank"]
                .create({"acc_number": IBAN, "partner_id": company.partner_id.id})
                .id,
            }
        )
        rule = env.ref("ar_bank_psd2.ar_reconcile_rule_customer_payments")
        rule.write(
            {
                "writeoff_account_id": company.expense_account_id.id
                or env["account.account"].search([("account_type", "=", "expense")], limit=1).id,
                "writeoff_tolerance": 5.0,
                "writeoff_tolerance_percent": 1.0,
            }
        )
        start = time.perf_counter()
        invoices, ibans = generate_invoices(env, args.invoices, args.customers)
        print(f"generated {len(invoices)} open invoices in {time.perf_counter() - start:.1f} s", flush=True)
        lines = payments(invoices, ibans, args.lines)
        data = camt(lines)

        from odoo.addons.ar_bank_psd2.engine.matching import BankLine, Settings, match_lines  # noqa: PLC0415
        from odoo.addons.ar_bank_psd2.engine.statement import normalize_account  # noqa: PLC0415

        # Matching alone, on the same payments as bank lines not saved.

        start = time.perf_counter()
        items, customers, rates = (
            env["account.bank.statement.line"].with_company(company)._ar_engine_data(company)
        )
        bank_lines = [
            BankLine(
                id=index,
                amount=Decimal(f"{amount:.2f}"),
                currency="PLN",
                date=date.today(),
                remittance=title,
                counterparty_name=payer,
                counterparty_iban=normalize_account(iban),
            )
            for index, (amount, title, payer, iban, _truth, _case) in enumerate(lines)
        ]
        match_lines(bank_lines, items, customers, Settings(), limit=3, rates=rates)
        matching = time.perf_counter() - start
        print(
            f"matching: {len(bank_lines)} lines against {len(items)} open items in {matching:.2f} s "
            f"[target <= 5 s: {'PASS' if matching <= 5 else 'FAIL'}]",
            flush=True,
        )

        start = time.perf_counter()
        profiler = None
        if args.profile:
            import cProfile  # noqa: PLC0415

            profiler = cProfile.Profile()
            profiler.enable()
        imported = journal.ar_import_statement_file(data, "bench-cash.xml")
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        env.flush_all()
        seconds = time.perf_counter() - start
        rate = len(imported) / seconds
        record = env["ar.bank.statement.import"].search([("journal_id", "=", journal.id)], limit=1)
        print(
            f"import + automatic reconciliation: {len(imported)} lines in {seconds:.1f} s = "
            f"{rate:.0f} lines/s [target >= 50/s: {'PASS' if rate >= 50 else 'FAIL'}]; "
            f"reconciled {record.reconciled_count}, "
            f"suggested {record.suggested_count}, unmatched {record.unmatched_count}",
            flush=True,
        )
        by_ref = {line.ar_import_id: line for line in imported}
        auto = correct = matchable = matched_matchable = 0
        per_case = Counter()
        for index, (_amount, _title, _payer, _iban, truth, case) in enumerate(lines, start=1):
            line = by_ref[f"CASH{index:06d}"]
            per_case[(case, "n")] += 1
            matchable += bool(truth)
            if line.ar_match_state != "reconciled":
                continue
            auto += 1
            per_case[(case, "auto")] += 1
            applied = set(line.move_id.line_ids.matched_debit_ids.debit_move_id.ids)
            if applied == truth:
                correct += 1
                per_case[(case, "ok")] += 1
                matched_matchable += 1
        failures = Counter(
            (line.ar_match_explanation or "")[:90]
            for line in imported
            if line.ar_match_explanation and line.ar_match_explanation.startswith("The match could not")
        )
        for message, count in failures.most_common(3):
            print(f"not applied ({count}): {message}")
        precision = 100.0 * correct / auto if auto else 100.0
        share = 100.0 * matched_matchable / matchable if matchable else 0.0
        print(f"{'case':<14}{'lines':>7}{'auto':>7}{'correct':>9}")
        for case, _weight in CASES:
            counts = (per_case[(case, "n")], per_case[(case, "auto")], per_case[(case, "ok")])
            print(f"{case:<14}{counts[0]:>7}{counts[1]:>7}{counts[2]:>9}")
        print(
            f"precision of automatic matches: {precision:.2f} % ({correct}/{auto}) "
            f"[target >= 99.5 %: {'PASS' if precision >= 99.5 else 'FAIL'}]"
        )
        print(
            f"matchable payments reconciled automatically: {share:.1f} % ({matched_matchable}/{matchable}) "
            f"[target >= 90 %: {'PASS' if share >= 90 else 'FAIL'}]"
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
