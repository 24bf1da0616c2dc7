"""Benchmark of the customer portal's account statement page (/my/statement).

    .venv/bin/python bench/bench_portal.py [--invoices 1000] [--small 100] [--runs 5] [--db bench_portal]

Builds (or updates) a database with ar_portal installed, inserts with SQL two customers with a portal user
each, one with ``--small`` open invoices and one with ``--invoices`` (each invoice with its receivable
journal item and its portal access token), then requests /my/statement as each customer through Odoo's
WSGI application in this process (the whole HTTP stack: routing, session, controller, QWeb rendering of
the portal layout, no network) and prints, for each customer:

* the server time of the page, median of ``--runs`` requests after a warm-up; target <= 300 ms for the
  customer with 1,000 invoices;
* the number of SQL queries of one request: it must not grow with the number of invoices (same count
  for both customers).

The requests run on the benchmark's own transaction (Odoo's test cursor), so everything is rolled back
at the end and the database can be reused.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_bench  # noqa: E402
from odoo_bench import open_env  # noqa: E402

TARGET_MS = 300


def ensure_database(db):
    odoo_bench.ensure_database(db, "ar_portal")


def generate(env, n_invoices, label):
    """A customer company, its contact with a portal login, and ``n_invoices`` posted open invoices (half of
    them overdue), each with its receivable item; returns the login."""
    from odoo import Command  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    company = env.company
    customer = env["res.partner"].create({"name": f"Portal Bench {label}", "is_company": True})
    contact = env["res.partner"].create({"name": f"Contact {label}", "parent_id": customer.id})
    login = f"bench.portal.{label}"
    env["res.users"].create(
        {
            "name": f"Contact {label}",
            "login": login,
            "partner_id": contact.id,
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "group_ids": [Command.set(env.ref("base.group_portal").ids)],
        }
    )
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    env.flush_all()
    env.cr.execute(
        SQL(
            """
        WITH moves AS (
            INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type, auto_post,
                                      date, invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                                      payment_state, amount_total, amount_residual, amount_total_signed,
                                      amount_residual_signed, amount_untaxed, amount_untaxed_signed,
                                      access_token, create_date, write_date)
            SELECT 'BENCH/' || %(label)s || '/' || g, %(journal)s, %(company)s, %(currency)s, 'posted',
                   'out_invoice', 'no', current_date - 60 + (g %% 60), current_date - 60 + (g %% 60),
                   current_date - 30 + (g %% 60), %(customer)s, %(customer)s, 'not_paid',
                   100 + g %% 900, 100 + g %% 900, 100 + g %% 900, 100 + g %% 900, 100 + g %% 900,
                   100 + g %% 900, gen_random_uuid()::varchar, now(), now()
              FROM generate_series(1, %(n)s) g
            RETURNING id, name, journal_id, date, invoice_date_due, amount_total
        )
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, date, date_maturity, parent_state,
                                       display_type, balance, debit, credit, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, create_date, write_date)
        SELECT id, name, journal_id, %(company)s, %(currency)s, %(currency)s, %(account)s, %(customer)s, date,
               invoice_date_due, 'posted', 'payment_term', amount_total, amount_total, 0, amount_total,
               amount_total, amount_total, FALSE, now(), now()
          FROM moves
        """,
            label=label,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            customer=customer.id,
            account=receivable.id,
            n=n_invoices,
        )
    )
    env.cr.execute("ANALYZE account_move")
    env.invalidate_all()
    return login


def authenticated_client(env, login):
    """A WSGI test client on Odoo's application with a session logged in as ``login``."""
    from werkzeug.test import Client  # noqa: PLC0415

    import odoo.http  # noqa: PLC0415
    from odoo.service import security  # noqa: PLC0415

    user = env["res.users"].search([("login", "=", login)])
    session = odoo.http.root.session_store.new()
    session.update(odoo.http.get_default_session(), db=env.cr.dbname, _trace_disable=True)
    session.uid = user.id
    session.login = login
    session.session_token = security.compute_session_token(session, env(user=user))
    session.context = dict(env(user=user)["res.users"].context_get())
    odoo.http.root.session_store.save(session)
    client = Client(odoo.http.root)
    client.set_cookie("session_id", session.sid, domain="localhost")
    return client


def measure(env, login, n_invoices, runs):
    """(median milliseconds, queries of one request) of /my/statement for ``login``."""
    client = authenticated_client(env, login)
    response = client.get("/my/statement")  # warm-up: QWeb compilation, assets bundle names, caches
    if response.status_code != 200:
        raise SystemExit(f"/my/statement answered {response.status_code} for {login}")
    page = response.get_data(as_text=True)
    rows = page.count("o_ar_statement_line")
    if rows != n_invoices:
        raise SystemExit(f"expected {n_invoices} invoices on the page, found {rows}")
    timings, queries = [], []
    for _run in range(runs):
        env.invalidate_all()
        count = env.cr.sql_log_count
        start = time.perf_counter()
        client.get("/my/statement")
        timings.append((time.perf_counter() - start) * 1000)
        queries.append(env.cr.sql_log_count - count)
    return statistics.median(timings), max(queries)


class _BenchRun:
    test_cursor_lock_timeout = 30

    def assertCanOpenTestCursor(self):  # noqa: N802 - Odoo's name
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="invoices of the customer to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default="bench_portal")
    args = parser.parse_args()
    ensure_database(args.db)
    env, cr = open_env(args.db)
    import odoo.modules.module  # noqa: PLC0415
    from odoo.tests.common import BaseCase  # noqa: PLC0415

    # Odoo's test cursor (requests share this transaction) asks for the running test: stand in for one.
    odoo.modules.module.current_test = _BenchRun()
    patches = BaseCase._registry_test_mode_patches(cr=cr, registry=env.registry)
    for patcher in patches:
        patcher.start()
    try:
        small = generate(env, args.small, "small")
        large = generate(env, args.invoices, "large")
        cr.flush()
        results = {}
        for n_invoices, login in ((args.small, small), (args.invoices, large)):
            results[n_invoices] = measure(env, login, n_invoices, args.runs)
            ms, queries = results[n_invoices]
            target = f" [target <= {TARGET_MS} ms: {'PASS' if ms <= TARGET_MS else 'FAIL'}]"
            print(
                f"/my/statement with {n_invoices} open invoices: {ms:.0f} ms (median of {args.runs}), "
                f"{queries} queries{target if n_invoices == args.invoices else ''}",
                flush=True,
            )
        growth = results[args.invoices][1] - results[args.small][1]
        print(
            f"queries {results[args.small][1]} -> {results[args.invoices][1]} for "
            f"{args.small} -> {args.invoices} invoices "
            f"[target: no growth: {'PASS' if growth <= 0 else 'FAIL'}]",
            flush=True,
        )
    finally:
        for patcher in patches:
            patcher.stop()
        odoo.modules.module.current_test = False
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
