"""The engine tests (the pytest functions of test_engine_*.py) for Odoo's runner too, a BaseCase each."""

from odoo.addons.ar_automation.tests.engine_cases import engine_cases

globals().update(engine_cases(__name__))
