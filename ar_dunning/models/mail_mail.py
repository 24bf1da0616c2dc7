from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """A reminder e-mail the mail server refused is shown in error on its reminder (and counted in its
        run) at once, with a call task for the salesperson, instead of staying *Sent* until the hourly
        check."""
        if failure_type:
            lines = (
                self.env["ar.dunning.line"]
                .sudo()
                .search([("mail_id", "in", self.ids), ("state", "=", "sent")])
            )
            for line in lines:
                line._ar_delivery_failed(line._ar_mail_failure_reason(failure_reason))
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
