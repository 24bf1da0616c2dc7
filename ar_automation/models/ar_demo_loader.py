from odoo import api, models


class ArDemoLoader(models.AbstractModel):
    """Builds the suite's demo data: a Polish B2B seller and its receivables."""

    _name = "ar.demo.loader"
    _description = "AR Automation demo data"

    @api.model
    def _load_demo(self):
        return True
