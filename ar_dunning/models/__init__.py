from . import ar_dunning_policy
from . import ar_dunning_level
