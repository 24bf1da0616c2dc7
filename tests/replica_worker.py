"""Prepares the database of tests/test_replica.py in a process of its own (before the replica is copied):
``python replica_worker.py ODOO_SRC CONFIG DATABASE REPORT_URL``. Prints ``RESULT {json}``: the portal
login and the documents to request."""

import json
import sys
from datetime import timedelta


def prepare(env, report_url):
    from odoo import Command  # noqa: PLC0415

    company = env.company
    today = company._ar_today()
    # wkhtmltopdf fetches the report's assets from this server, not from web.base.url's
    env["ir.config_parameter"].set_param("report.url", report_url)
    customer = env["res.partner"].create({"name": "Replika Sp. z o.o.", "is_company": True})
    contact = env["res.partner"].create(
        {"name": "Jan Replika", "parent_id": customer.id, "email": "jan@replika.example.com"}
    )
    env["res.users"].create(
        {
            "name": "Jan Replika",
            "login": "jan.replika",
            "password": "jan.replika",
            "partner_id": contact.id,
            "group_ids": [Command.set([env.ref("base.group_portal").id])],
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
        }
    )
    invoices = env["account.move"]
    for n, days in enumerate((40, 20, -10)):
        invoices |= env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=days + 30),
                "invoice_date_due": today - timedelta(days=days),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [Command.create({"name": f"Usługa {n}", "price_unit": 100 * (n + 1)})],
            }
        )
    invoices.action_post()
    payment = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=invoices[:1].ids)
        .create({"payment_date": today})
        ._create_payments()
    )
    link = customer._ar_statement_link(company=company).split("/my/", 1)[1]
    env.cr.commit()
    return {"login": "jan.replika", "payment_id": payment.id, "link": "/my/" + link}


def main():
    odoo_src, config_path, db_name, report_url = sys.argv[1:]
    sys.path.insert(0, odoo_src)
    import odoo.service.server  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_path, "-d", db_name, "--log-level=warn"], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    with Registry(db_name).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        result = prepare(env, report_url)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
