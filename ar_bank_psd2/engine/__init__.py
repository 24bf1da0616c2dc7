"""Plain-Python business logic of ar_bank_psd2 (statement file parsers): imports nothing from Odoo."""
