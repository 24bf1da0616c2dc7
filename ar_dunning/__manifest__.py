{
    "name": "AR Dunning",
    "summary": "Multi-step, multi-channel payment reminders per customer segment",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "AR Automation for Odoo",
    "website": "https://github.com/ar-automation/ar-automation",
    "license": "LGPL-3",
    "depends": ["ar_automation", "sms"],
    "data": [
        "security/ir.model.access.csv",
        "security/ar_dunning_security.xml",
        "data/ar_dunning_policy_data.xml",
        "views/ar_dunning_policy_views.xml",
        "views/ar_dunning_menus.xml",
    ],
    "demo": [
        "demo/ar_dunning_demo.xml",
    ],
    "installable": True,
}
