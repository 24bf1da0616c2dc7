from odoo import api, models


class ArForecastLine(models.Model):
    _inherit = "ar.forecast.line"

    @api.model
    def _autopay_move_ids(self, moves):
        return set(moves.filtered(lambda move: move.commercial_partner_id.ar_autopay).ids)
