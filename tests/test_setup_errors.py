"""Bad set-up input ends with a one-line explanation, not a traceback."""

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(script, tmp_env):
    env = {**os.environ, **tmp_env}
    result = subprocess.run(
        [str(ROOT / "bin" / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_odoo_src_that_is_not_a_folder(tmp_path):
    message = run("setup", {"ODOO_SRC": str(tmp_path / "nowhere")})
    assert "is not a folder" in message and "ODOO_SRC" in message


def test_odoo_src_that_is_not_odoo(tmp_path):
    message = run("setup", {"ODOO_SRC": str(tmp_path)})
    assert "is not an Odoo source tree" in message


def test_odoo_src_of_another_version(tmp_path):
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo-bin").write_text("")
    (tmp_path / "odoo" / "release.py").write_text("version_info = (18, 0, 0, FINAL, 0, '')\n")
    message = run("setup", {"ODOO_SRC": str(tmp_path)})
    assert "holds Odoo 18, not 19.0" in message


def test_missing_postgresql_binaries(tmp_path):
    message = run("setup", {"PG_BINDIR": str(tmp_path)})
    assert "no PostgreSQL server binaries" in message
    assert "apt-get install postgresql" in message


@pytest.mark.skipif(not (ROOT / ".local" / "odoo.conf").exists(), reason="needs a completed set-up")
def test_http_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = run("demo", {"AR_HTTP_PORT": str(port)})
    assert f"port {port} is in use" in message
