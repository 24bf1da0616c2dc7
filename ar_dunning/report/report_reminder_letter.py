from odoo import api, models


class ReportReminderLetter(models.AbstractModel):
    """The reminder letter, printed from the back office or opened by URL
    (``/report/html|pdf/ar_dunning.report_reminder_letter/<reminder ids>``): refused (``AccessError``, an
    HTTP 403) to whoever may not read the reminders and the invoices they list."""

    _name = "report.ar_dunning.report_reminder_letter"
    _description = "Payment Reminder Letter Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        reminders = self.env["ar.dunning.line"].browse(docids)
        reminders.check_access("read")
        # read as superuser: a many2many read as the user would leave out the invoices they may not read
        reminders.sudo().invoice_ids.sudo(False).check_access("read")
        return {"doc_ids": reminders.ids, "doc_model": "ar.dunning.line", "docs": reminders}
