from . import test_dunning_policy
from . import test_dunning_run
from . import test_customer_segment
from . import test_payment_plan
from . import test_security_ar_dunning
from . import test_engines
from . import test_qweb_batch
from . import test_reminder_payment_details
