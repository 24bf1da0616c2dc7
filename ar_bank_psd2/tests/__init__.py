from . import test_bank_connection
