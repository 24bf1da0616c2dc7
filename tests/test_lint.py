"""make lint stays clean: ruff and pylint-odoo run as part of make test."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADDONS = ["ar_automation", "ar_dunning", "ar_bank_psd2", "ar_portal"]


def _run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean():
    result = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_pylint_odoo_is_clean():
    result = _run(str(BIN / "pylint"), "--rcfile=.pylintrc", *ADDONS)
    assert result.returncode == 0, result.stdout + result.stderr
