"""Installing the suite (with demo data) and uninstalling it logs no warning or error of ours.

The logs are written by ``bin/run-tests`` (``make test``) into ``$AR_TEST_LOG_DIR``.
"""

import os
import re
from pathlib import Path

import pytest

# "2026-11-23 03:01:42,738 4073 WARNING dbname odoo.addons.ar_dunning.models.x: message"
LOG_LINE = re.compile(r"^\S+ \S+ \d+ (?P<level>WARNING|ERROR|CRITICAL) \S+ (?P<logger>[\w.]+): (?P<msg>.*)$")
OUR_CODE = re.compile(r"\bar_(automation|dunning|bank_psd2|portal)\b")


def _log(name):
    log_dir = os.environ.get("AR_TEST_LOG_DIR")
    if not log_dir:
        pytest.skip("install logs are produced by 'make test' (bin/run-tests)")
    path = Path(log_dir) / f"{name}.log"
    if name.endswith("-demo") and os.environ.get("AR_SKIP_DEMO_CHECK"):
        pytest.skip("AR_SKIP_DEMO_CHECK is set")
    assert path.is_file(), f"{path} is missing: bin/run-tests did not run this step"
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def our_problems(lines):
    """Warning/error records that name one of our addons (logger, message or traceback that follows)."""
    problems = []
    for index, line in enumerate(lines):
        match = LOG_LINE.match(line)
        if not match:
            continue
        follow = []
        for nxt in lines[index + 1 : index + 40]:
            if LOG_LINE.match(nxt) or re.match(r"^\S+ \S+ \d+ (INFO|DEBUG) ", nxt):
                break
            follow.append(nxt)
        text = "\n".join([line, *follow])
        if OUR_CODE.search(text):
            problems.append(text)
    return problems


def test_log_parser_finds_our_warnings():
    lines = [
        "2026-11-23 03:01:42,738 4073 WARNING db odoo.addons.ar_dunning.models.x: boom",
        "2026-11-23 03:01:42,738 4073 WARNING db odoo.modules.loading: other addon",
        "2026-11-23 03:01:42,738 4073 ERROR db odoo.sql_db: bad query",
        'File "/src/ar_portal/models/x.py", line 3',
        "2026-11-23 03:01:42,738 4073 INFO db odoo.addons.ar_dunning: fine",
    ]
    problems = our_problems(lines)
    assert len(problems) == 2
    assert "boom" in problems[0]
    assert "ar_portal/models" in problems[1]


@pytest.mark.parametrize("step", ["install", "install-demo", "uninstall-demo"])
def test_no_warning_of_ours(step):
    lines = _log(step)
    assert lines, f"the {step} log is empty"
    assert our_problems(lines) == []
