"""Benchmark of invoicing on confirmation (ar_automation) against Odoo's own invoicing.

    .venv/bin/python bench/bench_invoicing.py [--orders 1000] [--lines 3] [--customers 200]
                                              [--db bench_invoicing] [--odoo-grouping] [--superuser]
                                              [--update] [--profile FILE]

Target: 1,000 sale orders of 3 lines confirmed in one batch get their invoices generated, checked, posted
and queued for e-mail in at most 2x the time Odoo's own ``_create_invoices()`` + ``action_post()`` takes
on the same orders, measured side by side in one run.

Builds (once) a database with ``ar_automation`` installed (no demo data), updates it when the addon's code
changed since (or with ``--update``) and vacuums it, so that the rows of earlier, rolled-back runs do not
mislead the query planner. In one transaction it then sets up a company bank journal with a valid IBAN,
customers that pass every invoice check (valid Polish NIP, full address, e-mail, payment terms), three
products invoiced on order, and two identical sets of orders:

* side A (Odoo): customers on the "manual" policy; ``action_confirm()`` then
  ``_create_invoices(grouped=True)`` (one invoice per order, as ours; ``--odoo-grouping`` uses Odoo's
  default grouping by customer instead) and ``action_post()``;
* side B (ours): customers on the company's "on_confirm" policy; ``action_confirm()`` alone confirms,
  generates, checks, posts and queues every invoice for e-mail.

Every timed section ends with ``cr.flush()`` (ORM flush and pre-commit hooks such as mail tracking), as a
commit would. After a warm-up on a few orders, both sides run twice, A then B and B then A (rolled back to
a savepoint in between). Everything is rolled back at the end, so the database can be reused.
"""

import argparse
import cProfile
import hashlib
import pstats
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "ar_automation"
COMPANY_IBAN = "PL47109024022846836723239796"
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
TARGET_RATIO = 2.0


def addon_fingerprint():
    """A hash of the addon's code and data: when it changes, the database is updated (-u)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / ADDON).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".xml", ".csv") and "tests" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_database(db, force_update=False):
    check = subprocess.run(
        [
            str(ROOT / "bin" / "pg"),
            "psql",
            "-d",
            db,
            "-tAc",
            f"SELECT 1 FROM ir_module_module WHERE name = '{ADDON}' AND state = 'installed'",
        ],
        capture_output=True,
        text=True,
    )
    stamp = ROOT / ".local" / f"{db}.addon-hash"
    fingerprint = addon_fingerprint()
    if check.stdout.strip() != "1":
        action, option = "building", "-i"
    elif force_update or not stamp.exists() or stamp.read_text() != fingerprint:
        action, option = "updating", "-u"
    else:
        action = None
    if action:
        print(f"{action} database {db} ...", flush=True)
        subprocess.run(
            [str(ROOT / "bin" / "odoo"), "-d", db, option, ADDON, "--stop-after-init", "--log-level=warn"],
            check=True,
        )
        stamp.write_text(fingerprint)
    # Rolled-back runs leave dead rows that autovacuum records as "0 live rows in N pages": the planner
    # would then expect nothing anywhere and nest loops over thousands of rows.
    subprocess.run(
        [str(ROOT / "bin" / "pg"), "psql", "-d", db, "-qc", "VACUUM ANALYZE"], check=True, capture_output=True
    )


def open_env(db, superuser=False):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", str(ROOT / ".local" / "odoo.conf"), "-d", db, "--log-level=warn"])
    registry = Registry(db)
    cr = registry.cursor()
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    if not superuser:
        # An internal user with access rules applied, as a salesperson confirming orders would be.
        env = env(user=env.ref("base.user_admin").id, su=False)
    return env, cr


def valid_nips(count, seed=42):
    """``count`` distinct valid Polish NIPs (tax numbers): 9 digits and a mod-11 check digit, never 10."""
    rng = random.Random(seed)
    nips = set()
    while len(nips) < count:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(w * d for w, d in zip(NIP_WEIGHTS, digits, strict=True)) % 11
        if check == 10:
            continue
        nips.add("".join(map(str, digits)) + str(check))
    return sorted(nips)


def setup_master_data(env, n_customers):
    """Company bank IBAN, invoicing policies, customers passing every check and three products.
    Returns ``(customers_a, customers_b, products)``."""
    from odoo import Command  # noqa: PLC0415

    company = env.company
    company.sudo().ar_invoice_policy = "on_confirm"
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    iban = (
        env["res.partner.bank"]
        .sudo()
        .create({"acc_number": COMPANY_IBAN, "partner_id": company.partner_id.id})
    )
    bank_journal.sudo().bank_account_id = iban
    payment_term = env.ref("account.account_payment_term_30days")
    poland = env.ref("base.pl")
    nips = valid_nips(2 * n_customers)
    vals = [
        {
            "name": f"Bench Klient {i:05d} Sp. z o.o.",
            "is_company": True,
            "vat": f"PL{nip}",
            "street": f"ul. Długa {i}",
            "city": "Racibórz",
            "zip": "47-400",
            "country_id": poland.id,
            "email": f"ap{i}@bench.example.com",
            "property_payment_term_id": payment_term.id,
        }
        for i, nip in enumerate(nips)
    ]
    customers = env["res.partner"].create(vals)
    customers_a, customers_b = customers[:n_customers], customers[n_customers:]
    # Side A: our automation explicitly off for these customers; side B: the company's "on_confirm".
    customers_a.with_company(company).ar_invoice_policy = "manual"
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Service {i}",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 100.0 * i,
                "taxes_id": [Command.set(company.account_sale_tax_id.ids)],
            }
            for i in (1, 2, 3)
        ]
    )
    return customers_a, customers_b, products


def order_vals(customers, products, n_orders, n_lines, tag):
    from odoo import Command  # noqa: PLC0415

    return [
        {
            "partner_id": customers[i % len(customers)].id,
            "client_order_ref": f"{tag}-{i}",
            "order_line": [
                Command.create(
                    {
                        "product_id": products[j % len(products)].id,
                        "product_uom_qty": 1 + (i + j) % 5,
                        "price_unit": 10.0 + (i * 7 + j * 13) % 90,
                    }
                )
                for j in range(n_lines)
            ],
        }
        for i in range(n_orders)
    ]


class Timer:
    def __init__(self, profiler=None):
        self.profiler = profiler

    def __enter__(self):
        if self.profiler:
            self.profiler.enable()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        if self.profiler:
            self.profiler.disable()


def run_side_a(env, orders, odoo_grouping, profiler=None):
    """Odoo's standard flow: confirm, then invoice and post.

    Returns ``(confirm_s, invoice_post_s, moves)``."""
    orders = orders.with_env(env)
    env.invalidate_all()
    with Timer(profiler) as confirm:
        orders.action_confirm()
        env.cr.flush()
    with Timer(profiler) as invoicing:
        moves = orders._create_invoices(grouped=not odoo_grouping)
        moves.action_post()
        env.cr.flush()
    return confirm.seconds, invoicing.seconds, moves


def run_side_b(env, orders, profiler=None):
    """Ours: confirming generates, checks, posts and queues the invoices. Returns the seconds."""
    orders = orders.with_env(env)
    env.invalidate_all()
    with Timer(profiler) as total:
        orders.action_confirm()
        env.cr.flush()
    return total.seconds


def profile_sides(env, cr, orders_a, orders_b, args):
    """Both sides once more under cProfile (its overhead makes these timings meaningless)."""
    for side, path in (("A", f"{args.profile}.odoo"), ("B", args.profile)):
        cr.execute("ROLLBACK TO SAVEPOINT bench_invoicing")
        env.invalidate_all()
        profiler = cProfile.Profile()
        if side == "A":
            run_side_a(env, orders_a, args.odoo_grouping, profiler)
        else:
            run_side_b(env, orders_b, profiler)
        profiler.dump_stats(path)
        print(f"profile of side {side} written to {path}", flush=True)
    stats = pstats.Stats(args.profile)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def side_b_outcome(orders):
    invoices = orders.invoice_ids
    return {
        "orders": len(orders),
        "invoiced orders": len(orders.filtered("invoice_ids")),
        "invoices": len(invoices),
        "posted": len(invoices.filtered(lambda m: m.state == "posted")),
        "checked ok": len(invoices.filtered(lambda m: m.ar_check_state == "ok")),
        "warnings": len(invoices.filtered(lambda m: m.ar_check_state == "warning")),
        "blocked": len(invoices.filtered(lambda m: m.ar_check_state == "blocked")),
        "queued for e-mail": len(invoices.filtered("sending_data")),
    }


def verdict(ratio):
    return "PASS" if ratio <= TARGET_RATIO else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000, help="orders per side")
    parser.add_argument("--lines", type=int, default=3, help="lines per order")
    parser.add_argument("--customers", type=int, default=200, help="customers per side")
    parser.add_argument("--warmup", type=int, default=10, help="orders per side confirmed first, untimed")
    parser.add_argument("--db", default="bench_invoicing")
    parser.add_argument(
        "--odoo-grouping",
        action="store_true",
        help="side A invoices with Odoo's default grouping (by customer) instead of one invoice per order",
    )
    parser.add_argument("--update", action="store_true", help="update the addon in the database first")
    parser.add_argument("--superuser", action="store_true", help="run as superuser (no access rules)")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="after the timed rounds, run both sides again under cProfile (untimed): side B's stats into "
        "FILE, side A's into FILE.odoo, and print the top functions of side B",
    )
    args = parser.parse_args()
    ensure_database(args.db, args.update)
    env, cr = open_env(args.db, args.superuser)
    try:
        start = time.perf_counter()
        customers_a, customers_b, products = setup_master_data(env, args.customers)
        sale_orders = env["sale.order"]
        warm_a = sale_orders.create(order_vals(customers_a, products, args.warmup, args.lines, "WA"))
        warm_b = sale_orders.create(order_vals(customers_b, products, args.warmup, args.lines, "WB"))
        orders_a = sale_orders.create(order_vals(customers_a, products, args.orders, args.lines, "A"))
        orders_b = sale_orders.create(order_vals(customers_b, products, args.orders, args.lines, "B"))
        env.cr.flush()
        modes = {
            side: sorted(set(orders.mapped("ar_billing_mode")))
            for side, orders in (("A", orders_a), ("B", orders_b))
        }
        print(
            f"set up {2 * args.customers} customers, 2 x {args.orders} orders of {args.lines} lines "
            f"(+ 2 x {args.warmup} warm-up) in {time.perf_counter() - start:.1f} s; "
            f"billing modes A {modes['A']}, B {modes['B']}; user {env.user.login}",
            flush=True,
        )
        assert modes == {"A": ["manual"], "B": ["on_confirm"]}, modes

        if args.warmup:
            confirm_s, invoice_s, _moves = run_side_a(env, warm_a, args.odoo_grouping)
            warm_b_s = run_side_b(env, warm_b)
            warm_a_s = confirm_s + invoice_s
            print(f"warm-up ({args.warmup} orders a side): A {warm_a_s:.2f} s, B {warm_b_s:.2f} s")
        # Statistics with this transaction's own rows (customers, orders, the warm-up's invoices).
        cr.execute("ANALYZE")
        cr.execute("SAVEPOINT bench_invoicing")

        rounds = []
        for number, sequence in enumerate(("AB", "BA"), start=1):
            if number > 1:
                cr.execute("ROLLBACK TO SAVEPOINT bench_invoicing")
                env.invalidate_all()
            for side in sequence:
                if side == "A":
                    confirm_a, invoice_a, moves_a = run_side_a(env, orders_a, args.odoo_grouping)
                    posted_a = len(moves_a.filtered(lambda m: m.state == "posted"))
                else:
                    total_b = run_side_b(env, orders_b)
                    outcome = side_b_outcome(orders_b.with_env(env))
            total_a = confirm_a + invoice_a
            ratio_total = total_b / total_a
            ratio_invoicing = (total_b - confirm_a) / invoice_a
            rounds.append((total_a, confirm_a, invoice_a, total_b))
            print(f"round {number} ({' then '.join(sequence)}):", flush=True)
            print(
                f"  A Odoo: confirm {confirm_a:.2f} s + _create_invoices/action_post {invoice_a:.2f} s "
                f"= {total_a:.2f} s ({len(moves_a)} invoices, {posted_a} posted)",
                flush=True,
            )
            print(
                f"  B ours: confirm+generate+check+post+queue {total_b:.2f} s; "
                + ", ".join(f"{key} {value}" for key, value in outcome.items()),
                flush=True,
            )
            print(
                f"  ratio B / A total {ratio_total:.2f}; (B - A confirm) / A invoice+post "
                f"{ratio_invoicing:.2f} [target <= {TARGET_RATIO:g}: {verdict(ratio_invoicing)}]",
                flush=True,
            )
            correct = (
                outcome["invoices"] == args.orders
                and outcome["posted"] == args.orders
                and outcome["blocked"] == 0
                and outcome["queued for e-mail"] == args.orders
            )
            print(f"  side B outcome {'OK' if correct else 'WRONG'}", flush=True)

        sum_a = sum(r[0] for r in rounds)
        sum_confirm_a = sum(r[1] for r in rounds)
        sum_invoice_a = sum(r[2] for r in rounds)
        sum_b = sum(r[3] for r in rounds)
        ratio_total = sum_b / sum_a
        ratio_invoicing = (sum_b - sum_confirm_a) / sum_invoice_a
        print(
            f"both rounds: A {sum_a / len(rounds):.2f} s (confirm {sum_confirm_a / len(rounds):.2f} s, "
            f"invoice+post {sum_invoice_a / len(rounds):.2f} s), B {sum_b / len(rounds):.2f} s on average; "
            f"B / A total {ratio_total:.2f} [target <= {TARGET_RATIO:g}: {verdict(ratio_total)}]; "
            f"(B - A confirm) / A invoice+post {ratio_invoicing:.2f} "
            f"[target <= {TARGET_RATIO:g}: {verdict(ratio_invoicing)}]",
            flush=True,
        )
        if args.profile:
            profile_sides(env, cr, orders_a, orders_b, args)
    finally:
        cr.rollback()
        cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
