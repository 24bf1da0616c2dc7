from . import controllers
from . import models
from . import wizard


def post_init_hook(env):
    """Companies whose chart of accounts was installed before this addon get their defaults."""
    for company in env["res.company"].search([("chart_template", "!=", False)]):
        env["ar.reconcile.rule"]._ar_set_company_defaults(company)
