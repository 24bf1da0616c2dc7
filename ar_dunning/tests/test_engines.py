"""The engine tests (plain pytest functions) for Odoo's runner too: a BaseCase class per test_engine_*.py."""

from odoo.addons.ar_automation.tests.engine_cases import engine_cases

from . import (
    test_engine_decide,
    test_engine_fees,
    test_engine_instalments,
    test_engine_segments,
)

globals().update(
    engine_cases(
        __name__,
        test_engine_decide,
        test_engine_fees,
        test_engine_instalments,
        test_engine_segments,
    )
)
