from . import test_open_receivables
from . import test_invoice_automation
