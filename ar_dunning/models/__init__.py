from . import ar_dunning_policy
from . import ar_dunning_level
from . import ar_dunning_run
from . import ar_dunning_line
from . import account_move
from . import res_partner
from . import res_company
from . import ar_demo_loader
