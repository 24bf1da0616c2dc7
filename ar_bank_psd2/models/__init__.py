from . import ar_bank_connection
from . import account_bank_statement_line
from . import ar_bank_statement_import
from . import account_journal
from . import ar_bank_connection_sync
