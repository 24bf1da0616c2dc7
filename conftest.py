"""Repository-wide pytest rules.

* A browser test (HttpCase tour) that Odoo would skip because Chromium or the
  websocket-client package is missing fails instead: a green run must mean the tours ran.
* A WARNING or ERROR logged by one of our addons during a test fails that test
  (tests that expect a log capture it with ``assertLogs``, which keeps it from us).
"""

import logging
import os
from pathlib import Path

import pytest

# bin/setup's wkhtmltopdf with patched Qt (prints Odoo's headers and footers) before the system's, as
# bin/odoo and bin/run-tests have it.
_WKHTMLTOX = Path(__file__).parent / ".local" / "wkhtmltox" / "bin"
if (_WKHTMLTOX / "wkhtmltopdf").exists():
    os.environ["PATH"] = f"{_WKHTMLTOX}{os.pathsep}{os.environ.get('PATH', '')}"

BROWSER_SKIP_MARKERS = (
    "chrome",
    "chromium",
    "websocket",
    "browser",
    "devtools",
)
OUR_LOGGERS = (
    "odoo.addons.ar_automation",
    "odoo.addons.ar_dunning",
    "odoo.addons.ar_bank_psd2",
    "odoo.addons.ar_portal",
)


class _OurWarnings(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


_HANDLER = _OurWarnings()


def pytest_configure(config):
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(_HANDLER)
        # Odoo's log level (pytest-odoo defaults to critical) must not hide our warnings.
        logger.setLevel(logging.INFO)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and call.excinfo is not None:
        reason = str(call.excinfo.value).lower()
        if any(marker in reason for marker in BROWSER_SKIP_MARKERS):
            report.outcome = "failed"
            report.longrepr = f"browser test could not run (install chromium and websocket-client): {reason}"
    if call.when == "teardown" and _HANDLER.records:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in _HANDLER.records)
        _HANDLER.records.clear()
        if report.passed:
            report.outcome = "failed"
            report.longrepr = f"our addons logged warnings or errors during the test:\n{lines}"
