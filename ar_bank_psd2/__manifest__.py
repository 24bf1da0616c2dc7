{
    "name": "AR Bank PSD2",
    "summary": "Bank transactions from PSD2 open banking and statement files, matched to invoices",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "AR Automation for Odoo",
    "website": "https://github.com/ar-automation/ar-automation",
    "license": "LGPL-3",
    "depends": ["ar_automation"],
    "external_dependencies": {"python": ["requests", "lxml"]},
    "data": [
        "security/ir.model.access.csv",
        "security/ar_bank_psd2_security.xml",
        "data/ir_cron_data.xml",
        "views/ar_bank_connection_views.xml",
        "views/ar_bank_statement_import_views.xml",
        "views/ar_bank_psd2_menus.xml",
    ],
    "demo": [
        "demo/ar_bank_psd2_demo.xml",
    ],
    "installable": True,
}
