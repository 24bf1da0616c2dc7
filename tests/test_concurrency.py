"""Every cron of the suite, run by two Odoo processes at the same moment, does its work once.

The processes are real (``tests/concurrency_worker.py`` in subprocesses of their own, each with its own
registry and connections, as two servers or two ``--workers`` cron processes are) and share one database
with committed work for each cron: overdue invoices to remind, reminders waiting to go out by SMS, AutoPay
invoices and a payment plan's instalment to charge with the demo provider, a bank connection to the local
mock bank with payments on the account, bank lines waiting for the cash application, sale orders to
invoice, customers to segment, the KPI snapshot and the digest of the day.

* ``test_two_cron_workers_run_each_job_once``: both processes do what a cron worker does when it wakes up
  (``ir.cron._process_jobs``), released together by a barrier; Odoo's job lock (``FOR NO KEY UPDATE SKIP
  LOCKED`` on the ``ir_cron`` row, the job's transaction started after it) lets each job run once.
* ``test_two_servers_triggering_the_same_cron_do_nothing_twice``: both processes run the same cron action
  at the same moment, one cron after the other, without the job lock (what "Run Manually" beside the
  scheduler, a button beside the cron, or a second scheduler would do): our own locks keep the work single.

Both tests check the counts (reminders, e-mails, SMS, charges, bank lines, invoices, reconciliations,
snapshots, digests) and that neither process logged an error or a warning of ours (a serialization
failure reaching the log counts as an error). The database is ``<AR_TEST_DB>_concurrency`` (built once
for the module as a copy of the test database, or by installing the addons when another session holds
that one; copied for each test); AR_CONCURRENCY_TEMPLATE names another installed database to copy.
"""

import configparser
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from odoo_runs import ADDONS, DB_PREFIX, ROOT, connect, drop_database, log_problems, odoo_source, run_odoo
from psycopg2 import sql

from odoo import sql_db

from odoo.addons.ar_bank_psd2.tests.mock_bank import MockBank

WORKER = Path(__file__).with_name("concurrency_worker.py")
BASE_DB = f"{DB_PREFIX}_concurrency"
sys.path.insert(0, str(WORKER.parent))
from concurrency_worker import (  # noqa: E402
    AUTOPAID,
    BANK_IBAN,
    CRONS,
    DUNNED,
    MATCHED,
    ORDERS,
    PAID_BY_BANK,
    PLAN_INSTALMENT,
    SMS,
)

FIGURES = {}


class ApprovingBank(MockBank):
    """The mock bank whose customer approves every consent at once (the redirect step of a person)."""

    def _handle(self, handler, method):
        for consent in self.consents.values():
            consent["consentStatus"] = "valid"
        return super()._handle(handler, method)


def _config(request):
    return request.config.getoption("--odoo-config") or str(ROOT / ".local" / "odoo.conf")


def _execute(statement):
    conn = connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(statement)
    finally:
        conn.close()


def _filestore(config, db):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config)
    return Path(parser["options"]["data_dir"]) / "filestore" / db


def _drop(config, db):
    drop_database(db)
    shutil.rmtree(_filestore(config, db), ignore_errors=True)


def _copy_database(config, source, target):
    """``target`` a copy of ``source``, its filestore too (the workers read and write attachments)."""
    _drop(config, target)
    _execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source)))
    if _filestore(config, source).is_dir():
        shutil.copytree(_filestore(config, source), _filestore(config, target))


def _worker(config, db, mode, log_path, **options):
    command = [sys.executable, str(WORKER), str(odoo_source()), config, db, mode]
    command += [f"{key}={value}" for key, value in options.items()]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by _finish
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    process.log, process.log_path = log, log_path
    return process


def _finish(process, timeout=600):
    process.wait(timeout=timeout)
    process.log.close()
    text = Path(process.log_path).read_text(encoding="utf-8")
    assert process.returncode == 0, f"worker exited {process.returncode}:\n" + "\n".join(
        text.splitlines()[-40:]
    )
    result = next(line for line in text.splitlines() if line.startswith("RESULT "))
    return json.loads(result.removeprefix("RESULT ")), text


def _run(config, db, mode, log_path, **options):
    return _finish(_worker(config, db, mode, log_path, **options))


@pytest.fixture(scope="module")
def bank():
    bank = ApprovingBank(page_size=100, today=date.today())
    # the account of the company (in its currency, USD with Odoo's generic chart) that the connection maps
    bank.add_account(BANK_IBAN, currency="USD")
    bank.start()
    yield bank
    bank.stop()


@pytest.fixture(scope="module")
def prepared(request, bank, tmp_path_factory):
    """The base database: the addons installed, the work of every cron prepared and committed."""
    config = _config(request)
    logs = tmp_path_factory.mktemp("concurrency")
    started = time.monotonic()
    # A copy of the test database (the addons and payment_demo installed, nothing else committed) when no
    # other session holds it; otherwise a fresh install (1-2 minutes more).
    template = os.environ.get("AR_CONCURRENCY_TEMPLATE") or request.config.getoption("--odoo-database")
    try:
        if template:
            sql_db.close_db(template)  # this process's idle connections to it
            _copy_database(config, template, BASE_DB)
        else:
            raise psycopg2.errors.ObjectInUse("no database to copy")
    except psycopg2.errors.ObjectInUse:
        _drop(config, BASE_DB)
        args = ["-d", BASE_DB, "-i", ",".join([*ADDONS, "payment_demo"]), "--stop-after-init"]
        run_odoo(sys.executable, config, args, logs / "install.log", ROOT)
    FIGURES["install_s"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    work, _log = _run(config, BASE_DB, "prepare", logs / "prepare.log", bank=bank.base_url)
    FIGURES["prepare_s"] = round(time.monotonic() - started, 1)
    resource = bank.accounts[0]["resourceId"]
    for payment in work["bank"]:
        bank.add_transaction(
            resource,
            payment["amount"],
            date.today(),
            name=payment["partner"],
            iban="PL27114020040000300201355387",
            remittance=payment["name"],
        )
    yield config, logs
    _drop(config, BASE_DB)


def _two_processes(request, prepared, bank, name, mode, **options):
    config, logs = prepared
    db = f"{BASE_DB}_{name}"
    _copy_database(config, BASE_DB, db)
    request.addfinalizer(lambda: _drop(config, db))
    for consent in bank.consents.values():
        consent["reads"] = {}
    barrier = logs / f"barrier-{name}"
    barrier.mkdir()
    started = time.monotonic()
    processes = [
        _worker(config, db, mode, logs / f"{name}-{me}.log", barrier=barrier, me=me, **options) for me in "ab"
    ]
    texts = [_finish(process)[1] for process in processes]
    FIGURES[f"{name}_s"] = round(time.monotonic() - started, 1)
    counts, _text = _run(config, db, "count", logs / f"{name}-count.log")
    FIGURES[f"{name}_counts"] = counts
    FIGURES["file"] = str(logs / "figures.json")
    return counts, texts


# What the database refuses when the loser of a race repeats the winner's work: its transaction is rolled
# back whole (nothing half-done), and Odoo's cron runner logs the job as failed.
REFUSED_DUPLICATES = (
    "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update",
    "psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint",
)


def _refusals(texts):
    """The exceptions that ended a job, each checked to be a refused duplicate."""
    ends = [
        line for text in texts for line in text.splitlines() if line.startswith(("psycopg2.", "odoo.exc"))
    ]
    unexpected = [line for line in ends if not line.startswith(REFUSED_DUPLICATES)]
    assert not unexpected, unexpected
    return ends


def _assert_done_once(counts, texts, refusals_allowed=False):
    problems = [line for text in texts for line in log_problems(text)]
    if refusals_allowed:
        FIGURES["refused_duplicates"] = _refusals(texts)
        allowed = ("odoo.sql_db: bad query", "odoo.addons.base.models.ir_cron: Job ")
        problems = [line for line in problems if not any(part in line for part in allowed)]
    Path(FIGURES["file"]).write_text(json.dumps(FIGURES, indent=1), encoding="utf-8")
    assert not problems, "\n".join(problems)
    reminders = {(state, channel): n for state, channel, n in counts["reminders"]}
    assert reminders.get(("sent", "email")) == DUNNED, counts["reminders"]
    assert reminders.get(("sent", "sms")) == SMS, counts["reminders"]
    assert counts["reminders_per_customer_today"] == [[1]]
    assert counts["reminder_mails"] == [[DUNNED]]
    assert counts["sms"] == [[SMS, SMS]], "one SMS per reminder"
    assert counts["digest_mails"] == [[1]], "one digest"
    transactions = {state: (n, amount) for state, n, amount in counts["transactions"]}
    assert set(transactions) == {"done"}, transactions
    assert transactions["done"][0] == AUTOPAID + 1, "each AutoPay invoice and the instalment charged once"
    assert transactions["done"][1] == pytest.approx(sum(200 + n for n in range(AUTOPAID)) + PLAN_INSTALMENT)
    assert counts["charges_per_partner"] == [[1]]
    assert counts["api_lines"] == [[PAID_BY_BANK, PAID_BY_BANK]], "each bank transaction booked once"
    assert counts["statement_lines"] == [[PAID_BY_BANK + MATCHED]]
    states = dict(counts["match_states"])
    assert states.get("reconciled") == PAID_BY_BANK + MATCHED, states
    assert counts["overpaid_invoices"] == [[0]]
    assert counts["partials_per_invoice_line"] == [[1]]
    assert counts["order_invoices"] == [[1, ORDERS]], "each sale order invoiced once"
    assert counts["kpi_snapshots"][0][0] == 1, "one snapshot per company, day and scope"
    assert counts["segmented"][0][0] > 0


def test_two_cron_workers_run_each_job_once(request, prepared, bank):
    counts, texts = _two_processes(request, prepared, bank, "scheduler", "scheduler")
    _assert_done_once(counts, texts)
    assert len(counts["jobs_started"]) == len(CRONS)
    assert all(n == 1 for _name, n in counts["jobs_started"]), counts["jobs_started"]


def test_two_servers_triggering_the_same_cron_do_nothing_twice(request, prepared, bank):
    counts, texts = _two_processes(request, prepared, bank, "direct", "direct", crons=",".join(CRONS))
    assert all(n == 2 for _name, n in counts["jobs_started"]), "both processes ran every cron"
    _assert_done_once(counts, texts, refusals_allowed=True)
