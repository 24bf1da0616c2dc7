from . import test_portal_statement
from . import test_portal_requests
from . import test_portal_pay
from . import test_autopay
