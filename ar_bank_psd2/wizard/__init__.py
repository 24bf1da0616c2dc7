from . import ar_statement_import_wizard
from . import ar_manual_match_wizard
from . import ar_skipped_transaction_wizard
