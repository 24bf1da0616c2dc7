from datetime import timedelta

from odoo import Command
from odoo.tests import new_test_user
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


class ArSecurityCommon(ArTestCommon):
    """Two salespeople with their own customers, invoices, disputes and promises, and one user of each
    kind Odoo's own rules tell apart: salesperson (own documents only), salesperson (all documents),
    billing, accounting manager, a portal customer, and a collector of a second company only."""

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company()["company"]
        cls.own = cls._user("sec.own.docs", "sales_team.group_sale_salesman")
        cls.other = cls._user("sec.other.docs", "sales_team.group_sale_salesman")
        cls.all_docs = cls._user("sec.all.docs", "sales_team.group_sale_salesman_all_leads")
        cls.billing = cls._user("sec.billing", "account.group_account_invoice")
        cls.accountant = cls._user("sec.account.manager", "account.group_account_manager")
        cls.collector_2 = cls._user(
            "sec.collector.two", "ar_automation.ar_automation_group_collector", company=cls.company_2
        )
        cls.customer_own = cls.env["res.partner"].create(
            {"name": "Własny Klient Sp. z o.o.", "is_company": True, "user_id": cls.own.id}
        )
        cls.customer_other = cls.env["res.partner"].create(
            {"name": "Cudzy Klient Sp. z o.o.", "is_company": True, "user_id": cls.other.id}
        )
        cls.portal_contact = cls.env["res.partner"].create(
            {"name": "Jan Własny", "parent_id": cls.customer_own.id, "email": "jan@wlasny.example.com"}
        )
        cls.portal = new_test_user(
            cls.env,
            "sec.portal.user",
            groups="base.group_portal",
            partner_id=cls.portal_contact.id,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        today = cls.company._ar_today()
        cls.invoice_own = cls._posted_invoice(
            1000, today, cls.customer_own, invoice_date_due=today, invoice_user_id=cls.own.id
        )
        cls.invoice_other = cls._posted_invoice(
            2000, today, cls.customer_other, invoice_date_due=today, invoice_user_id=cls.other.id
        )
        cls.dispute_own = cls._dispute(cls.invoice_own)
        cls.dispute_other = cls._dispute(cls.invoice_other)
        cls.promise_own = cls._promise(cls.invoice_own)
        cls.promise_other = cls._promise(cls.invoice_other)

    @classmethod
    def _dispute(cls, invoice):
        return cls.env["ar.dispute"].create(
            {
                "partner_id": invoice.commercial_partner_id.id,
                "invoice_ids": [Command.set(invoice.ids)],
                "reason": "other",
                "company_id": invoice.company_id.id,
                "description": "Towar uszkodzony",
            }
        )

    @classmethod
    def _promise(cls, invoice):
        return cls.env["ar.payment.promise"].create(
            {"invoice_id": invoice.id, "date_promised": invoice.invoice_date_due + timedelta(days=7)}
        )

    def _visible(self, user, records):
        """The ones of ``records`` that ``user`` finds with a search_read."""
        rows = records.with_user(user).search_read([("id", "in", records.ids)], ["id"])
        return records.browse([row["id"] for row in rows])
