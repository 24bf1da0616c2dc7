from . import res_company
from . import account_move
from . import ar_demo_loader
