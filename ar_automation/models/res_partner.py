from odoo import api, fields, models
from odoo.fields import Domain

from .res_company import INVOICE_POLICIES


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_invoice_policy = fields.Selection(
        selection=INVOICE_POLICIES,
        string="Automatic Invoicing",
        company_dependent=True,
        help="Overrides the company's automatic invoicing policy for this customer; empty: the company's.",
    )

    ar_billing_email = fields.Char(
        string="Billing E-mail",
        help="Invoices and payment reminders go to this address (a billing contact of the customer); "
        "empty: the customer's own address.",
    )
    ar_customer_po = fields.Char(
        string="PO Number for Invoices",
        help="The customer's purchase order number, written as the reference of its new invoices.",
    )

    # Receivables summary of the customer form (the current company's, in its currency), for accounting
    # and collectors only: a salesperson does not see what a customer owes.
    ar_receivable_balance = fields.Monetary(
        string="Receivable Balance",
        compute="_compute_ar_receivables",
        currency_field="currency_id",
        groups="account.group_account_invoice",
        help="Open invoices less open credit notes of this customer in the current company.",
    )
    ar_overdue_amount = fields.Monetary(
        string="Overdue",
        compute="_compute_ar_receivables",
        currency_field="currency_id",
        groups="account.group_account_invoice",
    )
    ar_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (Days)",
        compute="_compute_ar_receivables",
        groups="account.group_account_invoice",
        help="Days past due of the customer's oldest overdue invoice.",
    )
    ar_open_invoice_count = fields.Integer(
        string="Open Invoices", compute="_compute_ar_receivables", groups="account.group_account_invoice"
    )
    ar_open_promise_id = fields.Many2one(
        "ar.payment.promise",
        string="Open Promise",
        compute="_compute_ar_receivables",
        groups="account.group_account_invoice",
        help="The earliest pending promise to pay.",
    )
    ar_open_promise_date = fields.Date(
        string="Promised For", compute="_compute_ar_receivables", groups="account.group_account_invoice"
    )
    ar_promise_count = fields.Integer(
        string="Open Promises", compute="_compute_ar_receivables", groups="account.group_account_invoice"
    )
    ar_open_dispute_count = fields.Integer(
        string="Open Disputes", compute="_compute_ar_receivables", groups="account.group_account_invoice"
    )
    ar_open_dispute_amount = fields.Monetary(
        string="Disputed",
        compute="_compute_ar_receivables",
        currency_field="currency_id",
        groups="account.group_account_invoice",
    )

    @api.depends_context("company")
    def _compute_ar_receivables(self):
        """All the customers at once: one grouped read per figure, whatever the number of partners."""
        company = self.env.company
        today = company._ar_today()
        customers = self.commercial_partner_id
        moves = self.env["account.move"]
        base = (
            Domain("commercial_partner_id", "in", customers.ids)
            & Domain("company_id", "=", company.id)
            & moves._ar_open_receivable_domain(move_types=("out_invoice", "out_refund"))
        )
        balance = {
            partner.id: (total, count)
            for partner, total, count in moves._read_group(
                base, ["commercial_partner_id"], ["amount_residual_signed:sum", "__count"]
            )
        }
        overdue = {
            partner.id: (total, oldest)
            for partner, total, oldest in moves._read_group(
                base & Domain("move_type", "=", "out_invoice") & Domain("invoice_date_due", "<", today),
                ["commercial_partner_id"],
                ["amount_residual_signed:sum", "invoice_date_due:min"],
            )
        }
        promises = {}
        for promise in self.env["ar.payment.promise"].search(
            [("partner_id", "in", customers.ids), ("state", "=", "pending"), ("company_id", "=", company.id)],
            order="date_promised, id",
        ):
            promises.setdefault(promise.partner_id.id, promise)
        promise_counts = {
            partner.id: count
            for partner, count in self.env["ar.payment.promise"]._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("state", "=", "pending"),
                    ("company_id", "=", company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        }
        disputes = {
            partner.id: (count, amount)
            for partner, count, amount in self.env["ar.dispute"]._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("is_open", "=", True),
                    ("company_id", "=", company.id),
                ],
                ["partner_id"],
                ["__count", "amount_disputed:sum"],
            )
        }
        for partner in self:
            key = partner.commercial_partner_id.id
            total, count = balance.get(key, (0.0, 0))
            overdue_total, oldest = overdue.get(key, (0.0, False))
            promise = promises.get(key, self.env["ar.payment.promise"])
            partner.ar_receivable_balance = total
            partner.ar_open_invoice_count = count
            partner.ar_overdue_amount = overdue_total
            partner.ar_oldest_overdue_days = (today - oldest).days if oldest else 0
            partner.ar_open_promise_id = promise
            partner.ar_open_promise_date = promise.date_promised
            partner.ar_promise_count = promise_counts.get(key, 0)
            partner.ar_open_dispute_count, partner.ar_open_dispute_amount = disputes.get(key, (0, 0.0))

    def _ar_receivables_action(self, xml_id, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = domain
        action["context"] = dict(context or {})
        return action

    def action_ar_open_invoices(self):
        """The customer's open invoices and credit notes in the current company."""
        self.ensure_one()
        domain = (
            Domain("commercial_partner_id", "=", self.commercial_partner_id.id)
            & Domain("company_id", "=", self.env.company.id)
            & self.env["account.move"]._ar_open_receivable_domain(move_types=("out_invoice", "out_refund"))
        )
        return self._ar_receivables_action(
            "account.action_move_out_invoice_type", list(domain), {"default_move_type": "out_invoice"}
        )

    def action_ar_disputes(self):
        self.ensure_one()
        return self._ar_receivables_action(
            "ar_automation.ar_dispute_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            {"default_partner_id": self.commercial_partner_id.id, "search_default_open": 1},
        )

    def action_ar_promises(self):
        self.ensure_one()
        return self._ar_receivables_action(
            "ar_automation.ar_payment_promise_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            {"search_default_pending": 1},
        )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered("ar_billing_email")._ar_sync_billing_contact()
        return partners

    def write(self, vals):
        result = super().write(vals)
        if vals.get("ar_billing_email"):
            self._ar_sync_billing_contact()
        return result

    def _ar_sync_billing_contact(self):
        """Make sure each customer has a billing contact (an invoice address) with its billing e-mail, the
        recipient of its invoices and reminders."""
        for partner in self:
            if not partner._ar_billing_contact():
                self.create(
                    {
                        "parent_id": partner.id,
                        "type": "invoice",
                        "name": self.env._("Billing"),
                        "email": partner.ar_billing_email,
                        "lang": partner.lang,
                    }
                )

    def _ar_billing_contact(self):
        """The contact receiving this customer's invoices and reminders: the invoice address with the
        billing e-mail (empty when no billing e-mail is set)."""
        commercial = self.commercial_partner_id
        if not commercial.ar_billing_email:
            return self.browse()
        email = commercial.ar_billing_email.strip().lower()
        return commercial.child_ids.filtered(
            lambda c: c.type == "invoice" and (c.email or "").strip().lower() == email
        )[:1]

    def _ar_effective_invoice_policy(self, company):
        """The invoicing policy for this customer in ``company``: its own, else the company's."""
        self.ensure_one()
        own = self.commercial_partner_id.with_company(company).ar_invoice_policy
        return own or company.ar_invoice_policy
