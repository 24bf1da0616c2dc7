from odoo import Command
from odoo.http import Request

from odoo.addons.ar_automation.tests.common import ArTestCommon


class ArPortalCommon(ArTestCommon):
    """A customer company with a contact who logs in to the portal, and its collector."""

    portal_login = "jan.portal"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.env["res.users"].create(
            {
                "name": "Ewa Windykacja",
                "login": f"{cls.portal_login}.collector",
                "email": "ewa@seller.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [Command.set(cls.env.ref("ar_automation.ar_automation_group_collector").ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kowalski Sp. z o.o.", "is_company": True, "user_id": cls.collector.id}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jan Kowalski", "parent_id": cls.customer.id, "email": "jan@kowalski.example.com"}
        )
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Jan Kowalski",
                "login": cls.portal_login,
                "password": cls.portal_login,
                "partner_id": cls.contact.id,
                "group_ids": [Command.set([cls.env.ref("base.group_portal").id])],
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )

    @classmethod
    def _demo_token(cls, partner, state="done"):
        """The demo payment provider enabled for the test company, and a saved card of ``partner``."""
        provider = cls.env.ref("payment.payment_provider_demo").sudo()
        provider.write(
            {
                "state": "test",
                "company_id": cls.company.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        return (
            cls.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                    "partner_id": partner.id,
                    "payment_details": "4242",
                    "provider_ref": f"demo-token-{partner.id}",
                    "demo_simulated_state": state,
                }
            )
        )

    def _post(self, url, csrf=True, **data):
        if csrf:
            data["csrf_token"] = Request.csrf_token(self)
        return self.url_open(url, data=data)
