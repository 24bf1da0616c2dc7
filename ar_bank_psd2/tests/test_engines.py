"""The engine tests (plain pytest functions) for Odoo's runner too: a BaseCase class per test_engine_*.py."""

from odoo.addons.ar_automation.tests.engine_cases import engine_cases

from . import (
    test_engine_camt,
    test_engine_corpus,
    test_engine_enable_banking,
    test_engine_encoding,
    test_engine_fuzz,
    test_engine_identity,
    test_engine_matching,
    test_engine_mt940,
    test_engine_provider,
)

globals().update(
    engine_cases(
        __name__,
        test_engine_camt,
        test_engine_corpus,
        test_engine_enable_banking,
        test_engine_encoding,
        test_engine_fuzz,
        test_engine_identity,
        test_engine_matching,
        test_engine_mt940,
        test_engine_provider,
    )
)
