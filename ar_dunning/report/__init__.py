from . import report_reminder_letter
