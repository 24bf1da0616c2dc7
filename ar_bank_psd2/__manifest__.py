{
    "name": "AR Bank PSD2",
    "summary": "Bank transactions from PSD2 open banking and statement files, matched to invoices",
    "version": "19.0.1.1.0",
    "category": "Accounting/Accounting",
    "author": "AR Automation for Odoo",
    "website": "https://github.com/ar-automation/ar-automation",
    "license": "LGPL-3",
    "maintainers": ["ar-automation"],
    "development_status": "Beta",
    "icon": "/ar_bank_psd2/static/description/icon.png",
    "depends": ["ar_automation"],
    "external_dependencies": {
        "python": ["python-stdnum>=1.17", "requests>=2.25", "lxml>=4.8", "cryptography", "MarkupSafe"]
    },
    "data": [
        "security/ir.model.access.csv",
        "security/ar_bank_psd2_security.xml",
        "data/ir_cron_data.xml",
        "data/ar_reconcile_rule_data.xml",
        "views/ar_bank_connection_views.xml",
        "views/ar_bank_statement_import_views.xml",
        "views/ar_cash_application_views.xml",
        "views/ar_bank_psd2_menus.xml",
    ],
    "demo": [
        "demo/ar_bank_psd2_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
