"""Turn Odoo's requirements.txt into pins that install on this Python.

Odoo pins the versions of each distribution's system packages; its pins for Python
3.10/3.11 (Ubuntu Jammy, Debian Bookworm) do not build from source on newer compilers
and lack wheels.  On Python < 3.12 we take the Python 3.12 (Ubuntu Noble) pins, which
ship wheels for 3.10 to 3.12; from 3.12 on, Odoo's own pins.  psycopg2 becomes
psycopg2-binary (no libpq headers needed) and python-ldap (only for auth_ldap) is left out.

Usage: python odoo_requirements.py ODOO_SRC/requirements.txt > pins.txt
"""

import sys

from packaging.markers import default_environment
from packaging.requirements import Requirement

SKIPPED = {"python-ldap", "pypiwin32", "rl-renderpm"}
RENAMED = {"psycopg2": "psycopg2-binary"}


def convert(lines, env):
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker and not req.marker.evaluate(env):
            continue
        name = req.name.lower()
        if name in SKIPPED:
            continue
        req.name = RENAMED.get(name, req.name)
        req.marker = None
        yield str(req)


def main(path):
    env = default_environment()
    if sys.version_info < (3, 12):
        env.update(python_version="3.12", python_full_version="3.12.0")
    with open(path, encoding="utf-8") as handle:
        for pin in convert(handle, env):
            print(pin)


if __name__ == "__main__":
    main(sys.argv[1])
