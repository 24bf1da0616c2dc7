from . import ar_bank_connection
