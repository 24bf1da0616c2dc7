{
    "name": "AR Customer Portal",
    "summary": "Self-service statement, online payment, AutoPay, disputes and promises to pay",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "AR Automation for Odoo",
    "website": "https://github.com/ar-automation/ar-automation",
    "license": "LGPL-3",
    "maintainers": ["ar-automation"],
    "development_status": "Beta",
    "icon": "/ar_portal/static/description/icon.png",
    "depends": ["ar_dunning", "portal", "account_payment"],
    "external_dependencies": {"python": ["Babel", "MarkupSafe"]},
    "data": [
        "views/ar_portal_templates.xml",
        "views/ar_portal_invoice_templates.xml",
        "report/ar_portal_statement_report.xml",
        "views/ar_portal_autopay_templates.xml",
        "views/ar_portal_statement_link_templates.xml",
        "views/ar_portal_payment_plan_templates.xml",
        "views/ar_portal_account_details_templates.xml",
        "data/ir_cron_data.xml",
    ],
    "demo": [
        "demo/ar_portal_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "ar_portal/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}
