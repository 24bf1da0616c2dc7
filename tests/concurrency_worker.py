"""One Odoo process of tests/test_concurrency.py: run in a subprocess with the project's virtualenv,
``python concurrency_worker.py ODOO_SRC CONFIG DATABASE MODE [options]``.

Modes:

* ``prepare``: work for every cron of the suite, committed (the other processes must see it); prints a
  JSON object the test needs (the invoices the bank will be paid for).
* ``scheduler``: what a cron worker (``--workers`` cron process or cron thread) does on each wake-up,
  ``ir.cron._process_jobs(db)``, started together with the other processes at a file barrier.
* ``direct``: each named cron's action run the way the cron worker runs it (``ir.cron._run_job``: its
  own transaction, the progress API, commits, errors logged), but without the worker's job lock, in
  step with the other processes (a barrier before each cron): two servers triggering the same work at
  the same moment (a "Run Manually", a button, a second scheduler).
* ``count``: prints what was done, as JSON (reminders, e-mails, SMS, charges, bank lines, invoices,
  reconciliations, snapshots, digests).
"""

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

# The crons of the suite, in the order a scheduler would meet them (by id).
CRONS = [
    "ar_automation.ir_cron_ar_invoice_orders",
    "ar_automation.ir_cron_ar_check_promises",
    "ar_automation.ir_cron_ar_kpi_snapshot",
    "ar_automation.ir_cron_ar_digest",
    "ar_automation.ir_cron_ar_ksef_process",
    "ar_bank_psd2.ir_cron_ar_bank_sync",
    "ar_bank_psd2.ir_cron_ar_bank_consent_reminders",
    "ar_bank_psd2.ir_cron_ar_auto_reconcile",
    "ar_dunning.ir_cron_ar_dunning_run",
    "ar_dunning.ir_cron_ar_segment_customers",
    "ar_dunning.ir_cron_ar_send_postponed",
    "ar_dunning.ir_cron_ar_payment_plan_check",
    "ar_portal.ir_cron_ar_autopay",
]
DUNNED, AUTOPAID, SMS, PAID_BY_BANK, MATCHED, ORDERS = 12, 4, 3, 6, 6, 5
PLAN_INSTALMENT = 500.0
BANK_IBAN = "PL61109010140000071219812874"


def barrier(folder, name, parties, me, timeout=120):
    """Wait until ``parties`` processes reached the barrier ``name`` (a file each in ``folder``)."""
    folder = Path(folder)
    (folder / f"{name}.{me}").write_text("")
    deadline = time.monotonic() + timeout
    while len(list(folder.glob(f"{name}.*"))) < parties:
        if time.monotonic() > deadline:
            raise TimeoutError(f"barrier {name}: the other process never came")
        time.sleep(0.005)


# ------------------------------------------------------------------------------------------ prepare


def _customer(env, name, **values):
    return env["res.partner"].create(
        {
            "name": name,
            "is_company": True,
            "email": f"{name.lower().replace(' ', '.')}@customer.example.com",
            "street": "ul. Długa 1",
            "city": "Racibórz",
            "zip": "47-400",
            "country_id": env.ref("base.pl").id,
            **values,
        }
    )


def _invoice(env, partner, amount, invoice_date, due):
    from odoo import Command  # noqa: PLC0415

    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({"name": "Usługa", "price_unit": amount, "tax_ids": []})],
        }
    )
    move.action_post()
    return move


def prepare(env, bank_url):
    from odoo import Command  # noqa: PLC0415 - imported once Odoo is on the path

    company = env.company
    today = company._ar_today()
    company.partner_id.tz = "Europe/Warsaw"
    company.write(
        {
            "ar_quiet_start": 0,
            "ar_quiet_end": 0,
            "ar_quiet_weekends": False,
            "ar_digest_emails": "zarzad@seller.example.com",
            # the reminders without invoice PDFs: wkhtmltopdf would take most of the test's time
            "ar_dunning_attach_invoices": False,
            "email": "biuro@seller.example.com",
        }
    )
    policy = env["ar.dunning.policy"].create(
        {
            "name": "Concurrency",
            "company_id": company.id,
            "level_ids": [
                Command.create({"name": "Gentle", "offset_days": 1, "channel": "email", "tone": "gentle"}),
                Command.create({"name": "SMS", "offset_days": 60, "channel": "sms", "tone": "gentle"}),
            ],
        }
    )
    company.ar_dunning_policy_id = policy
    sms_level = policy.level_ids.filtered(lambda level: level.channel == "sms")
    # Dunning: overdue invoices of customers with an e-mail address.
    for n in range(DUNNED):
        _invoice(
            env,
            _customer(env, f"Dunned {n}"),
            100 + n,
            today - timedelta(days=40),
            today - timedelta(days=10),
        )
    # SMS catch-up: reminders of yesterday's run that waited for the quiet hours.
    run = env["ar.dunning.run"].create({"date": today - timedelta(days=1), "state": "done"})
    for n in range(SMS):
        partner = _customer(env, f"Sms {n}", phone=f"+48 600 100 {n:03d}")
        invoice = _invoice(env, partner, 80, today - timedelta(days=30), today + timedelta(days=10))
        env["ar.dunning.line"].create(
            {
                "run_id": run.id,
                "company_id": company.id,
                "partner_id": partner.id,
                "policy_id": policy.id,
                "level_id": sms_level.id,
                "channel": "sms",
                "state": "draft",
                "invoice_ids": [Command.set(invoice.ids)],
                "amount_overdue": 80,
            }
        )
    # AutoPay: saved cards of the demo provider, invoices due today, and a payment plan's instalment.
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    provider = env.ref("payment.payment_provider_demo")
    provider.write({"state": "test", "company_id": company.id, "journal_id": bank_journal.id})
    method = env.ref("payment_demo.payment_method_demo")

    def autopay_customer(name):
        partner = _customer(env, name)
        token = env["payment.token"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "partner_id": partner.id,
                "payment_details": "4242",
                "provider_ref": f"demo-token-{partner.id}",
                "demo_simulated_state": "done",
            }
        )
        partner._ar_enable_autopay(token, env.user, "127.0.0.1")
        return partner

    for n in range(AUTOPAID):
        _invoice(env, autopay_customer(f"Autopay {n}"), 200 + n, today - timedelta(days=14), today)
    planned = autopay_customer("Plan")
    plan_invoices = _invoice(
        env, planned, 600, today - timedelta(days=20), today + timedelta(days=20)
    ) | _invoice(env, planned, 400, today - timedelta(days=20), today + timedelta(days=25))
    plan = env["ar.payment.plan"].create(
        {
            "partner_id": planned.id,
            "invoice_ids": [Command.set(plan_invoices.ids)],
            "line_ids": [
                Command.create({"date": today, "amount": PLAN_INSTALMENT}),
                Command.create({"date": today + timedelta(days=30), "amount": 1000 - PLAN_INSTALMENT}),
            ],
        }
    )
    plan.action_approve()
    # Bank sync: a connection to the local mock bank, consent given; the test puts payments of these
    # invoices on the bank's account.
    api_journal = env["account.journal"].create(
        {
            "name": "Bank API",
            "type": "bank",
            "code": "BAPI",
            "company_id": company.id,
            "bank_account_id": env["res.partner.bank"]
            .create({"acc_number": BANK_IBAN, "partner_id": company.partner_id.id})
            .id,
        }
    )
    connection = env["ar.bank.connection"].create(
        {"name": "Mock bank", "provider": "berlin_group", "api_base_url": bank_url}
    )
    connection.action_connect()
    env.cr.commit()
    assert connection._ar_finish_consent(), "the mock bank did not give the consent"
    assert connection.account_ids.journal_id == api_journal, connection.account_ids.journal_id
    paid_by_bank = [
        _invoice(
            env, _customer(env, f"Bank {n}"), 300 + n, today - timedelta(days=5), today + timedelta(days=9)
        )
        for n in range(PAID_BY_BANK)
    ]
    # Matching: statement lines already imported, waiting for the hourly cash application.
    for n in range(MATCHED):
        invoice = _invoice(
            env, _customer(env, f"Match {n}"), 400 + n, today - timedelta(days=5), today + timedelta(days=9)
        )
        env["account.bank.statement.line"].create(
            {
                "journal_id": bank_journal.id,
                "date": today,
                "amount": invoice.amount_total,
                "payment_ref": f"Zapłata za {invoice.name}",
                "partner_name": invoice.partner_id.name,
            }
        )
    # Invoicing from sale orders: confirmed orders whose goods are to invoice.
    product = env["product.product"].create(
        {"name": "Towar", "type": "consu", "invoice_policy": "order", "list_price": 50, "taxes_id": []}
    )
    salesperson = env.ref("base.user_admin")
    for n in range(ORDERS):
        order = env["sale.order"].create(
            {
                "partner_id": _customer(env, f"Order {n}", vat="PL5795955811").id,
                "user_id": salesperson.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": 2, "price_unit": 50, "tax_ids": []}
                    )
                ],
            }
        )
        order.ar_billing_mode = "on_delivery"
        order.action_confirm()
        assert not order.invoice_ids and order.invoice_status == "to invoice", (
            order.invoice_status,
            order.invoice_ids,
        )
    # Segmentation: an automatic segment for the customers who pay on time, and the default one.
    env["ar.customer.segment"].create(
        [
            {
                "name": "On time",
                "company_id": company.id,
                "is_automatic": True,
                "max_days_late": 5,
                "sequence": 1,
            },
            {
                "name": "Others",
                "company_id": company.id,
                "is_default": True,
                "is_automatic": True,
                "sequence": 9,
            },
        ]
    )
    # Every cron of the suite is due; the other crons of the database wait (no mail queue, no SMS gateway).
    ours = env["ir.cron"].browse([env.ref(xmlid).id for xmlid in CRONS])
    (env["ir.cron"].search([]) - ours).write({"nextcall": "2099-01-01 00:00:00"})
    env["ir.cron.trigger"].search([]).unlink()
    ours.write({"active": True, "nextcall": "2000-01-01 00:00:00"})
    env.cr.commit()
    return {
        "bank": [
            {"name": inv.name, "amount": inv.amount_total, "partner": inv.partner_id.name}
            for inv in paid_by_bank
        ]
    }


# ------------------------------------------------------------------------------------------ running


def run_direct(registry, env, crons, barrier_dir, me):
    from odoo.tools import SQL  # noqa: PLC0415

    for xmlid in crons:
        cron = env.ref(xmlid)
        rows = env.execute_query_dict(
            SQL(
                """SELECT cron.id, cron.user_id, cron.lastcall, cron.ir_actions_server_id, cron.active,
                          cron.cron_name, cron.failure_count, cron.first_failure_date, 0 AS timed_out_counter
                     FROM ir_cron cron WHERE cron.id = %s""",
                cron.id,
            )
        )
        env.cr.rollback()  # the job runs in its own transaction, started after the barrier
        barrier(barrier_dir, xmlid, 2, me)
        registry["ir.cron"]._run_job(rows[0])


def run_scheduler(db_name, barrier_dir, me):
    from odoo.addons.base.models.ir_cron import IrCron  # noqa: PLC0415

    barrier(barrier_dir, "scheduler", 2, me)
    IrCron._process_jobs(db_name)


# ------------------------------------------------------------------------------------------ counting


def count(env):
    from odoo.tools import SQL  # noqa: PLC0415

    def rows(query, *args):
        return env.execute_query(SQL(query, *args))

    return {
        "reminders": rows("SELECT state, channel, COUNT(*) FROM ar_dunning_line GROUP BY 1, 2 ORDER BY 1, 2"),
        "reminders_per_customer_today": rows(
            """SELECT MAX(n) FROM (SELECT COUNT(*) n FROM ar_dunning_line l
                  JOIN ar_dunning_run r ON r.id = l.run_id
                 WHERE r.state = 'done' AND l.channel = 'email'
                   AND r.date = (SELECT MAX(date) FROM ar_dunning_run WHERE state = 'done')
                 GROUP BY l.partner_id) x"""
        ),
        "runs": rows("SELECT state, COUNT(*) FROM ar_dunning_run GROUP BY 1 ORDER BY 1"),
        "reminder_mails": rows(
            """SELECT COUNT(*) FROM mail_mail m JOIN mail_message msg ON msg.id = m.mail_message_id
                WHERE msg.model = 'ar.dunning.line'"""
        ),
        "digest_mails": rows(
            """SELECT COUNT(*) FROM mail_mail m JOIN mail_message msg ON msg.id = m.mail_message_id
                WHERE msg.model = 'res.company'"""
        ),
        "sms": rows("SELECT COUNT(*), COUNT(DISTINCT number) FROM sms_sms"),
        "transactions": rows("SELECT state, COUNT(*), SUM(amount) FROM payment_transaction GROUP BY 1"),
        "charges_per_partner": rows(
            "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM payment_transaction GROUP BY partner_id) x"
        ),
        "api_lines": rows(
            """SELECT COUNT(*), COUNT(DISTINCT ar_import_id) FROM account_bank_statement_line
                WHERE ar_source = 'api'"""
        ),
        "statement_lines": rows("SELECT COUNT(*) FROM account_bank_statement_line"),
        "match_states": rows(
            "SELECT ar_match_state, COUNT(*) FROM account_bank_statement_line GROUP BY 1 ORDER BY 1"
        ),
        "overpaid_invoices": rows(
            """SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'
                AND amount_residual < 0"""
        ),
        "partials_per_invoice_line": rows(
            """SELECT MAX(n) FROM (SELECT COUNT(*) n FROM account_partial_reconcile
                 GROUP BY debit_move_id) x"""
        ),
        "paid_invoices": rows(
            """SELECT payment_state, COUNT(*) FROM account_move WHERE move_type = 'out_invoice'
                AND state = 'posted' GROUP BY 1 ORDER BY 1"""
        ),
        "order_invoices": rows(
            """SELECT MAX(n), COUNT(*) FROM (SELECT so.id, COUNT(DISTINCT aml.move_id) n FROM sale_order so
                JOIN sale_order_line sol ON sol.order_id = so.id
                LEFT JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                LEFT JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                GROUP BY so.id) x"""
        ),
        "kpi_snapshots": rows(
            """SELECT MAX(n), COUNT(*) FROM (SELECT COUNT(*) n FROM ar_kpi_snapshot
                GROUP BY date, company_id, scope, segment_id) x"""
        ),
        "segmented": rows("SELECT COUNT(*) FROM res_partner WHERE ar_segment_id IS NOT NULL"),
        # a progress record per run of a job (Odoo's cron runner adds one each time it calls the action)
        "jobs_started": rows(
            """SELECT c.cron_name, COUNT(p.id) FROM ir_cron c LEFT JOIN ir_cron_progress p ON p.cron_id = c.id
                WHERE c.id = ANY(%s) GROUP BY 1 ORDER BY 1""",
            [env.ref(xmlid).id for xmlid in CRONS],
        ),
    }


# ------------------------------------------------------------------------------------------ main


def main():
    odoo_src, config_path, db_name, mode, *options = sys.argv[1:]
    sys.path.insert(0, odoo_src)
    import odoo.service.server  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    opts = dict(option.split("=", 1) for option in options)
    config.parse_config(["-c", config_path, "-d", db_name, "--log-level=info"], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    registry = Registry(db_name)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env = env(context=dict(env.context, lang=None))
        if mode == "prepare":
            result = prepare(env, opts["bank"])
        elif mode == "direct":
            run_direct(registry, env, opts["crons"].split(","), opts["barrier"], opts["me"])
            result = {}
        elif mode == "scheduler":
            cr.rollback()
            run_scheduler(db_name, opts["barrier"], opts["me"])
            result = {}
        else:
            result = count(env)
    print("RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
