from odoo import Command
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class ArTestCommon(AccountTestInvoicingCommon):
    """Shared base of the suite's accounting tests: a fresh company and an AR collector."""

    @classmethod
    def get_default_groups(cls):
        return (
            super().get_default_groups()
            | cls.quick_ref("sales_team.group_sale_manager")
            | cls.quick_ref("ar_automation.ar_automation_group_manager")
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.partner_id.tz = "Europe/Warsaw"

    @classmethod
    def _posted_invoice(cls, amount, invoice_date, partner=None, move_type="out_invoice", **vals):
        """A posted one-line customer invoice (or credit note) without taxes; an ``invoice_date_due``
        given replaces the payment terms."""
        if vals.get("invoice_date_due"):
            vals["invoice_payment_term_id"] = False
        return cls._create_invoice_one_line(
            price_unit=amount,
            tax_ids=[],
            move_type=move_type,
            partner_id=(partner or cls.partner_a).id,
            invoice_date=invoice_date,
            post=True,
            **vals,
        )


class ArInvoicingCommon(ArTestCommon):
    """A company invoicing on confirmation, a customer whose data passes every check, a salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.ar_invoice_policy = "on_confirm"
        bank_journal = cls.company_data["default_journal_bank"]
        bank_journal.bank_account_id = cls.env["res.partner.bank"].create(
            {
                "acc_number": "PL47109024022846836723239796",
                "partner_id": cls.company.partner_id.id,
            }
        )
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Anna Handlowiec",
                "login": "anna.handlowiec",
                "email": "anna@seller.example.com",
                "group_ids": [Command.set(cls.env.ref("sales_team.group_sale_salesman").ids)],
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Kowalski Sp. z o.o.",
                "is_company": True,
                "vat": "PL5795955811",
                "street": "ul. Długa 1",
                "city": "Racibórz",
                "zip": "47-400",
                "country_id": cls.env.ref("base.pl").id,
                "email": "ap@kowalski.example.com",
                "property_payment_term_id": cls.pay_terms_a.id,
            }
        )
        cls.product_a.invoice_policy = "order"

    def _order(self, partner=None, qty=3, price=100.0):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "user_id": self.salesperson.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def _to_fix(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.account_move_action_ar_to_fix")
        return self.env["account.move"].search(safe_eval(action["domain"]))
