from decimal import Decimal

from odoo import api, fields, models


class ArInterestRate(models.Model):
    """The statutory late-payment interest rate for commercial transactions, from a date until the next
    rate of the same country."""

    _name = "ar.interest.rate"
    _description = "Statutory Interest Rate"
    _order = "country_id, date_from desc"

    _country_date_unique = models.UniqueIndex("(country_id, date_from)")

    country_id = fields.Many2one("res.country", required=True, default=lambda self: self.env.ref("base.pl"))
    date_from = fields.Date(string="In Force From", required=True)
    rate = fields.Float(string="Annual Rate (%)", required=True, digits=(6, 2))
    note = fields.Char(help="Where the rate comes from, e.g. the NBP reference rate + 10 points.")

    @api.model
    def _rate_table(self, country):
        """``[(date_from, Decimal rate), ...]`` of ``country``."""
        return [(r.date_from, Decimal(str(r.rate))) for r in self.search([("country_id", "=", country.id)])]
