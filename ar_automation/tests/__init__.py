from . import test_open_receivables
from . import test_invoice_automation
from . import test_billing_schedules
from . import test_disputes
from . import test_kpi
from . import test_security_ar_automation
from . import test_engines
from . import test_document_pdfs
