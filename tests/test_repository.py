"""Repository guards: manifests, dependency direction, no Odoo source committed."""

import ast
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["ar_automation", "ar_dunning", "ar_bank_psd2", "ar_portal"]
# ar_dunning and ar_bank_psd2 build on ar_automation; ar_portal on ar_dunning.
ALLOWED_OWN_DEPS = {
    "ar_automation": set(),
    "ar_dunning": {"ar_automation"},
    "ar_bank_psd2": {"ar_automation"},
    "ar_portal": {"ar_dunning"},
}


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest(addon):
    data = manifest(addon)
    assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", data["version"]), data["version"]
    assert data["license"] == "LGPL-3"
    assert data["installable"] is True
    # what Odoo's Apps and OCA's tooling (whool, oca-gen-addon-readme, the Apps store) read
    for key in ("name", "summary", "category", "author", "website", "maintainers", "development_status"):
        assert data.get(key), f"{addon}: manifest key {key!r} is missing or empty"
    assert data["author"] == "AR Automation for Odoo"
    assert data["website"].startswith("https://")
    assert isinstance(data["maintainers"], list) and all(isinstance(m, str) for m in data["maintainers"])
    assert data["development_status"] in ("Alpha", "Beta", "Production/Stable", "Mature")
    assert data["icon"] == f"/{addon}/static/description/icon.png"
    assert (ROOT / addon / "static" / "description" / "icon.png").is_file()
    assert (ROOT / addon / "static" / "description" / "index.html").is_file()
    own = {dep for dep in data["depends"] if dep.startswith("ar_")}
    assert own == ALLOWED_OWN_DEPS[addon], f"{addon} depends on {own}"
    for key in ("data", "demo"):
        for path in data.get(key, []):
            assert (ROOT / addon / path).is_file(), f"{addon}: {key} file {path} is missing"


# psycopg2 is Odoo's database driver, installed as psycopg2 or psycopg2-binary: not declared by us.
UNDECLARED_IMPORTS = {"odoo", "psycopg2"}


def imported_distributions(addon):
    """The distributions (canonical names) whose modules the addon's own code imports (tests excepted)."""
    modules = set()
    for path in (ROOT / addon).rglob("*.py"):
        if "tests" in path.relative_to(ROOT / addon).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | UNDECLARED_IMPORTS
    by_module = importlib.metadata.packages_distributions()
    missing = [m for m in modules if m not in by_module]
    assert not missing, f"{addon} imports {missing}, which no installed distribution provides"
    return {canonical(dist) for module in modules for dist in by_module[module]}


def canonical(requirement):
    name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("addon", ADDONS)
def test_external_dependencies_are_what_the_code_imports(addon):
    """The wheels' Requires-Dist come from external_dependencies (whool), and Odoo checks them on install:
    every library the addon's code imports is declared, and nothing it does not import."""
    declared = {canonical(dep) for dep in manifest(addon).get("external_dependencies", {}).get("python", [])}
    assert declared == imported_distributions(addon)


def test_portal_depends_on_portal_and_payment():
    assert {"portal", "account_payment"} <= set(manifest("ar_portal")["depends"])


@pytest.mark.parametrize("addon", ADDONS)
def test_readme_fragments(addon):
    for fragment in ("DESCRIPTION.md", "USAGE.md"):
        assert (ROOT / addon / "readme" / fragment).is_file(), f"{addon}/readme/{fragment} is missing"


def test_no_odoo_source_or_local_state_is_tracked():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    tracked = files.split()
    assert not [f for f in tracked if f.startswith((".local/", ".venv/"))]
    assert "odoo-bin" not in tracked
    assert not [f for f in tracked if f.startswith(("odoo/", "addons/"))]


def test_addon_readmes_are_generated_from_fragments():
    result = subprocess.run([str(ROOT / "bin" / "gen-readmes"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("addon", ADDONS)
def test_readme_renders_as_odoo_shows_it(addon):
    """Odoo renders an addon's README with docutils (reStructuredText) on the Apps screen and warns in the
    install log when it cannot: the README must read as clean reStructuredText too."""
    import io  # noqa: PLC0415

    from docutils.core import publish_string  # noqa: PLC0415

    warnings = io.StringIO()
    publish_string(
        (ROOT / addon / "README.md").read_text(encoding="utf-8"),
        writer_name="html",
        settings_overrides={"warning_stream": warnings, "report_level": 2},
    )
    assert not warnings.getvalue(), warnings.getvalue()


@pytest.mark.parametrize("addon", ADDONS)
def test_no_xml_id_is_defined_twice(addon):
    """A record defined twice under one XML id is silently replaced by the file loaded last (a reminder form
    was lost that way): every id of an addon's data, views, reports and demo files is defined once."""
    from collections import Counter

    from lxml import etree

    manifest = ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))
    ids = Counter()
    for name in [*manifest.get("data", []), *manifest.get("demo", [])]:
        if not name.endswith(".xml"):
            continue
        tree = etree.parse(str(ROOT / addon / name))
        for node in tree.iter("record", "template", "menuitem"):
            if node.get("id"):
                ids[node.get("id")] += 1
    assert not [xml_id for xml_id, count in ids.items() if count > 1]
