from . import account_move
from . import res_partner
from . import payment_transaction
from . import res_company
from . import ar_dunning_run
from . import ar_dunning_line
from . import ar_forecast_line
from . import ar_payment_plan_line
