def uninstall_hook(env):
    """Keep the demo company's business data when the suite is uninstalled.

    The demo records (company, customers, journals, users...) carry ``ar_automation.demo_*`` xml ids;
    Odoo would try to delete them on uninstall and fail noisily on every one still used by invoices.
    Forgetting their xml ids first leaves them as ordinary data of the database.
    """
    env["ir.model.data"].search([("module", "=", "ar_automation"), ("name", "=like", "demo\\_%")]).unlink()
