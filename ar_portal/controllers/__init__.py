from . import portal
from . import pay
from . import payment_plan
from . import account_details
from . import statement_link
from . import login
