"""Benchmark of the dunning run (issue 6).

    .venv/bin/python bench/bench_dunning.py [--invoices 100000] [--customers 20000] [--db bench_dunning]

Builds (once) a database with the suite installed, inserts the customers and open overdue invoices with
SQL (the ORM would take an hour), then measures in one run:

* deciding: ``ar.dunning.run.run_for_date(today, send=False)`` (a preview: who gets which level, why);
  target <= 5 s for 100,000 invoices of 20,000 customers;
* the full run: ``run_for_date(today)`` deciding, rendering and queueing every e-mail, scheduling the call
  tasks and recording levels; target >= 150 reminders/s on a 2-core machine.

* OCA's ``account_credit_control`` (19.0, downloaded from PyPI into .local/oca, never committed) deciding
  on the same invoices with a policy of the same levels, for the ratio (``--no-oca`` skips it).

Everything is rolled back at the end, so the database can be reused.
"""

import argparse
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import odoo_bench

ROOT = Path(__file__).resolve().parent.parent


OCA_ADDON = "account_credit_control"
OCA_DIR = ROOT / ".local" / "oca"


def oca_addons_path():
    """OCA's account_credit_control for 19.0 from PyPI, unpacked under .local/oca (never committed);
    None (with the reason printed) when it cannot be had."""
    addon = OCA_DIR / "addons" / OCA_ADDON
    if addon.is_dir():
        return OCA_DIR / "addons"
    wheels = OCA_DIR / "wheels"
    fetched = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(wheels),
            "odoo-addon-account-credit-control>=19.0,<19.1",
        ],
        capture_output=True,
        text=True,
    )
    found = sorted(wheels.glob("odoo_addon_account_credit_control-*.whl")) if wheels.is_dir() else []
    if fetched.returncode or not found:
        print(f"OCA comparison skipped: cannot download {OCA_ADDON} ({fetched.stderr.strip()[-200:]})")
        return None
    with zipfile.ZipFile(found[-1]) as wheel:
        for name in wheel.namelist():
            if name.startswith(f"odoo/addons/{OCA_ADDON}/"):
                target = OCA_DIR / "addons" / name.removeprefix("odoo/addons/")
                target.parent.mkdir(parents=True, exist_ok=True)
                if not name.endswith("/"):
                    target.write_bytes(wheel.read(name))
    return OCA_DIR / "addons"


def ensure_database(db, oca=None):
    odoo_bench.ensure_database(db, "ar_dunning", update="ar_automation,ar_dunning", extra_addons=oca)
    if oca:
        subprocess.run(
            [
                str(ROOT / "bin" / "odoo"),
                "-d",
                db,
                f"--addons-path={odoo_bench.addons_path(oca)}",
                "-i",
                OCA_ADDON,
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
        )


def open_env(db, oca=None):
    return odoo_bench.open_env(db, extra_addons=oca)


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
    # Their receivable journal items (what OCA's credit control reads).
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    env.cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id,
            company_currency_id, currency_id,
                                       account_id, partner_id, date, date_maturity, parent_state,
                                           display_type,
                                       balance, debit, credit, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, create_date, write_date)
        SELECT m.id, m.name, m.journal_id, m.company_id, m.currency_id, m.currency_id, %s,
            m.partner_id, m.date,
               m.invoice_date_due, 'posted', 'payment_term', m.amount_total, m.amount_total, 0,
                   m.amount_total,
               m.amount_total, m.amount_total, FALSE, now(), now()
          FROM account_move m WHERE m.name LIKE 'INV/BENCH/%%'
        """,
            receivable.id,
        )
    )
    env.cr.execute("ANALYZE account_move")
    env.cr.execute("ANALYZE account_move_line")
    env.invalidate_all()


def oca_decide(env, today):
    """OCA's credit control on the same invoices: a policy like ours (+1, +7, +14 days), one run."""
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", env.company.id)], limit=1
    )
    template = env.ref("account_credit_control.email_template_credit_control_base")
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench",
            "company_id": env.company.id,
            "account_ids": [(6, 0, receivable.ids)],
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": name,
                        "level": level,
                        "delay_days": days,
                        "computation_mode": "net_days",
                        "channel": channel,
                        "email_template_id": template.id,
                        "custom_text": name,
                        "custom_mail_text": f"<p>{name}</p>",
                    },
                )
                for level, (name, days, channel) in enumerate(
                    (("Gentle", 1, "email"), ("Formal", 7, "email"), ("Call", 14, "phone")), start=1
                )
            ],
        }
    )
    env.company.credit_policy_id = policy
    env.flush_all()
    run = env["credit.control.run"].create({"date": today, "policy_ids": [(6, 0, policy.ids)]})
    start = time.perf_counter()
    lines = run._generate_credit_lines()
    env.flush_all()
    return time.perf_counter() - start, len(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--db", default="bench_dunning")
    parser.add_argument("--no-oca", action="store_true", help="skip the comparison with OCA's credit control")
    args = parser.parse_args()
    oca = None if args.no_oca else oca_addons_path()
    ensure_database(args.db, oca)
    env, cr = open_env(args.db, oca)
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
        if oca and OCA_ADDON in env.registry._init_modules:
            oca_s, oca_lines = oca_decide(env, today)
            print(
                f"OCA {OCA_ADDON} deciding (credit control run, same data): {oca_s:.2f} s -> {oca_lines} "
                f"credit lines; ours {decide_s:.2f} s = {oca_s / decide_s:.1f}x faster",
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
