"""The engine tests (plain pytest functions) for Odoo's runner too: a BaseCase class per test_engine_*.py."""

from odoo.addons.ar_automation.tests.engine_cases import engine_cases

from . import (
    test_engine_aging,
    test_engine_checks,
    test_engine_forecast,
    test_engine_kpi,
    test_engine_replies,
    test_engine_schedule,
)

globals().update(
    engine_cases(
        __name__,
        test_engine_aging,
        test_engine_checks,
        test_engine_forecast,
        test_engine_kpi,
        test_engine_replies,
        test_engine_schedule,
    )
)
