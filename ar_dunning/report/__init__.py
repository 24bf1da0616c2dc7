from . import report_reminder_letter
from . import ar_dunning_variant_report
