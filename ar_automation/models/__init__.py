from . import res_company
from . import res_partner
from . import res_config_settings
from . import ar_invoice_check
from . import account_move
from . import sale_order
from . import ar_demo_loader
