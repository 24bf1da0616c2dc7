"""Benchmark of the dunning run (issue 6).

    .venv/bin/python bench/bench_dunning.py [--invoices 100000] [--customers 20000] [--db bench_dunning]

Builds (once) a database with the suite installed, inserts the customers and open overdue invoices with
SQL (the ORM would take an hour), then measures in one run:

* deciding: ``ar.dunning.run.run_for_date(today, send=False)`` (a preview: who gets which level, why);
  target <= 5 s for 100,000 invoices of 20,000 customers;
* the full run: ``run_for_date(today)`` deciding, rendering and queueing every e-mail, scheduling the call
  tasks and recording levels; target >= 150 reminders/s on a 2-core machine.

Everything is rolled back at the end, so the database can be reused.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(db):
    check = subprocess.run(
        [
            str(ROOT / "bin" / "pg"),
            "psql",
            "-d",
            db,
            "-tAc",
            "SELECT 1 FROM ir_module_module WHERE name = 'ar_dunning' AND state = 'installed'",
        ],
        capture_output=True,
        text=True,
    )
    installed = check.stdout.strip() == "1"
    print(f"{'updating' if installed else 'building'} database {db} ...", flush=True)
    subprocess.run(
        [
            str(ROOT / "bin" / "odoo"),
            "-d",
            db,
            "-u" if installed else "-i",
            "ar_automation,ar_dunning" if installed else "ar_dunning",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


def open_env(db):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", str(ROOT / ".local" / "odoo.conf"), "-d", db, "--log-level=warn"])
    registry = Registry(db)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), cr


def generate(env, n_invoices, n_customers):
    """Customers with e-mails and open invoices due 1 to 60 days ago (a few not due yet), by SQL."""
    from odoo.tools import SQL  # noqa: PLC0415

    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    env.flush_all()
    first_partner = env.execute_query(
        SQL(
            """
        INSERT INTO res_partner (name, email, is_company, active, type, company_id, autopost_bills, lang,
                                 create_date, write_date)
        SELECT 'Bench Customer ' || g, 'ap' || g || '@bench.example.com', TRUE, TRUE, 'contact', NULL,
               'ask', 'en_US', now(), now()
          FROM generate_series(1, %s) g
        RETURNING id
        """,
            n_customers,
        )
    )
    partner_ids = [row[0] for row in first_partner]
    env.cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", partner_ids))
    env.cr.execute(
        SQL(
            """
        INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type, auto_post,
                                  date, invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                                  payment_state, amount_total, amount_total_signed, amount_residual,
                                  amount_residual_signed, amount_untaxed, amount_untaxed_signed, amount_tax,
                                  amount_tax_signed, access_token, create_date, write_date)
        SELECT 'INV/BENCH/' || lpad(g::text, 6, '0'), %(journal)s, %(company)s, %(currency)s, 'posted',
               'out_invoice', 'no', current_date - 70, current_date - 70,
               current_date - ((g * 7919) %% 70 - 8),
               p.id, p.id, 'not_paid', 100 + g %% 900, 100 + g %% 900, 100 + g %% 900, 100 + g %% 900,
               100 + g %% 900, 100 + g %% 900, 0, 0, md5(g::text), now(), now()
          FROM generate_series(1, %(n)s) g
          JOIN LATERAL (SELECT (%(partners)s::int[])[1 + (g - 1) %% %(customers)s] AS id) p ON TRUE
        """,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            n=n_invoices,
            partners=partner_ids,
            customers=n_customers,
        )
    )
    env.cr.execute("ANALYZE account_move")
    env.invalidate_all()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--db", default="bench_dunning")
    args = parser.parse_args()
    ensure_database(args.db)
    env, cr = open_env(args.db)
    try:
        start = time.perf_counter()
        generate(env, args.invoices, args.customers)
        print(
            f"generated {args.invoices} invoices of {args.customers} customers in "
            f"{time.perf_counter() - start:.1f} s",
            flush=True,
        )
        # Every level by e-mail, so that the run renders and queues one e-mail per reminder.
        env.ref("ar_dunning.ar_dunning_policy_standard").level_ids.channel = "email"
        runs = env["ar.dunning.run"]
        today = env.company._ar_today()
        env.flush_all()
        cr.execute("SAVEPOINT before_preview")

        start = time.perf_counter()
        preview = runs.run_for_date(today, send=False)
        env.flush_all()
        decide_s = time.perf_counter() - start
        to_send = len(preview.line_ids.filtered(lambda line: line.state == "draft"))
        print(
            f"decide (preview): {decide_s:.2f} s for {args.invoices} invoices -> {to_send} reminders "
            f"[target <= 5 s: {'PASS' if decide_s <= 5 else 'FAIL'}]",
            flush=True,
        )
        cr.execute("ROLLBACK TO SAVEPOINT before_preview")
        env.invalidate_all()

        start = time.perf_counter()
        run = runs.run_for_date(today)
        env.flush_all()
        full_s = time.perf_counter() - start
        sent = run.sent_count
        rate = sent / full_s if full_s else 0
        mails = len(run.line_ids.mail_id)
        print(
            f"full run: {full_s:.2f} s, {sent} reminders ({mails} e-mails queued, "
            f"{run.line_count - sent} other) = {rate:.0f} reminders/s "
            f"[target >= 150/s: {'PASS' if rate >= 150 else 'FAIL'}]",
            flush=True,
        )
    finally:
        cr.rollback()
        cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
