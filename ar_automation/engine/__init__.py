"""Plain-Python business logic of ar_automation: imports nothing from Odoo."""
