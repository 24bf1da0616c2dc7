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
