from . import test_portal_statement
