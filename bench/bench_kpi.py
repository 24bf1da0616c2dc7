"""Benchmark of the aging and KPI snapshot (issue 4).

    .venv/bin/python bench/bench_kpi.py [--items 500000] [--customers 20000] [--db bench_kpi]

Builds (or updates) a database with ar_automation installed, inserts with SQL customer invoices whose
receivable journal items (500,000, across 20,000 customers, due over the last 200 days and the next 30,
a tenth of them partly paid 10 days ago so the aging 30 days ago has to add the payments back) and
1,000,000 paid (reconciled) items of earlier years
and measures in one transaction:

* the aging totals as of today: ``ar.kpi._aging_totals``; target <= 1 s;
* the full KPI snapshot ``ar.kpi.ar_snapshot(today)`` (aging today and 90 days ago, credit sales by month,
  DSO, CEI, days late, disputes, error rate); target <= 2 s;
* the aging as of 30 days ago (partial reconciliations after that day added back);

and prints the query plan of the aging query (its index use). Everything is rolled back at the end.
"""

import argparse
import sys
import time
from pathlib import Path

import odoo_bench

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(db):
    odoo_bench.ensure_database(db, "ar_automation")


open_env = odoo_bench.open_env


def generate(env, n_items, n_customers, history):
    """One invoice per receivable item (amounts 100-1099), customers round-robin; one partial payment
    (a credit line reconciled 30 % of the invoice, 10 days ago) for every tenth invoice."""
    from odoo.tools import SQL  # noqa: PLC0415

    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    currency = company.currency_id.id
    env.flush_all()
    partners = [
        row[0]
        for row in env.execute_query(
            SQL(
                """INSERT INTO res_partner (name, active, type, is_company, autopost_bills,
                    create_date, write_date)
                   SELECT 'KPI Customer ' || g, TRUE, 'contact', TRUE, 'ask', now(), now()
                     FROM generate_series(1, %s) g RETURNING id""",
                n_customers,
            )
        )
    ]
    env.cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", partners))
    moves = [
        row[0]
        for row in env.execute_query(
            SQL(
                """
            INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type,
                auto_post, date,
                                      invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                                      payment_state, create_date, write_date)
            SELECT 'KPI/' || g, %(journal)s, %(company)s, %(currency)s, 'posted', 'out_invoice', 'no',
                   current_date - 230 + (g %% 200), current_date - 230 + (g %% 200),
                   current_date - 200 + (g %% 230), p.id, p.id, 'not_paid', now(), now()
              FROM generate_series(1, %(n)s) g
              JOIN LATERAL (SELECT (%(partners)s::int[])[1 + (g - 1) %% %(customers)s] AS id) p ON TRUE
            RETURNING id
            """,
                journal=journal.id,
                company=company.id,
                currency=currency,
                n=n_items,
                partners=partners,
                customers=n_customers,
            )
        )
    ]
    env.cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id,
            company_currency_id, currency_id,
                                       account_id, partner_id, date, date_maturity, parent_state,
                                           display_type,
                                       balance, debit, credit, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, create_date, write_date)
        SELECT m.id, m.name, m.journal_id, m.company_id, %(currency)s, %(currency)s, %(account)s,
            m.partner_id,
               m.date, m.invoice_date_due, 'posted', 'payment_term',
               a.amount, a.amount, 0, a.amount, a.amount, a.amount, FALSE, now(), now()
          FROM account_move m
          JOIN LATERAL (SELECT (100 + m.id %% 1000)::numeric AS amount) a ON TRUE
         WHERE m.id = ANY(%(moves)s)
        """,
            currency=currency,
            account=receivable.id,
            moves=moves,
        )
    )
    # Partial payments 10 days ago on every tenth invoice: a credit line and a partial reconciliation.
    env.cr.execute(
        SQL(
            """
        WITH paid AS (
            SELECT l.id, l.move_id, l.partner_id, l.balance * 0.3 AS amount, l.journal_id
              FROM account_move_line l WHERE l.move_id = ANY(%(moves)s) AND l.move_id %% 10 = 0
        ), credit AS (
            INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                           currency_id, account_id, partner_id, date, parent_state,
                                               display_type,
                                           balance, debit, credit, amount_currency, amount_residual,
                                           amount_residual_currency, reconciled, create_date, write_date)
            SELECT paid.move_id, 'KPI/PAY', paid.journal_id, %(company)s, %(currency)s, %(currency)s,
                   %(account)s, paid.partner_id, current_date - 10, 'posted', 'product',
                   -paid.amount, 0, paid.amount, -paid.amount, 0, 0, TRUE, now(), now()
              FROM paid
            RETURNING id, move_id, credit
        )
        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                               credit_amount_currency, company_id, debit_currency_id,
                                               credit_currency_id, max_date, create_date, write_date)
        SELECT paid.id, credit.id, credit.credit, credit.credit, credit.credit, %(company)s, %(currency)s,
               %(currency)s, current_date - 10, now(), now()
          FROM credit JOIN paid ON paid.move_id = credit.move_id
        """,
            moves=moves,
            company=company.id,
            currency=currency,
            account=receivable.id,
        )
    )
    env.cr.execute(
        SQL(
            """UPDATE account_move_line l SET amount_residual = l.balance * 0.7,
                amount_residual_currency = l.balance * 0.7
                WHERE l.move_id = ANY(%s) AND l.move_id %% 10 = 0 AND l.display_type = 'payment_term'""",
            moves,
        )
    )
    # Paid history: reconciled receivable items that the aging must skip through the unreconciled index.
    env.cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id,
            company_currency_id, currency_id,
                                       account_id, partner_id, date, date_maturity, parent_state,
                                           display_type,
                                       balance, debit, credit, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, create_date, write_date)
        SELECT (%(moves)s::int[])[1 + g %% %(n_moves)s], 'KPI/OLD', %(journal)s, %(company)s, %(currency)s,
               %(currency)s, %(account)s, (%(partners)s::int[])[1 + g %% %(customers)s],
               current_date - 400 - g %% 300, current_date - 370 - g %% 300, 'posted', 'payment_term',
               100, 100, 0, 100, 0, 0, TRUE, now(), now()
          FROM generate_series(1, %(history)s) g
        """,
            moves=moves,
            n_moves=len(moves),
            journal=journal.id,
            company=company.id,
            currency=currency,
            account=receivable.id,
            partners=partners,
            customers=n_customers,
            history=history,
        )
    )
    env.cr.execute("ANALYZE account_move_line")
    env.cr.execute("ANALYZE account_partial_reconcile")
    env.cr.execute("ANALYZE account_move")
    env.invalidate_all()


def timed(label, func, target=None):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    verdict = f" [target <= {target} s: {'PASS' if seconds <= target else 'FAIL'}]" if target else ""
    print(f"{label}: {seconds:.2f} s{verdict}", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=1_000_000, help="paid (reconciled) receivable items")
    parser.add_argument("--db", default="bench_kpi")
    args = parser.parse_args()
    ensure_database(args.db)
    env, cr = open_env(args.db)
    try:
        from odoo.tools import SQL  # noqa: PLC0415

        from odoo.addons.ar_automation.engine.aging import DEFAULT_EDGES  # noqa: PLC0415

        start = time.perf_counter()
        generate(env, args.items, args.customers, args.history)
        print(
            f"generated {args.items} open and {args.history} paid receivable items "
            f"of {args.customers} customers "
            f"in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        kpi = env["ar.kpi"]
        company = env.company
        today = company._ar_today()
        from datetime import timedelta  # noqa: PLC0415

        buckets = timed(
            "aging totals as of today", lambda: kpi._aging_totals(today, company, DEFAULT_EDGES), target=1
        )
        print("  " + ", ".join(f"{key} {amount:,.0f}" for key, amount in buckets.items()), flush=True)
        past = timed(
            "aging totals 30 days ago (payments added back)",
            lambda: kpi._aging_totals(today - timedelta(days=30), company, DEFAULT_EDGES),
        )
        print(f"  receivable then {sum(past.values()):,.0f}, now {sum(buckets.values()):,.0f}", flush=True)
        snapshot = timed("KPI snapshot (ar_snapshot)", lambda: kpi.ar_snapshot(today, company), target=2)
        print(
            "  "
            + ", ".join(
                f"{key} {snapshot[key]}"
                for key in (
                    "dso",
                    "dso_simple",
                    "best_possible_dso",
                    "cei",
                    "overdue_ratio",
                    "average_days_late",
                )
            ),
            flush=True,
        )
        plan = env.execute_query(SQL("EXPLAIN SELECT * FROM (%s) items", kpi._open_items_sql(today, company)))
        print("query plan of the open items (today):")
        for (line,) in plan:
            print("  " + line)
    finally:
        cr.rollback()
        cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
