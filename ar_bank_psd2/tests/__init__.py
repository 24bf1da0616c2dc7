from . import test_bank_connection
from . import test_statement_import
from . import test_bank_sync
from . import test_cash_application
from . import test_bulk_lines
from . import test_security_ar_bank_psd2
from . import test_import_roundtrip
from . import test_engines
