from . import ar_aging_wizard
