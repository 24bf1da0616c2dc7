"""Upgrades: a database made by the previous version of the suite upgrades to this working tree with
``-u all``, without an error in the log and without losing records.

The previous version is the commit before the last one that changed an addon's manifest ``version`` (the
state the last release was upgraded from), or HEAD when the working tree changes a version itself. Today
that is the commit before ar_bank_psd2 19.0.1.1.0, so the upgrade runs its migration script. The rule (see
README, *Upgrades*): a change that alters data bumps the addon's version and brings a ``migrations/`` script.

The suite is installed at that commit (a ``git worktree``) with demo data into ``<AR_TEST_DB>_upgrade``; the
rows of every table of the suite's models, the non-empty values of each of their columns, and the rows of
the main accounting tables are counted, then Odoo upgrades the database from this working tree and none of
the counts may be lower. Needs the git history (CI clones main with it). Runs in 4 to 12 minutes
(install with demo 2-7 min, upgrade 1.5-4.5 min, depending on the machine's load).
"""

import ast
import subprocess

from odoo_runs import (
    ADDONS,
    DB_PREFIX,
    ROOT,
    drop_database,
    log_problems,
    odoo_source,
    query,
    run_odoo,
    write_config,
)
from psycopg2 import sql

DB = f"{DB_PREFIX}_upgrade"
CORE_TABLES = [
    "res_partner",
    "account_move",
    "account_move_line",
    "account_payment",
    "account_bank_statement_line",
]


def git(*args):
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def versions_at(commit=None):
    versions = {}
    for addon in ADDONS:
        path = f"{addon}/__manifest__.py"
        text = git("show", f"{commit}:{path}") if commit else (ROOT / path).read_text(encoding="utf-8")
        versions[addon] = ast.literal_eval(text)["version"]
    return versions


def previous_version_commit():
    if versions_at("HEAD") != versions_at():
        return git("rev-parse", "HEAD")
    manifests = [f"{addon}/__manifest__.py" for addon in ADDONS]
    last_bump = git("log", "-1", "--format=%H", "-G", r'"version":', "--", *manifests)
    assert last_bump, "no commit changed a manifest version: the git history is missing (shallow clone?)"
    assert git("rev-list", "--count", last_bump) != "1", "the first commit has no previous version"
    return git("rev-parse", f"{last_bump}^")


def our_tables(dbname):
    rows = query(
        dbname,
        """SELECT DISTINCT m.model FROM ir_model m
             JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
            WHERE d.module = ANY(%s) AND NOT m.transient""",
        (ADDONS,),
    )
    tables = {model.replace(".", "_") for (model,) in rows}
    existing = {
        name for (name,) in query(dbname, "SELECT tablename FROM pg_tables WHERE schemaname='public'")
    }
    return sorted(tables & existing)  # SQL views (reports) have no table


def counts(dbname, tables, columns_too):
    """{table: rows} and, for ``columns_too``, {table.column: non-empty values}."""
    result = {}
    for table in tables:
        columns = [
            name
            for (name,) in query(
                dbname, "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
            )
        ]
        selects = [sql.SQL("COUNT(*)")]
        if table in columns_too:
            selects += [sql.SQL("COUNT({})").format(sql.Identifier(column)) for column in columns]
        statement = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(selects), sql.Identifier(table))
        row = query(dbname, statement)[0]
        result[table] = row[0]
        if table in columns_too:
            result.update({f"{table}.{column}": n for column, n in zip(columns, row[1:], strict=True)})
    return result


def test_previous_version_upgrades_without_error_or_lost_records(tmp_path):
    base = previous_version_commit()
    worktree = tmp_path / "previous"
    git("worktree", "add", "--detach", str(worktree), base)
    src = odoo_source()
    data_dir = tmp_path / "data"
    old_conf, new_conf = tmp_path / "previous.conf", tmp_path / "current.conf"
    write_config(old_conf, [src / "addons", worktree], data_dir)
    write_config(new_conf, [src / "addons", ROOT], data_dir)
    python = ROOT / ".venv" / "bin" / "python"
    drop_database(DB)
    try:
        run_odoo(
            python,
            old_conf,
            ["-d", DB, "-i", ",".join(ADDONS), "--with-demo", "--stop-after-init", "--no-http"],
            tmp_path / "install-previous.log",
            cwd=tmp_path,
        )
        tables = our_tables(DB)
        assert len(tables) > 20, tables
        before = counts(DB, tables + CORE_TABLES, columns_too=set(tables))
        assert before["ar_dunning_policy"] and before["account_move"], "the demo data is missing"
        log = run_odoo(
            python,
            new_conf,
            ["-d", DB, "-u", "all", "--stop-after-init", "--no-http"],
            tmp_path / "upgrade.log",
            cwd=tmp_path,
        )
        assert not log_problems(log), "\n".join(log_problems(log))
        installed = dict(
            query(DB, "SELECT name, latest_version FROM ir_module_module WHERE name = ANY(%s)", (ADDONS,))
        )
        assert installed == versions_at(), (base, installed)
        after = counts(DB, tables + CORE_TABLES, columns_too=set(tables))
        lost = {
            key: (n, after.get(key)) for key, n in before.items() if after.get(key) is None or after[key] < n
        }
        assert not lost, f"upgrading from {base[:10]} lost records or values (before, after): {lost}"
    finally:
        drop_database(DB)
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
