from odoo import api, fields, models


class ArBankConnection(models.Model):
    """A consent to read one bank's accounts through an open-banking provider."""

    _name = "ar.bank.connection"
    _description = "Bank Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    provider = fields.Selection(
        selection=[
            ("berlin_group", "Berlin Group NextGenPSD2"),
            ("enable_banking", "Enable Banking"),
            ("polishapi", "PolishAPI"),
        ],
        required=True,
        default="enable_banking",
        tracking=True,
    )
    institution_name = fields.Char(string="Bank")
    institution_bic = fields.Char(string="BIC")
    journal_ids = fields.Many2many(
        "account.journal",
        string="Bank Journals",
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        check_company=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Not connected"),
            ("active", "Active"),
            ("expiring", "Expiring"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
            ("error", "Error"),
        ],
        required=True,
        default="draft",
        tracking=True,
    )
    consent_expiry = fields.Datetime(string="Consent Expires", tracking=True)
    last_sync = fields.Datetime(string="Last Synchronisation", readonly=True)
    last_error = fields.Text(readonly=True)
    days_to_expiry = fields.Integer(compute="_compute_days_to_expiry")

    @api.depends("consent_expiry")
    def _compute_days_to_expiry(self):
        now = fields.Datetime.now()
        for connection in self:
            expiry = connection.consent_expiry
            connection.days_to_expiry = (expiry - now).days if expiry else 0

    def action_sync(self):
        """*Synchronise Now*: read the new transactions, then tell the user what came in (how many into
        which journal, pending, skipped as already booked) or what went wrong, in plain words."""
        self.ensure_one()
        stats = []
        lines = self._ar_sync_now(stats=stats)
        return self._ar_sync_notification(lines, stats)

    def _ar_sync_notification(self, lines, stats):
        """The ``display_notification`` action telling the result of a sync: ``lines`` the statement lines
        created, ``stats`` ``[(account, booked read, new)]`` per account read."""
        _ = self.env._
        parts = []
        for journal in lines.journal_id:
            parts.append(
                _(
                    "%(count)s new into %(journal)s",
                    count=len(lines.filtered(lambda ln, j=journal: ln.journal_id == j)),
                    journal=journal.display_name,
                )
            )
        message = (
            _(
                "%(count)s new transaction(s) booked: %(journals)s.",
                count=len(lines),
                journals=", ".join(parts),
            )
            if lines
            else _("No new transactions.")
        )
        duplicates = sum(read - new for _account, read, new in stats)
        if duplicates:
            message += " " + _("%s already booked (from an earlier sync or a file), skipped.", duplicates)
        pending = sum(len(account.pending_ids) for account, _read, _new in stats)
        if pending:
            message += " " + _("%s pending: the bank has not booked them yet.", pending)
        unmapped = self.account_ids.filtered(lambda account: not account.journal_id)
        if unmapped:
            message += " " + _("Not read, no journal chosen: %s.", ", ".join(unmapped.mapped("iban")))
        kind = "success" if lines else "info"
        if self.last_error:
            message = _("The bank answered with an error: %(error)s.", error=self.last_error) + " " + message
            message += " " + _("The next synchronisation starts again from the same day.")
            kind = "danger"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("%s synchronised", self.display_name)
                if kind != "danger"
                else _("%s: synchronisation failed", self.display_name),
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
