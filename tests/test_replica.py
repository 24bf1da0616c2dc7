"""The suite's read-only routes run on a real PostgreSQL streaming replica, and nothing writes there.

The set-up builds a throwaway primary and its hot standby in a temporary folder (``initdb``, the primary with
``wal_level=replica``, the standby copied by ``pg_basebackup -R`` and streaming from it; unix sockets only,
both logging every statement), copies the test database into the primary (``pg_dump``, with its filestore),
prepares a portal customer with invoices and a payment, and starts an Odoo server whose ``db_host`` is the
primary and ``db_replica_host`` the standby. Each read-only route (``readonly=True``) is requested as the
customer: its statements are found in the standby's log and none in the primary's, and Odoo logged no
"retrying with a read/write cursor" (what it does when a read-only route writes). A write on the standby
is refused by PostgreSQL. The project's own cluster is not changed.

The HTTP port is AR_REPLICA_HTTP_PORT (8076 by default, beside bin/run-tests' 8069).
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest
import requests
from odoo_runs import ROOT, odoo_source

WORKER = Path(__file__).with_name("replica_worker.py")
HTTP_PORT = int(os.environ.get("AR_REPLICA_HTTP_PORT", "8076"))
PRIMARY_PORT, STANDBY_PORT = 5491, 5492  # names of the socket files in the temporary folder, no TCP
FIGURES = {}


def _pg_bindir():
    for candidate in [os.environ.get("PG_BINDIR", "")] + sorted(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True
    ):
        if candidate and Path(candidate, "pg_basebackup").exists():
            return Path(candidate)
    found = shutil.which("pg_basebackup")
    if not found:
        pytest.fail("PostgreSQL's server binaries (initdb, pg_basebackup) are missing")
    return Path(found).parent


def _pg_user():
    """PostgreSQL refuses to run as root: the cluster belongs to an unprivileged user then."""
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "odoo", "nobody"):
        if subprocess.run(["id", user], capture_output=True, check=False).returncode == 0:
            return user
    pytest.fail("running as root and no unprivileged user to own the test's PostgreSQL clusters")


def _as_pg(command, **kwargs):
    user = _pg_user()
    if user:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, cwd="/", **kwargs)


def _project_options(config):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config)
    return dict(parser["options"])


def _statements(log_path, start):
    """The statements logged in ``log_path`` after byte ``start``."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(start)
        return re.findall(r"LOG:  statement: (.*)", log.read())


@pytest.fixture(scope="module")
def clusters(request):
    bindir = _pg_bindir()
    folder = Path(tempfile.mkdtemp(prefix="ar_replica_"))
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    user = _pg_user()
    if user:
        shutil.chown(folder, user)
    primary, standby, sockets = folder / "primary", folder / "standby", folder / "sockets"
    sockets.mkdir()
    if user:
        shutil.chown(sockets, user)
    started = time.monotonic()
    _as_pg([bindir / "initdb", "-D", primary, "-U", "odoo", "--auth=trust", "-E", "UTF8", "--no-sync"])
    settings = [
        "listen_addresses = ''",
        f"unix_socket_directories = '{sockets}'",
        "wal_level = replica",
        "max_wal_senders = 4",
        "fsync = off",
        "log_statement = 'all'",
        "log_line_prefix = '%m %a %d '",
    ]
    with open(primary / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("\n".join(settings) + "\n")
    # initdb's pg_hba.conf trusts local replication connections already (``local replication all trust``)
    pg_ctl = [bindir / "pg_ctl", "-w", "-t", "60"]
    _as_pg([*pg_ctl, "-D", primary, "-o", f"-p {PRIMARY_PORT}", "-l", folder / "primary.log", "start"])
    request.addfinalizer(lambda: _as_pg([*pg_ctl, "-D", primary, "-m", "immediate", "stop"]))
    FIGURES["primary_s"] = round(time.monotonic() - started, 1)
    return {"bindir": bindir, "folder": folder, "primary": primary, "standby": standby, "sockets": sockets}


@pytest.fixture(scope="module")
def server(request, clusters):
    """The test database in the primary, its hot standby, and Odoo serving with both."""
    bindir, folder, sockets = clusters["bindir"], clusters["folder"], clusters["sockets"]
    config = request.config.getoption("--odoo-config") or str(ROOT / ".local" / "odoo.conf")
    source_db = request.config.getoption("--odoo-database")
    options = _project_options(config)
    db = "ar_replica"
    started = time.monotonic()
    host = ["-h", str(sockets), "-p", str(PRIMARY_PORT), "-U", "odoo"]
    _as_pg([bindir / "createdb", *host, "-T", "template0", db])
    source = ["-h", options["db_host"], "-p", options.get("db_port", "5432"), "-U", options["db_user"]]
    dump = subprocess.run(
        [bindir / "pg_dump", *source, "--no-owner", source_db], check=True, capture_output=True
    ).stdout
    _as_pg([bindir / "psql", *host, "-q", "-v", "ON_ERROR_STOP=1", "-d", db], input=dump)
    data_dir = folder / "data"
    filestore = Path(options["data_dir"]) / "filestore" / source_db
    if filestore.is_dir():  # the attachments (assets) of the database, as a shared filestore would have them
        shutil.copytree(filestore, data_dir / "filestore" / db)
    odoo_conf = folder / "odoo.conf"
    lines = [
        "[options]",
        f"addons_path = {options['addons_path']}",
        f"data_dir = {data_dir}",
        f"db_host = {sockets}",
        f"db_port = {PRIMARY_PORT}",
        "db_user = odoo",
        f"db_replica_host = {sockets}",
        f"db_replica_port = {STANDBY_PORT}",
        "http_interface = 127.0.0.1",
        f"http_port = {HTTP_PORT}",
        f"dbfilter = ^{db}$",
        "list_db = False",
        "max_cron_threads = 0",
        "db_app_name = odoo-replica-test",
    ]
    odoo_conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    prepared = subprocess.run(
        [sys.executable, WORKER, str(odoo_source()), odoo_conf, db, f"http://127.0.0.1:{HTTP_PORT}"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    work = json.loads(next(line for line in prepared.splitlines() if line.startswith("RESULT "))[7:])
    FIGURES["copy_and_prepare_s"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    standby = clusters["standby"]
    _as_pg([bindir / "pg_basebackup", *host, "-D", standby, "-R", "-X", "stream", "--checkpoint=fast"])
    pg_ctl = [bindir / "pg_ctl", "-w", "-t", "60"]
    _as_pg([*pg_ctl, "-D", standby, "-o", f"-p {STANDBY_PORT}", "-l", folder / "standby.log", "start"])
    request.addfinalizer(lambda: _as_pg([*pg_ctl, "-D", standby, "-m", "immediate", "stop"]))
    FIGURES["standby_s"] = round(time.monotonic() - started, 1)
    log_path = folder / "odoo.log"
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the finalizer
    odoo = subprocess.Popen(
        [sys.executable, odoo_source() / "odoo-bin", "-c", odoo_conf, "--log-level=info"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )

    def stop():
        odoo.terminate()
        odoo.wait(30)
        log.close()

    request.addfinalizer(stop)
    base = f"http://127.0.0.1:{HTTP_PORT}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"{base}/web/health", timeout=5).ok:
                break
        except requests.RequestException:  # not listening yet, or still loading the registry
            pass
        assert time.monotonic() < deadline and odoo.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.5)
    return {**clusters, "db": db, "base": base, "work": work, "odoo_log": log_path}


def _login(server):
    session = requests.Session()
    page = session.get(f"{server['base']}/web/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    login = server["work"]["login"]
    answer = session.post(
        f"{server['base']}/web/login",
        data={"login": login, "password": login, "csrf_token": csrf, "redirect": "/my"},
        timeout=30,
    )
    assert answer.ok and "/web/login" not in answer.url, answer.url
    return session


def test_the_standby_is_streaming_and_refuses_writes(server):
    standby = psycopg2.connect(dbname=server["db"], host=server["sockets"], port=STANDBY_PORT, user="odoo")
    try:
        with standby.cursor() as cr:
            cr.execute("SELECT pg_is_in_recovery(), status FROM pg_stat_wal_receiver")
            assert cr.fetchone() == (True, "streaming")
            with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
                cr.execute("UPDATE res_partner SET name = name WHERE id = 1")
    finally:
        standby.close()


@pytest.mark.parametrize(
    "route",
    [
        "/my/statement",
        "/my/statement?filterby=overdue",
        "/my/statement/pdf",
        "/my/payments/{payment_id}/receipt",
        "/my/autopay",
        "/my/payment_plan",
        "/my/account_details",
    ],
)
def test_read_only_routes_run_on_the_standby(server, route):
    session = _login(server)
    url = server["base"] + route.format(**server["work"])
    folder = server["folder"]
    odoo_log = server["odoo_log"].stat().st_size
    primary, standby = (folder / "primary.log").stat().st_size, (folder / "standby.log").stat().st_size
    started = time.monotonic()
    answer = session.get(url, timeout=120)
    elapsed = time.monotonic() - started
    assert answer.status_code == 200, (answer.status_code, answer.text[:500])
    if "pdf" in route or "receipt" in route:
        assert answer.content.startswith(b"%PDF"), answer.headers
    time.sleep(0.3)  # the servers' log writers
    on_primary = _statements(folder / "primary.log", primary)
    on_standby = _statements(folder / "standby.log", standby)
    new_log = server["odoo_log"].read_text(encoding="utf-8")[odoo_log:]
    # Odoo's request line ends with the cursor the request used: ro, rw, or ro->rw when a read-only route
    # wrote and was run again on the primary
    path = re.escape(url.removeprefix(server["base"]))
    modes = re.findall(rf'"GET {path} HTTP/1.1" 200 - \d+ [\d.]+ [\d.]+ ([a-z>-]+)', new_log)
    FIGURES[route] = {
        "cursor": modes,
        "standby_statements": len(on_standby),
        "primary_statements": len(on_primary),
        "seconds": round(elapsed, 2),
    }
    (folder.parent / f"{folder.name}-figures.json").write_text(
        json.dumps(FIGURES, indent=1), encoding="utf-8"
    )
    assert "retrying with a read/write cursor" not in new_log, new_log
    assert modes == ["ro"], modes
    assert on_standby, "nothing ran on the standby"
    if "pdf" not in route and "receipt" not in route:
        # (a PDF's wkhtmltopdf fetches the report's assets and images from the server: requests of their own)
        assert not on_primary, on_primary[:20]
