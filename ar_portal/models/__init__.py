from . import account_move
from . import res_partner
from . import payment_transaction
from . import ar_autopay
from . import ar_payment_plan
