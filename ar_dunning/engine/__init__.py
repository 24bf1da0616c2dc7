"""Plain-Python business logic of ar_dunning: imports nothing from Odoo."""
