"""Helpers of the distribution tests (test_wheels, test_upgrade): Odoo run as administrators run it, in a
subprocess of its own with its own configuration and database, against the project's PostgreSQL cluster.

Database names derive from AR_TEST_DB (``ar_test`` by default, as in bin/run-tests): ``<it>_wheels``,
``<it>_upgrade``; HTTP ports (Odoo serves HTTP while running tests) from AR_DIST_HTTP_PORT (8075 by default),
so that they run beside bin/run-tests' ar_test on 8069.
"""

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CONF = ROOT / ".local" / "odoo.conf"
ADDONS = ["ar_automation", "ar_dunning", "ar_bank_psd2", "ar_portal"]
DB_PREFIX = os.environ.get("AR_TEST_DB", "ar_test")
HTTP_PORT = int(os.environ.get("AR_DIST_HTTP_PORT", "8075"))
# a line of Odoo's log: "2026-12-07 17:39:57,176 3561 LEVEL db logger: message"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): ")


def project_options():
    parser = configparser.ConfigParser(interpolation=None)
    assert parser.read(PROJECT_CONF), f"{PROJECT_CONF} is missing: run bin/setup"
    return dict(parser["options"])


def odoo_source():
    """The Odoo 19.0 source tree bin/setup chose (ODOO_SRC, /opt/odoo/19.0 or .local/odoo-src): the first
    entry of the project's addons path is its addons folder."""
    src = Path(project_options()["addons_path"].split(",")[0]).parent
    assert (src / "odoo-bin").is_file(), f"no odoo-bin in {src}"
    return src


def write_config(path, addons_path, data_dir, http_port=HTTP_PORT):
    """An Odoo configuration file with the project's database server and the given addons path."""
    options = project_options()
    lines = ["[options]", f"addons_path = {','.join(str(p) for p in addons_path)}", f"data_dir = {data_dir}"]
    keys = ("db_host", "db_port", "db_user", "admin_passwd")
    lines += [f"{key} = {options[key]}" for key in keys if key in options]
    lines += ["http_interface = 127.0.0.1", f"http_port = {http_port}", "list_db = True"]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def connect(dbname="postgres"):
    options = project_options()
    return psycopg2.connect(
        dbname=dbname, host=options["db_host"], port=options["db_port"], user=options["db_user"]
    )


def drop_database(name):
    assert name.startswith(DB_PREFIX + "_"), name
    conn = connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


def query(dbname, statement, params=None):
    conn = connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute(statement, params)
            return cr.fetchall()
    finally:
        conn.close()


def run_odoo(python, config, args, log_path, cwd):
    """Run Odoo's odoo-bin with ``python`` and ``config``; returns the log text. Fails with the log's tail
    when Odoo exits non-zero."""
    command = [str(python), str(odoo_source() / "odoo-bin"), "-c", str(config), *args, "--log-level=info"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    with open(log_path, "w", encoding="utf-8") as log:
        result = subprocess.run(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
    text = Path(log_path).read_text(encoding="utf-8")
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n" + "\n".join(
        text.splitlines()[-40:]
    )
    return text


def log_problems(text):
    """The log's ERROR and CRITICAL lines, and the WARNING lines of our addons (what conftest.py and
    tests/test_install_logs.py fail on)."""
    problems = []
    for line in text.splitlines():
        match = LOG_LINE.match(line)
        if not match:
            continue
        level, logger = match["level"], match["logger"]
        ours = any(logger.startswith(f"odoo.addons.{addon}") for addon in ADDONS)
        if level in ("ERROR", "CRITICAL") or (level == "WARNING" and ours):
            problems.append(line)
    return problems


def python_of(venv):
    return Path(venv) / ("Scripts" if sys.platform == "win32" else "bin") / "python"
