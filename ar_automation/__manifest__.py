{
    "name": "AR Automation",
    "summary": "Invoices that create, check, post and send themselves; AR aging, KPIs and disputes",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "AR Automation for Odoo",
    "website": "https://github.com/ar-automation/ar-automation",
    "license": "LGPL-3",
    "depends": ["account", "sale", "mail", "base_iban", "base_vat"],
    "external_dependencies": {"python": ["python-stdnum"]},
    "data": [
        "security/ar_automation_security.xml",
        "security/ir.model.access.csv",
        "views/account_move_views.xml",
        "views/ar_automation_menus.xml",
    ],
    "demo": [
        "demo/ar_demo.xml",
    ],
    "installable": True,
    "application": False,
}
