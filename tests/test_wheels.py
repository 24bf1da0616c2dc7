"""The suite installs the way Odoo administrators install OCA addons: from its wheels.

bin/build-wheels builds the four addons' wheels and the meta-package; they are installed with pip into a fresh
virtualenv, and Odoo, run from its source with that virtualenv's Python, installs ``ar_portal`` and
``ar_bank_psd2`` (and with them ``ar_dunning`` and ``ar_automation``) into a new database with only Odoo's
addons and the virtualenv's ``odoo/addons`` (where the wheels put the addons) on its addons path: this
repository is on no path. Then a smoke subset of the addons' own tests (shipped in the wheels) runs in that
database.

To keep it fast, the fresh virtualenv sees Odoo's own requirements (about a hundred packages) through a
``.pth`` file adding the project virtualenv's site-packages after its own, as ``--system-site-packages``
would; that is also how Odoo's source gets on its path (bin/setup's ``odoo-src.pth``). The wheels are
installed with ``--no-deps`` because Odoo runs from its source tree, not as the pip-installed ``odoo``
distribution the wheels require; every other Requires-Dist is checked to be satisfied in the virtualenv, and
the ``odoo==19.0.*`` one against the source's version.

Runs in 3 to 6 minutes (build 10-20 s, virtualenv and pip 5 s, install 1.5-3.5 min, 20 tests 1-1.5 min).
"""

import ast
import json
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from odoo_runs import (
    ADDONS,
    DB_PREFIX,
    ROOT,
    drop_database,
    log_problems,
    odoo_source,
    python_of,
    query,
    run_odoo,
    write_config,
)

DB = f"{DB_PREFIX}_wheels"
META = "odoo-addons-ar-automation-suite"
# One or two quick classes per addon; no HttpCase: the first one makes Odoo build every asset bundle (2 min).
SMOKE = [
    "/ar_automation:TestOpenReceivables",
    "/ar_dunning:TestDunningPolicy",
    "/ar_bank_psd2:TestBankConnection",
    "/ar_bank_psd2:TestReconcileRuleDefaults",
    "/ar_portal:TestSecurityAutoPayFields",
]

# Run inside the fresh virtualenv: where each addon is imported from, and the installed distributions'
# metadata (name, version, Requires-Dist and whether each is satisfied there).
PROBE = textwrap.dedent(
    """
    import importlib.metadata, importlib.util, json, sys
    from packaging.requirements import Requirement
    import odoo.release
    addons = json.loads(sys.argv[1])
    report = {"odoo_version": odoo.release.version, "addons": {}, "dists": {}}
    for addon in addons:
        spec = importlib.util.find_spec("odoo.addons." + addon)
        report["addons"][addon] = spec and spec.origin
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if not (name.startswith("odoo-addon-") or name == "odoo-addons-ar-automation-suite"):
            continue
        requires = []
        for line in dist.requires or []:
            req = Requirement(line)
            if req.name == "odoo":
                installed = odoo.release.version
            else:
                try:
                    installed = importlib.metadata.version(req.name)
                except importlib.metadata.PackageNotFoundError:
                    installed = None
            ok = installed is not None and req.specifier.contains(installed, prereleases=True)
            requires.append([line, installed, ok])
        report["dists"][name] = {"version": dist.version, "requires": requires}
    print(json.dumps(report))
    """
)


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run([str(ROOT / "bin" / "build-wheels"), str(dist)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return sorted(dist.glob("*.whl"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheels):
    """A fresh virtualenv with the five wheels installed by pip."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = python_of(venv)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    project_site = sysconfig.get_paths()["purelib"]
    Path(site, "ar-odoo-requirements.pth").write_text(f"import site; site.addsitedir({project_site!r})\n")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps",
         *map(str, wheels)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return venv, Path(site)


def test_build_wheels_names_and_versions(wheels):
    names = [wheel.name for wheel in wheels]
    assert len(names) == 5, names
    for addon in ADDONS:
        version = manifest(addon)["version"]
        # whool: the manifest's version, plus .N when N commits touched the addon since it last changed
        assert [n for n in names if n.startswith(f"odoo_addon_{addon}-{version}")], (addon, version, names)
    assert [n for n in names if n.startswith("odoo_addons_ar_automation_suite-19.0.")], names


def test_installed_packages_and_their_requirements(venv):
    venv, site = venv
    probe = subprocess.run(
        [str(python_of(venv)), "-c", PROBE, json.dumps(ADDONS)], capture_output=True, text=True, cwd=venv
    )
    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout)
    for addon in ADDONS:
        # imported from the wheel installed in the virtualenv, never from this repository
        assert report["addons"][addon] == str(site / "odoo" / "addons" / addon / "__init__.py")
    dists = report["dists"]
    assert set(dists) == {f"odoo-addon-{addon}" for addon in ADDONS} | {META}
    for addon in ADDONS:
        requires = {line for line, _installed, _ok in dists[f"odoo-addon-{addon}"]["requires"]}
        declared = manifest(addon).get("external_dependencies", {}).get("python", [])
        own = {f"odoo-addon-{dep}==19.0.*" for dep in manifest(addon)["depends"] if dep.startswith("ar_")}
        assert requires == {"odoo==19.0.*", *declared, *own}, addon
    assert {line for line, _i, _o in dists[META]["requires"]} == {f"odoo-addon-{a}==19.0.*" for a in ADDONS}
    unsatisfied = [
        (name, line, found) for name, dist in dists.items() for line, found, ok in dist["requires"] if not ok
    ]
    assert not unsatisfied


def test_the_suite_installs_from_the_wheels_and_its_tests_pass(venv, tmp_path):
    venv, site = venv
    src = odoo_source()
    addons_path = [src / "addons", site / "odoo" / "addons"]
    config = tmp_path / "odoo.conf"
    write_config(config, addons_path, tmp_path / "data")
    drop_database(DB)
    try:
        log = run_odoo(
            python_of(venv),
            config,
            ["-d", DB, "-i", "ar_portal,ar_bank_psd2", "--stop-after-init", "--test-tags", ",".join(SMOKE)],
            tmp_path / "install.log",
            cwd=tmp_path,
        )
        assert str(ROOT) not in next(line for line in log.splitlines() if "addons paths:" in line)
        assert not log_problems(log), "\n".join(log_problems(log))
        rows = query(DB, "SELECT name, state, icon FROM ir_module_module WHERE name = ANY(%s)", (ADDONS,))
        assert {name: state for name, state, _icon in rows} == dict.fromkeys(ADDONS, "installed")
        # what Apps shows: the icon and the description page, shipped in the wheels
        assert {name: icon for name, _state, icon in rows} == {
            addon: f"/{addon}/static/description/icon.png" for addon in ADDONS
        }
        for addon in ADDONS:
            page = site / "odoo" / "addons" / addon / "static" / "description"
            assert (page / "icon.png").is_file() and (page / "index.html").is_file(), addon
        summary = [line for line in log.splitlines() if "odoo.tests.result:" in line and " tests" in line]
        assert summary and " 0 failed, 0 error(s) of " in summary[-1], summary
        ran = int(summary[-1].rsplit(" of ", 1)[1].split()[0])
        assert ran >= len(SMOKE) * 2, summary[-1]
    finally:
        drop_database(DB)
