"""What every benchmark needs of Odoo: its database built or updated, and an environment on it."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def addons_path(extra=None):
    """The project's addons path (from its Odoo configuration), with ``extra`` folders after it."""
    conf = (ROOT / ".local" / "odoo.conf").read_text()
    base = next(line.split("=", 1)[1].strip() for line in conf.splitlines() if line.startswith("addons_path"))
    return f"{base},{extra}" if extra else base


def ensure_database(db, addon, update=None, extra_addons=None):
    """Install ``addon`` into ``db``, or update it (and the addons ``update`` lists, default ``addon``)
    when it is installed already."""
    check = subprocess.run(
        [
            str(ROOT / "bin" / "pg"),
            "psql",
            "-d",
            db,
            "-tAc",
            f"SELECT 1 FROM ir_module_module WHERE name = '{addon}' AND state = 'installed'",
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
            f"--addons-path={addons_path(extra_addons)}",
            "-u" if installed else "-i",
            (update or addon) if installed else addon,
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


def open_env(db, extra_addons=None):
    """A superuser environment on ``db`` and its cursor (the caller rolls back and closes it)."""
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [
            "-c",
            str(ROOT / ".local" / "odoo.conf"),
            "-d",
            db,
            "--log-level=warn",
            f"--addons-path={addons_path(extra_addons)}",
        ]
    )
    cr = Registry(db).cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), cr
