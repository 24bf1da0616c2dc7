from odoo import api, models


class ReportPartnerStatement(models.AbstractModel):
    """The account statement printed from the back office or opened by URL
    (``/report/html|pdf/ar_portal.report_partner_statement/<partner ids>``): it shows every posted invoice
    and credit note of the customer issued by the current company (one statement per company), so it is
    refused (``AccessError``, an HTTP 403) to whoever may not read them all, as Odoo's invoice rules decide
    (a salesperson with own documents only: their invoices or unassigned ones; the portal: the customer's
    own; a user whose company does not invoice the customer: those other companies' rules). The portal
    renders it with ``sudo()`` after its own checks."""

    _name = "report.ar_portal.report_partner_statement"
    _description = "Account Statement Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        partners.check_access("read")
        if not self.env.su:
            documents_sudo = (
                self.env["account.move"]
                .sudo()
                .search(
                    [
                        ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("state", "=", "posted"),
                    ]
                )
            )
            mine_sudo = documents_sudo.filtered(lambda move: move.company_id == self.env.company)
            if documents_sudo and not mine_sudo:
                # The customer is invoiced only by other companies: their statement is not this user's.
                documents_sudo.sudo(False).check_access("read")
            mine_sudo.sudo(False).check_access("read")
        return {"doc_ids": partners.ids, "doc_model": "res.partner", "docs": partners}
